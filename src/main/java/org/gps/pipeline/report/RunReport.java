package org.gps.pipeline.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.io.AtomicOutput;
import org.gps.io.DynamicsStore;
import org.gps.io.FiniteNumbers;
import org.gps.io.HadoopFiles;
import org.gps.io.OutputGuard;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.steps.EvaluateStep;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code gps report}: an HTML page of a run with its charts. The page is a single self-contained
 * file ({@code R/report/index.html} by default), its images inlined as PNG data URIs, so that it
 * can be mailed or attached as it is. It opens with the run's result: the published policy's
 * return, or for a run that trains none its controllers' returns. {@value #SERIES} (every plotted
 * number, for notebooks and other tools that cannot read Parquet) goes into the folder beside it
 * named after the page ({@code index_files/}); the folder is published first, atomically with its
 * marker, then the page is renamed into place.
 */
public final class RunReport {
    public static final String DEFAULT_PAGE = "report/index.html";
    public static final String SERIES = "series.json";
    /** The completion marker of a report's folder names this writer: tells our own earlier report. */
    public static final String WRITER = "gps report";
    private static final String REPORT_FOLDER = "report";
    private static final String BAND = Math.round(100 * ReportCharts.BAND_LOW) + "-"
            + Math.round(100 * ReportCharts.BAND_HIGH) + "%";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunReport.class);

    private RunReport() {
    }

    /** Where the report went. */
    public record Written(Path page, Path assets, List<ReportCharts.Chart> charts) {
    }

    /** The default page of a run directory, {@code R/report/index.html}. */
    public static Path defaultPage(String runDirUri) {
        return new Path(new Path(runDirUri), DEFAULT_PAGE);
    }

    /** The folder that holds a page's series: {@code index.html} -> {@code index_files}. */
    public static Path assetsOf(Path page) {
        String name = page.getName();
        int dot = name.lastIndexOf('.');
        return new Path(page.getParent(), (dot > 0 ? name.substring(0, dot) : name) + "_files");
    }

    /** Writes the report of {@code runDirUri} to {@code pageUri}, or to the default page when it is null. */
    public static Written write(SparkSession spark, String runDirUri, String pageUri) {
        return write(spark, runDirUri, pageUri, false);
    }

    /**
     * Writes the report of {@code runDirUri} to {@code pageUri}, or to the default page when it is
     * null, after {@link #checkOutput}.
     */
    public static Written write(SparkSession spark, String runDirUri, String pageUri, boolean overwrite) {
        Path page = checkOutput(HadoopFiles.conf(spark), runDirUri, pageUri, overwrite);
        ReportData data = ReportData.read(spark, runDirUri);
        return write(HadoopFiles.conf(spark), data, page);
    }

    /** True when the page goes into the run directory (the default page, or one under R/report/). */
    public static boolean writesIntoRun(Configuration conf, String runDirUri, String pageUri) {
        if (pageUri == null) {
            return true;
        }
        return OutputGuard.isInside(conf, pageUri, new Path(new Path(runDirUri), REPORT_FOLDER).toString());
    }

    /**
     * Where the report may go (docs/run-directory.md, "Outputs"): in the run's own
     * {@code R/report/}, where an earlier report is replaced as any step replaces its output, or
     * outside the run directory, where an earlier report is replaced only with {@code overwrite}.
     * Anything else there that is not a report, and any page elsewhere in R, is refused.
     *
     * @return the page
     */
    public static Path checkOutput(Configuration conf, String runDirUri, String pageUri, boolean overwrite) {
        Path page = pageUri == null ? defaultPage(runDirUri) : new Path(pageUri);
        if (page.getParent() == null || page.getName().isEmpty()) {
            throw new BadInputException("--out " + pageUri + ": expected a file path for the HTML page");
        }
        boolean inRun = writesIntoRun(conf, runDirUri, pageUri);
        OutputGuard.Output out = new OutputGuard.Output("--out", page.toString(), "gps report", WRITER,
                overwrite || inRun);
        OutputGuard.checkFile(conf, out, assetsOf(page).toString(), inRun ? List.of()
                : List.of(new OutputGuard.Input("--run-dir", runDirUri)));
        return page;
    }

    static Written write(Configuration conf, ReportData data, Path page) {
        Path assets = assetsOf(page);
        List<ReportCharts.Chart> charts = ReportCharts.charts(data);
        AtomicOutput.publish(conf, assets.toString(), WRITER, tmp -> {
            HadoopFiles.writeUtf8(conf, new Path(tmp, SERIES), seriesJson(data));
            return -1;
        });
        AtomicOutput.writeFile(conf, page.toString(), html(data, assets.getName(), charts).getBytes(StandardCharsets.UTF_8));
        return new Written(page, assets, charts);
    }

    /**
     * Every number the charts plot, plus the latest fitted dynamics: {@code docs/formats.md},
     * "Report". Plain JSON so that a notebook needs neither Spark nor a Parquet reader.
     */
    static String seriesJson(ReportData data) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("format", "gps-report-series");
        root.put("version", 1);
        root.put("run_dir", data.runDir());
        root.put("name", data.config().name());
        root.put("algorithm", data.config().algorithm().configName());
        root.put("conditions", data.conditionCount());
        root.put("horizon", data.config().horizon());
        putIterations(root.putArray("iterations"), data);
        putPredictionErrors(root.putArray("prediction_error"), data);
        if (data.dynamicsFit() != null) {
            putDynamicsFit(root.putObject("dynamics_fit"), data.dynamicsFit());
        }
        putPolicyEvals(root.putArray("policy_eval"), data);
        if (data.finalControllers() != null) {
            putFinalControllers(root.putObject("final_controllers"), data.finalControllers());
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIterations(ArrayNode states, ReportData data) {
        for (IterationState st : data.states()) {
            ObjectNode n = states.addObject();
            n.put("iteration", st.iteration());
            ArrayNode cs = n.putArray("conditions");
            for (IterationState.ConditionState c : st.conditions()) {
                ObjectNode o = cs.addObject().put("condition", c.condition());
                putNumber(o, "cost_mean", c.costMean());
                putNumber(o, "cost_std", c.costStd());
                putNumber(o, "kl", c.kl());
                putNumber(o, "kl_target", c.klTarget());
                putNumber(o, "step_mult", c.stepMult());
                putNumber(o, "eta", c.eta());
            }
        }
    }

    private static void putPredictionErrors(ArrayNode errors, ReportData data) {
        data.errors().forEach((i, byCondition) -> byCondition.forEach((c, e) -> {
            ObjectNode n = errors.addObject().put("iteration", i).put("condition", c);
            putArray(n.putArray("rmse"), e.rmse());
            putArray(n.putArray("relative_rmse"), e.relativeRmse());
            for (DynamicsStore.ErrorSummary s : data.errorSummaries().getOrDefault(i, List.of())) {
                if (s.condition() == c) {
                    putNumber(n, "mean_rmse", s.meanRmse());
                    putNumber(n, "max_rmse", s.maxRmse());
                    putNumber(n, "mean_relative_rmse", s.meanRelativeRmse());
                }
            }
        }));
    }

    private static void putDynamicsFit(ObjectNode fit, ReportData.DynamicsFit dynamicsFit) {
        fit.put("iteration", dynamicsFit.iteration());
        fit.put("convention", "x[t+1] ~ N(transition[t] [x_t; u_t] + offset[t], covariance[t])");
        ArrayNode cs = fit.putArray("conditions");
        for (Map.Entry<Integer, LinearGaussianDynamics> e : dynamicsFit.conditions().entrySet()) {
            LinearGaussianDynamics d = e.getValue();
            ObjectNode n = cs.addObject().put("condition", e.getKey()).put("dX", d.stateDim()).put("dU", d.actionDim());
            ArrayNode f = n.putArray("transition");
            ArrayNode off = n.putArray("offset");
            for (int t = 0; t < d.steps(); t++) {
                ArrayNode rows = f.addArray();
                for (double[] row : d.transition(t).toRowArrays()) {
                    putArray(rows.addArray(), row);
                }
                putArray(off.addArray(), d.offset(t));
            }
        }
    }

    private static void putPolicyEvals(ArrayNode evals, ReportData data) {
        for (ReportData.PolicyEval e : data.policyEvals()) {
            ObjectNode o = evals.addObject().put("iteration", e.iteration()).put("episodes", e.episodes());
            putNumber(o, "mean_return", e.meanReturn());
            putNumber(o, "std_return", e.stdReturn());
            o.put("training_env_steps", e.trainingEnvSteps());
            if (e.episodeReturns() != null && e.episodeReturns().length > 0) {
                double[] band = ReportCharts.returnBand(e);
                putNumber(o, "return_p10", band[0]);
                putNumber(o, "return_p90", band[1]);
            }
        }
    }

    private static void putFinalControllers(ObjectNode n, EvaluateStep.Result c) {
        n.put("iteration", c.iteration()).put("episodes_per_condition", c.episodesPerCondition());
        ArrayNode cs = n.putArray("conditions");
        for (EvaluateStep.ConditionResult r : c.conditions()) {
            ObjectNode o = cs.addObject().put("condition", r.condition());
            putNumber(o, "mean_return", r.meanReturn());
            putNumber(o, "std_return", r.stdReturn());
            putNumber(o, "final_abs_angle", r.finalAbsAngle());
        }
    }

    private static void putArray(ArrayNode a, double[] v) {
        for (double x : v) {
            FiniteNumbers.add(a, x);
        }
    }

    private static ObjectNode putNumber(ObjectNode n, String key, double x) {
        return FiniteNumbers.put(n, key, x);
    }

    private static String g4(double v) {
        return FiniteNumbers.text("%.4g", v);
    }

    static String html(ReportData data, String assetsFolder, List<ReportCharts.Chart> charts) {
        ExperimentConfig cfg = data.config();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>GPS run ")
                .append(esc(cfg.name())).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;")
                .append("text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}\n")
                .append("#headline{background:#eef5fb;border-left:5px solid #0072b2;padding:.4em 1.2em;margin:1em 0 2em}\n")
                .append("#headline .result{font-size:1.35em}\n")
                .append("img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9em}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>GPS run ").append(esc(cfg.name())).append("</h1>\n");
        headline(h, data);
        h.append("<table>\n");
        row(h, "run directory", data.runDir());
        row(h, "algorithm", cfg.algorithm().configName());
        row(h, "conditions x samples x T", cfg.conditionCount() + " x " + cfg.samples() + " x " + cfg.horizon());
        row(h, "iterations completed", data.states().size() + " of " + cfg.iterations());
        h.append("</table>\n");
        if (charts.isEmpty()) {
            h.append("<p>No iteration has completed yet: nothing to plot.</p>\n");
        }
        for (ReportCharts.Chart c : charts) {
            h.append("<figure>\n<h2>").append(esc(c.title())).append("</h2>\n<img id=\"chart-").append(esc(c.id()))
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(c.png()))
                    .append("\" alt=\"").append(esc(c.title()))
                    .append("\" width=\"").append(ReportCharts.WIDTH).append("\" height=\"").append(ReportCharts.HEIGHT)
                    .append("\">\n<figcaption>").append(esc(c.caption())).append("</figcaption>\n</figure>\n");
        }
        if (!data.states().isEmpty()) {
            IterationState last = data.states().get(data.states().size() - 1);
            h.append("<h2>Last C-step (iteration ").append(last.iteration()).append(")</h2>\n<table>\n<tr><th>condition</th>")
                    .append("<th>cost mean</th><th>cost std</th><th>KL</th><th>KL target</th><th>step_mult</th><th>eta</th></tr>\n");
            for (IterationState.ConditionState c : last.conditions()) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                                + "<td>%s</td><td>%s</td></tr>%n", c.condition(), g4(c.costMean()), g4(c.costStd()),
                        g4(c.kl()), g4(c.klTarget()), g4(c.stepMult()), g4(c.eta())));
            }
            h.append("</table>\n");
        }
        ReportData.PolicyEval published = data.publishedPolicy();
        if (!data.policyEvals().isEmpty()) {
            h.append("<h2>Policy evaluations</h2>\n<table>\n<tr><th>iteration</th><th>episodes</th><th>mean return</th>")
                    .append("<th>std</th><th>").append(BAND).append(" of episodes</th><th>training env steps</th>")
                    .append("<th>published</th></tr>\n");
            for (ReportData.PolicyEval e : data.policyEvals()) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td>"
                                + "<td>%d</td><td>%s</td></tr>%n", e.iteration(), e.episodes(), g4(e.meanReturn()),
                        g4(e.stdReturn()), bandText(e), e.trainingEnvSteps(), e == published ? "yes" : ""));
            }
            h.append("</table>\n");
        }
        h.append("<p>Every plotted number: <a href=\"").append(esc(urlSegment(assetsFolder) + "/" + SERIES))
                .append("\">").append(esc(assetsFolder + "/" + SERIES)).append("</a>, beside this page; the page itself ")
                .append("needs no other file.</p>\n</body>\n</html>\n");
        return h.toString();
    }

    /** A policy's band of episode returns as text, or a dash when its score file does not list them. */
    private static String bandText(ReportData.PolicyEval e) {
        double[] episodes = e.episodeReturns();
        if (episodes == null || episodes.length == 0) {
            return "-";
        }
        double[] band = ReportCharts.returnBand(e);
        return g4(band[0]) + " to " + g4(band[1]);
    }

    /**
     * The run's result, first on the page: for a run that trains a policy, the published policy's
     * return (and the last one's when that is another) and the environment steps behind it; for
     * one that does not, its latest controllers' returns per condition.
     */
    static void headline(StringBuilder h, ReportData data) {
        ExperimentConfig cfg = data.config();
        h.append("<section id=\"headline\">\n");
        String sampled = String.format(Locale.ROOT, "%d x %d x %d x %d = %,d", cfg.conditionCount(), cfg.samples(),
                cfg.horizon(), data.states().size(), data.sampledEnvSteps());
        if (cfg.trainsPolicy() || !data.policyEvals().isEmpty()) {
            ReportData.PolicyEval p = data.publishedPolicy();
            if (p == null) {
                h.append("<p class=\"result\">No policy scored yet (no iter=I/").append(ReportData.POLICY_EVAL)
                        .append(").</p>\n");
            } else {
                h.append(String.format(Locale.ROOT, "<p class=\"result\">Published policy (iteration %d): mean return "
                                + "<strong>%s</strong> over %d starts%s.</p>%n", p.iteration(), g4(p.meanReturn()),
                        p.episodes(), p.episodeReturns() == null || p.episodeReturns().length == 0 ? ""
                                : "; " + BAND + " of the episodes " + bandText(p)));
                h.append(String.format(Locale.ROOT, "<p>Trained from <strong>%,d</strong> environment steps (M x N x T "
                        + "x (I + 1)), chosen as the best of %d scored policies (%s).</p>%n", p.trainingEnvSteps(),
                        data.policyEvals().size(), "best_policy.json"));
                ReportData.PolicyEval last = data.policyEvals().get(data.policyEvals().size() - 1);
                if (last != p) {
                    h.append(String.format(Locale.ROOT, "<p>The last policy (iteration %d, %,d environment steps) "
                                    + "scored %s: no higher, so it is not the published one.</p>%n", last.iteration(),
                            last.trainingEnvSteps(), g4(last.meanReturn())));
                }
            }
        } else {
            EvaluateStep.Result c = data.finalControllers();
            if (c == null) {
                h.append("<p class=\"result\">No complete controllers yet (run gps init).</p>\n");
            } else {
                double[] returns = c.conditions().stream().mapToDouble(EvaluateStep.ConditionResult::meanReturn).toArray();
                if (returns.length == 1) {
                    h.append(String.format(Locale.ROOT, "<p class=\"result\">Controllers of iteration %d: mean return "
                            + "<strong>%s</strong> over %d episodes.</p>%n", c.iteration(), g4(returns[0]),
                            c.episodesPerCondition()));
                } else {
                    h.append(String.format(Locale.ROOT, "<p class=\"result\">Controllers of iteration %d: mean return "
                                    + "<strong>%s</strong>, the median over the %d conditions (lowest %s, highest %s), "
                                    + "%d episodes per condition.</p>%n", c.iteration(),
                            g4(ReportCharts.quantile(returns, 0.5)), returns.length, g4(ReportCharts.quantile(returns, 0)),
                            g4(ReportCharts.quantile(returns, 1)), c.episodesPerCondition()));
                }
                boolean angles = c.conditions().stream().anyMatch(r -> Double.isFinite(r.finalAbsAngle()));
                h.append("<table>\n<tr><th>condition</th><th>mean return</th><th>std</th>")
                        .append(angles ? "<th>mean |angle|, last 20 steps</th>" : "").append("</tr>\n");
                for (EvaluateStep.ConditionResult r : c.conditions()) {
                    h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%s</td>%s</tr>%n", r.condition(),
                            g4(r.meanReturn()), g4(r.stdReturn()), angles ? "<td>" + g4(r.finalAbsAngle()) + "</td>" : ""));
                }
                h.append("</table>\n");
            }
        }
        h.append("<p>Environment steps sampled for training, M x N x T x iterations: ").append(sampled)
                .append(".</p>\n</section>\n");
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th class=\"l\">").append(esc(key)).append("</th><td class=\"l\">").append(esc(value))
                .append("</td></tr>\n");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /** Percent-encodes what a relative URL path segment cannot hold as is (the folder is named after the user's file). */
    static String urlSegment(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            char ch = (char) (x & 0xff);
            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || "-._~=".indexOf(ch) >= 0) {
                b.append(ch);
            } else {
                b.append(String.format(Locale.ROOT, "%%%02X", x & 0xff));
            }
        }
        return b.toString();
    }

    /**
     * The last step of {@code gps run}: writes the default page and returns the line to print. The
     * run's own outputs are complete by then, so a report that cannot be written (a damaged
     * policy_eval.json, say) is a warning, not a failed run; {@code gps report} says the same as an error.
     */
    public static String writeAfterRun(SparkSession spark, String runDirUri) {
        try {
            return "report: " + write(spark, runDirUri, null).page();
        } catch (RuntimeException e) {
            LOG.warn("the report of {} was not written", runDirUri, e);
            return "report: not written (" + e.getMessage() + "); see 'gps report --run-dir " + runDirUri + "'";
        }
    }
}
