package org.gps.pipeline.cli;

import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code gps fit-dynamics}' held-out scores, and that scoring leaves the published dynamics alone. */
class FitDynamicsHeldOutTest {
    /**
     * SHA-256 of every value (raw double bits) of the tiny run's dynamics of iterations 0 and 1,
     * computed with the code before held-out scoring existed: a run-dir fit without --held-out
     * must keep writing exactly these bits.
     */
    static final String DYNAMICS_BEFORE_HELD_OUT =
            "d79e6562aba801e330b9b5f048b8125ed1f0e915483374a71d985eab201504ad "
            + "ac1e6b89c72205f5fe50a19e8cd68ff5a1f07e23e030d308f747168076bbf197";

    static String digest(Path dynamics) throws Exception {
        Map<String, List<String>> values = RunValues.of(dynamics, SparkTestSession.get());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            for (String v : e.getValue()) {
                sha.update((byte) '\n');
                sha.update(v.getBytes(StandardCharsets.UTF_8));
            }
            sha.update((byte) 0);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void aRunDirFitWithoutHeldOutWritesTheSameDynamicsAsBefore() throws Exception {
        Path run = TinyRun.secondIteration();
        String d = digest(run.resolve("iter=0000/dynamics")) + " " + digest(run.resolve("iter=0001/dynamics"));
        assertEquals(DYNAMICS_BEFORE_HELD_OUT, d);
    }
}
