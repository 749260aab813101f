package org.gps.pipeline.cli;

import org.gps.io.AtomicOutput;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Safe steps: a step killed with SIGKILL while it publishes, then run again, leaves
 * exactly what an uninterrupted run leaves, and what the kill left is refused by the next step
 * rather than taken for complete. The killed step runs in a JVM of its own (as under
 * spark-submit); the rest runs in-process on the shared session.
 */
@Tag("slow")
class KilledStepTest {
    /** Kill attempts before giving up: each one that the step outran is retried. */
    static final int ATTEMPTS = 3;

    @TempDir
    static Path dir;

    static void ok(String... args) {
        TinyRun.ok(args);
    }

    /**
     * Runs {@code step --run-dir run --iteration 0} in its own JVM and SIGKILLs it while it
     * writes the temporary folder of {@code output}; retried when the step got past that folder
     * before the kill (finished, or renamed the folder in the moment between poll and kill).
     */
    static void killWhilePublishing(Path run, String step, String output) throws Exception {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Path log = dir.resolve(step + "-" + run.getFileName() + "-" + attempt + ".log");
            Process p = StepJvm.startMain(dir.resolve("work"), dir.resolve("tmp"), log, StepJvm.QUICK_START,
                    step, "--run-dir", run.toString(), "--iteration", "0", "--master", "local[1]");
            boolean killed = StepJvm.killOnceStaging(p, run, output, 300);
            if (killed) {
                assertNotEquals(0, p.exitValue(), "a SIGKILLed JVM does not exit 0");
                if (StepJvm.hasStaging(run, output)) {
                    return;
                }
            } else {
                assertEquals(0, p.exitValue(), StepJvm.log(log));
            }
        }
        throw new AssertionError(step + " got past publishing " + output + " before it could be killed, "
                + ATTEMPTS + " times");
    }

    @Test
    void fitDynamicsKilledWhilePublishingThenRerunEqualsAnUninterruptedRun() throws Exception {
        Path run = TinyRun.copy(TinyRun.sampled(), dir.resolve("fit-killed"));

        killWhilePublishing(run, "fit-dynamics", "dynamics");
        assertFalse(AtomicOutput.isComplete(new org.apache.hadoop.conf.Configuration(),
                run.resolve("iter=0000/dynamics").toString()));
        CliTestSupport.Outcome next = CliTestSupport.run("trajopt", "--run-dir", run.toString(), "--iteration", "0");
        assertEquals(2, next.exitCode(), "the next step refuses what the kill left: " + next.err());
        assertTrue(next.err().contains("iter=0000/dynamics"), next.err());

        ok("fit-dynamics", "--run-dir", run.toString(), "--iteration", "0");
        RunDirectoryAssertions.assertSameOutputs(TinyRun.fitted(), run);
    }

    @Test
    void trajoptKilledWhileReplacingItsOutputsThenRerunEqualsAnUninterruptedRun() throws Exception {
        // A rerun over complete outputs (an Airflow retry or a backfill): the old state.json and
        // controllers.json must not survive the kill next to half-replaced controllers.
        Path run = TinyRun.copy(TinyRun.optimised(), dir.resolve("trajopt-killed"));

        killWhilePublishing(run, "trajopt", "controllers");
        assertFalse(Files.exists(run.resolve("iter=0000/state.json")), "the C-step is not marked complete");
        assertFalse(Files.exists(run.resolve("iter=0001/controllers.json")), "no deployable half-done controllers");
        CliTestSupport.Outcome next = CliTestSupport.run("sample", "--run-dir", run.toString(), "--iteration", "1");
        assertEquals(2, next.exitCode(), "the next step refuses what the kill left: " + next.err());
        assertTrue(next.err().contains("iter=0001/controllers"), next.err());

        ok("trajopt", "--run-dir", run.toString(), "--iteration", "0");
        RunDirectoryAssertions.assertSameOutputs(TinyRun.optimised(), run);
    }
}
