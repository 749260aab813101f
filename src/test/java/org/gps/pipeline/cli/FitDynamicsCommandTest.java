package org.gps.pipeline.cli;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.io.DynamicsStore;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutSchema;
import org.gps.io.RolloutWriter;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void theVersion1ExampleFitsToTheSameBitsAsBeforeTheAppliedActionExisted(@TempDir Path dir) {
        String out = dir.resolve("dyn").toString();
        // The k-means start: what auto was when the values below were printed.
        assertEquals(0, CliTestSupport.run("fit-dynamics", "--rollouts", LOGGED, "--out", out, "--em-init", "kmeans")
                .exitCode());

        Map<Integer, LinearGaussianDynamics> dyn = DynamicsStore.readDynamics(SparkTestSession.get(), out);
        // Printed by the same command built from the commit before u_applied was added (exact doubles):
        // the fit of a version-1 dataset must not move by a bit.
        assertArrayEquals(new double[] {0.9789382388273656, 0.052776327431695615, 1.0255840961946284E-4,
                0.002806533948443154, 0.999498428074547, 0.0499339317851731}, dyn.get(0).transition(0).toRowMajor(), 0.0);
        assertArrayEquals(new double[] {0.02127697432414699, -0.0029451744439468047}, dyn.get(0).offset(0), 0.0);
        assertArrayEquals(new double[] {1.4926625400242186E-6, 6.639477189178053E-8, 6.639477189178053E-8,
                1.5183468083969365E-6}, dyn.get(0).covariance(0).toRowMajor(), 0.0);
        assertArrayEquals(new double[] {0.9992364753801444, 0.04961938031454111, 3.9304878732751245E-5,
                -3.41174394956627E-4, 0.9992503990686857, 0.04999976428254433}, dyn.get(1).transition(18).toRowMajor(), 0.0);
        assertArrayEquals(new double[] {1.1135441118131917E-4, 2.5894721203062465E-4}, dyn.get(1).offset(18), 0.0);
    }

    @Test
    void fittingAVersion1DatasetOnTheAppliedActionIsRefusedNamingTheDatasetAndTheColumn(@TempDir Path dir) {
        String out = dir.resolve("dyn").toString();
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", LOGGED, "--out", out,
                "--action", "applied");
        assertEquals(2, o.exitCode(), o.err());
        String last = lastLine(o.err());
        assertTrue(last.contains(LOGGED + ": column u_applied is missing"), last);
        assertTrue(last.contains("--action applied"), last);
        assertFalse(Files.exists(Path.of(out)), "nothing written");

        CliTestSupport.Outcome bad = CliTestSupport.run("fit-dynamics", "--rollouts", LOGGED, "--out", out,
                "--action", "both");
        assertEquals(2, bad.exitCode());
        assertTrue(lastLine(bad.err()).contains("--action: expected commanded or applied, got 'both'"), bad.err());
    }

    @Test
    void theAppliedActionIsFittedWhenTheRolloutsRecordIt(@TempDir Path dir) {
        // The example's actions (up to about 2.3 in magnitude) as a plant limited to 1.5 would have applied them.
        String clipped = withAppliedActions(dir, "clipped", expr("transform(u, e -> greatest(-1.5D, least(1.5D, e)))"));
        String commanded = dir.resolve("commanded").toString();
        String applied = dir.resolve("applied").toString();
        assertEquals(0, CliTestSupport.run("fit-dynamics", "--rollouts", clipped, "--out", commanded).exitCode());
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", clipped, "--out", applied,
                "--action", "applied");
        assertEquals(0, o.exitCode(), o.err());

        SparkSession spark = SparkTestSession.get();
        LinearGaussianDynamics a = DynamicsStore.readDynamics(spark, applied).get(0);
        LinearGaussianDynamics c = DynamicsStore.readDynamics(spark, commanded).get(0);
        boolean differs = false;
        for (int t = 0; t < a.steps(); t++) {
            differs |= !java.util.Arrays.equals(a.transition(t).toRowMajor(), c.transition(t).toRowMajor());
        }
        assertTrue(differs, "clipped actions give another fit on the applied action");
    }

    @Test
    void nanInTheAppliedActionIsRefusedNamingTheFileTheRowAndTheColumn(@TempDir Path dir) {
        String damaged = withAppliedActions(dir, "nan", when(expr("condition = 1 AND sample = 2 AND t = 5"),
                expr("array(double('NaN'))")).otherwise(col(RolloutSchema.U)));

        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", damaged, "--out",
                dir.resolve("dyn").toString());

        assertEquals(2, o.exitCode(), o.err());
        String last = lastLine(o.err());
        assertTrue(last.contains(".parquet: row (iteration=0, condition=1, sample=2, t=5): column u_applied element 0"
                + " is NaN") && last.endsWith("(NON_FINITE)"), last);
        assertFalse(Files.exists(dir.resolve("dyn")), "nothing written");
    }

    @Test
    void aRunWhoseConfigFitsOnTheAppliedActionRefusesVersion1Rollouts(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, RunAndResumeTest.CONFIG + "dynamics: {action: applied}\n");
        String run = dir.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0").exitCode());
        // The same rollouts as a version-1 writer would have left them: no u_applied, sidecar 1, marker kept.
        Path rollouts = Path.of(run, "iter=0000", "rollouts");
        Path v1 = dir.resolve("v1");
        SparkTestSession.get().read().parquet(rollouts.toString()).drop(RolloutSchema.U_APPLIED).coalesce(1)
                .write().parquet(v1.toString());
        try (var parts = Files.list(rollouts)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")
                    || p.getFileName().toString().startsWith(".part-")).toList()) {
                Files.delete(p);
            }
        }
        try (var parts = Files.list(v1)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                Files.copy(p, rollouts.resolve(p.getFileName()));
            }
        }
        Files.writeString(rollouts.resolve(RolloutSchema.VERSION_FILE), "{\"format\":\"gps-rollouts\",\"version\":1}");
        Files.deleteIfExists(rollouts.resolve("." + RolloutSchema.VERSION_FILE + ".crc"));

        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--run-dir", run, "--iteration", "0");

        assertEquals(2, o.exitCode(), o.err());
        String last = lastLine(o.err());
        assertTrue(last.contains("iter=0000/rollouts: column u_applied is missing"), last);
        assertTrue(last.contains("dynamics.action: applied"), last);
        assertFalse(Files.exists(Path.of(run, "iter=0000", "dynamics")), "nothing written");
        CliTestSupport.Outcome flag = CliTestSupport.run("fit-dynamics", "--run-dir", run, "--iteration", "0",
                "--action", "applied");
        assertEquals(2, flag.exitCode());
        assertTrue(lastLine(flag.err()).contains("--action: only with --rollouts and --out"), flag.err());
    }

    @Test
    void anOutputWithoutSpreadPrintsNotAvailableAndWritesNullNotInfinity(@TempDir Path dir) throws Exception {
        // Every trajectory of condition 0 passes through one state at t = 5: the output of step 4 has no spread,
        // so its relative error divides by zero while its rmse stays finite.
        String path = dir.resolve("still").toString();
        Dataset<Row> rows = RolloutReader.read(SparkTestSession.get(), LOGGED)
                .withColumn(RolloutSchema.U_APPLIED, col(RolloutSchema.U))
                .withColumn(RolloutSchema.X, when(expr("condition = 0 AND t = 5"), expr("array(0.5D, -0.25D)"))
                        .otherwise(col(RolloutSchema.X)));
        RolloutWriter.write(rows.coalesce(1), path);
        String out = dir.resolve("dyn").toString();

        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", path, "--out", out);

        assertEquals(0, o.exitCode(), o.err());
        assertFalse(o.out().contains("Infinity") || o.out().contains("NaN"), o.out());
        assertTrue(o.out().matches("(?s).*\\n\\s+0\\s+19\\s+\\S+\\s+\\S+\\s+n/a\\n.*"), "condition 0: " + o.out());
        assertTrue(o.out().contains("n/a: relative rmse undefined (outputs do not vary at some step)"), o.out());
        // The table keeps the double: the undefined value is there, so the n/a above is not a formatting accident.
        List<Row> step4 = SparkTestSession.get().read().parquet(Path.of(out, "prediction_error").toString())
                .where("condition = 0 AND t = 4").collectAsList();
        assertEquals(1, step4.size());
        assertEquals(Double.POSITIVE_INFINITY, step4.get(0).getDouble(step4.get(0).fieldIndex("relative_rmse")));

        String json = Files.readString(Path.of(out, "summary.json"));
        assertFalse(json.contains("Infinity") || json.contains("NaN"), json);
        com.fasterxml.jackson.databind.JsonNode errors = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)
                .get("prediction_error");
        assertTrue(errors.get(0).get("mean_relative_rmse").isNull(), errors.toString());
        assertTrue(errors.get(0).get("mean_rmse").isNumber(), "the rmse of condition 0 is finite: " + errors);
        double other = errors.get(1).get("mean_relative_rmse").asDouble();
        assertTrue(errors.get(1).get("mean_relative_rmse").isNumber() && other > 0 && other < 1,
                "condition 1 varies: a finite fraction of its spread: " + errors);
    }

    /** The committed example rewritten as a version-2 dataset whose u_applied is {@code applied} (an expression of the row). */
    private static String withAppliedActions(Path dir, String name, org.apache.spark.sql.Column applied) {
        String path = dir.resolve(name).toString();
        Dataset<Row> rows = RolloutReader.read(SparkTestSession.get(), LOGGED)
                .withColumn(RolloutSchema.U_APPLIED, applied);
        RolloutWriter.write(rows.coalesce(1), path);
        return path;
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
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
