package org.gps.pipeline.cli;

import org.gps.pipeline.config.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps run}: the whole loop, its progress lines, and resuming a stopped run. */
class RunAndResumeTest {
    static final String CONFIG = """
            name: tiny-run
            seed: 11
            iterations: 2
            horizon: 10
            samples: 3
            """ + TestConfigs.TINY_PENDULUM_TASK;

    @TempDir
    static Path dir;
    static Path config;
    static String uninterrupted;
    static CliTestSupport.Outcome first;

    @BeforeAll
    static void runOnceWithoutInterruption() throws Exception {
        config = dir.resolve("config.yaml");
        Files.writeString(config, CONFIG);
        uninterrupted = dir.resolve("a").toString();
        first = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", uninterrupted);
    }

    @Test
    void runDoesEveryStepOfEveryIterationAndPrintsOneLinePerIteration() {
        assertEquals(0, first.exitCode(), first.err());
        String[] lines = first.out().split("\n");
        assertTrue(first.out().contains("cost_avg") && first.out().contains("KL/target"), first.out());
        long progress = java.util.Arrays.stream(lines).filter(l -> l.matches("\\s+[01]\\s.*")).count();
        assertEquals(2, progress, first.out());
        assertTrue(first.out().contains("final controllers (iteration 2)"), first.out());
        for (String p : new String[] {"iter=0000/rollouts", "iter=0000/dynamics", "iter=0000/state.json",
                "iter=0001/dynamics", "iter=0001/state.json", "iter=0002/controllers.json"}) {
            assertTrue(Files.exists(Path.of(uninterrupted, p)), p);
        }
    }

    @Test
    void aRunStoppedAfterAStepResumesAndEndsWithTheSameControllers() throws Exception {
        String stopped = dir.resolve("b").toString();
        // The steps a run does, done by hand, as if the run had been killed after the second sample.
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", stopped).exitCode());
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", stopped, "--iteration", "0").exitCode());
        assertEquals(0, CliTestSupport.run("fit-dynamics", "--run-dir", stopped, "--iteration", "0").exitCode());
        assertEquals(0, CliTestSupport.run("trajopt", "--run-dir", stopped, "--iteration", "0").exitCode());
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", stopped, "--iteration", "1").exitCode());

        CliTestSupport.Outcome resumed = CliTestSupport.run("run", "--run-dir", stopped);
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("(done before)"), "iteration 0 was complete: " + resumed.out());
        // Same seed, same steps: the final controllers are byte for byte those of the uninterrupted run.
        assertEquals(Files.readString(Path.of(uninterrupted, "iter=0002/controllers.json")),
                Files.readString(Path.of(stopped, "iter=0002/controllers.json")));
        assertEquals(Files.readString(Path.of(uninterrupted, "iter=0001/state.json")),
                Files.readString(Path.of(stopped, "iter=0001/state.json")));
    }

    @Test
    void aCompleteRunIsNotRedoneWhenStartedAgain() throws Exception {
        Path marker = Path.of(uninterrupted, "iter=0001/dynamics/_GPS_COMPLETE");
        String before = Files.readString(marker);
        CliTestSupport.Outcome again = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", uninterrupted);
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(before, Files.readString(marker), "a complete step must not be rewritten");
    }

    @Test
    void anotherConfigOnAnExistingRunIsABadInput() throws Exception {
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, CONFIG.replace("seed: 11", "seed: 12"));
        CliTestSupport.Outcome o = CliTestSupport.run("run", "--config", other.toString(), "--run-dir", uninterrupted);
        assertEquals(2, o.exitCode());
        assertTrue(o.err().contains("different config"), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }
}
