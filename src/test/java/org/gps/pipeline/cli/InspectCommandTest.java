package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.io.RolloutSchema;
import org.gps.io.RolloutWriter;
import org.gps.io.Rollouts;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps inspect}: counts and per-t statistics of a dataset, and what a run's iterations hold. */
class InspectCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Sums of a handful of doubles of a few digits: exact up to rounding of the last bit or two. */
    private static final double EPS = 1e-12;

    /**
     * Condition 0: 2 rollouts of T = 3; condition 1: 3 rollouts of T = 2; dX = 2, dU = 1. The
     * numbers are chosen so that the means and population standard deviations are easy by hand.
     */
    static String fixture(Path dir) {
        double[][][] x0 = {{{1, 2}, {0, 0}, {5, 5}}, {{3, 6}, {2, 2}, {5, 7}}};
        double[][][] u0 = {{{0}, {1}, {1}}, {{4}, {1}, {3}}};
        double[][][] x1 = {{{9, 9}, {0, 0}}, {{9, 9}, {1, 1}}, {{9, 9}, {5, 2}}};
        double[][][] u1 = {{{1}, {-1}}, {{2}, {0}}, {{3}, {1}}};
        Dataset<Row> rows = Rollouts.fromArrays(SparkTestSession.get(), 0, 0, x0, u0, null, null, "logged")
                .union(Rollouts.fromArrays(SparkTestSession.get(), 0, 1, x1, u1, null, null, "logged"));
        String path = dir.resolve("fixture").toString();
        RolloutWriter.write(rows.coalesce(1), path);
        return path;
    }

    private static JsonNode stepAt(JsonNode perT, int condition, int t) {
        for (JsonNode n : perT) {
            if (n.get("condition").asInt() == condition && n.get("t").asInt() == t) {
                return n;
            }
        }
        throw new AssertionError("no per-t entry for condition " + condition + ", t " + t + " in " + perT);
    }

    private static void assertVector(double[] expected, JsonNode actual) {
        assertEquals(expected.length, actual.size(), actual.toString());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i).asDouble(), EPS, actual.toString());
        }
    }

    @Test
    void aDatasetsCountsAndPerTMeansAndStdsMatchTheHandComputedOnes(@TempDir Path dir) throws Exception {
        String path = fixture(dir);
        CliTestSupport.Outcome o = CliTestSupport.run("inspect", "--rollouts", path, "--per-t", "--json");
        assertEquals(0, o.exitCode(), o.err());
        JsonNode j = JSON.readTree(o.out());
        assertEquals("rollouts", j.get("kind").asText());
        assertEquals(12, j.get("rows").asLong());
        assertEquals(5, j.get("rollouts").asLong());
        assertEquals(2, j.get("dX").asInt());
        assertEquals(1, j.get("dU").asInt());
        assertEquals(2, j.get("dO").asInt());
        assertEquals(2, j.get("conditions").get(0).get("rollouts").asLong());
        assertEquals(3, j.get("conditions").get(0).get("T").asInt());
        assertEquals(3, j.get("conditions").get(1).get("rollouts").asLong());
        assertEquals(2, j.get("conditions").get(1).get("T").asInt());
        JsonNode perT = j.get("per_t");
        assertEquals(3 + 2, perT.size());
        // condition 0, t 0: x in {[1, 2], [3, 6]} -> mean [2, 4], std [1, 2]; u in {0, 4} -> mean 2, std 2.
        JsonNode a = stepAt(perT, 0, 0);
        assertEquals(2, a.get("rollouts").asLong());
        assertVector(new double[] {2, 4}, a.get("x_mean"));
        assertVector(new double[] {1, 2}, a.get("x_std"));
        assertVector(new double[] {2}, a.get("u_mean"));
        assertVector(new double[] {2}, a.get("u_std"));
        // condition 1, t 1: x0 in {0, 1, 5} -> mean 2, variance (4 + 1 + 9) / 3; x1 in {0, 1, 2} -> mean 1, variance 2/3;
        // u in {-1, 0, 1} -> mean 0, variance 2/3.
        JsonNode b = stepAt(perT, 1, 1);
        assertEquals(3, b.get("rollouts").asLong());
        assertVector(new double[] {2, 1}, b.get("x_mean"));
        assertVector(new double[] {Math.sqrt(14.0 / 3), Math.sqrt(2.0 / 3)}, b.get("x_std"));
        assertVector(new double[] {0}, b.get("u_mean"));
        assertVector(new double[] {Math.sqrt(2.0 / 3)}, b.get("u_std"));
        // condition 1, t 0: every rollout starts at [9, 9]: no spread.
        assertVector(new double[] {0, 0}, stepAt(perT, 1, 0).get("x_std"));

        CliTestSupport.Outcome text = CliTestSupport.run("inspect", "--rollouts", path);
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("rows 12, rollouts 5, conditions 2, dX 2, dU 1, dO 2,"), text.out());
        assertTrue(text.out().matches("(?s).*\\n\\s+1\\s+3\\s+2\\s+1\\s+6\\n.*"), "condition 1: 3 rollouts, T 2: " + text.out());
        assertTrue(text.out().contains("[2.000, 1.000]"), "condition 1, t 1 mean x: " + text.out());
    }

    /** Pendulum, 2 conditions x 3 samples, T = 6: small enough for every step to run in a second. */
    private static String tinyConfig(String name, int iterations) {
        return """
                name: %s
                seed: 5
                iterations: %d
                horizon: 6
                samples: 3
                environment: {type: pendulum}
                conditions: [[3.141592653589793, 0.0], [0.5, 0.0]]
                initial_controller: {type: lqr, init_var: 1.0}
                cost:
                  terms:
                    - {type: state, target: [1, 0, 0]}
                    - {type: action, weights: 0.05}
                """.formatted(name, iterations);
    }

    @Test
    void aRelativeErrorWithoutSpreadShowsNotAvailableInTextAndNullInJson(@TempDir Path dir) throws Exception {
        Path config = InitSampleValidateTest.writeConfig(dir, tinyConfig("still", 1));
        String run = dir.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0").exitCode());
        // Condition 0's samples all pass through one state at t = 3: step 2's output has no spread.
        Path rollouts = Path.of(run, "iter=0000", "rollouts");
        Path still = dir.resolve("still");
        List<Row> kept = SparkTestSession.get().read().parquet(rollouts.toString()).collectAsList();
        Dataset<Row> rows = SparkTestSession.get().createDataFrame(kept,
                        SparkTestSession.get().read().parquet(rollouts.toString()).schema())
                .withColumn(RolloutSchema.X, org.apache.spark.sql.functions.when(
                        org.apache.spark.sql.functions.expr("condition = 0 AND t = 3"),
                        org.apache.spark.sql.functions.expr("array(1D, 0D, 0D)"))
                        .otherwise(org.apache.spark.sql.functions.col(RolloutSchema.X)));
        rows.coalesce(1).write().parquet(still.toString());
        try (var parts = Files.list(rollouts)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")
                    || p.getFileName().toString().startsWith(".part-")).toList()) {
                Files.delete(p);
            }
        }
        try (var parts = Files.list(still)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                Files.copy(p, rollouts.resolve(p.getFileName()));
            }
        }
        assertEquals(0, CliTestSupport.run("fit-dynamics", "--run-dir", run, "--iteration", "0").exitCode());

        CliTestSupport.Outcome text = CliTestSupport.run("inspect", "--run-dir", run, "--iteration", "0", "--per-t");
        assertEquals(0, text.exitCode(), text.err());
        assertFalse(text.out().contains("Infinity") || text.out().contains("NaN"), text.out());
        assertTrue(text.out().matches("(?s).*\\n\\s+0\\s+0\\s+5\\s+\\S+\\s+\\S+\\s+n/a\\n.*"),
                "iteration 0, condition 0: " + text.out());
        assertTrue(text.out().matches("(?s).*\\n\\s+2\\s+2\\s+\\S+\\s+\\S+\\s+n/a\\n.*"), "t = 2: " + text.out());
        assertEquals(1, text.out().split("relative rmse undefined", -1).length - 1, "the reason, once: " + text.out());

        CliTestSupport.Outcome json = CliTestSupport.run("inspect", "--run-dir", run, "--iteration", "0", "--per-t",
                "--json");
        assertEquals(0, json.exitCode(), json.err());
        assertFalse(json.out().contains("Infinity") || json.out().contains("NaN"), json.out());
        JsonNode j = JSON.readTree(json.out());
        assertTrue(j.at("/iterations/0/prediction_error/0/mean_relative_rmse").isNull(), json.out());
        JsonNode perT = j.get("prediction_error_per_t");
        assertTrue(perT.get(2).get("mean_relative_rmse").isNull(), perT.toString());
        assertTrue(perT.get(2).get("mean_rmse").isNumber(), "its rmse stays a number: " + perT);
        assertTrue(perT.get(1).get("mean_relative_rmse").isNumber(), "t = 1 has spread: " + perT);
    }

    @Test
    void aRunShowsCompleteStepsCostsAndPredictionErrorPerIteration(@TempDir Path dir) throws Exception {
        Path config = InitSampleValidateTest.writeConfig(dir, tinyConfig("tiny-inspect", 2));
        String run = dir.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0").exitCode());
        assertEquals(0, CliTestSupport.run("fit-dynamics", "--run-dir", run, "--iteration", "0").exitCode());
        assertEquals(0, CliTestSupport.run("trajopt", "--run-dir", run, "--iteration", "0").exitCode());

        CliTestSupport.Outcome o = CliTestSupport.run("inspect", "--run-dir", run, "--json");
        assertEquals(0, o.exitCode(), o.err());
        JsonNode j = JSON.readTree(o.out());
        assertEquals("tiny-inspect", j.get("name").asText());
        JsonNode its = j.get("iterations");
        assertEquals(2, its.size(), "iteration 0, and iteration 1 whose controllers trajopt wrote");
        JsonNode done = its.get(0).get("complete");
        assertTrue(done.get("controllers").asBoolean() && done.get("rollouts").asBoolean()
                && done.get("dynamics").asBoolean() && done.get("state").asBoolean());
        assertFalse(done.get("policy").asBoolean());
        JsonNode next = its.get(1).get("complete");
        assertTrue(next.get("controllers").asBoolean());
        assertFalse(next.get("rollouts").asBoolean() || next.get("dynamics").asBoolean() || next.get("state").asBoolean());
        JsonNode state = JSON.readTree(Files.readString(Path.of(run, "iter=0000/state.json")));
        for (int c = 0; c < 2; c++) {
            assertEquals(state.at("/conditions/" + c + "/cost_mean").asDouble(),
                    its.get(0).at("/costs/" + c + "/cost_mean").asDouble(), 0.0);
            assertEquals(state.at("/conditions/" + c + "/kl").asDouble(), its.get(0).at("/costs/" + c + "/kl").asDouble(), 0.0);
        }
        JsonNode summary = JSON.readTree(Files.readString(Path.of(run, "iter=0000/dynamics/summary.json")));
        assertEquals(summary.get("prediction_error"), its.get(0).get("prediction_error"));
        assertEquals(0, its.get(1).get("costs").size());

        CliTestSupport.Outcome one = CliTestSupport.run("inspect", "--run-dir", run, "--iteration", "0", "--per-t", "--json");
        assertEquals(0, one.exitCode(), one.err());
        JsonNode k = JSON.readTree(one.out());
        assertEquals(1, k.get("iterations").size());
        assertEquals(2 * 3, k.at("/rollouts/rollouts").asLong());
        assertEquals(6, k.at("/rollouts/conditions/0/T").asInt());
        assertEquals(3, k.at("/rollouts/dX").asInt());
        // Error per t: the mean over the conditions of the stored per-(condition, t) rmse, here recomputed on the driver.
        List<Row> err = SparkTestSession.get().read().parquet(Path.of(run, "iter=0000/dynamics/prediction_error").toString())
                .collectAsList();
        JsonNode perT = k.get("prediction_error_per_t");
        assertEquals(5, perT.size(), "T - 1 fitted steps");
        for (JsonNode e : perT) {
            int t = e.get("t").asInt();
            double mean = err.stream().filter(r -> r.getInt(r.fieldIndex("t")) == t)
                    .mapToDouble(r -> r.getDouble(r.fieldIndex("rmse"))).average().orElseThrow();
            assertEquals(mean, e.get("mean_rmse").asDouble(), 1e-12 * Math.max(1, mean));
            assertEquals(2, e.get("conditions").asLong());
        }

        CliTestSupport.Outcome text = CliTestSupport.run("inspect", "--run-dir", run);
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("Run " + run + ": 'tiny-inspect'"), text.out());
        assertTrue(text.out().matches("(?s).*\\n\\s+0 complete\\s+complete\\s+complete\\s+complete\\s+-.*"), text.out());
        assertTrue(text.out().contains("dynamics one-step prediction error"), text.out());
    }

    @Test
    void inspectWithoutATargetOrOfAMissingDatasetIsABadInput(@TempDir Path dir) {
        CliTestSupport.Outcome none = CliTestSupport.run("inspect");
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("either --rollouts PATH or --run-dir R"), none.err());
        CliTestSupport.Outcome missing = CliTestSupport.run("inspect", "--rollouts", dir.resolve("nope").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("nope"), missing.err());
    }
}
