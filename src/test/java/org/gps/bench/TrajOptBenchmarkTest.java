package org.gps.bench;

import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrajOptBenchmarkTest {
    private static final BenchSize TINY = new BenchSize("tiny", 2, 3, 10, 3, 1);

    @Test
    void tinySizeGivesFinitePositiveTimesAndATableRow() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int repeats = 2;
        TrajOptBenchmark.Measurement m = TrajOptBenchmark.run(SparkTestSession.get(), TINY, repeats, 7,
                new PrintStream(log, true, StandardCharsets.UTF_8));

        // The tiny rollouts are few enough to be expanded in the sampling tasks too.
        for (double[] times : List.of(m.costSeconds(), m.sampledCostSeconds(), m.sparkCStepSeconds(),
                m.driverCStepSeconds())) {
            assertEquals(repeats, times.length);
            for (double t : times) {
                assertTrue(t > 0 && Double.isFinite(t), "time " + t);
            }
        }
        assertEquals(repeats, m.samplingSeconds().length);
        for (double[] pair : m.samplingSeconds()) {
            assertTrue(pair.length == 2 && pair[0] > 0 && pair[1] > 0, "sampling without and with the expansion");
        }
        assertTrue(m.minRounds() >= 1 && m.maxRounds() >= m.minRounds(), m.minRounds() + "-" + m.maxRounds());
        assertTrue(m.peakHeapBytes() > 0);
        assertTrue(Double.isFinite(m.meanCost()) && m.meanCost() > 0, "mean cost " + m.meanCost());

        String table = TrajOptBenchmark.markdown(List.of(m), repeats);
        String[] lines = table.split("\n");
        assertTrue(lines[0].startsWith("| size |"), table);
        assertTrue(lines[1].startsWith("|---|"), table);
        assertTrue(lines[2].startsWith("| tiny | 2, 3, 10, 3, 1 |"), table);
        assertEquals(lines[0].chars().filter(c -> c == '|').count(), lines[2].chars().filter(c -> c == '|').count(),
                "the row has as many cells as the header");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("warm-up"), "progress goes to the log");
    }

    @Test
    void namedSizesParseAndUnknownOnesAreRefused() {
        assertEquals(List.of(BenchSize.SMALL, BenchSize.LARGE), BenchSize.parse("small, LARGE"));
        org.junit.jupiter.api.Assertions.assertThrows(org.gps.core.BadInputException.class,
                () -> BenchSize.parse("small,huge"));
    }

    @Test
    void medianAndMinOfRepeats() {
        assertEquals(2.0, TrajOptBenchmark.median(new double[] {3, 1, 2}));
        assertEquals(2.5, TrajOptBenchmark.median(new double[] {4, 1, 2, 3}));
        assertEquals(1.0, TrajOptBenchmark.min(new double[] {3, 1, 2}));
    }
}
