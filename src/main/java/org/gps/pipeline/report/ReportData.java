package org.gps.pipeline.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.io.AtomicOutput;
import org.gps.io.DynamicsStore;
import org.gps.io.FiniteNumbers;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.IterationState;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.steps.BestPolicy;
import org.gps.pipeline.steps.ControllerOutputs;
import org.gps.pipeline.steps.EvaluateStep;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the run report shows, read from a run directory: the C-step states, the dynamics'
 * prediction error (per t from the Parquet table, per iteration from {@code summary.json}), the
 * latest fitted dynamics, and the policy evaluations when the run has them. Only completed
 * outputs are read: an iteration's dynamics without their marker are left out, as a step would.
 * A run that trains no policy has no score file: its result is its latest controllers, which are
 * evaluated here as at the end of {@code gps run}.
 *
 * @param states          one per iteration whose C-step completed ({@code state.json}), by iteration
 * @param errors          prediction error over t, by iteration, then condition
 * @param errorSummaries  {@code summary.json}'s per-condition error summary, by iteration
 * @param dynamicsFit     the fitted dynamics of the latest iteration that has them, or null
 * @param policyEvals     {@code policy_eval.json} of the iterations that have one, by iteration
 * @param finalControllers for a run that trains no policy, its latest complete controllers' returns
 *                        ({@link EvaluateStep#run}: the config's N episodes per condition, the run's
 *                        seed); null for a run that trains one or has scored one, or that has no
 *                        complete controllers
 */
public record ReportData(String runDir, ExperimentConfig config, List<IterationState> states,
                         Map<Integer, Map<Integer, ErrorOverT>> errors,
                         Map<Integer, List<DynamicsStore.ErrorSummary>> errorSummaries,
                         DynamicsFit dynamicsFit, List<PolicyEval> policyEvals, EvaluateStep.Result finalControllers) {

    public static final String POLICY_EVAL = "policy_eval.json";
    private static final Pattern ITERATION_DIR = Pattern.compile("iter=(\\d{4})");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One-step prediction error of one condition's fit, indexed by t (T-1 values). */
    public record ErrorOverT(double[] rmse, double[] relativeRmse) {
    }

    /** The fitted per-step dynamics of one iteration, by condition. */
    public record DynamicsFit(int iteration, Map<Integer, LinearGaussianDynamics> conditions) {
    }

    /**
     * {@code R/iter=NNNN/policy_eval.json}: the global policy's return, written by the policy training step.
     *
     * @param episodeReturns each episode's return, or null for a score file written before they were listed
     */
    public record PolicyEval(int iteration, int episodes, double meanReturn, double stdReturn, long trainingEnvSteps,
                             double[] episodeReturns) {
        public PolicyEval {
            episodeReturns = episodeReturns == null ? null : episodeReturns.clone();
        }

        @Override
        public double[] episodeReturns() {
            return episodeReturns == null ? null : episodeReturns.clone();
        }
    }

    public int conditionCount() {
        return config.conditionCount();
    }

    /** The policy evaluation of the run's published policy ({@link BestPolicy}), or null when there is none. */
    public PolicyEval publishedPolicy() {
        java.util.SortedMap<Integer, Double> means = new TreeMap<>();
        policyEvals.forEach(e -> means.put(e.iteration(), e.meanReturn()));
        int best = BestPolicy.select(means);
        return policyEvals.stream().filter(e -> e.iteration() == best).findFirst().orElse(null);
    }

    /** The latest iteration with a prediction error table, or -1. */
    public int latestErrorIteration() {
        return errors.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
    }

    public static ReportData read(SparkSession spark, String runDirUri) {
        RunDirectory run = new RunDirectory(runDirUri, HadoopFiles.conf(spark));
        ExperimentConfig config = run.config();
        List<IterationState> states = new ArrayList<>();
        Map<Integer, List<DynamicsStore.ErrorSummary>> summaries = new TreeMap<>();
        List<PolicyEval> evals = new ArrayList<>();
        Map<Integer, String> errorTables = new TreeMap<>();
        int latestDynamics = -1;
        for (int i : iterations(run)) {
            Path state = run.state(i);
            if (HadoopFiles.isFile(run.hadoopConf(), state)) {
                states.add(IterationState.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), state), state.toString()));
            }
            String dynamics = run.dynamics(i).toString();
            if (AtomicOutput.isComplete(run.hadoopConf(), dynamics)) {
                errorTables.put(i, new Path(dynamics, DynamicsStore.PREDICTION_ERROR).toString());
                Path summary = new Path(dynamics, DynamicsStore.SUMMARY);
                summaries.put(i, readErrorSummary(HadoopFiles.readUtf8(run.hadoopConf(), summary), summary.toString()));
                latestDynamics = i;
            }
            Path eval = new Path(run.iteration(i), POLICY_EVAL);
            if (HadoopFiles.isFile(run.hadoopConf(), eval)) {
                evals.add(parsePolicyEval(i, HadoopFiles.readUtf8(run.hadoopConf(), eval), eval.toString()));
            }
        }
        Map<Integer, Map<Integer, ErrorOverT>> errors = readErrors(spark, errorTables);
        DynamicsFit fit = latestDynamics < 0 ? null
                : new DynamicsFit(latestDynamics, DynamicsStore.readDynamics(spark, run.dynamics(latestDynamics).toString()));
        EvaluateStep.Result controllers = config.trainsPolicy() || !evals.isEmpty() || !ControllerOutputs.isComplete(run, 0)
                ? null
                : EvaluateStep.run(spark, runDirUri, null, null);
        return new ReportData(run.root().toString(), config, states, errors, summaries, fit, evals, controllers);
    }

    /** Environment steps the run has sampled for training: M x N x T per iteration whose C-step completed. */
    public long sampledEnvSteps() {
        return (long) config.conditionCount() * config.samples() * config.horizon() * states.size();
    }

    /** The iteration folders present, in order (a run may stop anywhere, so no count is assumed). */
    static TreeSet<Integer> iterations(RunDirectory run) {
        TreeSet<Integer> out = new TreeSet<>();
        try {
            for (FileStatus s : HadoopFiles.fileSystem(run.hadoopConf(), run.root()).listStatus(run.root())) {
                Matcher m = ITERATION_DIR.matcher(s.getPath().getName());
                if (s.isDirectory() && m.matches()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            }
        } catch (FileNotFoundException e) {
            throw new BadInputException(run.root() + ": run directory does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + run.root(), e);
        }
        return out;
    }

    /**
     * Every iteration's prediction-error table in one Spark job: the tables are small and a job
     * costs about a second, so one read per iteration would dominate the report's time. The schema
     * is given, not inferred, which saves a second job; each row's iteration is its file's.
     */
    static Map<Integer, Map<Integer, ErrorOverT>> readErrors(SparkSession spark, Map<Integer, String> tables) {
        Map<Integer, Map<Integer, ErrorOverT>> out = new TreeMap<>();
        if (tables.isEmpty()) {
            return out;
        }
        Map<String, Integer> iterationOfTable = new TreeMap<>();
        tables.forEach((i, p) -> iterationOfTable.put(qualified(spark, new Path(p)), i));
        Map<Integer, Map<Integer, TreeMap<Integer, double[]>>> rows = new TreeMap<>();
        for (Row r : spark.read().schema(DynamicsStore.ERROR_SCHEMA).parquet(tables.values().toArray(new String[0]))
                .select(col("condition"), col("t"), col("rmse"), col("relative_rmse"), input_file_name())
                .collectAsList()) {
            String file = r.getString(4);
            // input_file_name() is a URL-encoded URI: decode it through URI, or a folder with a space would not match.
            Integer i = iterationOfTable.get(qualified(spark, new Path(java.net.URI.create(file)).getParent()));
            if (i == null) {
                throw new IllegalStateException("read a prediction-error row from " + file + ", which is in no table of "
                        + tables.values());
            }
            if (r.isNullAt(0) || r.isNullAt(1) || r.isNullAt(2) || r.isNullAt(3)) {
                throw new BadInputException(file + ": a row has a null condition, t, rmse or relative_rmse: " + r);
            }
            rows.computeIfAbsent(i, k -> new TreeMap<>()).computeIfAbsent(r.getInt(0), k -> new TreeMap<>())
                    .put(r.getInt(1), new double[] {r.getDouble(2), r.getDouble(3)});
        }
        rows.forEach((i, byCondition) -> {
            Map<Integer, ErrorOverT> perCondition = new TreeMap<>();
            byCondition.forEach((c, byT) -> {
                int n = byT.size();
                if (byT.firstKey() != 0 || byT.lastKey() != n - 1) {
                    throw new BadInputException(tables.get(i) + ": condition " + c + " has time steps missing (expected t = 0.."
                            + (n - 1) + ", got " + n + " rows from " + byT.firstKey() + " to " + byT.lastKey() + ")");
                }
                double[] rmse = new double[n];
                double[] rel = new double[n];
                byT.forEach((t, v) -> {
                    rmse[t] = v[0];
                    rel[t] = v[1];
                });
                perCondition.put(c, new ErrorOverT(rmse, rel));
            });
            out.put(i, perCondition);
        });
        return out;
    }

    /**
     * A table's folder as a decoded absolute path, to match rows to tables: Spark names files
     * {@code file:///x} where Hadoop writes {@code file:/x}, and all tables are on one file system.
     */
    private static String qualified(SparkSession spark, Path p) {
        return HadoopFiles.fileSystem(HadoopFiles.conf(spark), p).makeQualified(p).toUri().getPath();
    }

    static List<DynamicsStore.ErrorSummary> readErrorSummary(String json, String file) {
        JsonNode root = parse(json, file);
        JsonNode list = root.get("prediction_error");
        if (list == null || !list.isArray()) {
            throw new BadInputException(file + ": key 'prediction_error': expected a list of per-condition summaries");
        }
        List<DynamicsStore.ErrorSummary> out = new ArrayList<>();
        for (int k = 0; k < list.size(); k++) {
            JsonNode n = list.get(k);
            String where = "prediction_error[" + k + "].";
            out.add(new DynamicsStore.ErrorSummary((int) integer(n, "condition", file, where),
                    (int) integer(n, "steps", file, where), number(n, "mean_rmse", file, where),
                    number(n, "max_rmse", file, where), number(n, "mean_relative_rmse", file, where)));
        }
        return out;
    }

    static PolicyEval parsePolicyEval(int iteration, String json, String file) {
        JsonNode n = parse(json, file);
        return new PolicyEval(iteration, (int) integer(n, "episodes", file, ""), number(n, "mean_return", file, ""),
                number(n, "std_return", file, ""), integer(n, "training_env_steps", file, ""),
                numbers(n, EvaluateStep.PolicyScore.EPISODE_RETURNS, file));
    }

    /** An optional list of numbers: null when the key is absent. */
    private static double[] numbers(JsonNode n, String key, String file) {
        JsonNode v = n.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw new BadInputException(file + ": key '" + key + "': expected a list of numbers, got " + v);
        }
        double[] out = new double[v.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = number(v, k, file, key);
        }
        return out;
    }

    private static double number(JsonNode list, int k, String file, String key) {
        JsonNode v = list.get(k);
        if (FiniteNumbers.isNonFinite(v)) {
            return FiniteNumbers.read(v);
        }
        if (!v.isNumber()) {
            throw new BadInputException(file + ": key '" + key + "[" + k + "]': expected a number, got " + v);
        }
        return v.doubleValue();
    }

    private static JsonNode parse(String json, String file) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw new BadInputException(file + ": expected a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static double number(JsonNode n, String key, String file, String where) {
        JsonNode v = n.get(key);
        // A relative error is infinite where x_{t+1} has no spread: null now, a quoted name in older files.
        if (FiniteNumbers.isNonFinite(v)) {
            return FiniteNumbers.read(v);
        }
        if (v == null || !v.isNumber()) {
            throw new BadInputException(file + ": key '" + where + key + "': expected a number, got "
                    + (v == null ? "nothing" : v.toString()));
        }
        return v.doubleValue();
    }

    private static long integer(JsonNode n, String key, String file, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isIntegralNumber() || v.longValue() < 0) {
            throw new BadInputException(file + ": key '" + where + key + "': expected an integer >= 0, got "
                    + (v == null ? "nothing" : v.toString()));
        }
        return v.longValue();
    }
}
