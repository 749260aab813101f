package org.gps.pipeline.cli;

import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same config run on one, two and three cores gives the same values, bit for bit, in every
 * output. The config is MDGPS's: its iterations run every step of a TrajOpt iteration (sampling,
 * cost expansions, dynamics, C-step) and also the S-step's loss and gradient sums, the policy
 * linearization and the policy's evaluation; two iterations, so that warm starts, step
 * multipliers and on-policy sampling are covered; and the same with the PILQR C-step. The parallelism of a SparkContext is fixed
 * for its JVM, so each core count runs in a JVM of its own (the three at once).
 */
@Tag("slow")
class SameBitsOnAnyCoresTest {
    private static final int[] CORES = {1, 2, 3};

    @TempDir
    Path dir;

    /** MDGPS, and MDGPS with the PILQR C-step, whose tasks hold a condition's samples and sum over them. */
    @ParameterizedTest
    @ValueSource(strings = {"mdgps", "mdgps_pilqr"})
    void runsOnOneTwoAndThreeCoresWriteTheSameValuesBitForBit(String algorithm) throws Exception {
        Path config = dir.resolve("mdgps.yaml");
        Files.writeString(config, MdgpsRunTest.CONFIG.replace("algorithm: mdgps", "algorithm: " + algorithm));
        List<Process> jvms = new ArrayList<>();
        for (int n : CORES) {
            // The run directory is relative to a working directory of each JVM's own: the report
            // names its run directory, which is then the same text in every run.
            jvms.add(StepJvm.startMain(dir.resolve("cores" + n), dir.resolve("tmp" + n), dir.resolve("log" + n),
                    List.of(), "run", "--config", config.toString(), "--run-dir", "run", "--master", "local[" + n + "]"));
        }
        for (int i = 0; i < CORES.length; i++) {
            Process p = jvms.get(i);
            boolean ended = p.waitFor(300, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            assertTrue(ended, "the run on local[" + CORES[i] + "] did not end within 300 s");
            assertEquals(0, p.exitValue(), StepJvm.log(dir.resolve("log" + CORES[i])));
        }
        Map<String, List<String>> one = RunValues.of(dir.resolve("cores" + CORES[0]).resolve("run"),
                SparkTestSession.get());
        for (String output : new String[] {"iter=0001/dynamics/steps", "iter=0001/policy.json",
                "iter=0001/policy_linearization", "iter=0002/controllers", "report/index_files/series.json"}) {
            assertTrue(one.containsKey(output), output + " in " + one.keySet());
        }
        for (int i = 1; i < CORES.length; i++) {
            Map<String, List<String>> other = RunValues.of(dir.resolve("cores" + CORES[i]).resolve("run"),
                    SparkTestSession.get());
            assertNull(RunValues.firstDifference(one, other), "local[" + CORES[0] + "] against local[" + CORES[i] + "]");
        }
    }
}
