package org.gps.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.bench.ControlBenchmark.ControllerSeed;
import org.gps.bench.ControlBenchmark.CurvePoint;
import org.gps.bench.ControlBenchmark.PolicySeed;
import org.gps.bench.ControlBenchmark.Restart;
import org.gps.bench.ControlBenchmark.Result;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.steps.EvaluateStep;
import org.gps.spark.RolloutSampling;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/** control.md, control.json and control.png of a {@link ControlBenchmark} result. */
public final class ControlBenchmarkReport {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 500;

    static {
        // Benchmarks run on servers without a display; AWT must not look for one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ControlBenchmarkReport() {
    }

    // ---------------------------------------------------------------- Markdown

    public static String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Control benchmark: %s (%s, %s, %d iterations), %d seeds.%n%n",
                r.config(), r.base().algorithm(), r.base().environment().type(), r.base().iterations(),
                r.policy() ? r.policySeeds().size() : r.controllerSeeds().size()));
        if (r.policy()) {
            policyTable(r, sb);
        } else {
            controllerTable(r, sb);
            restartsTable(r, sb);
        }
        return sb.toString();
    }

    private static void policyTable(Result r, StringBuilder sb) {
        sb.append(String.format(Locale.ROOT, "Each seed's published policy (the iteration whose policy_eval.json mean "
                        + "return is highest) scored on eval seed %d over %d random starts, and its last iteration's "
                        + "policy on the same starts; upright: mean |angle| over the last %d steps < %.1f rad; "
                        + "selection return and env steps from the run's own policy_eval.json per iteration.%n%n",
                r.evalSeed(), r.evalEpisodes(), RolloutSampling.FINAL_WINDOW, RolloutSampling.UPRIGHT_ANGLE));
        Long budget = r.budget();
        if (budget != null) {
            sb.append(String.format(Locale.ROOT, "By %d steps: the policy the run would have published had it "
                    + "stopped after %d environment steps of training (the best selection return among the "
                    + "iterations trained from at most that many), on the same starts.%n%n", budget, budget));
        }
        String by = budget == null ? "" : " iteration by " + budget + " steps | return by " + budget + " steps |";
        sb.append("| seed | iteration | return | std | upright | last-iteration return | selection return "
                + "| env steps to -200 | env steps to -160 |" + by + "\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|" + (budget == null ? "" : "---:|---:|") + "\n");
        for (PolicySeed s : r.policySeeds()) {
            sb.append(policyRow(String.valueOf(s.seed()), s));
        }
        List<PolicySeed> seeds = r.policySeeds();
        if (!seeds.isEmpty()) {
            String byMedian = budget == null ? ""
                    : budgetNum(median(seeds, ControlBenchmarkReport::budgetReturn));
            sb.append(String.format(Locale.ROOT, "| median | - | %s | %s | %s | %s | %s | %s | %s |%s%n",
                    num(median(seeds, s -> s.score().meanReturn())),
                    num(median(seeds, s -> s.score().stdReturn())),
                    ControlBenchmark.percent(median(seeds, s -> s.score().uprightFraction())),
                    num(median(seeds, s -> s.lastScore().meanReturn())),
                    num(median(seeds, PolicySeed::selectionReturn)),
                    steps(median(seeds, s -> stepsOrInfinity(s, ControlBenchmark.RETURN_BARS[0]))),
                    steps(median(seeds, s -> stepsOrInfinity(s, ControlBenchmark.RETURN_BARS[1]))),
                    budget == null ? "" : " - | " + byMedian + " |"));
            PolicySeed worst = worstPolicy(seeds);
            sb.append(policyRow("worst (seed " + worst.seed() + ")", worst));
            if (budget != null) {
                PolicySeed worstBy = worstByBudget(seeds);
                sb.append(String.format(Locale.ROOT, "%nBy %d steps: median %s, worst %s (seed %d).%n", budget,
                        byMedian, budgetNum(budgetReturn(worstBy)), worstBy.seed()));
            }
        }
    }

    private static String policyRow(String label, PolicySeed s) {
        String by = "";
        if (s.budget() != null) {
            by = " " + (s.budget().iteration() < 0 ? "-" : String.valueOf(s.budget().iteration())) + " | "
                    + num(s.budget().meanReturn()) + " |";
        }
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%s%n", label,
                s.policyIteration(), num(s.score().meanReturn()), num(s.score().stdReturn()),
                ControlBenchmark.percent(s.score().uprightFraction()), num(s.lastScore().meanReturn()),
                num(s.selectionReturn()),
                steps(stepsOrInfinity(s, ControlBenchmark.RETURN_BARS[0])),
                steps(stepsOrInfinity(s, ControlBenchmark.RETURN_BARS[1])), by);
    }

    // A seed with no policy by the budget ranks below every number, as it has nothing to publish.
    private static double budgetReturn(PolicySeed s) {
        double v = s.budget().meanReturn();
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    private static String budgetNum(double v) {
        return v == Double.NEGATIVE_INFINITY ? "none" : num(v);
    }

    private static PolicySeed worstByBudget(List<PolicySeed> seeds) {
        return seeds.stream().min(Comparator.comparingDouble(ControlBenchmarkReport::budgetReturn)).get();
    }

    private static void controllerTable(Result r, StringBuilder sb) {
        sb.append(String.format(Locale.ROOT, "Final controllers of each condition, %d episodes each with noise of "
                        + "eval seed %d; abs angle: mean |angle| over the last %d steps (Pendulum); upright: below "
                        + "%.1f rad.%n%n", r.evalEpisodes(), r.evalSeed(), RolloutSampling.FINAL_WINDOW,
                RolloutSampling.UPRIGHT_ANGLE));
        controllerRows(r, sb, ControllerSeed::finalControllers);
        sb.append(String.format(Locale.ROOT, "%nThe same controllers without their exploration noise (u = K x + k, "
                + "what the optimiser planned), same starts:%n%n"));
        controllerRows(r, sb, ControllerSeed::meanActions);
    }

    private static void controllerRows(Result r, StringBuilder sb,
                                       java.util.function.Function<ControllerSeed, EvaluateStep.Result> scoring) {
        int m = r.base().conditionCount();
        StringBuilder head = new StringBuilder("| seed | iteration | mean return | conditions upright |");
        StringBuilder rule = new StringBuilder("|---|---:|---:|---:|");
        for (int c = 0; c < m; c++) {
            head.append(" return c").append(c).append(" | abs angle c").append(c).append(" |");
            rule.append("---:|---:|");
        }
        sb.append(head).append('\n').append(rule).append('\n');
        List<ControllerSeed> seeds = r.controllerSeeds();
        for (ControllerSeed s : seeds) {
            sb.append(controllerRow(String.valueOf(s.seed()), s.seed(), scoring.apply(s), m));
        }
        if (!seeds.isEmpty()) {
            StringBuilder med = new StringBuilder(String.format(Locale.ROOT, "| median | - | %s | %s |",
                    num(ControlBenchmark.median(seeds.stream()
                            .mapToDouble(s -> ControllerSeed.meanReturn(scoring.apply(s))).toArray())),
                    upright(ControlBenchmark.median(seeds.stream()
                            .mapToDouble(s -> ControllerSeed.conditionsUpright(scoring.apply(s)))
                            .filter(x -> x >= 0).toArray()), m)));
            for (int c = 0; c < m; c++) {
                int cc = c;
                med.append(' ').append(num(ControlBenchmark.median(seeds.stream()
                        .mapToDouble(s -> scoring.apply(s).conditions().get(cc).meanReturn()).toArray()))).append(" | ");
                med.append(angle(ControlBenchmark.median(seeds.stream()
                        .mapToDouble(s -> scoring.apply(s).conditions().get(cc).finalAbsAngle()).toArray())))
                        .append(" |");
            }
            sb.append(med).append('\n');
            ControllerSeed worst = seeds.stream()
                    .min(Comparator.comparingDouble(s -> ControllerSeed.meanReturn(scoring.apply(s)))).get();
            sb.append(controllerRow("worst (seed " + worst.seed() + ")", worst.seed(), scoring.apply(worst), m));
        }
    }

    /** For configs that give one start to several conditions: each seed's pick per start, and how it scores. */
    private static void restartsTable(Result r, StringBuilder sb) {
        List<String> rows = new ArrayList<>();
        List<Double> returns = new ArrayList<>();
        int upright = 0;
        for (ControllerSeed s : r.controllerSeeds()) {
            for (Restart restart : ControlBenchmark.restarts(r.base(), s.lastCosts())) {
                if (restart.picked() < 0) {
                    continue;
                }
                EvaluateStep.ConditionResult noisy = s.finalControllers().conditions().get(restart.picked());
                EvaluateStep.ConditionResult planned = s.meanActions().conditions().get(restart.picked());
                rows.add(String.format(Locale.ROOT, "| %d | %s | c%d | %s | %s | %s | %s | %s |", s.seed(),
                        copies(restart.copies()), restart.picked(), num(restart.cost()), num(noisy.meanReturn()),
                        angle(noisy.finalAbsAngle()), num(planned.meanReturn()), angle(planned.finalAbsAngle())));
                returns.add(planned.meanReturn());
                upright += RolloutSampling.isUpright(planned.finalAbsAngle()) ? 1 : 0;
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nRestarts: for each start that several conditions copy, the copy whose "
                + "samples cost least in the last iteration (chosen from training data alone), scored as above:%n%n"));
        sb.append("| seed | copies | picked | mean sample cost | return | abs angle | return without noise "
                + "| abs angle without noise |\n|---|---|---|---:|---:|---:|---:|---:|\n");
        rows.forEach(row -> sb.append(row).append('\n'));
        double[] planned = returns.stream().mapToDouble(Double::doubleValue).toArray();
        sb.append(String.format(Locale.ROOT, "%nWithout noise: median %s, worst %s; upright %d of %d.%n",
                num(ControlBenchmark.median(planned)), num(Arrays.stream(planned).min().orElse(Double.NaN)), upright,
                rows.size()));
    }

    private static String copies(List<Integer> conditions) {
        StringBuilder b = new StringBuilder();
        for (int c : conditions) {
            b.append(b.length() == 0 ? "c" : ", c").append(c);
        }
        return b.toString();
    }

    private static String controllerRow(String label, long seed, EvaluateStep.Result scored, int m) {
        int up = ControllerSeed.conditionsUpright(scored);
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d | %s | %s |", label,
                scored.iteration(), num(ControllerSeed.meanReturn(scored)), up < 0 ? "-" : upright(up, m)));
        for (int c = 0; c < m; c++) {
            EvaluateStep.ConditionResult cr = scored.conditions().get(c);
            row.append(' ').append(num(cr.meanReturn())).append(" | ").append(angle(cr.finalAbsAngle())).append(" |");
        }
        return row.append('\n').toString();
    }

    private static String upright(double count, int m) {
        return Double.isNaN(count) ? "-" : String.format(Locale.ROOT, "%s of %d",
                count == Math.rint(count) ? String.valueOf((long) count) : String.valueOf(count), m);
    }

    private static PolicySeed worstPolicy(List<PolicySeed> seeds) {
        return seeds.stream().min(Comparator.comparingDouble(s -> s.score().meanReturn())).get();
    }

    private static double median(List<PolicySeed> seeds, ToDoubleFunction<PolicySeed> f) {
        return ControlBenchmark.median(seeds.stream().mapToDouble(f).toArray());
    }

    // "never" sorts after every step count, so a median of seeds that mostly never get there is "never".
    private static double stepsOrInfinity(PolicySeed s, double bar) {
        long steps = s.stepsToReach(bar);
        return steps < 0 ? Double.POSITIVE_INFINITY : steps;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String angle(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String steps(double v) {
        if (Double.isInfinite(v)) {
            return "never";
        }
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    // ---------------------------------------------------------------- JSON

    public static ObjectNode json(Result r) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("benchmark", ControlBenchmark.KIND);
        root.put("config", r.config());
        root.put("algorithm", r.base().algorithm().configName());
        root.put("environment", r.base().environment().type());
        root.put("iterations", r.base().iterations());
        root.put("eval_seed", r.evalSeed());
        root.put("eval_episodes", r.evalEpisodes());
        root.put("scored", r.policy() ? "policy" : "controllers");
        root.put("upright_max_abs_angle", RolloutSampling.UPRIGHT_ANGLE);
        if (r.budget() != null) {
            root.put("budget_env_steps", r.budget());
        }
        ArrayNode arr = root.putArray("seeds");
        if (r.policy()) {
            r.policySeeds().forEach(s -> arr.add(policyJson(m, s)));
            if (!r.policySeeds().isEmpty()) {
                List<PolicySeed> seeds = r.policySeeds();
                ObjectNode med = root.putObject("median");
                putNumber(med, "mean_return", median(seeds, s -> s.score().meanReturn()));
                putNumber(med, "std_return", median(seeds, s -> s.score().stdReturn()));
                putNumber(med, "upright_fraction", median(seeds, s -> s.score().uprightFraction()));
                putNumber(med, "last_iteration_return", median(seeds, s -> s.lastScore().meanReturn()));
                putNumber(med, "selection_return", median(seeds, PolicySeed::selectionReturn));
                ObjectNode reach = med.putObject("env_steps_to_reach");
                for (double bar : ControlBenchmark.RETURN_BARS) {
                    putSteps(reach, barKey(bar), median(seeds, s -> stepsOrInfinity(s, bar)));
                }
                root.put("worst_seed", worstPolicy(seeds).seed());
                if (r.budget() != null) {
                    putNumber(med, "budget_return", median(seeds, ControlBenchmarkReport::budgetReturn));
                    root.put("worst_budget_seed", worstByBudget(seeds).seed());
                }
            }
        } else {
            r.controllerSeeds().forEach(s -> arr.add(controllerJson(m, s, r.base())));
            if (!r.controllerSeeds().isEmpty()) {
                List<ControllerSeed> seeds = r.controllerSeeds();
                ObjectNode med = root.putObject("median");
                putNumber(med, "mean_return",
                        ControlBenchmark.median(seeds.stream().mapToDouble(ControllerSeed::meanReturn).toArray()));
                putNumber(med, "conditions_upright", ControlBenchmark.median(seeds.stream()
                        .mapToDouble(ControllerSeed::conditionsUpright).filter(x -> x >= 0).toArray()));
                putNumber(med, "mean_actions_return", ControlBenchmark.median(seeds.stream()
                        .mapToDouble(s -> ControllerSeed.meanReturn(s.meanActions())).toArray()));
                root.put("worst_seed", seeds.stream().min(Comparator.comparingDouble(ControllerSeed::meanReturn))
                        .get().seed());
            }
        }
        return root;
    }

    private static ObjectNode policyJson(ObjectMapper m, PolicySeed s) {
        ObjectNode n = m.createObjectNode();
        n.put("seed", s.seed());
        n.put("run_dir", s.runDir());
        n.put("policy_iteration", s.policyIteration());
        putNumber(n, "mean_return", s.score().meanReturn());
        putNumber(n, "std_return", s.score().stdReturn());
        putNumber(n, "upright_fraction", s.score().uprightFraction());
        n.put("last_iteration", s.lastIteration());
        putNumber(n, "last_iteration_return", s.lastScore().meanReturn());
        putNumber(n, "selection_return", s.selectionReturn());
        ObjectNode reach = n.putObject("env_steps_to_reach");
        for (double bar : ControlBenchmark.RETURN_BARS) {
            putSteps(reach, barKey(bar), stepsOrInfinity(s, bar));
        }
        if (s.budget() != null) {
            ObjectNode b = n.putObject("budget");
            b.put("env_steps", s.budget().envSteps());
            if (s.budget().iteration() < 0) {
                b.putNull("policy_iteration");
            } else {
                b.put("policy_iteration", s.budget().iteration());
                putNumber(b, "mean_return", s.budget().score().meanReturn());
                putNumber(b, "std_return", s.budget().score().stdReturn());
                putNumber(b, "upright_fraction", s.budget().score().uprightFraction());
            }
        }
        n.set("curve", curveJson(m, s.curve(), "mean_return"));
        return n;
    }

    private static ObjectNode controllerJson(ObjectMapper m, ControllerSeed s, ExperimentConfig base) {
        ObjectNode n = m.createObjectNode();
        n.put("seed", s.seed());
        n.put("run_dir", s.runDir());
        n.put("iteration", s.finalControllers().iteration());
        putNumber(n, "mean_return", s.meanReturn());
        if (s.conditionsUpright() < 0) {
            n.putNull("conditions_upright");
        } else {
            n.put("conditions_upright", s.conditionsUpright());
        }
        conditionsJson(n.putArray("conditions"), s.finalControllers());
        ObjectNode mean = n.putObject("mean_actions");
        putNumber(mean, "mean_return", ControllerSeed.meanReturn(s.meanActions()));
        int up = ControllerSeed.conditionsUpright(s.meanActions());
        if (up < 0) {
            mean.putNull("conditions_upright");
        } else {
            mean.put("conditions_upright", up);
        }
        conditionsJson(mean.putArray("conditions"), s.meanActions());
        n.set("curve", curveJson(m, s.curve(), "mean_cost"));
        ArrayNode restarts = n.putArray("restarts");
        for (Restart restart : ControlBenchmark.restarts(base, s.lastCosts())) {
            ObjectNode o = restarts.addObject();
            restart.copies().forEach(o.putArray("copies")::add);
            if (restart.picked() < 0) {
                o.putNull("picked");
            } else {
                o.put("picked", restart.picked());
            }
            putNumber(o, "mean_cost", restart.cost());
        }
        return n;
    }

    private static void conditionsJson(ArrayNode cs, EvaluateStep.Result scored) {
        for (EvaluateStep.ConditionResult c : scored.conditions()) {
            ObjectNode cn = cs.addObject();
            cn.put("condition", c.condition());
            putNumber(cn, "mean_return", c.meanReturn());
            putNumber(cn, "std_return", c.stdReturn());
            putNumber(cn, "final_abs_angle", c.finalAbsAngle());
        }
    }

    private static ArrayNode curveJson(ObjectMapper m, List<CurvePoint> curve, String valueKey) {
        ArrayNode arr = m.createArrayNode();
        for (CurvePoint p : curve) {
            ObjectNode n = arr.addObject();
            n.put("iteration", p.iteration());
            n.put("env_steps", p.envSteps());
            putNumber(n, valueKey, p.value());
        }
        return arr;
    }

    static String barKey(double bar) {
        return String.valueOf((long) bar);
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    // JSON has no infinity: "never reached" is null there.
    private static void putSteps(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, (long) v);
        } else {
            n.putNull(key);
        }
    }

    // ---------------------------------------------------------------- Chart

    /** Policy: return against environment steps; TrajOpt: mean sample cost against iteration. One line per seed plus the median. */
    public static XYSeriesCollection dataset(Result r) {
        XYSeriesCollection out = new XYSeriesCollection();
        Map<Integer, List<Double>> byIteration = new TreeMap<>();
        Map<Integer, Double> xOf = new TreeMap<>();
        List<List<CurvePoint>> curves = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        if (r.policy()) {
            r.policySeeds().forEach(s -> {
                curves.add(s.curve());
                seeds.add(s.seed());
            });
        } else {
            r.controllerSeeds().forEach(s -> {
                curves.add(s.curve());
                seeds.add(s.seed());
            });
        }
        for (int k = 0; k < curves.size(); k++) {
            XYSeries series = new XYSeries("seed " + seeds.get(k));
            for (CurvePoint p : curves.get(k)) {
                double x = r.policy() ? p.envSteps() : p.iteration();
                series.add(x, Double.isFinite(p.value()) ? p.value() : Double.NaN);
                byIteration.computeIfAbsent(p.iteration(), i -> new ArrayList<>()).add(p.value());
                xOf.put(p.iteration(), x);
            }
            out.addSeries(series);
        }
        XYSeries median = new XYSeries("median");
        byIteration.forEach((i, values) -> median.add(xOf.get(i).doubleValue(),
                ControlBenchmark.median(values.stream().mapToDouble(Double::doubleValue).toArray())));
        out.addSeries(median);
        return out;
    }

    public static JFreeChart chart(Result r) {
        XYSeriesCollection data = dataset(r);
        JFreeChart chart = r.policy()
                ? ChartFactory.createXYLineChart("Policy return per seed (policy_eval.json)", "environment steps",
                "mean return", data, PlotOrientation.VERTICAL, true, false, false)
                : ChartFactory.createXYLineChart("Mean sample cost per seed (state.json)", "iteration",
                "mean cost over conditions", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        int medianIndex = data.getSeriesCount() - 1;
        for (int k = 0; k < medianIndex; k++) {
            renderer.setSeriesStroke(k, new BasicStroke(1.2f));
        }
        renderer.setSeriesPaint(medianIndex, Color.BLACK);
        renderer.setSeriesStroke(medianIndex, new BasicStroke(3f));
        plot.setRenderer(renderer);
        // Returns and costs far from zero would otherwise be squeezed into a corner of the plot.
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        if (!r.policy()) {
            plot.getDomainAxis().setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        }
        if (r.policy()) {
            for (double bar : ControlBenchmark.RETURN_BARS) {
                ValueMarker marker = new ValueMarker(bar, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                marker.setLabel(barKey(bar));
                marker.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
                marker.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
                plot.addRangeMarker(marker);
            }
            if (r.budget() != null) {
                ValueMarker budget = new ValueMarker(r.budget(), Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f));
                budget.setLabel("budget " + r.budget());
                budget.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
                budget.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
                plot.addDomainMarker(budget);
            }
        }
        return chart;
    }

    public static void writePng(Result r, Path file) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(bytes, chart(r), WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + file, e);
        }
        ControlBenchmark.writeAtomically(file, bytes.toByteArray());
    }
}
