package org.gps.pipeline.cli;

import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.io.DynamicsStore;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps fit-dynamics} on logged rollouts (any dX, dU) and its input checks. */
class FitDynamicsCommandTest {
    static final String LOGGED = "data/logged/double-integrator";

    @Test
    void loggedRolloutsGiveDynamicsPerConditionAndAPrintedErrorTable(@TempDir Path dir) {
        String out = dir.resolve("dyn").toString();
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", LOGGED, "--out", out);
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("one-step prediction error"), o.out());
        for (String p : new String[] {"steps", "initial_state", "gmm", "prediction_error", "summary.json", "_GPS_COMPLETE"}) {
            assertTrue(Files.exists(Path.of(out, p)), p);
        }
        Map<Integer, LinearGaussianDynamics> dyn = DynamicsStore.readDynamics(SparkTestSession.get(), out);
        // The example holds 2 conditions of 3 trajectories, T = 20, dX = 2, dU = 1.
        assertEquals(2, dyn.size());
        assertEquals(19, dyn.get(0).steps());
        assertEquals(2, dyn.get(0).stateDim());
        assertEquals(1, dyn.get(0).actionDim());
    }

    @Test
    void oneSharedPriorIsAnOption(@TempDir Path dir) throws Exception {
        String out = dir.resolve("dyn").toString();
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", LOGGED, "--out", out, "--prior", "shared");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(Files.readString(Path.of(out, "summary.json")).contains("\"prior\" : \"shared\""));
        assertEquals(1, DynamicsStore.readGmms(SparkTestSession.get(), out).size());
    }

    @Test
    void mixingRunAndLoggedOptionsIsABadInput(@TempDir Path dir) {
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", LOGGED, "--iteration", "0");
        assertEquals(2, o.exitCode());
        assertTrue(o.err().contains("either --run-dir R --iteration I, or --rollouts PATH --out DIR"), o.err());
        CliTestSupport.Outcome missing = CliTestSupport.run("fit-dynamics", "--rollouts", dir.resolve("none").toString(),
                "--out", dir.resolve("dyn").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("none"), missing.err());
        assertTrue(!Files.exists(dir.resolve("dyn")), "nothing half-written");
    }

    @Test
    void fitDynamicsBeforeSamplingIsABadInput(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, RunAndResumeTest.CONFIG);
        String run = dir.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--run-dir", run, "--iteration", "0");
        assertEquals(2, o.exitCode());
        assertTrue(o.err().contains("iter=0000/rollouts"), o.err());
    }
}
