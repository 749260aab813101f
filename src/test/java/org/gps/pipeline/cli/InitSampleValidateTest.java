package org.gps.pipeline.cli;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutSchema;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first three commands chained as a user runs them: init, then sample, then validate, end to end. */
class InitSampleValidateTest {
    static final String TINY = """
            name: tiny
            seed: 3
            horizon: 12
            samples: 3
            environment: {type: pendulum}
            conditions: [[3.141592653589793, 0.0], [1.0, 0.5]]
            cost:
              terms:
                - {type: state, target: [1, 0, 0]}
                - {type: action, weights: 0.05}
            """;

    static Path writeConfig(Path dir, String text) throws Exception {
        Path c = dir.resolve("config.yaml");
        Files.writeString(c, text);
        return c;
    }

    private static List<Row> sortedRows(String path) {
        Dataset<Row> d = RolloutReader.read(SparkTestSession.get(), path);
        return d.orderBy(RolloutSchema.CONDITION, RolloutSchema.SAMPLE, RolloutSchema.T).collectAsList();
    }

    @Test
    void initThenSampleWritesRolloutsThatValidate(@TempDir Path dir) throws Exception {
        Path config = writeConfig(dir, TINY);
        String run = dir.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        assertTrue(Files.exists(dir.resolve("run/config.json")));
        assertTrue(Files.exists(dir.resolve("run/iter=0000/controllers.json")));
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0").exitCode());

        String rollouts = dir.resolve("run/iter=0000/rollouts").toString();
        CliTestSupport.Outcome v = CliTestSupport.run("validate", rollouts);
        assertEquals(0, v.exitCode(), v.err());
        assertTrue(v.out().contains("valid"), v.out());
        // 2 conditions x 3 samples x 12 steps.
        assertEquals(72, sortedRows(rollouts).size());
    }

    @Test
    void rerunningSampleGivesIdenticalRows(@TempDir Path dir) throws Exception {
        Path config = writeConfig(dir, TINY);
        String run = dir.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        String rollouts = dir.resolve("run/iter=0000/rollouts").toString();
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0").exitCode());
        List<Row> first = sortedRows(rollouts);
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0").exitCode());
        List<Row> second = sortedRows(rollouts);
        // Bit-identical: every draw derives from (seed, iteration, condition, sample).
        assertEquals(first, second);
        // Exploration noise really is there: two samples of one condition differ.
        assertFalse(first.get(1).getList(5).equals(first.get(12 + 1).getList(5)));
    }

    @Test
    void badConfigExitsTwoNamingTheKeyWithoutAStackTrace(@TempDir Path dir) throws Exception {
        Path config = writeConfig(dir, TINY.replace("samples: 3", "samples: many"));
        CliTestSupport.Outcome o = CliTestSupport.run("init", "--config", config.toString(), "--run-dir",
                dir.resolve("run").toString());
        assertEquals(2, o.exitCode());
        assertTrue(o.err().contains("samples: expected an integer, got the string 'many'"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace for a user error: " + o.err());
        assertFalse(Files.exists(dir.resolve("run/config.json")), "nothing half-written");
    }

    @Test
    void missingConfigFileExitsTwo(@TempDir Path dir) {
        CliTestSupport.Outcome o = CliTestSupport.run("init", "--config", dir.resolve("nope.yaml").toString(),
                "--run-dir", dir.resolve("run").toString());
        assertEquals(2, o.exitCode());
        assertTrue(o.err().contains("nope.yaml: config file not found"), o.err());
    }

    @Test
    void sampleOnAMissingRunDirectoryExitsTwo(@TempDir Path dir) {
        CliTestSupport.Outcome o = CliTestSupport.run("sample", "--run-dir", dir.resolve("none").toString(),
                "--iteration", "0");
        assertEquals(2, o.exitCode());
        assertTrue(o.err().contains("not a run directory"), o.err());
    }

    @Test
    void sampleBeforeControllersExistExitsTwo(@TempDir Path dir) throws Exception {
        Path config = writeConfig(dir, TINY);
        String run = dir.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        CliTestSupport.Outcome o = CliTestSupport.run("sample", "--run-dir", run, "--iteration", "3");
        assertEquals(2, o.exitCode());
        assertTrue(o.err().contains("iter=0003/controllers"), o.err());
    }

    @Test
    void aBadCommandLineExitsTwoWithOneLineNamingTheOption() {
        CliTestSupport.Outcome o = CliTestSupport.run("sample", "--run-dir", "x", "--iteration", "0", "--bogus");
        assertEquals(2, o.exitCode());
        assertEquals("gps sample: error: Unknown option: '--bogus'; see 'gps sample --help'", o.err().strip());
        o = CliTestSupport.run("sample", "--run-dir", "x");
        assertEquals(2, o.exitCode());
        assertEquals("gps sample: error: Missing required option: '--iteration=I'; see 'gps sample --help'",
                o.err().strip());
        o = CliTestSupport.run("evaluat");
        assertEquals(2, o.exitCode());
        assertTrue(o.err().strip().startsWith("gps: error: Unmatched argument at index 0: 'evaluat' (did you mean "),
                o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
    }

    @Test
    void everySubcommandHasHelp() {
        for (String cmd : List.of("run", "init", "sample", "validate", "fit-dynamics", "trajopt", "evaluate", "benchmark")) {
            CliTestSupport.Outcome o = CliTestSupport.run(cmd, "--help");
            assertEquals(0, o.exitCode(), cmd);
            assertTrue(o.out().contains("Usage: gps " + cmd), o.out());
        }
        // run chains every step, the S-step included for the algorithms that train a policy.
        assertTrue(CliTestSupport.run("run", "--help").out().contains("train-policy"));
    }

    @Test
    void configKeysPrintsEveryConfigKeyAndEveryEnvironmentParameter() {
        CliTestSupport.Outcome o = CliTestSupport.run("config-keys");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().startsWith("top level:\n  name = experiment"), o.out());
        assertTrue(o.out().contains("\ntrajopt:\n"), o.out());
        assertTrue(o.out().contains("\npolicy:\n"), o.out());
        assertTrue(o.out().contains("\n  replay_iterations = 0  [>= 0]"), o.out());
        assertTrue(o.out().contains("environment (by type):\n  pendulum parameters:\n"), o.out());
        assertTrue(o.out().contains("    max_speed = 8.0"), o.out());
    }
}
