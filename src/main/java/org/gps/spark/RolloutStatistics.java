package org.gps.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.size;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.io.RolloutSchema;

/**
 * Per (condition, t) statistics of a rollout dataset: how many rollouts reach the step, and the
 * mean and standard deviation of every element of x and u over them. Only the M x T result rows
 * come back to the driver.
 *
 * <p>Each (condition, t) is summed inside one task, its rows in (iteration, sample) order, so the
 * numbers are the same bits on any number of cores (Spark SQL's avg would add partial sums in an
 * order set by the partitions).
 */
public final class RolloutStatistics {
    private RolloutStatistics() {
    }

    /**
     * @param rollouts number of rows at (condition, t): the rollouts of every iteration that reach t
     * @param xStd     population standard deviation (divided by n, not n - 1): a description of the
     *                 rows at hand, defined also for a single rollout
     */
    public record StepStats(int condition, int t, long rollouts, double[] xMean, double[] xStd, double[] uMean,
                            double[] uStd) implements Serializable {
    }

    /**
     * @param rollouts a dataset with the rollout schema's columns (as {@link org.gps.io.RolloutReader} returns it)
     * @param dX       state size; rows whose x has another length are left out (the validator reports them)
     * @param dU       action size; likewise
     * @return one entry per (condition, t), sorted
     */
    public static List<StepStats> perStep(Dataset<Row> rollouts, int dX, int dU) {
        Dataset<Row> usable = rollouts.filter(col(RolloutSchema.CONDITION).isNotNull().and(col(RolloutSchema.T).isNotNull())
                        .and(size(col(RolloutSchema.X)).equalTo(dX)).and(size(col(RolloutSchema.U)).equalTo(dU)))
                .select(RolloutSchema.CONDITION, RolloutSchema.T, RolloutSchema.X, RolloutSchema.U,
                        RolloutSchema.ITERATION, RolloutSchema.SAMPLE);
        List<StepStats> out = new ArrayList<>(usable
                .repartition(col(RolloutSchema.CONDITION), col(RolloutSchema.T))
                .sortWithinPartitions(RolloutSchema.CONDITION, RolloutSchema.T, RolloutSchema.ITERATION,
                        RolloutSchema.SAMPLE)
                .javaRDD()
                .mapPartitions(rows -> groups(rows, dX, dU).iterator())
                .collect());
        out.sort(Comparator.comparingInt(StepStats::condition).thenComparingInt(StepStats::t));
        return out;
    }

    /** The statistics of each run of rows with one (condition, t) in a sorted partition. */
    private static List<StepStats> groups(Iterator<Row> rows, int dX, int dU) {
        List<StepStats> out = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        List<double[]> us = new ArrayList<>();
        int condition = 0;
        int t = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            if (!xs.isEmpty() && (r.getInt(0) != condition || r.getInt(1) != t)) {
                out.add(stats(condition, t, xs, us));
                xs.clear();
                us.clear();
            }
            condition = r.getInt(0);
            t = r.getInt(1);
            xs.add(vector(r, 2, dX));
            us.add(vector(r, 3, dU));
        }
        if (!xs.isEmpty()) {
            out.add(stats(condition, t, xs, us));
        }
        return out;
    }

    private static StepStats stats(int condition, int t, List<double[]> xs, List<double[]> us) {
        int dX = xs.get(0).length;
        int dU = us.get(0).length;
        double[] xm = new double[dX];
        double[] xsd = new double[dX];
        double[] um = new double[dU];
        double[] usd = new double[dU];
        meanAndStd(xs, xm, xsd);
        meanAndStd(us, um, usd);
        return new StepStats(condition, t, xs.size(), xm, xsd, um, usd);
    }

    /** Two passes in row order: the mean, then the mean square deviation from it. */
    static void meanAndStd(List<double[]> rows, double[] mean, double[] std) {
        int n = rows.size();
        for (double[] v : rows) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += v[i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= n;
        }
        for (double[] v : rows) {
            for (int i = 0; i < std.length; i++) {
                double d = v[i] - mean[i];
                std[i] += d * d;
            }
        }
        for (int i = 0; i < std.length; i++) {
            std[i] = Math.sqrt(std[i] / n);
        }
    }

    private static double[] vector(Row r, int column, int length) {
        List<Object> v = r.getList(column);
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            Object e = v.get(i);
            // A null element has no value: NaN, as Spark's avg reports a column with nothing to average.
            out[i] = e == null ? Double.NaN : ((Number) e).doubleValue();
        }
        return out;
    }
}
