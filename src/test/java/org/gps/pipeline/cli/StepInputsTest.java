package org.gps.pipeline.cli;

import org.gps.io.AtomicOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Safe steps: each step refuses missing or incomplete inputs with exit code 2 and one
 * line naming what is wrong, never a stack trace. Cases that other tests already cover (sample on
 * a missing run directory or before its controllers exist, fit-dynamics before sampling, a bad
 * config, an unknown option) are not repeated here.
 */
class StepInputsTest {
    @TempDir
    Path dir;

    /** Runs the command and asserts a clean refusal whose message contains {@code expected}. */
    static void assertRefused(String expected, String... args) {
        CliTestSupport.Outcome o = CliTestSupport.run(args);
        assertEquals(2, o.exitCode(), String.join(" ", args) + "\n" + o.err());
        assertTrue(o.err().contains(expected), "expected '" + expected + "' in: " + o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        assertTrue(o.err().startsWith("gps " + args[0] + ": error: "), o.err());
    }

    private Path copy(Path stage) {
        return TinyRun.copy(stage, dir.resolve("run"));
    }

    private static void unmark(Path run, String output) throws Exception {
        Files.delete(run.resolve(output).resolve(AtomicOutput.MARKER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fit-dynamics", "trajopt"})
    void stepOnAMissingRunDirectoryIsRefused(String step) {
        assertRefused("not a run directory", step, "--run-dir", dir.resolve("none").toString(), "--iteration", "0");
    }

    @ParameterizedTest
    @CsvSource({"sample, -1", "sample, 2", "fit-dynamics, -1", "fit-dynamics, 2", "trajopt, -1", "trajopt, 2",
            "trajopt, 7"})
    void iterationOutsideTheConfiguredRangeIsRefused(String step, String iteration) {
        // The config sets iterations: 2, so 0 and 1 are the only iterations a step can run.
        assertRefused("--iteration: expected an integer from 0 to 1", step, "--run-dir",
                TinyRun.secondIteration().toString(), "--iteration", iteration);
    }

    @Test
    void rolloutsWithoutTheirMarkerAreRefusedByFitDynamicsAndTrajopt() throws Exception {
        Path run = copy(TinyRun.fitted());
        unmark(run, "iter=0000/rollouts");
        assertRefused("iter=0000/rollouts is incomplete", "fit-dynamics", "--run-dir", run.toString(),
                "--iteration", "0");
        assertRefused("iter=0000/rollouts is incomplete", "trajopt", "--run-dir", run.toString(), "--iteration", "0");
    }

    @Test
    void trajoptWithoutDynamicsIsRefused() throws Exception {
        Path run = copy(TinyRun.sampled());
        assertRefused("iter=0000/dynamics: missing or incomplete", "trajopt", "--run-dir", run.toString(),
                "--iteration", "0");
    }

    @Test
    void trajoptWithDynamicsWithoutTheirMarkerIsRefused() throws Exception {
        Path run = copy(TinyRun.fitted());
        unmark(run, "iter=0000/dynamics");
        assertRefused("iter=0000/dynamics: missing or incomplete", "trajopt", "--run-dir", run.toString(),
                "--iteration", "0");
    }

    @Test
    void controllersWithoutTheirMarkerAreRefusedBySample() throws Exception {
        Path run = copy(TinyRun.optimised());
        unmark(run, "iter=0001/controllers");
        assertRefused("iter=0001/controllers is incomplete", "sample", "--run-dir", run.toString(), "--iteration", "1");
    }

    @Test
    void controllersWithoutTheirJsonAreRefusedBySample() throws Exception {
        // What a C-step killed between its Parquet and its JSON leaves.
        Path run = copy(TinyRun.optimised());
        Files.delete(run.resolve("iter=0001/controllers.json"));
        assertRefused("iter=0001/controllers.json does not exist", "sample", "--run-dir", run.toString(),
                "--iteration", "1");
    }

    @Test
    void fitDynamicsRefusesAnIncompleteEarlierIterationRatherThanFittingWithout() throws Exception {
        Path run = copy(TinyRun.secondIteration());
        unmark(run, "iter=0000/rollouts");
        assertRefused("iter=0000/rollouts is incomplete", "fit-dynamics", "--run-dir", run.toString(),
                "--iteration", "1");
        Path run2 = TinyRun.copy(TinyRun.secondIteration(), dir.resolve("run2"));
        unmark(run2, "iter=0000/dynamics");
        assertRefused("iter=0000/dynamics is incomplete", "fit-dynamics", "--run-dir", run2.toString(),
                "--iteration", "1");
    }

    @Test
    void trajoptOfTheNextIterationRefusesAMissingOrDamagedState() throws Exception {
        Path run = copy(TinyRun.secondIteration());
        Path state = run.resolve("iter=0000/state.json");
        Files.delete(state);
        assertRefused("iter=0000/state.json: missing", "trajopt", "--run-dir", run.toString(), "--iteration", "1");
        Files.writeString(state, "{\"iteration\": 0, \"conditions\": [");
        assertRefused("iter=0000/state.json: not a valid iteration state", "trajopt", "--run-dir", run.toString(),
                "--iteration", "1");
    }

    @Test
    void initRefusesARunDirectoryThatHoldsAnotherConfig() throws Exception {
        Path run = copy(TinyRun.sampled());
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, TinyRun.CONFIG.replace("seed: 21", "seed: 22"));
        assertRefused("already holds a run with a different config", "init", "--config", other.toString(),
                "--run-dir", run.toString());
    }
}
