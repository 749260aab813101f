package org.gps.bench;

import org.gps.core.gmm.GmmOptions;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DynamicsBenchmarkTest {
    private static final BenchSize TINY = new BenchSize("tiny", 2, 4, 12, 2, 1);

    @Test
    void warmUpRoundsRunUntimedBeforeTheRepeatsAndTheTableNamesThem() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int warmups = 2;
        int repeats = 1;
        DynamicsBenchmark.Measurement m = DynamicsBenchmark.run(SparkTestSession.get(), TINY, warmups, repeats, 3,
                10_000, GmmOptions.Initialization.KMEANS, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String log = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(log.contains("warm-up 1:") && log.contains("warm-up 2:") && !log.contains("warm-up 3:"), log);
        assertTrue(log.contains("repeat 1:") && !log.contains("repeat 2:"), log);
        assertEquals(repeats, m.emSeconds().length);
        assertEquals(repeats, m.fitSeconds().length);
        assertTrue(m.emSeconds()[0] > 0 && m.fitSeconds()[0] > 0);
        // K = max(2, min(20, 4 trajectories x 11 points / 40)) = 2
        assertEquals(2, m.clusters());

        String[] lines = DynamicsBenchmark.markdown(List.of(m), repeats).split("\n");
        assertTrue(lines[2].startsWith("| tiny | 2 | 4 | 12 | 2 | 1 | per condition | in one task each | kmeans | 2 | 2 |"),
                lines[2]);
        assertEquals(lines[0].chars().filter(c -> c == '|').count(), lines[2].chars().filter(c -> c == '|').count(),
                "the row has as many cells as the header");
    }
}
