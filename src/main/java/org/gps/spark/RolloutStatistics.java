package org.gps.spark;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.get;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.stddev_pop;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.io.RolloutSchema;

/**
 * Per (condition, t) statistics of a rollout dataset: how many rollouts reach the step, and the
 * mean and standard deviation of every element of x and u over them. One Spark aggregation; only
 * the M x T result rows come back to the driver.
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
                            double[] uStd) {
    }

    /**
     * @param rollouts a dataset with the schema-v1 columns (as {@link org.gps.io.RolloutReader} returns it)
     * @param dX       state size; rows whose x has another length are left out (the validator reports them)
     * @param dU       action size; likewise
     * @return one entry per (condition, t), sorted
     */
    public static List<StepStats> perStep(Dataset<Row> rollouts, int dX, int dU) {
        List<Column> aggs = new ArrayList<>();
        for (int i = 0; i < dX; i++) {
            Column e = get(col(RolloutSchema.X), lit(i));
            aggs.add(avg(e));
            aggs.add(stddev_pop(e));
        }
        for (int i = 0; i < dU; i++) {
            Column e = get(col(RolloutSchema.U), lit(i));
            aggs.add(avg(e));
            aggs.add(stddev_pop(e));
        }
        Dataset<Row> usable = rollouts.filter(col(RolloutSchema.CONDITION).isNotNull().and(col(RolloutSchema.T).isNotNull())
                .and(size(col(RolloutSchema.X)).equalTo(dX)).and(size(col(RolloutSchema.U)).equalTo(dU)));
        List<StepStats> out = new ArrayList<>();
        for (Row r : usable.groupBy(col(RolloutSchema.CONDITION), col(RolloutSchema.T))
                .agg(count(lit(1)), aggs.toArray(Column[]::new))
                .orderBy(RolloutSchema.CONDITION, RolloutSchema.T).collectAsList()) {
            double[] xm = new double[dX];
            double[] xs = new double[dX];
            double[] um = new double[dU];
            double[] us = new double[dU];
            int at = 3;
            for (int i = 0; i < dX; i++, at += 2) {
                xm[i] = number(r, at);
                xs[i] = number(r, at + 1);
            }
            for (int i = 0; i < dU; i++, at += 2) {
                um[i] = number(r, at);
                us[i] = number(r, at + 1);
            }
            out.add(new StepStats(r.getInt(0), r.getInt(1), r.getLong(2), xm, xs, um, us));
        }
        return out;
    }

    private static double number(Row r, int i) {
        return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
    }
}
