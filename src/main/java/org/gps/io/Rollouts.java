package org.gps.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Builds rollout rows from in-memory arrays: for tests, examples and the driver-side
 * samplers. Arrays are indexed [sample][t][component], as in docs/algorithm.md section 1.
 */
public final class Rollouts {
    private Rollouts() {
    }

    /**
     * The rows of the N samples of one condition, without applied actions (u_applied null).
     *
     * @param x      states x[n][t][dX]
     * @param u      actions u[n][t][dU]
     * @param o      observations o[n][t][dO], or null when the state is fully observed (o = x)
     * @param cost   costs cost[n][t], or null to leave the cost column null
     * @param source e.g. {@link RolloutSchema#SOURCE_CONTROLLER}
     * @throws IllegalArgumentException when the arrays disagree on N or T or a vector length varies
     */
    public static List<Row> rows(int iteration, int condition, double[][][] x, double[][][] u, double[][][] o,
                                 double[][] cost, String source) {
        double[][][] obs = o == null ? x : o;
        int n = x.length;
        requireShape("u", u, n);
        requireShape("o", obs, n);
        if (cost != null && cost.length != n) {
            throw new IllegalArgumentException("cost has " + cost.length + " samples, x has " + n);
        }
        List<Row> out = new ArrayList<>();
        int dX = n == 0 || x[0].length == 0 ? -1 : x[0][0].length;
        for (int s = 0; s < n; s++) {
            int steps = x[s].length;
            if (u[s].length != steps || obs[s].length != steps || (cost != null && cost[s].length != steps)) {
                throw new IllegalArgumentException("sample " + s + ": x, u, o and cost must have the same number of steps");
            }
            for (int t = 0; t < steps; t++) {
                if (x[s][t].length != dX) {
                    throw new IllegalArgumentException("x[" + s + "][" + t + "] has length " + x[s][t].length
                            + ", expected " + dX);
                }
                out.add(RowFactory.create(iteration, condition, s, t, boxed(x[s][t]), boxed(u[s][t]),
                        boxed(obs[s][t]), cost == null ? null : cost[s][t], source, null));
            }
        }
        return out;
    }

    /** {@link #rows} as a DataFrame with {@link RolloutSchema#STRUCT}. */
    public static Dataset<Row> fromArrays(SparkSession spark, int iteration, int condition, double[][][] x,
                                          double[][][] u, double[][][] o, double[][] cost, String source) {
        return spark.createDataFrame(rows(iteration, condition, x, u, o, cost, source), RolloutSchema.STRUCT);
    }

    /**
     * All conditions at once: arrays indexed [condition][sample][t][component], conditions
     * numbered from 0.
     *
     * @param o    null when o = x
     * @param cost cost[m][n][t], or null
     */
    public static Dataset<Row> fromArrays(SparkSession spark, int iteration, double[][][][] x, double[][][][] u,
                                          double[][][][] o, double[][][] cost, String source) {
        List<Row> all = new ArrayList<>();
        for (int m = 0; m < x.length; m++) {
            all.addAll(rows(iteration, m, x[m], u[m], o == null ? null : o[m], cost == null ? null : cost[m], source));
        }
        return spark.createDataFrame(all, RolloutSchema.STRUCT);
    }

    /** A double array as the boxed list Spark stores in an array column. */
    public static List<Double> boxed(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    private static void requireShape(String name, double[][][] a, int n) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException(name + " has " + (a == null ? "no" : String.valueOf(a.length))
                    + " samples, x has " + n);
        }
    }
}
