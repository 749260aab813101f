package org.gps.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.HeldOutScore;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.gmm.EmResult;
import org.gps.core.gmm.Gmm;
import org.gps.core.linalg.Mat;
import org.gps.spark.DynamicsFitting;
import org.gps.spark.HeldOutValidation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fitted dynamics at rest (docs/formats.md, "Dynamics"): one folder, published atomically, with
 * <pre>
 *   steps/             Parquet, one row per (condition, t): F (transition, dX x (dX+dU)), f (offset), covariance
 *   initial_state/     Parquet, one row per condition: x0 mean and covariance
 *   gmm/               Parquet, one row per (group, cluster): log mass, mean, covariance, points fitted on
 *   prediction_error/  Parquet, one row per (condition, t): in-sample one-step rmse and rmse / spread of x_{t+1}
 *   summary.json       EM and error summary per group and condition; held-out scores when asked for
 * </pre>
 * Matrices are flattened row-major with their sizes beside them, as for controllers.
 */
public final class DynamicsStore {
    public static final String STEPS = "steps";
    public static final String INITIAL_STATE = "initial_state";
    public static final String GMM = "gmm";
    public static final String PREDICTION_ERROR = "prediction_error";
    public static final String SUMMARY = "summary.json";

    private static final org.apache.spark.sql.types.DataType VEC = DataTypes.createArrayType(DataTypes.DoubleType, false);
    public static final StructType STEPS_SCHEMA = new StructType()
            .add("condition", DataTypes.IntegerType, false)
            .add("t", DataTypes.IntegerType, false)
            .add("dX", DataTypes.IntegerType, false)
            .add("dU", DataTypes.IntegerType, false)
            .add("samples", DataTypes.IntegerType, false)
            .add("transition", VEC, false)
            .add("offset", VEC, false)
            .add("covariance", VEC, false);
    public static final StructType ERROR_SCHEMA = new StructType()
            .add("condition", DataTypes.IntegerType, false)
            .add("t", DataTypes.IntegerType, false)
            .add("samples", DataTypes.IntegerType, false)
            .add("rmse", DataTypes.DoubleType, false)
            .add("relative_rmse", DataTypes.DoubleType, false);
    public static final StructType X0_SCHEMA = new StructType()
            .add("condition", DataTypes.IntegerType, false)
            .add("dX", DataTypes.IntegerType, false)
            .add("mean", VEC, false)
            .add("covariance", VEC, false);
    public static final StructType GMM_SCHEMA = new StructType()
            .add("group", DataTypes.IntegerType, false)
            .add("cluster", DataTypes.IntegerType, false)
            .add("dim", DataTypes.IntegerType, false)
            .add("fitted_points", DataTypes.LongType, false)
            .add("log_mass", DataTypes.DoubleType, false)
            .add("mean", VEC, false)
            .add("covariance", VEC, false);

    private DynamicsStore() {
    }

    /** Per-condition summary of the prediction error, as printed by the job. */
    public record ErrorSummary(int condition, int steps, double meanRmse, double maxRmse, double meanRelativeRmse)
            implements java.io.Serializable {
    }

    /** Writes a fit to {@code path} atomically; returns the per-condition error summary. */
    public static List<ErrorSummary> write(SparkSession spark, String path, DynamicsFitting.Result fit, boolean shared,
                                           String writtenBy) {
        return write(spark, path, fit, shared, writtenBy, null);
    }

    /**
     * {@link #write(SparkSession, String, DynamicsFitting.Result, boolean, String)} with the
     * held-out scores in the summary; without them ({@code heldOut} null) the summary has no
     * {@code held_out} key, as before the scores existed.
     */
    public static List<ErrorSummary> write(SparkSession spark, String path, DynamicsFitting.Result fit, boolean shared,
                                           String writtenBy, HeldOutValidation.Result heldOut) {
        List<ErrorSummary> summary = new ArrayList<>();
        AtomicOutput.publish(spark, path, writtenBy, tmp -> {
            JavaRDD<DynamicsFitting.StepFit> steps = fit.steps();
            Dataset<Row> stepRows = spark.createDataFrame(steps.map(s -> RowFactory.create(s.condition(), s.t(),
                    s.model().gain().rows(), s.model().gain().cols() - s.model().gain().rows(), s.samples(),
                    s.model().gain().toRowMajor(), s.model().offset(), s.model().covariance().toRowMajor())), STEPS_SCHEMA);
            stepRows.write().parquet(new Path(tmp, STEPS).toString());
            Dataset<Row> errRows = spark.createDataFrame(steps.map(s -> RowFactory.create(s.condition(), s.t(),
                    s.samples(), s.rmse(), s.relativeRmse())), ERROR_SCHEMA);
            errRows.coalesce(1).write().parquet(new Path(tmp, PREDICTION_ERROR).toString());
            List<Row> x0 = new ArrayList<>();
            fit.initialStates().forEach((c, d) -> x0.add(RowFactory.create(c, d.mean().length, d.mean(),
                    d.covariance().toRowMajor())));
            spark.createDataFrame(x0, X0_SCHEMA).coalesce(1).write().parquet(new Path(tmp, INITIAL_STATE).toString());
            List<Row> g = new ArrayList<>();
            fit.gmms().forEach((group, r) -> {
                Gmm m = r.model();
                for (int k = 0; k < m.clusters(); k++) {
                    g.add(RowFactory.create(group, k, m.dim(), m.fittedPoints(), m.logMass(k), m.mean(k),
                            m.covariance(k).toRowMajor()));
                }
            });
            spark.createDataFrame(g, GMM_SCHEMA).coalesce(1).write().parquet(new Path(tmp, GMM).toString());
            summary.addAll(errorSummary(steps));
            HadoopFiles.writeUtf8(spark.sparkContext().hadoopConfiguration(), new Path(tmp, SUMMARY),
                    summaryJson(fit, shared, summary, heldOut));
            return stepRows.sparkSession().read().parquet(new Path(tmp, STEPS).toString()).count();
        });
        return summary;
    }

    /**
     * The per-condition error summary, aggregated on Spark: one row per condition comes back. Each
     * condition's steps meet in one task and are summed in order of t, so the means are the same
     * bits however the fits were partitioned (Spark SQL's avg adds partial sums in an order set by
     * the partitions and the shuffle).
     */
    static List<ErrorSummary> errorSummary(JavaRDD<DynamicsFitting.StepFit> steps) {
        List<ErrorSummary> out = new ArrayList<>(steps
                .mapToPair(s -> new scala.Tuple2<>(s.condition(), new double[] {s.t(), s.rmse(), s.relativeRmse()}))
                .groupByKey()
                .map(kv -> {
                    List<double[]> rows = new ArrayList<>();
                    kv._2().forEach(rows::add);
                    rows.sort(java.util.Comparator.comparingDouble(r -> r[0]));
                    double rmse = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    double relative = 0;
                    for (double[] r : rows) {
                        rmse += r[1];
                        max = Math.max(max, r[1]);
                        relative += r[2];
                    }
                    return new ErrorSummary(kv._1(), rows.size(), rmse / rows.size(), max, relative / rows.size());
                })
                .collect());
        out.sort(java.util.Comparator.comparingInt(ErrorSummary::condition));
        return out;
    }

    private static String summaryJson(DynamicsFitting.Result fit, boolean shared, List<ErrorSummary> errors,
                                      HeldOutValidation.Result heldOut) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("format", "gps-dynamics");
        root.put("version", 1);
        root.put("dX", fit.stateDim());
        root.put("dU", fit.actionDim());
        root.put("prior", shared ? "shared" : "per_condition");
        ArrayNode groups = root.putArray("gmm");
        fit.gmms().forEach((g, r) -> {
            ObjectNode n = groups.addObject();
            n.put("group", g);
            n.put("clusters", r.model().clusters());
            n.put("fitted_points", r.model().fittedPoints());
            n.put("window_trajectories", fit.windowSizes().getOrDefault(g, 0));
            n.put("em_iterations", r.iterations());
            n.put("stop_reason", r.stopReason().name().toLowerCase());
            n.put("warm_started", r.warmStarted());
            n.put("log_likelihood_per_point", r.logLikelihood());
        });
        ArrayNode conds = root.putArray("prediction_error");
        for (ErrorSummary e : errors) {
            ObjectNode n = conds.addObject();
            n.put("condition", e.condition());
            n.put("steps", e.steps());
            n.put("mean_rmse", e.meanRmse());
            n.put("max_rmse", e.maxRmse());
            n.put("mean_relative_rmse", e.meanRelativeRmse());
        }
        if (heldOut != null) {
            heldOutJson(root.putObject("held_out"), heldOut);
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void heldOutJson(ObjectNode n, HeldOutValidation.Result r) {
        n.put("fraction", HeldOutValidation.FRACTION);
        n.put("min_trajectories", HeldOutValidation.MIN_TRAJECTORIES);
        n.put("seed", r.seed());
        ArrayNode conds = n.putArray("conditions");
        for (HeldOutValidation.ConditionResult c : r.conditions()) {
            ObjectNode cn = conds.addObject();
            cn.put("condition", c.condition());
            cn.put("status", c.score() == null ? "n/a" : "scored");
            cn.put("trajectories", c.trajectories());
            ArrayNode keys = cn.putArray("held_out");
            for (org.gps.spark.TrajectoryGroups.Key k : c.heldOut()) {
                keys.addObject().put("iteration", k.iteration()).put("sample", k.sample());
            }
            if (c.score() == null) {
                cn.put("reason", c.reason());
            } else {
                scoreJson(cn, c.score());
            }
        }
        if (r.overall().steps() == 0) {
            n.putNull("overall");
        } else {
            scoreJson(n.putObject("overall"), r.overall());
        }
    }

    private static void scoreJson(ObjectNode n, HeldOutScore s) {
        n.put("steps", s.steps());
        n.put("transitions", s.transitions());
        finiteOrNull(n, "mse", s.meanSquaredError());
        finiteOrNull(n, "mean_rmse", s.meanRmse());
        finiteOrNull(n, "max_rmse", s.maxRmse());
        finiteOrNull(n, "mean_relative_rmse", s.meanRelativeRmse());
        finiteOrNull(n, "nll_per_transition", s.nllPerTransition());
        n.put("nll_jittered_steps", s.jitteredSteps());
        n.put("nll_unscored_steps", s.unscoredSteps());
    }

    /** JSON has no NaN or infinity: an undefined or overflowing mean is written as null. */
    private static void finiteOrNull(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    /** Fitted per-step dynamics of every condition (small: M x T matrices). */
    public static Map<Integer, LinearGaussianDynamics> readDynamics(SparkSession spark, String path) {
        AtomicOutput.requireComplete(spark, path);
        String p = new Path(path, STEPS).toString();
        Map<Integer, TreeMap<Integer, Row>> byCondition = new TreeMap<>();
        for (Row r : spark.read().parquet(p).collectAsList()) {
            byCondition.computeIfAbsent(r.getInt(r.fieldIndex("condition")), k -> new TreeMap<>())
                    .put(r.getInt(r.fieldIndex("t")), r);
        }
        Map<Integer, LinearGaussianDynamics> out = new TreeMap<>();
        byCondition.forEach((c, steps) -> {
            int n = steps.size();
            if (steps.firstKey() != 0 || steps.lastKey() != n - 1) {
                throw new BadInputException(p + ": condition " + c + " has time steps missing (expected 0.." + (n - 1) + ")");
            }
            Mat[] f = new Mat[n];
            double[][] off = new double[n][];
            Mat[] cov = new Mat[n];
            for (Row r : steps.values()) {
                int t = r.getInt(r.fieldIndex("t"));
                int dX = r.getInt(r.fieldIndex("dX"));
                int dU = r.getInt(r.fieldIndex("dU"));
                String where = p + ": condition " + c + ", t " + t;
                f[t] = Mat.fromRowMajor(dX, dX + dU, doubles(r, "transition", dX * (dX + dU), where));
                off[t] = doubles(r, "offset", dX, where);
                cov[t] = Mat.fromRowMajor(dX, dX, doubles(r, "covariance", dX * dX, where));
            }
            out.put(c, LinearGaussianDynamics.of(f, off, cov));
        });
        return out;
    }

    public static Map<Integer, InitialStateDistribution> readInitialStates(SparkSession spark, String path) {
        AtomicOutput.requireComplete(spark, path);
        Map<Integer, InitialStateDistribution> out = new TreeMap<>();
        for (Row r : spark.read().parquet(new Path(path, INITIAL_STATE).toString()).collectAsList()) {
            int dX = r.getInt(r.fieldIndex("dX"));
            int c = r.getInt(r.fieldIndex("condition"));
            String where = new Path(path, INITIAL_STATE) + ": condition " + c;
            out.put(c, new InitialStateDistribution(doubles(r, "mean", dX, where),
                    Mat.fromRowMajor(dX, dX, doubles(r, "covariance", dX * dX, where))));
        }
        return out;
    }

    /** The GMM of each prior group, for the next iteration's warm start. */
    public static Map<Integer, Gmm> readGmms(SparkSession spark, String path) {
        AtomicOutput.requireComplete(spark, path);
        Map<Integer, TreeMap<Integer, Row>> byGroup = new TreeMap<>();
        for (Row r : spark.read().parquet(new Path(path, GMM).toString()).collectAsList()) {
            byGroup.computeIfAbsent(r.getInt(r.fieldIndex("group")), k -> new TreeMap<>())
                    .put(r.getInt(r.fieldIndex("cluster")), r);
        }
        Map<Integer, Gmm> out = new TreeMap<>();
        byGroup.forEach((g, rows) -> {
            int k = rows.size();
            double[] lm = new double[k];
            double[][] mu = new double[k][];
            Mat[] cov = new Mat[k];
            long n = 0;
            for (Row r : rows.values()) {
                int i = r.getInt(r.fieldIndex("cluster"));
                int d = r.getInt(r.fieldIndex("dim"));
                String where = new Path(path, GMM) + ": group " + g + ", cluster " + i;
                lm[i] = r.getDouble(r.fieldIndex("log_mass"));
                mu[i] = doubles(r, "mean", d, where);
                cov[i] = Mat.fromRowMajor(d, d, doubles(r, "covariance", d * d, where));
                n = r.getLong(r.fieldIndex("fitted_points"));
            }
            out.put(g, new Gmm(lm, mu, cov, n));
        });
        return out;
    }

    /** The array column {@code field} of a stored row, which must hold {@code expected} numbers. */
    static double[] doubles(Row r, String field, int expected, String where) {
        int i = r.fieldIndex(field);
        if (r.isNullAt(i)) {
            throw new BadInputException(where + ": " + field + " is null; expected " + expected + " values");
        }
        List<Object> l = r.getList(i);
        if (l.size() != expected) {
            throw new BadInputException(where + ": " + field + " has " + l.size() + " values; expected " + expected
                    + " (row-major)");
        }
        double[] out = new double[l.size()];
        for (int k = 0; k < out.length; k++) {
            Object v = l.get(k);
            if (v == null) {
                throw new BadInputException(where + ": " + field + "[" + k + "] is null");
            }
            out[k] = ((Number) v).doubleValue();
        }
        return out;
    }
}
