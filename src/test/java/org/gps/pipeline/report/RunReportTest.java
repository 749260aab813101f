package org.gps.pipeline.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.io.AtomicOutput;
import org.gps.io.DynamicsStore;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.cli.CliTestSupport;
import org.gps.spark.SparkTestSession;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gps report} on a run directory written by hand: three completed iterations of two
 * conditions (state.json, dynamics with a prediction-error table), the controllers folder of a
 * fourth, and policy evaluations for iterations 1 and 2. The plotted numbers are copies of the
 * files' numbers, so they are compared exactly.
 */
class RunReportTest {
    static final int ITERATIONS = 3;
    static final int CONDITIONS = 2;
    static final int T = 5;
    static final String CONFIG = """
            {"name": "report-fixture", "seed": 3, "iterations": 4, "horizon": 5, "samples": 2,
             "environment": {"type": "pendulum"},
             "conditions": [[3.141592653589793, 0.0], [0.5, 0.0]],
             "initial_controller": {"type": "lqr", "init_var": 1.0},
             "cost": {"terms": [{"type": "action", "weights": 0.05}]}}
            """;

    @TempDir
    static Path dir;
    static Path run;
    static Path noPolicyRun;
    static ReportData data;

    /** Distinct, non-round numbers per (iteration, condition, quantity), so a swapped series cannot pass. */
    static double value(int i, int c, int q) {
        return 100.0 / (1 + i) + 7.25 * c + 0.013 * q + 0.5 * i * c;
    }

    static double rmse(int i, int c, int t) {
        return 0.01 * (1 + t) / (1 + i) + 0.003 * c;
    }

    @BeforeAll
    static void writeRunDirectoriesByHand() throws Exception {
        run = dir.resolve("run");
        // A space in the folder: the error tables' rows are matched to iterations through their (URL-encoded) file names.
        noPolicyRun = dir.resolve("no policy");
        for (Path r : List.of(run, noPolicyRun)) {
            writeRun(r);
        }
        for (int i = 1; i < ITERATIONS; i++) {
            Files.writeString(run.resolve(String.format("iter=%04d/policy_eval.json", i)),
                    "{\"episodes\": 5, \"mean_return\": " + (-300.0 + 45.5 * i) + ", \"std_return\": " + (12.0 / i)
                            + ", \"training_env_steps\": " + (1000 * i) + "}");
        }
        data = ReportData.read(SparkTestSession.get(), run.toString());
    }

    static void writeRun(Path r) throws Exception {
        SparkSession spark = SparkTestSession.get();
        Files.createDirectories(r);
        Files.writeString(r.resolve("config.json"), CONFIG);
        for (int i = 0; i < ITERATIONS; i++) {
            Path it = Files.createDirectories(r.resolve(String.format("iter=%04d", i)));
            List<IterationState.ConditionState> cs = new ArrayList<>();
            for (int c = 0; c < CONDITIONS; c++) {
                cs.add(new IterationState.ConditionState(c, value(i, c, 0), value(i, c, 1) / 10, value(i, c, 2) / 50,
                        value(i, c, 3), value(i, c, 4) / 3, value(i, c, 5) / 4, 3, true, null, null));
            }
            Files.writeString(it.resolve("state.json"), new IterationState(i, "trajopt", cs).toJson());
            writeDynamics(spark, it.resolve("dynamics").toString(), i);
        }
        // The next iteration's controllers exist before its C-step: no state, no dynamics, nothing to plot.
        Files.createDirectories(r.resolve("iter=0003/controllers"));
    }

    static void writeDynamics(SparkSession spark, String path, int i) {
        List<Row> steps = new ArrayList<>();
        List<Row> errors = new ArrayList<>();
        StringBuilder summary = new StringBuilder("{\"format\": \"gps-dynamics\", \"version\": 1, \"prediction_error\": [");
        for (int c = 0; c < CONDITIONS; c++) {
            double sum = 0;
            for (int t = 0; t < T - 1; t++) {
                double[] f = new double[3 * 4];
                for (int k = 0; k < f.length; k++) {
                    f[k] = 0.1 * k + t + 10 * c + 100 * i;
                }
                steps.add(RowFactory.create(c, t, 3, 1, 2, f, new double[] {t, -t, 0.5 * c},
                        new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}));
                errors.add(RowFactory.create(c, t, 2, rmse(i, c, t), rmse(i, c, t) / 2));
                sum += rmse(i, c, t);
            }
            summary.append(c == 0 ? "" : ",").append("{\"condition\": ").append(c).append(", \"steps\": ").append(T - 1)
                    .append(", \"mean_rmse\": ").append(sum / (T - 1)).append(", \"max_rmse\": 1.0")
                    .append(", \"mean_relative_rmse\": 0.5}");
        }
        summary.append("]}");
        AtomicOutput.publish(spark, path, "fixture", tmp -> {
            spark.createDataFrame(steps, DynamicsStore.STEPS_SCHEMA).coalesce(1).write()
                    .parquet(new org.apache.hadoop.fs.Path(tmp, DynamicsStore.STEPS).toString());
            spark.createDataFrame(errors, DynamicsStore.ERROR_SCHEMA).coalesce(1).write()
                    .parquet(new org.apache.hadoop.fs.Path(tmp, DynamicsStore.PREDICTION_ERROR).toString());
            HadoopFiles.writeUtf8(HadoopFiles.conf(spark), new org.apache.hadoop.fs.Path(tmp, DynamicsStore.SUMMARY),
                    summary.toString());
            return steps.size();
        });
    }

    @Test
    void costSeriesHoldEachConditionsCostMeanAndStdFromStateJson() throws Exception {
        YIntervalSeriesCollection d = ReportCharts.costDataset(data);
        assertEquals(CONDITIONS, d.getSeriesCount());
        ObjectMapper m = new ObjectMapper();
        for (int c = 0; c < CONDITIONS; c++) {
            assertEquals("condition " + c, d.getSeriesKey(c));
            assertEquals(ITERATIONS, d.getItemCount(c), "iteration 3 has no state.json and must not be plotted");
            for (int i = 0; i < ITERATIONS; i++) {
                JsonNode s = m.readTree(run.resolve(String.format("iter=%04d/state.json", i)).toFile())
                        .get("conditions").get(c);
                double mean = s.get("cost_mean").asDouble();
                double std = s.get("cost_std").asDouble();
                assertEquals(i, d.getXValue(c, i), 0.0);
                assertEquals(mean, d.getYValue(c, i), 0.0);
                // The band is mean -/+ std: one subtraction and one addition of the file's numbers.
                assertEquals(mean - std, d.getStartYValue(c, i), 1e-12 * Math.abs(mean));
                assertEquals(mean + std, d.getEndYValue(c, i), 1e-12 * Math.abs(mean));
            }
        }
    }

    @Test
    void klTargetAndStepMultSeriesAreTheStateJsonNumbers() throws Exception {
        XYSeriesCollection kl = ReportCharts.klDataset(data);
        XYSeriesCollection mult = ReportCharts.stepMultDataset(data);
        assertEquals(2 * CONDITIONS, kl.getSeriesCount());
        assertEquals(CONDITIONS, mult.getSeriesCount());
        ObjectMapper m = new ObjectMapper();
        for (int i = 0; i < ITERATIONS; i++) {
            JsonNode conditions = m.readTree(run.resolve(String.format("iter=%04d/state.json", i)).toFile()).get("conditions");
            for (int c = 0; c < CONDITIONS; c++) {
                JsonNode s = conditions.get(c);
                assertEquals("KL " + c, kl.getSeriesKey(2 * c));
                assertEquals(s.get("kl").asDouble(), kl.getYValue(2 * c, i), 0.0);
                assertEquals(s.get("kl_target").asDouble(), kl.getYValue(2 * c + 1, i), 0.0);
                assertEquals(s.get("step_mult").asDouble(), mult.getYValue(c, i), 0.0);
            }
        }
    }

    @Test
    void predictionErrorSeriesAreTheLatestIterationsParquetRowsAndTheSummaries() {
        assertEquals(ITERATIONS - 1, data.latestErrorIteration());
        XYSeriesCollection overT = ReportCharts.errorOverTDataset(data, ITERATIONS - 1);
        assertEquals(CONDITIONS, overT.getSeriesCount());
        for (int c = 0; c < CONDITIONS; c++) {
            assertEquals(T - 1, overT.getItemCount(c));
            for (int t = 0; t < T - 1; t++) {
                assertEquals(t, overT.getXValue(c, t), 0.0);
                assertEquals(rmse(ITERATIONS - 1, c, t), overT.getYValue(c, t), 0.0);
            }
        }
        XYSeriesCollection byIteration = ReportCharts.errorByIterationDataset(data);
        for (int c = 0; c < CONDITIONS; c++) {
            assertEquals(ITERATIONS, byIteration.getItemCount(c));
            for (int i = 0; i < ITERATIONS; i++) {
                double mean = 0;
                for (int t = 0; t < T - 1; t++) {
                    mean += rmse(i, c, t);
                }
                // summary.json holds the same sum divided the same way, printed and parsed back exactly.
                assertEquals(mean / (T - 1), byIteration.getYValue(c, i), 0.0);
            }
        }
    }

    @Test
    void policyReturnSeriesHoldsTheIterationsThatHavePolicyEvalJson() {
        YIntervalSeriesCollection d = ReportCharts.policyReturnDataset(data);
        assertEquals(1, d.getSeriesCount());
        assertEquals(ITERATIONS - 1, d.getItemCount(0));
        for (int k = 0; k < ITERATIONS - 1; k++) {
            int i = k + 1;
            assertEquals(i, d.getXValue(0, k), 0.0);
            assertEquals(-300.0 + 45.5 * i, d.getYValue(0, k), 0.0);
            assertEquals(-300.0 + 45.5 * i - 12.0 / i, d.getStartYValue(0, k), 1e-12);
            assertEquals(-300.0 + 45.5 * i + 12.0 / i, d.getEndYValue(0, k), 1e-12);
        }
    }

    @Test
    void thePageNamesThePublishedPolicyAndMarksItsRowEvenWhenALaterOneScoredWorse() {
        // The fixture's scores rise, so its last policy is the published one.
        assertEquals(2, data.publishedPolicy().iteration());
        ReportData worseLast = new ReportData(data.runDir(), data.config(), data.states(), data.errors(),
                data.errorSummaries(), data.dynamicsFit(), List.of(new ReportData.PolicyEval(1, 5, -138.5, 9.0, 1000),
                new ReportData.PolicyEval(2, 5, -168.25, 8.0, 2000)));
        String html = RunReport.html(worseLast, "index_files", List.of());
        assertTrue(html.contains("<th class=\"l\">published policy</th><td class=\"l\">iteration 1, mean return "
                + "-138.5 (the best of 2 scored; best_policy.json)</td>"), html);
        assertTrue(html.contains("<tr><td>1</td><td>5</td><td>-138.5</td><td>9.000</td><td>1000</td><td>yes</td></tr>"),
                html);
        assertTrue(html.contains("<tr><td>2</td><td>5</td><td>-168.3</td><td>8.000</td><td>2000</td><td></td></tr>"),
                html);
    }

    @Test
    void reportCommandWritesThePageAndEveryImageItReferences() throws Exception {
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", run.toString());
        assertEquals(0, o.exitCode(), o.err());
        Path page = run.resolve("report/index.html");
        assertTrue(o.out().contains("report: "), o.out());
        String html = Files.readString(page);
        assertTrue(html.contains("report-fixture"), "the page names the run");
        Set<String> referenced = imagesReferenced(page, html);
        assertEquals(Set.of("cost.png", "kl_step.png", "prediction_error.png", "prediction_error_by_iteration.png",
                "policy_return.png"), referenced);
        Path assets = run.resolve("report/index_files");
        assertTrue(Files.exists(assets.resolve(AtomicOutput.MARKER)), "the images folder is published with its marker");
        try (Stream<Path> files = Files.list(assets)) {
            assertEquals(referenced, files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png"))
                    .collect(Collectors.toCollection(TreeSet::new)), "no image that the page does not show");
        }
        JsonNode series = new ObjectMapper().readTree(assets.resolve(RunReport.SERIES).toFile());
        assertEquals(rmse(1, 1, 3), series.get("prediction_error").get(1 * CONDITIONS + 1).get("rmse").get(3).asDouble(), 0.0);
        assertEquals(ITERATIONS - 1, series.get("dynamics_fit").get("iteration").asInt());
        // transition[t][row][col] of condition 1 at t = 2, row 1, col 3: flattened index 1 * 4 + 3 = 7.
        assertEquals(0.1 * 7 + 2 + 10 + 100 * (ITERATIONS - 1),
                series.get("dynamics_fit").get("conditions").get(1).get("transition").get(2).get(1).get(3).asDouble(), 1e-12);
    }

    @Test
    void withoutPolicyEvalJsonThereIsNoPolicyChartAndOutNamesThePage() throws Exception {
        Path page = dir.resolve("elsewhere/my report.html");
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", noPolicyRun.toString(), "--out", page.toString());
        assertEquals(0, o.exitCode(), o.err());
        String html = Files.readString(page);
        Set<String> referenced = imagesReferenced(page, html);
        assertEquals(4, referenced.size(), html);
        assertFalse(referenced.contains("policy_return.png"));
        assertFalse(html.contains("Policy"), "no policy section without policy_eval.json");
    }

    @Test
    void aPolicyEvalWithoutItsMeanReturnIsABadInputNamingFileAndKey() throws Exception {
        Path r = dir.resolve("bad-policy");
        copyTree(noPolicyRun, r);
        Files.writeString(r.resolve("iter=0001/policy_eval.json"),
                "{\"episodes\": 5, \"std_return\": 1.0, \"training_env_steps\": 10}");
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", r.toString());
        assertEquals(2, o.exitCode(), o.err());
        assertTrue(o.err().contains("iter=0001/policy_eval.json") && o.err().contains("mean_return"), o.err());
        assertFalse(Files.exists(r.resolve("report")), "nothing written for a bad input");
        // At the end of gps run the steps are all done: the same problem is a line, not a failed run.
        String line = RunReport.writeAfterRun(SparkTestSession.get(), r.toString());
        assertTrue(line.startsWith("report: not written") && line.contains("mean_return"), line);
    }

    @Test
    void aFolderThatIsNoRunDirectoryIsABadInput() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", empty.toString());
        assertEquals(2, o.exitCode(), o.err());
        assertTrue(o.err().contains("not a run directory"), o.err());
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    /** The images the page shows, each checked to exist beside the page and to decode as an image of the stated size. */
    static Set<String> imagesReferenced(Path page, String html) throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        while (m.find()) {
            String src = java.net.URLDecoder.decode(m.group(1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            Path img = page.getParent().resolve(src);
            assertTrue(Files.isRegularFile(img), "the page references " + src + ", which must exist at " + img);
            BufferedImage image = ImageIO.read(img.toFile());
            assertNotNull(image, src + " is not a readable image");
            assertEquals(ReportCharts.WIDTH, image.getWidth());
            assertEquals(ReportCharts.HEIGHT, image.getHeight());
            names.add(img.getFileName().toString());
        }
        return names;
    }

    @Test
    void summaryJsonWithNullOrAnOlderQuotedInfinityReadsAsNotFiniteAndAMissingKeyIsABadInput() {
        // null: what writers put for a relative error without spread; "Infinity": what older files hold.
        List<DynamicsStore.ErrorSummary> read = ReportData.readErrorSummary("""
                {"prediction_error": [
                  {"condition": 0, "steps": 5, "mean_rmse": 0.25, "max_rmse": 0.5, "mean_relative_rmse": null},
                  {"condition": 1, "steps": 5, "mean_rmse": 0.25, "max_rmse": 0.5, "mean_relative_rmse": "Infinity"},
                  {"condition": 2, "steps": 5, "mean_rmse": 0.25, "max_rmse": 0.5, "mean_relative_rmse": 0.125}]}
                """, "s.json");
        assertTrue(Double.isNaN(read.get(0).meanRelativeRmse()));
        assertEquals(Double.POSITIVE_INFINITY, read.get(1).meanRelativeRmse());
        assertEquals(0.125, read.get(2).meanRelativeRmse(), 0.0, "a finite number reads back exactly");
        org.gps.core.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.gps.core.BadInputException.class, () -> ReportData.readErrorSummary(
                        "{\"prediction_error\": [{\"condition\": 0, \"steps\": 5, \"mean_rmse\": 0.25, "
                                + "\"max_rmse\": 0.5}]}", "s.json"));
        assertTrue(e.getMessage().contains("s.json: key 'prediction_error[0].mean_relative_rmse': expected a number"),
                e.getMessage());
    }
}
