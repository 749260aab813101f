package org.gps.io;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.gmm.Gmm;
import org.gps.core.linalg.Mat;

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
 * Matrices are flattened row-major with their sizes beside them, as for controllers. This class
 * holds the layout, the schemas and the readers; {@code org.gps.spark.DynamicsWriter} writes a fit
 * in it, since the fit's result types belong to the spark layer, above this one.
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

    /** Fitted per-step dynamics of every condition (small: M x T matrices). */
    public static Map<Integer, LinearGaussianDynamics> readDynamics(SparkSession spark, String path) {
        AtomicOutput.requireComplete(spark, path);
        String p = new Path(path, STEPS).toString();
        Map<Integer, TreeMap<Integer, Row>> byCondition = new TreeMap<>();
        for (Row r : SmallTables.read(spark, p).rows()) {
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
        for (Row r : SmallTables.read(spark, new Path(path, INITIAL_STATE).toString()).rows()) {
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
        for (Row r : SmallTables.read(spark, new Path(path, GMM).toString()).rows()) {
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
