package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.gps.core.BadInputException;
import org.gps.core.cost.CostExpansion;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.io.RolloutSchema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * Step 2 of an iteration (ALGORITHM.md section 2): each sample's cost and its quadratic expansion,
 * computed where the sample lives and averaged per condition through a mergeable accumulator.
 * Only the per-condition models (T small matrices) and one total per sample reach the driver.
 *
 * <p>How the rows meet: Spark SQL hash-partitions the rows by trajectory into
 * {@link #partitions(int)} partitions and sorts each partition by (trajectory, t), so a task sees
 * every trajectory as a run of consecutive rows. This keeps the shuffle in Spark's binary row
 * format (grouping external {@code Row}s with {@code groupByKey} Java-serialises every boxed
 * double) and the reduce side at a few tasks. The map side keeps the input's partitions: a coalesce before the
 * repartition would be dropped by Spark's optimizer (CollapseRepartition). Each task streams its
 * trajectories straight into per-condition accumulators, so no expansion (T (dX+dU)^2 doubles
 * per sample) is ever cached; a tree reduction merges the tasks' accumulators.
 *
 * <p>The sums' order is fixed by the data: which partition a trajectory lands in depends only on
 * its key and the partition count, which depends only on the number of conditions, never on the
 * cores; each partition adds its trajectories in key order and the partitions are merged in index
 * order. So the models are the same bits on any number of cores and executors.
 */
public final class CostEvaluation {
    private CostEvaluation() {
    }

    /** The averaged quadratic cost model of each condition, and the true cost sum_t l_t of each sample. */
    public record Result(Map<Integer, QuadraticCostModel> models, Map<Integer, double[]> sampleCosts)
            implements Serializable {
        /** Mean true cost of a condition's samples. */
        public double meanCost(int condition) {
            double[] c = sampleCosts.get(condition);
            double s = 0;
            for (double v : c) {
                s += v;
            }
            return s / c.length;
        }
    }

    public static Result evaluate(Dataset<Row> rollouts, List<CostFunction> costs) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rollouts.sparkSession().sparkContext());
        int partitions = partitions(costs.size());
        Dataset<Row> sorted = rollouts
                .select(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE, RolloutSchema.T,
                        RolloutSchema.X, RolloutSchema.U)
                .repartition(partitions, col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION),
                        col(RolloutSchema.SAMPLE))
                .sortWithinPartitions(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE,
                        RolloutSchema.T);
        Broadcast<List<CostFunction>> shared = jsc.broadcast(new ArrayList<>(costs));
        try {
            // Merged in partition order, so the averaged models are the same bits on every run.
            Partial total = OrderedTreeAggregate.aggregate(sorted.queryExecution().toRdd().toJavaRDD()
                            .mapPartitions(rows -> List.of(Partial.of(rows, shared.value())).iterator()),
                    () -> null, (acc, p) -> acc == null ? p : acc.merge(p),
                    (a, b) -> a == null ? b : b == null ? a : a.merge(b));
            Map<Integer, QuadraticCostModel> models = new TreeMap<>();
            total.accumulators.forEach((c, acc) -> models.put(c, acc.result()));
            Map<Integer, double[]> sampleCosts = new TreeMap<>();
            total.sampleCosts.forEach((c, m) -> sampleCosts.put(c,
                    m.values().stream().mapToDouble(Double::doubleValue).toArray()));
            return new Result(models, sampleCosts);
        } finally {
            shared.destroy();
        }
    }

    /**
     * Partitions of the cost step for this many conditions: one per {@value #CONDITIONS_PER_PARTITION}
     * conditions, at least {@value #MIN_PARTITIONS}. Bits of the averaged models depend on this
     * count (it decides which trajectories a task sums before the merge), so it must come from the
     * data, never from the cluster; the minimum of two is the split the documented runs were made with.
     */
    static int partitions(int conditions) {
        return Math.max(MIN_PARTITIONS, (conditions + CONDITIONS_PER_PARTITION - 1) / CONDITIONS_PER_PARTITION);
    }

    static final int MIN_PARTITIONS = 2;
    static final int CONDITIONS_PER_PARTITION = 4;

    /** What one task (or a merge of several) has summed: per condition, the accumulator and each sample's cost. */
    private static final class Partial implements Serializable {
        private static final long serialVersionUID = 1L;
        final TreeMap<Integer, QuadraticCostAccumulator> accumulators = new TreeMap<>();
        final TreeMap<Integer, TreeMap<Integer, Double>> sampleCosts = new TreeMap<>();

        /** Rows sorted by (iteration, condition, sample, t), columns as selected in {@link #evaluate}. */
        static Partial of(Iterator<InternalRow> rows, List<CostFunction> costs) {
            Partial p = new Partial();
            List<double[]> xs = new ArrayList<>();
            List<double[]> us = new ArrayList<>();
            int iteration = 0;
            int condition = 0;
            int sample = 0;
            while (rows.hasNext()) {
                InternalRow r = rows.next();
                int it = r.getInt(0);
                int c = r.getInt(1);
                int s = r.getInt(2);
                int t = r.getInt(3);
                if (!xs.isEmpty() && (it != iteration || c != condition || s != sample)) {
                    p.add(condition, sample, xs, us, costs);
                    xs.clear();
                    us.clear();
                }
                iteration = it;
                condition = c;
                sample = s;
                if (t != xs.size()) {
                    throw new BadInputException("rollouts: trajectory (iteration " + it + ", condition " + c
                            + ", sample " + s + ") has time steps missing or repeated at t=" + t
                            + "; run 'gps validate' on the dataset");
                }
                // The row object may be reused by the next call: copy the arrays out now.
                xs.add(doubles(r, 4, RolloutSchema.X, it, c, s, t));
                us.add(doubles(r, 5, RolloutSchema.U, it, c, s, t));
            }
            if (!xs.isEmpty()) {
                p.add(condition, sample, xs, us, costs);
            }
            return p;
        }

        private void add(int condition, int sample, List<double[]> xs, List<double[]> us, List<CostFunction> costs) {
            if (condition < 0 || condition >= costs.size()) {
                throw new BadInputException("rollouts: condition " + condition + " has no cost (costs are configured for "
                        + costs.size() + " conditions)");
            }
            CostExpansion e = costs.get(condition).evaluate(xs.toArray(new double[0][]), us.toArray(new double[0][]));
            accumulators.computeIfAbsent(condition,
                    k -> new QuadraticCostAccumulator(e.horizon(), e.stateDim(), e.actionDim())).add(e);
            sampleCosts.computeIfAbsent(condition, k -> new TreeMap<>()).put(sample, e.totalCost());
        }

        Partial merge(Partial other) {
            other.accumulators.forEach((c, acc) -> accumulators.merge(c, acc, QuadraticCostAccumulator::merge));
            other.sampleCosts.forEach((c, m) -> sampleCosts.computeIfAbsent(c, k -> new TreeMap<>()).putAll(m));
            return this;
        }

        private static double[] doubles(InternalRow r, int field, String name, int it, int c, int s, int t) {
            if (r.isNullAt(field)) {
                throw new BadInputException("rollouts: column " + name + " is null at (iteration " + it + ", condition "
                        + c + ", sample " + s + ", t " + t + ")");
            }
            ArrayData a = r.getArray(field);
            for (int i = 0; i < a.numElements(); i++) {
                if (a.isNullAt(i)) {
                    throw new BadInputException("rollouts: " + name + "[" + i + "] is null at (iteration " + it
                            + ", condition " + c + ", sample " + s + ", t " + t + ")");
                }
            }
            return a.toDoubleArray();
        }
    }
}
