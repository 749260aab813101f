package org.gps.pipeline.steps;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.io.AtomicOutput;
import org.gps.io.DatasetSummary;
import org.gps.io.DynamicsStore;
import org.gps.io.FiniteNumbers;
import org.gps.io.HadoopFiles;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutValidator;
import org.gps.io.ValidationProblem;
import org.gps.io.ValidationReport;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.spark.RolloutStatistics;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code gps inspect}: what a rollout dataset or a run directory holds (docs/inspect.md). Counts
 * and dimensions come from {@link RolloutValidator}'s summary, per-t statistics from
 * {@link RolloutStatistics}, both Spark aggregations; a run's costs and dynamics error from the
 * small JSON files the steps wrote, per-t error from the dynamics' Parquet table.
 */
public final class Inspection {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern ITER_DIR = Pattern.compile("iter=(\\d+)");

    private Inspection() {
    }

    /** A rollout dataset: the validator's summary and problems, and per-t statistics (all t, or a few). */
    public record DatasetView(ValidationReport report, List<RolloutStatistics.StepStats> perT, boolean allT) {
        public DatasetSummary summary() {
            return report.summary().orElseThrow();
        }

        public ObjectNode toJson() {
            DatasetSummary s = summary();
            ObjectNode n = JSON.createObjectNode();
            n.put("kind", "rollouts");
            n.put("path", report.path());
            n.put("valid", report.isValid());
            ArrayNode problems = n.putArray("problems");
            for (ValidationProblem p : report.problems()) {
                problems.addObject().put("kind", p.kind().name()).put("message", p.message());
            }
            n.put("rows", s.rows());
            n.put("rollouts", s.trajectories());
            n.put("dX", s.dX());
            n.put("dU", s.dU());
            n.put("dO", s.dO());
            n.put("cost", s.hasCost());
            n.put("complete", s.complete());
            ObjectNode sources = n.putObject("sources");
            new TreeMap<>(s.sources()).forEach(sources::put);
            ArrayNode conds = n.putArray("conditions");
            for (DatasetSummary.ConditionSummary c : s.conditions()) {
                conds.addObject().put("condition", c.condition()).put("rollouts", c.trajectories()).put("T", c.T())
                        .put("iterations", c.iterations()).put("rows", c.rows());
            }
            n.put("per_t_all", allT);
            ArrayNode steps = n.putArray("per_t");
            for (RolloutStatistics.StepStats st : perT) {
                ObjectNode e = steps.addObject();
                e.put("condition", st.condition());
                e.put("t", st.t());
                e.put("rollouts", st.rollouts());
                array(e.putArray("x_mean"), st.xMean());
                array(e.putArray("x_std"), st.xStd());
                array(e.putArray("u_mean"), st.uMean());
                array(e.putArray("u_std"), st.uStd());
            }
            return n;
        }

        public String format() {
            DatasetSummary s = summary();
            StringBuilder b = new StringBuilder();
            b.append("Rollout dataset ").append(report.path()).append(": ")
                    .append(report.isValid() ? "valid" : report.problems().size() + " problem(s), see gps validate")
                    .append('\n');
            b.append(String.format(Locale.ROOT, "  rows %d, rollouts %d, conditions %d, dX %s, dU %s, dO %s, cost %s%n",
                    s.rows(), s.trajectories(), s.conditions().size(), dim(s.dX()), dim(s.dU()), dim(s.dO()),
                    s.hasCost() ? "yes" : "no"));
            if (!s.sources().isEmpty()) {
                b.append("  sources: ").append(new TreeMap<>(s.sources()).entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + " rows)").collect(Collectors.joining(", "))).append('\n');
            }
            b.append(String.format(Locale.ROOT, "  %9s %9s %5s %10s %7s%n", "condition", "rollouts", "T", "iterations", "rows"));
            for (DatasetSummary.ConditionSummary c : s.conditions()) {
                b.append(String.format(Locale.ROOT, "  %9d %9d %5d %10d %7d%n", c.condition(), c.trajectories(), c.T(),
                        c.iterations(), c.rows()));
            }
            for (ValidationProblem p : report.problems()) {
                b.append("  ").append(p.kind()).append(": ").append(p.message()).append('\n');
            }
            if (!perT.isEmpty()) {
                b.append("  per-t mean and std (population) of x and u over the rollouts at t")
                        .append(allT ? "" : ", a few t (--per-t for all)").append(":\n");
                b.append(String.format(Locale.ROOT, "  %9s %5s %8s  %-28s %-28s %-20s %-20s%n", "condition", "t", "rollouts",
                        "x mean", "x std", "u mean", "u std"));
                for (RolloutStatistics.StepStats st : perT) {
                    b.append(String.format(Locale.ROOT, "  %9d %5d %8d  %-28s %-28s %-20s %-20s%n", st.condition(), st.t(),
                            st.rollouts(), vec(st.xMean()), vec(st.xStd()), vec(st.uMean()), vec(st.uStd())));
                }
            }
            return trimLines(b);
        }
    }

    /** What each iteration of a run holds; with one iteration chosen, also its rollouts and per-t dynamics error. */
    public record RunView(String runDir, ExperimentConfig config, List<IterationView> iterations, DatasetView rollouts,
                          List<ErrorAtT> errorPerT, boolean allT) {
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("kind", "run");
            n.put("run_dir", runDir);
            n.put("name", config.name());
            n.put("algorithm", config.algorithm().configName());
            n.put("conditions", config.conditionCount());
            n.put("horizon", config.horizon());
            n.put("samples", config.samples());
            n.put("iterations_configured", config.iterations());
            ArrayNode its = n.putArray("iterations");
            for (IterationView it : iterations) {
                ObjectNode i = its.addObject();
                i.put("iteration", it.iteration());
                ObjectNode c = i.putObject("complete");
                it.complete().forEach(c::put);
                ArrayNode costs = i.putArray("costs");
                if (it.state() != null) {
                    for (IterationState.ConditionState s : it.state().conditions()) {
                        costs.addObject().put("condition", s.condition()).put("cost_mean", s.costMean())
                                .put("cost_std", s.costStd()).put("kl", s.kl()).put("kl_target", s.klTarget())
                                .put("step_mult", s.stepMult());
                    }
                }
                ArrayNode err = i.putArray("prediction_error");
                if (it.dynamicsSummary() != null && it.dynamicsSummary().has("prediction_error")) {
                    it.dynamicsSummary().get("prediction_error").forEach(err::add);
                }
            }
            if (rollouts != null) {
                n.set("rollouts", rollouts.toJson());
            }
            if (errorPerT != null) {
                n.put("prediction_error_per_t_all", allT);
                ArrayNode e = n.putArray("prediction_error_per_t");
                for (ErrorAtT x : errorPerT) {
                    ObjectNode o = e.addObject().put("t", x.t()).put("conditions", x.conditions());
                    FiniteNumbers.put(o, "mean_rmse", x.meanRmse());
                    FiniteNumbers.put(o, "max_rmse", x.maxRmse());
                    FiniteNumbers.put(o, "mean_relative_rmse", x.meanRelativeRmse());
                }
            }
            return n;
        }

        public String format() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "Run %s: '%s', %s, %d conditions, T %d, N %d, %d iterations configured%n",
                    runDir, config.name(), config.algorithm(), config.conditionCount(), config.horizon(), config.samples(),
                    config.iterations()));
            List<String> steps = IterationView.STEPS;
            b.append(String.format(Locale.ROOT, "  %9s", "iteration"));
            steps.forEach(s -> b.append(String.format(Locale.ROOT, " %-11s", s)));
            b.append('\n');
            for (IterationView it : iterations) {
                b.append(String.format(Locale.ROOT, "  %9d", it.iteration()));
                steps.forEach(s -> b.append(String.format(Locale.ROOT, " %-11s", it.complete().get(s) ? "complete" : "-")));
                b.append('\n');
            }
            formatStates(b);
            boolean relativeMissing = formatDynamicsErrors(b);
            relativeMissing |= formatErrorPerT(b);
            if (relativeMissing) {
                b.append("  ").append(FiniteNumbers.RELATIVE_NOTE).append('\n');
            }
            if (rollouts != null) {
                b.append(rollouts.format());
            }
            return trimLines(b);
        }

        /** The samples' costs and the C-step's KL per iteration and condition, from state.json. */
        private void formatStates(StringBuilder b) {
            if (iterations.stream().noneMatch(it -> it.state() != null)) {
                return;
            }
            b.append("  costs of the iteration's samples and the C-step's KL (state.json):\n");
            b.append(String.format(Locale.ROOT, "  %9s %9s %12s %10s %10s %10s %9s%n", "iteration", "condition",
                    "cost mean", "cost std", "KL", "KL target", "step mult"));
            for (IterationView it : iterations) {
                if (it.state() == null) {
                    continue;
                }
                for (IterationState.ConditionState s : it.state().conditions()) {
                    b.append(String.format(Locale.ROOT, "  %9d %9d %12.5g %10.4g %10.4g %10.4g %9.3g%n", it.iteration(),
                            s.condition(), s.costMean(), s.costStd(), s.kl(), s.klTarget(), s.stepMult()));
                }
            }
        }

        /** The in-sample prediction errors per iteration and condition; whether a relative error was undefined. */
        private boolean formatDynamicsErrors(StringBuilder b) {
            boolean relativeMissing = false;
            if (iterations.stream().noneMatch(it -> it.dynamicsSummary() != null)) {
                return false;
            }
            b.append("  dynamics one-step prediction error, in-sample (dynamics/summary.json):\n");
            b.append(String.format(Locale.ROOT, "  %9s %9s %6s %12s %12s %14s%n", "iteration", "condition", "steps",
                    "mean rmse", "max rmse", "mean rel rmse"));
            for (IterationView it : iterations) {
                if (it.dynamicsSummary() == null || !it.dynamicsSummary().has("prediction_error")) {
                    continue;
                }
                for (JsonNode e : it.dynamicsSummary().get("prediction_error")) {
                    double relative = FiniteNumbers.read(e.get("mean_relative_rmse"));
                    b.append(String.format(Locale.ROOT, "  %9d %9d %6d %12s %12s %14s%n", it.iteration(),
                            e.path("condition").asInt(), e.path("steps").asInt(),
                            g4(FiniteNumbers.read(e.get("mean_rmse"))), g4(FiniteNumbers.read(e.get("max_rmse"))),
                            g4(relative)));
                    relativeMissing |= !Double.isFinite(relative);
                }
            }
            return relativeMissing;
        }

        /** The chosen iteration's prediction error per t over the conditions; whether a relative error was undefined. */
        private boolean formatErrorPerT(StringBuilder b) {
            boolean relativeMissing = false;
            if (errorPerT == null || errorPerT.isEmpty()) {
                return false;
            }
            b.append("  prediction error per t, over the conditions")
                    .append(allT ? "" : ", a few t (--per-t for all)").append(":\n");
            b.append(String.format(Locale.ROOT, "  %5s %10s %12s %12s %14s%n", "t", "conditions", "mean rmse", "max rmse",
                    "mean rel rmse"));
            for (ErrorAtT e : errorPerT) {
                b.append(String.format(Locale.ROOT, "  %5d %10d %12s %12s %14s%n", e.t(), e.conditions(),
                        g4(e.meanRmse()), g4(e.maxRmse()), g4(e.meanRelativeRmse())));
                relativeMissing |= !Double.isFinite(e.meanRelativeRmse());
            }
            return relativeMissing;
        }
    }

    /**
     * @param complete        per output (controllers, rollouts, dynamics, state, policy): whether it is there and
     *                        complete (marker for folders, the file for state.json)
     * @param state           the C-step's state.json, or null
     * @param dynamicsSummary the dynamics' summary.json, or null
     */
    public record IterationView(int iteration, Map<String, Boolean> complete, IterationState state,
                                JsonNode dynamicsSummary) {
        public static final List<String> STEPS = List.of("controllers", "rollouts", "dynamics", "state", "policy");
    }

    private static String g4(double v) {
        return FiniteNumbers.text("%.4g", v);
    }

    /** The dynamics' one-step error at one t, over the conditions. */
    public record ErrorAtT(int t, long conditions, double meanRmse, double maxRmse, double meanRelativeRmse)
            implements java.io.Serializable {
    }

    /** One {@link ErrorAtT} per run of rows with one t in a partition sorted by (t, condition). */
    private static java.util.Iterator<ErrorAtT> errorsAtT(java.util.Iterator<Row> rows) {
        List<ErrorAtT> out = new ArrayList<>();
        Row first = null;
        long n = 0;
        double sum = 0;
        double max = Double.NEGATIVE_INFINITY;
        double sumRelative = 0;
        while (true) {
            Row r = rows.hasNext() ? rows.next() : null;
            if (first != null && (r == null || r.getInt(0) != first.getInt(0))) {
                out.add(new ErrorAtT(first.getInt(0), n, sum / n, max, sumRelative / n));
                n = 0;
                sum = 0;
                max = Double.NEGATIVE_INFINITY;
                sumRelative = 0;
                first = null;
            }
            if (r == null) {
                return out.iterator();
            }
            if (first == null) {
                first = r;
            }
            n++;
            sum += r.getDouble(2);
            max = Math.max(max, r.getDouble(2));
            sumRelative += r.getDouble(3);
        }
    }

    public static DatasetView dataset(SparkSession spark, String path, boolean allT) {
        ValidationReport report = RolloutValidator.validate(spark, path);
        // The same rules as every step's: a dataset a step would refuse is refused here too, with
        // the validator's faults, rather than summarised from rows that break them.
        if (report.summary().isEmpty() || !report.isValid()) {
            throw new BadInputException("cannot inspect " + path + ": " + report.problems().stream()
                    .map(ValidationProblem::toString).collect(Collectors.joining("; ")));
        }
        DatasetSummary s = report.summary().get();
        List<RolloutStatistics.StepStats> stats = List.of();
        if (s.dX() >= 0 && s.dU() >= 0) {
            stats = RolloutStatistics.perStep(RolloutReader.read(spark, path), s.dX(), s.dU());
            if (!allT) {
                Map<Integer, Integer> lengths = new TreeMap<>();
                s.conditions().forEach(c -> lengths.put(c.condition(), c.T()));
                stats = stats.stream().filter(st -> fewT(lengths.getOrDefault(st.condition(), 0)).contains(st.t())).toList();
            }
        }
        return new DatasetView(report, stats, allT);
    }

    /** t = 0, T/4, T/2, 3T/4, T-1: the start, the end and a few between. */
    static TreeSet<Integer> fewT(int T) {
        TreeSet<Integer> s = new TreeSet<>();
        if (T <= 0) {
            return s;
        }
        for (int k = 0; k < 4; k++) {
            s.add(k * T / 4);
        }
        s.add(T - 1);
        return s;
    }

    public static RunView run(SparkSession spark, String runDir, Integer iteration, boolean allT) {
        RunDirectory run = new RunDirectory(runDir, HadoopFiles.conf(spark));
        ExperimentConfig config = run.config();
        List<Integer> found = iterations(run);
        if (iteration != null) {
            if (!found.contains(iteration)) {
                throw new BadInputException("--iteration: " + run.iteration(iteration) + " does not exist; the run has "
                        + (found.isEmpty() ? "no iterations" : "iterations " + found));
            }
            found = List.of(iteration);
        }
        List<IterationView> views = new ArrayList<>();
        for (int i : found) {
            views.add(iterationView(run, i));
        }
        DatasetView rollouts = null;
        List<ErrorAtT> perT = null;
        if (iteration != null) {
            String r = run.rollouts(iteration).toString();
            if (AtomicOutput.isComplete(run.hadoopConf(), r)) {
                rollouts = dataset(spark, r, allT);
            }
            String d = run.dynamics(iteration).toString();
            if (AtomicOutput.isComplete(run.hadoopConf(), d)) {
                perT = errorPerT(spark, d, allT);
            }
        }
        return new RunView(runDir, config, views, rollouts, perT, allT);
    }

    private static List<Integer> iterations(RunDirectory run) {
        List<Integer> out = new ArrayList<>();
        try {
            FileStatus[] st = HadoopFiles.fileSystem(run.hadoopConf(), run.root()).listStatus(run.root());
            for (FileStatus f : st) {
                Matcher m = ITER_DIR.matcher(f.getPath().getName());
                if (f.isDirectory() && m.matches()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            }
        } catch (FileNotFoundException e) {
            throw new BadInputException(run.root() + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + run.root(), e);
        }
        out.sort(null);
        return out;
    }

    private static IterationView iterationView(RunDirectory run, int i) {
        Map<String, Boolean> complete = new java.util.LinkedHashMap<>();
        complete.put("controllers", AtomicOutput.isComplete(run.hadoopConf(), run.controllers(i).toString()));
        complete.put("rollouts", AtomicOutput.isComplete(run.hadoopConf(), run.rollouts(i).toString()));
        complete.put("dynamics", AtomicOutput.isComplete(run.hadoopConf(), run.dynamics(i).toString()));
        complete.put("state", HadoopFiles.isFile(run.hadoopConf(), run.state(i)));
        // The S-step's score is written last, so it marks the policy complete (TrainPolicyStep).
        complete.put("policy", HadoopFiles.exists(run.hadoopConf(), run.policyEval(i).toString()));
        IterationState state = null;
        if (complete.get("state")) {
            state = IterationState.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), run.state(i)), run.state(i).toString());
        }
        JsonNode summary = null;
        Path summaryFile = new Path(run.dynamics(i), DynamicsStore.SUMMARY);
        if (complete.get("dynamics") && HadoopFiles.isFile(run.hadoopConf(), summaryFile)) {
            try {
                summary = JSON.readTree(HadoopFiles.readUtf8(run.hadoopConf(), summaryFile));
            } catch (JsonProcessingException e) {
                throw new BadInputException(summaryFile + ": not valid JSON: " + e.getOriginalMessage());
            }
        }
        return new IterationView(i, complete, state, summary);
    }

    /**
     * Mean and max over the conditions of the one-step error at each t. Each t is summed inside one
     * task in condition order, so the means are the same bits on any number of cores.
     */
    static List<ErrorAtT> errorPerT(SparkSession spark, String dynamics, boolean allT) {
        String p = new Path(dynamics, DynamicsStore.PREDICTION_ERROR).toString();
        List<ErrorAtT> out = new ArrayList<>(spark.read().parquet(p)
                .select("t", "condition", "rmse", "relative_rmse")
                .repartition(col("t")).sortWithinPartitions("t", "condition")
                .javaRDD().mapPartitions(Inspection::errorsAtT).collect());
        out.sort(java.util.Comparator.comparingInt(ErrorAtT::t));
        if (!allT && !out.isEmpty()) {
            TreeSet<Integer> keep = fewT(out.get(out.size() - 1).t() + 1);
            out = out.stream().filter(e -> keep.contains(e.t())).toList();
        }
        return out;
    }

    public static String json(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Padded columns leave trailing blanks at the end of a line. */
    private static String trimLines(StringBuilder b) {
        return b.toString().replaceAll("(?m)[ \t]+$", "");
    }

    private static void array(ArrayNode a, double[] v) {
        for (double d : v) {
            a.add(d);
        }
    }

    private static String dim(int d) {
        return d < 0 ? "?" : Integer.toString(d);
    }

    static String vec(double[] v) {
        return Arrays.stream(v).mapToObj(d -> String.format(Locale.ROOT, "%.4g", d))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
