package org.gps.pipeline.cli;

import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
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
 * The same configs run on one, two and three cores give the same values, bit for bit, in every
 * output: a tiny TrajOpt run (cost expansions, dynamics, C-step) and a tiny MDGPS run (also the
 * S-step's loss and gradient sums, the policy linearization and its evaluation). The parallelism
 * of a SparkContext is fixed for its JVM, so each core count runs in a JVM of its own.
 */
class SameBitsOnAnyCoresTest {
    private static final int[] CORES = {1, 2, 3};

    @TempDir
    Path dir;

    @Test
    void runsOnOneTwoAndThreeCoresWriteTheSameValuesBitForBit() throws Exception {
        Path trajopt = dir.resolve("trajopt.yaml");
        Files.writeString(trajopt, TinyRun.CONFIG);
        Path mdgps = dir.resolve("mdgps.yaml");
        Files.writeString(mdgps, MdgpsRunTest.CONFIG);
        List<Process> jvms = new ArrayList<>();
        for (int n : CORES) {
            // Run directories relative to a working directory of each JVM's own: the report names
            // its run directory, which is then the same text in every run.
            jvms.add(StepJvm.start(dir.resolve("cores" + n), dir.resolve("tmp" + n), dir.resolve("log" + n), List.of(),
                    RunConfigsMain.class.getName(), List.of("local[" + n + "]",
                            trajopt.toString(), "trajopt", mdgps.toString(), "mdgps")));
        }
        for (int i = 0; i < CORES.length; i++) {
            Process p = jvms.get(i);
            boolean ended = p.waitFor(300, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            assertTrue(ended, "the runs on local[" + CORES[i] + "] did not end within 300 s");
            assertEquals(0, p.exitValue(), StepJvm.log(dir.resolve("log" + CORES[i])));
        }
        for (String run : new String[] {"trajopt", "mdgps"}) {
            Map<String, List<String>> one = RunValues.of(dir.resolve("cores" + CORES[0]).resolve(run),
                    SparkTestSession.get());
            assertTrue(one.keySet().stream().anyMatch(k -> k.endsWith("dynamics/steps")), one.keySet().toString());
            for (int i = 1; i < CORES.length; i++) {
                Map<String, List<String>> other = RunValues.of(dir.resolve("cores" + CORES[i]).resolve(run),
                        SparkTestSession.get());
                assertNull(RunValues.firstDifference(one, other),
                        run + ": local[" + CORES[0] + "] against local[" + CORES[i] + "]");
            }
        }
    }
}
