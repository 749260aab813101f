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
import java.util.Base64;
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
 * files' numbers or one interpolation between two of them, so they are compared exactly or to a
 * few ulps.
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
        writePolicyEvals(run);
        data = ReportData.read(SparkTestSession.get(), run.toString());
    }

    /**
     * Pendulum-like returns, all at most 0, most near 0 and a few far below: their mean plus one
     * standard deviation is above 0, a return no episode can have. Iteration 2 halves them, so the
     * scores rise and the last policy is the published one.
     */
    static double[] episodeReturns(int i) {
        double[] base = {-0.5, -300.0, -1.0, -250.0, -2.0};
        return java.util.Arrays.stream(base).map(r -> r * (3 - i) / 2).toArray();
    }

    static double mean(double[] v) {
        return java.util.Arrays.stream(v).sum() / v.length;
    }

    static double std(double[] v) {
        double m = mean(v);
        return Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / v.length);
    }

    static void writePolicyEvals(Path r) throws Exception {
        for (int i = 1; i < ITERATIONS; i++) {
            double[] returns = episodeReturns(i);
            Files.writeString(r.resolve(String.format("iter=%04d/policy_eval.json", i)),
                    "{\"episodes\": 5, \"mean_return\": " + mean(returns) + ", \"std_return\": " + std(returns)
                            + ", \"training_env_steps\": " + (1000 * i) + ", \"episode_returns\": "
                            + java.util.Arrays.toString(returns) + "}");
        }
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
    void costIsOneLineTheMedianOfTheConditionsWithABandBetweenTheirCosts() throws Exception {
        YIntervalSeriesCollection d = ReportCharts.costDataset(data);
        assertEquals(1, d.getSeriesCount(), "one line however many conditions");
        assertEquals(ITERATIONS, d.getItemCount(0), "iteration 3 has no state.json and must not be plotted");
        ObjectMapper m = new ObjectMapper();
        for (int i = 0; i < ITERATIONS; i++) {
            JsonNode cs = m.readTree(run.resolve(String.format("iter=%04d/state.json", i)).toFile()).get("conditions");
            double a = Math.min(cs.get(0).get("cost_mean").asDouble(), cs.get(1).get("cost_mean").asDouble());
            double b = Math.max(cs.get(0).get("cost_mean").asDouble(), cs.get(1).get("cost_mean").asDouble());
            assertEquals(i, d.getXValue(0, i), 0.0);
            // Two conditions: the median is their midpoint, the 10% and 90% quantiles a tenth in from each end.
            double tol = 1e-12 * b;
            assertEquals((a + b) / 2, d.getYValue(0, i), tol);
            assertEquals(a + 0.1 * (b - a), d.getStartYValue(0, i), tol);
            assertEquals(a + 0.9 * (b - a), d.getEndYValue(0, i), tol);
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
        YIntervalSeriesCollection overT = ReportCharts.errorOverTDataset(data, ITERATIONS - 1);
        assertEquals(1, overT.getSeriesCount(), "one line, the median of the conditions, not one per condition");
        assertEquals(T - 1, overT.getItemCount(0));
        for (int t = 0; t < T - 1; t++) {
            // Condition 1's error is condition 0's plus 0.003 at every t.
            double a = rmse(ITERATIONS - 1, 0, t);
            double b = rmse(ITERATIONS - 1, 1, t);
            assertEquals(t, overT.getXValue(0, t), 0.0);
            assertEquals((a + b) / 2, overT.getYValue(0, t), 1e-15);
            assertEquals(a + 0.1 * (b - a), overT.getStartYValue(0, t), 1e-15);
            assertEquals(a + 0.9 * (b - a), overT.getEndYValue(0, t), 1e-15);
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
    void policyReturnIsTheMeanWithABandOfEpisodeQuantilesThatStaysWithinTheReturnsThatOccurred() {
        YIntervalSeriesCollection d = ReportCharts.policyReturnDataset(data);
        assertEquals(1, d.getSeriesCount());
        assertEquals(ITERATIONS - 1, d.getItemCount(0));
        for (int k = 0; k < ITERATIONS - 1; k++) {
            int i = k + 1;
            double[] r = episodeReturns(i);
            double scale = (3 - i) / 2.0;
            assertEquals(i, d.getXValue(0, k), 0.0);
            assertEquals(mean(r), d.getYValue(0, k), 0.0, "the score policy_eval.json holds, as written");
            // Sorted, the fixture's returns are -300, -250, -2, -1, -0.5 (times the scale): the 10% quantile lies
            // 0.4 of the way from the first to the second, the 90% one 0.6 of the way from the fourth to the fifth.
            assertEquals((-300 + 0.4 * 50) * scale, d.getStartYValue(0, k), 1e-12);
            assertEquals((-1 + 0.6 * 0.5) * scale, d.getEndYValue(0, k), 1e-12);
            assertTrue(mean(r) + std(r) > 0, "the fixture is what the test is about: mean + std leaves the range");
            assertTrue(d.getEndYValue(0, k) <= 0, "no episode returned more than 0, nor does the band");
        }
    }

    @Test
    void aScoreFileWithoutEpisodeReturnsGetsNoBand() {
        ReportData old = withPolicyEvals(List.of(new ReportData.PolicyEval(1, 5, -138.5, 90.0, 1000, null)));
        YIntervalSeriesCollection d = ReportCharts.policyReturnDataset(old);
        assertEquals(-138.5, d.getStartYValue(0, 0), 0.0);
        assertEquals(-138.5, d.getEndYValue(0, 0), 0.0);
    }

    static ReportData withPolicyEvals(List<ReportData.PolicyEval> evals) {
        return new ReportData(data.runDir(), data.config(), data.states(), data.errors(), data.errorSummaries(),
                data.dynamicsFit(), evals, data.finalControllers());
    }

    /**
     * A longer run than the fixture's, from its own records: 12 iterations and T = 100, where
     * JFreeChart's automatic axes add 5% past the data, so the t axis reaches 102.9 and shows a
     * tick at t = 100, where there is no step (T - 1 = 99 values, t = 0..98).
     */
    static ReportData longerRun() {
        int iterations = 12;
        int steps = 99;
        List<IterationState> states = new ArrayList<>();
        List<ReportData.PolicyEval> evals = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            List<IterationState.ConditionState> cs = new ArrayList<>();
            for (int c = 0; c < CONDITIONS; c++) {
                cs.add(new IterationState.ConditionState(c, value(i, c, 0), value(i, c, 1) / 10, value(i, c, 2) / 50,
                        value(i, c, 3), value(i, c, 4) / 3, value(i, c, 5) / 4, 3, true, null, null));
            }
            states.add(new IterationState(i, "trajopt", cs));
            double shrink = 1 + i;
            evals.add(new ReportData.PolicyEval(i, 5, mean(episodeReturns(1)) / shrink, 1.0, 1000L * (i + 1),
                    java.util.Arrays.stream(episodeReturns(1)).map(r -> r / shrink).toArray()));
        }
        java.util.Map<Integer, ReportData.ErrorOverT> errors = new java.util.TreeMap<>();
        for (int c = 0; c < CONDITIONS; c++) {
            double[] e = new double[steps];
            for (int t = 0; t < steps; t++) {
                e[t] = rmse(1, c, t);
            }
            errors.put(c, new ReportData.ErrorOverT(e, e));
        }
        java.util.Map<Integer, List<DynamicsStore.ErrorSummary>> summaries = new java.util.TreeMap<>();
        for (int i = 0; i < iterations; i++) {
            summaries.put(i, List.of(new DynamicsStore.ErrorSummary(0, steps, 0.01 + 0.001 * i, 0.1, 0.5),
                    new DynamicsStore.ErrorSummary(1, steps, 0.02 - 0.001 * i, 0.1, 0.5)));
        }
        return new ReportData(data.runDir(), data.config(), states, java.util.Map.of(iterations - 1, errors),
                summaries, null, evals, null);
    }

    @Test
    void everyChartsXAxisEndsAtItsDataAndReturnsThatAreAllNegativeGetNoPositiveAxis() {
        ReportData d = longerRun();
        List<ReportCharts.Chart> charts = ReportCharts.charts(d);
        assertEquals(5, charts.size());
        for (ReportCharts.Chart c : charts) {
            // Drawing chooses the ticks; the range must hold afterwards too.
            c.png();
            org.jfree.chart.plot.XYPlot p = (org.jfree.chart.plot.XYPlot) c.chart().getPlot();
            double first = 0;
            double last = c.id().equals("prediction_error") ? 98 : 11;
            org.jfree.data.Range x = p.getDomainAxis().getRange();
            // Less than half a step past either end: no tick (an iteration, a t) without data.
            assertTrue(x.getLowerBound() > first - 0.5 && x.getLowerBound() <= first, c.id() + ": x from " + x);
            assertTrue(x.getUpperBound() >= last && x.getUpperBound() < last + 0.5, c.id() + ": x to " + x);
        }
        org.jfree.data.Range returns = ((org.jfree.chart.plot.XYPlot) charts.get(4).chart().getPlot()).getRangeAxis()
                .getRange();
        assertTrue(returns.getUpperBound() <= 0, "every return is at most 0, the axis stops at 0: " + returns);
        assertTrue(returns.getLowerBound() <= -280 && returns.getLowerBound() > -300,
                "from a little below the lowest band end, -280, not further than the lowest return: " + returns);
        for (int k : new int[] {0, 2}) {
            org.jfree.data.Range y = ((org.jfree.chart.plot.XYPlot) charts.get(k).chart().getPlot()).getRangeAxis()
                    .getRange();
            assertTrue(y.getLowerBound() >= 0, charts.get(k).id() + ": costs and errors are not negative: " + y);
        }
    }

    @Test
    void thePageOpensWithThePublishedPolicysReturnAndItsEnvironmentSteps() {
        String html = RunReport.html(data, "index_files", ReportCharts.charts(data));
        int headline = html.indexOf("<section id=\"headline\">");
        assertTrue(headline > 0, html);
        assertTrue(headline < html.indexOf("<table>") && headline < html.indexOf("<figure>"),
                "the result comes before every table and chart");
        String top = html.substring(headline, html.indexOf("</section>"));
        // Iteration 2's returns are half of iteration 1's: its mean, -110.7 / 2, and its 10% and 90% quantiles.
        assertTrue(top.contains("Published policy (iteration 2): mean return <strong>-55.35</strong> over 5 "
                + "starts; 10-90% of the episodes -140.0 to -0.3500."), top);
        assertTrue(top.contains("Trained from <strong>2,000</strong> environment steps"), top);
        assertFalse(top.contains("last policy"), "the last policy is the published one: " + top);
        // 2 conditions x 2 samples x T = 5 x 3 iterations with a C-step.
        assertTrue(top.contains("M x N x T x iterations: 2 x 2 x 5 x 3 = 60."), top);
    }

    @Test
    void thePageNamesThePublishedPolicyAndMarksItsRowEvenWhenALaterOneScoredWorse() {
        ReportData worseLast = withPolicyEvals(List.of(new ReportData.PolicyEval(1, 5, -138.5, 9.0, 1000, null),
                new ReportData.PolicyEval(2, 5, -168.25, 8.0, 2000, null)));
        String html = RunReport.html(worseLast, "index_files", List.of());
        assertTrue(html.contains("Published policy (iteration 1): mean return <strong>-138.5</strong> over 5 "
                + "starts.</p>"), html);
        assertTrue(html.contains("The last policy (iteration 2, 2,000 environment steps) scored -168.3: no higher"),
                html);
        assertTrue(html.contains("<tr><td>1</td><td>5</td><td>-138.5</td><td>9.000</td><td>-</td><td>1000</td>"
                + "<td>yes</td></tr>"), html);
        assertTrue(html.contains("<tr><td>2</td><td>5</td><td>-168.3</td><td>8.000</td><td>-</td><td>2000</td>"
                + "<td></td></tr>"), html);
    }

    @Test
    void aRunThatTrainsNoPolicyOpensWithItsControllersReturnsPerConditionAsGpsEvaluateHasThem() throws Exception {
        Path r = dir.resolve("trajopt");
        Files.createDirectories(r);
        Path config = r.resolveSibling("trajopt.json");
        Files.writeString(config, CONFIG);
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", r.toString()).exitCode());
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", r.toString());
        assertEquals(0, o.exitCode(), o.err());
        String html = Files.readString(r.resolve("report/index.html"));
        String top = html.substring(html.indexOf("<section id=\"headline\">"), html.indexOf("</section>"));
        org.gps.pipeline.steps.EvaluateStep.Result expected =
                org.gps.pipeline.steps.EvaluateStep.run(SparkTestSession.get(), r.toString(), null, null);
        assertEquals(0, expected.iteration());
        assertEquals(CONDITIONS, expected.conditions().size());
        // The same episodes as gps evaluate (the run's seed, N = 2 per condition): the same numbers to the digit.
        double a = expected.conditions().get(0).meanReturn();
        double b = expected.conditions().get(1).meanReturn();
        assertTrue(top.contains(String.format(java.util.Locale.ROOT, "Controllers of iteration 0: mean return "
                + "<strong>%.4g</strong>, the median over the 2 conditions (lowest %.4g, highest %.4g), 2 episodes per "
                + "condition.", (a + b) / 2, Math.min(a, b), Math.max(a, b))), top);
        for (org.gps.pipeline.steps.EvaluateStep.ConditionResult c : expected.conditions()) {
            assertTrue(top.contains(String.format(java.util.Locale.ROOT, "<tr><td>%d</td><td>%.4g</td><td>%.4g</td>"
                    + "<td>%.4g</td></tr>", c.condition(), c.meanReturn(), c.stdReturn(), c.finalAbsAngle())), top);
        }
        assertTrue(html.indexOf("</section>") < html.indexOf("<table>\n<tr><th class=\"l\">run directory"),
                "the result comes before the run's details");
    }

    @Test
    void thePageIsOneFileWithItsImagesInlinedAndSeriesJsonBesideIt() throws Exception {
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", run.toString());
        assertEquals(0, o.exitCode(), o.err());
        Path page = run.resolve("report/index.html");
        assertTrue(o.out().contains("report: "), o.out());
        String html = Files.readString(page);
        assertTrue(html.contains("report-fixture"), "the page names the run");
        assertEquals(Set.of("cost", "kl_step", "prediction_error", "prediction_error_by_iteration", "policy_return"),
                inlineImages(html));
        assertFalse(Pattern.compile("src=\"(?!data:)").matcher(html).find(), "no image refers to a file");
        Path assets = run.resolve("report/index_files");
        assertTrue(Files.exists(assets.resolve(AtomicOutput.MARKER)), "the series folder is published with its marker");
        try (Stream<Path> files = Files.list(assets)) {
            assertEquals(Set.of(AtomicOutput.MARKER, RunReport.SERIES), files.map(p -> p.getFileName().toString())
                    .collect(Collectors.toSet()), "the images are in the page, not beside it");
        }
        JsonNode series = new ObjectMapper().readTree(assets.resolve(RunReport.SERIES).toFile());
        assertEquals(rmse(1, 1, 3), series.get("prediction_error").get(1 * CONDITIONS + 1).get("rmse").get(3).asDouble(), 0.0);
        assertEquals(ITERATIONS - 1, series.get("dynamics_fit").get("iteration").asInt());
        // transition[t][row][col] of condition 1 at t = 2, row 1, col 3: flattened index 1 * 4 + 3 = 7.
        assertEquals(0.1 * 7 + 2 + 10 + 100 * (ITERATIONS - 1),
                series.get("dynamics_fit").get("conditions").get(1).get("transition").get(2).get(1).get(3).asDouble(), 1e-12);
        // The plotted band: iteration 2's returns are half of -300, -250, -2, -1, -0.5; see the policy return test.
        JsonNode eval2 = series.get("policy_eval").get(1);
        assertEquals((-300 + 0.4 * 50) / 2, eval2.get("return_p10").asDouble(), 1e-12);
        assertEquals((-1 + 0.6 * 0.5) / 2, eval2.get("return_p90").asDouble(), 1e-12);
    }

    @Test
    void withoutPolicyEvalJsonThereIsNoPolicyChartAndOutNamesThePage() throws Exception {
        Path page = dir.resolve("elsewhere/my report.html");
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", noPolicyRun.toString(), "--out", page.toString());
        assertEquals(0, o.exitCode(), o.err());
        String html = Files.readString(page);
        Set<String> images = inlineImages(html);
        assertEquals(4, images.size(), html);
        assertFalse(images.contains("policy_return"));
        assertFalse(html.contains("Policy"), "no policy section without policy_eval.json");
        assertTrue(Files.isRegularFile(dir.resolve("elsewhere/my report_files").resolve(RunReport.SERIES)));
        assertTrue(html.contains("<a href=\"my%20report_files/series.json\">"), "the link to the series is a URL");
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
    void anEpisodeReturnThatIsNoNumberIsABadInputNamingFileAndKey() throws Exception {
        Path r = dir.resolve("bad-episodes");
        copyTree(noPolicyRun, r);
        Files.writeString(r.resolve("iter=0001/policy_eval.json"), "{\"episodes\": 2, \"mean_return\": -1.5, "
                + "\"std_return\": 0.5, \"training_env_steps\": 10, \"episode_returns\": [-1.0, \"-2\"]}");
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", r.toString());
        assertEquals(2, o.exitCode(), o.err());
        String[] lines = o.err().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.contains("iter=0001/policy_eval.json: key 'episode_returns[1]': expected a number, got \"-2\""),
                o.err());
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

    /** The images in the page by id ({@code chart-<id>}), each checked to decode as a PNG of the stated size. */
    static Set<String> inlineImages(String html) throws Exception {
        Set<String> ids = new TreeSet<>();
        Matcher m = Pattern.compile("<img id=\"chart-([a-z_]+)\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")
                .matcher(html);
        while (m.find()) {
            BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
            assertNotNull(image, m.group(1) + " is not a readable image");
            assertEquals(ReportCharts.WIDTH, image.getWidth());
            assertEquals(ReportCharts.HEIGHT, image.getHeight());
            assertTrue(ids.add(m.group(1)), "two images named " + m.group(1));
        }
        assertEquals(ids.size(), html.split("<img ", -1).length - 1, "every image is an inline PNG");
        return ids;
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
