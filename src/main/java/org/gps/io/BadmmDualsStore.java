package org.gps.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.core.BadInputException;
import org.gps.core.control.BadmmDuals;
import org.gps.core.linalg.Mat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * BADMM's dual state as Parquet, one row per (condition, t): lambda_gain = lambda_K (row-major dU x dX),
 * lambda_offset = lambda_k and the policy weight (docs/formats.md).
 */
public final class BadmmDualsStore {
    public static final StructType SCHEMA = new StructType()
            .add("condition", DataTypes.IntegerType, false)
            .add("t", DataTypes.IntegerType, false)
            .add("state_dim", DataTypes.IntegerType, false)
            .add("action_dim", DataTypes.IntegerType, false)
            .add("lambda_gain", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("lambda_offset", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("policy_weight", DataTypes.DoubleType, false);

    private BadmmDualsStore() {
    }

    public static void write(SparkSession spark, String path, Map<Integer, BadmmDuals> duals) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Integer, BadmmDuals> e : new TreeMap<>(duals).entrySet()) {
            BadmmDuals d = e.getValue();
            Mat[] lk = d.lambdaK();
            double[][] lo = d.lambdak();
            double[] w = d.policyWeights();
            for (int t = 0; t < d.horizon(); t++) {
                rows.add(RowFactory.create(e.getKey(), t, lk[t].cols(), lk[t].rows(), lk[t].toRowMajor(), lo[t], w[t]));
            }
        }
        AtomicOutput.publish(spark, path, "badmm duals",
                tmp -> SmallTableWriter.write(HadoopFiles.conf(spark), tmp, SCHEMA, rows));
    }

    public static Map<Integer, BadmmDuals> read(SparkSession spark, String path) {
        AtomicOutput.requireComplete(spark, path);
        Dataset<Row> df = spark.read().parquet(path);
        Map<Integer, TreeMap<Integer, Row>> byCondition = new TreeMap<>();
        for (Row r : df.collectAsList()) {
            byCondition.computeIfAbsent(r.getInt(r.fieldIndex("condition")), c -> new TreeMap<>())
                    .put(r.getInt(r.fieldIndex("t")), r);
        }
        Map<Integer, BadmmDuals> out = new TreeMap<>();
        byCondition.forEach((c, steps) -> {
            int horizon = steps.size();
            Mat[] lk = new Mat[horizon];
            double[][] lo = new double[horizon][];
            double[] w = new double[horizon];
            for (int t = 0; t < horizon; t++) {
                Row r = steps.get(t);
                if (r == null) {
                    throw new BadInputException(path + ": condition " + c + " has no row for t=" + t);
                }
                int dX = r.getInt(r.fieldIndex("state_dim"));
                int dU = r.getInt(r.fieldIndex("action_dim"));
                double[] k = doubles(r.getList(r.fieldIndex("lambda_gain")));
                lo[t] = doubles(r.getList(r.fieldIndex("lambda_offset")));
                if (k.length != dU * dX || lo[t].length != dU) {
                    throw new BadInputException(path + ": condition " + c + ", t=" + t + ": lambda_gain has " + k.length
                            + " values and lambda_offset " + lo[t].length + ", expected " + dU * dX + " and " + dU);
                }
                lk[t] = Mat.fromRowMajor(dU, dX, k);
                w[t] = r.getDouble(r.fieldIndex("policy_weight"));
            }
            out.put(c, new BadmmDuals(lk, lo, w));
        });
        return out;
    }

    private static double[] doubles(List<Object> l) {
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).doubleValue();
        }
        return out;
    }
}
