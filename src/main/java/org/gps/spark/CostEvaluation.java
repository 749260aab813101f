package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;
import org.gps.core.BadInputException;
import org.gps.core.cost.CostExpansion;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.io.FaultKind;
import org.gps.io.RolloutRules;
import org.gps.io.RolloutSchema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * Step 2 of an iteration (docs/algorithm.md section 2): each sample's cost and its quadratic expansion,
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
 *
 * <p>Rollouts that the caller knows to be few ({@link #expandsInOneTask}) are expanded in one task
 * instead, with no shuffle: that task places each trajectory in the partition the shuffle would
 * have sent it to and makes the same sums in the same order, so the models are the same bits
 * whichever path made them. Its rows stay on the executor, as on the distributed path: only the
 * sums reach the driver.
 */
public final class CostEvaluation {
    private CostEvaluation() {
    }

    /**
     * The averaged quadratic cost model of each condition, the true cost sum_t l_t of each sample,
     * and the number of rows read (for the dataset's completion marker).
     */
    public record Result(Map<Integer, QuadraticCostModel> models, Map<Integer, double[]> sampleCosts, long rows)
            implements Serializable {
        /** The same result with sample costs of its own, for a caller that may write into them. */
        public Result copy() {
            Map<Integer, double[]> costs = new TreeMap<>();
            sampleCosts.forEach((c, v) -> costs.put(c, v.clone()));
            return new Result(new TreeMap<>(models), costs, rows);
        }

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
        return evaluate(rollouts, costs, new RolloutRules.RowCheck("rollouts"));
    }

    /** As {@link #evaluate(Dataset, long, List, RolloutRules.RowCheck)} for rollouts of unknown size. */
    public static Result evaluate(Dataset<Row> rollouts, List<CostFunction> costs, RolloutRules.RowCheck rowCheck) {
        return evaluate(rollouts, UNKNOWN_ROWS, costs, rowCheck);
    }

    /**
     * @param rows     how many rows the rollouts hold, as the caller knows it without reading them
     *                 (their completion marker's count), or {@link #UNKNOWN_ROWS}; it only chooses
     *                 where the sums are made ({@link #expandsInOneTask}), never what they are
     * @param rowCheck applied to each row but its observation (which the expansion does not read),
     *                 in the task that reads it; each trajectory's t values and each condition's T
     *                 are checked as the task meets them
     */
    public static Result evaluate(Dataset<Row> rollouts, long rows, List<CostFunction> costs,
                                  RolloutRules.RowCheck rowCheck) {
        if (expandsInOneTask(rows)) {
            Result r = inOneTask(rollouts, costs, rowCheck, IN_TASK_MAX_ROWS);
            if (r != null) {
                return r;
            }
        }
        return distributed(rollouts, costs, rowCheck);
    }

    /** For {@link #evaluate(Dataset, long, List, RolloutRules.RowCheck)}: the caller does not know the count. */
    public static final long UNKNOWN_ROWS = -1;

    /**
     * Rollouts of at most this many rows are expanded in one task (as the EM of a GMM on at most
     * as many points runs in one). On so few rows the arithmetic is small next to what the
     * distributed path adds to it: the planning of its sort, a shuffle and a second Spark job. One
     * task reads them all and runs no shuffle, in one job. Above it the rows are spread over the
     * executors, whose cores and memory they may need.
     */
    static final long IN_TASK_MAX_ROWS = 10_000;

    /** Whether rollouts of {@code rows} rows ({@link #UNKNOWN_ROWS}: not known) are expanded in one task. */
    static boolean expandsInOneTask(long rows) {
        return rows >= 0 && rows <= IN_TASK_MAX_ROWS;
    }

    /** The expansion on the executors: the rows shuffled by trajectory, one task per partition. */
    static Result distributed(Dataset<Row> rollouts, List<CostFunction> costs, RolloutRules.RowCheck rowCheck) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rollouts.sparkSession().sparkContext());
        int partitions = partitions(costs.size());
        RolloutRules.RowCheck check = rowCheck.withoutObservations();
        // The check reads rows in schema column order; o stays out of the shuffle as a typed null
        // (a bit and a slot): dO doubles per row that the expansion does not read.
        Dataset<Row> sorted = rollouts
                .select(RolloutSchema.ALL_COLUMNS.stream().map(c -> c.equals(RolloutSchema.O)
                        ? functions.lit(null).cast(RolloutSchema.typeOf(c)).as(c) : functions.col(c))
                        .toArray(Column[]::new))
                .repartition(partitions, col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION),
                        col(RolloutSchema.SAMPLE))
                .sortWithinPartitions(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE,
                        RolloutSchema.T);
        Broadcast<List<CostFunction>> shared = jsc.broadcast(new ArrayList<>(costs));
        try {
            // Merged in partition order, so the averaged models are the same bits on every run.
            Partial total = OrderedTreeAggregate.aggregate(sorted.queryExecution().toRdd().toJavaRDD()
                            .mapPartitions(rows -> List.of(Partial.of(checked(rows, check), shared.value(),
                                    check.dataset())).iterator()),
                    () -> null, (acc, p) -> acc == null ? p : acc.merge(p),
                    (a, b) -> a == null ? b : b == null ? a : a.merge(b));
            return result(total, check);
        } finally {
            shared.destroy();
        }
    }

    /**
     * The expansion in one task, which reads every row and makes the sums the distributed path
     * makes: each trajectory goes to the partition the shuffle would send it to
     * ({@link #shufflePartition}), each partition is summed in key order and the partitions are
     * merged as {@link OrderedTreeAggregate} merges them, so the models are the same bits. Rows are
     * not collected to the driver: only the sums come back, as from the distributed path's tasks.
     * Null when the task finds more than {@code maxRows} rows (a count that was wrong): it stops
     * reading there, and the caller takes the distributed path.
     */
    static Result inOneTask(Dataset<Row> rollouts, List<CostFunction> costs, RolloutRules.RowCheck rowCheck,
                            long maxRows) {
        int partitions = partitions(costs.size());
        RolloutRules.RowCheck check = rowCheck.withoutObservations();
        List<CostFunction> shipped = new ArrayList<>(costs);
        // Planning even a projection is a large part of this path's time on small rollouts: those whose
        // columns are already in schema order (the readers' and the sampler's) are read as they are.
        Dataset<Row> ordered = Arrays.asList(rollouts.schema().fieldNames()).equals(RolloutSchema.ALL_COLUMNS)
                ? rollouts
                : rollouts.select(RolloutSchema.ALL_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
        List<Partial> out = ordered.queryExecution().toRdd().toJavaRDD().coalesce(1)
                .mapPartitions(rows -> Collections.singletonList(
                        Partial.ofAll(rows, maxRows, partitions, shipped, check)).iterator())
                .collect();
        if (out.isEmpty()) {
            // A dataset of no partitions: no rows.
            return result(null, check);
        }
        Partial total = out.get(0);
        return total == null ? null : result(total, check);
    }

    /**
     * The result of samples expanded where they were drawn ({@link SampledCosts}), given in key
     * order: each goes to the partition the distributed path's shuffle would send its rows to, is
     * added to its partition in key order and the partitions are merged in the aggregate's order,
     * so the result is the same bits as {@link #evaluate} of the samples' rows. Adding a sample's
     * own sums (one sample added to zeros, which is exact) gives the bits of adding its expansion.
     */
    static Result ofSamples(Collection<SampledCosts.SampleSums> inKeyOrder, int conditions) {
        int partitions = partitions(conditions);
        List<Partial> parts = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            parts.add(new Partial());
        }
        for (SampledCosts.SampleSums s : inKeyOrder) {
            parts.get(shufflePartition(s.iteration(), s.condition(), s.sample(), partitions)).addSample(s);
        }
        return result(OrderedTreeAggregate.merge(parts, Partial::merge), new RolloutRules.RowCheck("rollouts"));
    }

    private static Result result(Partial total, RolloutRules.RowCheck check) {
        if (total == null || total.rows == 0) {
            throw new BadInputException(check.dataset() + ": no rows; expected the samples' time steps ("
                    + FaultKind.EMPTY_DATASET + ")");
        }
        Map<Integer, QuadraticCostModel> models = new TreeMap<>();
        total.accumulators.forEach((c, acc) -> models.put(c, acc.result()));
        Map<Integer, double[]> sampleCosts = new TreeMap<>();
        total.sampleCosts.forEach((c, m) -> sampleCosts.put(c,
                m.values().stream().mapToDouble(Double::doubleValue).toArray()));
        return new Result(models, sampleCosts, total.rows);
    }

    /** The rows checked as they are read: each is copied out, since the row object may be reused by the next call. */
    private static Iterator<RolloutRules.CheckedRow> checked(Iterator<InternalRow> rows, RolloutRules.RowCheck check) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public RolloutRules.CheckedRow next() {
                return check.check(rows.next());
            }
        };
    }

    /**
     * The partition of {@code partitions} that the distributed path's {@code repartition} by
     * (iteration, condition, sample) sends a trajectory to: Spark's hash partitioning, the Murmur3
     * hash of the three ints chained from the seed {@value #SPARK_HASH_SEED}, taken modulo the
     * count as a non-negative number.
     */
    static int shufflePartition(int iteration, int condition, int sample, int partitions) {
        int h = Murmur3_x86_32.hashInt(iteration, SPARK_HASH_SEED);
        h = Murmur3_x86_32.hashInt(condition, h);
        h = Murmur3_x86_32.hashInt(sample, h);
        return Math.floorMod(h, partitions);
    }

    /** The seed of Spark SQL's Murmur3 hash, which its hash partitioning uses. */
    static final int SPARK_HASH_SEED = 42;

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
        long rows;
        String dataset = "rollouts";

        /** Rows sorted by (iteration, condition, sample, t), already checked. */
        static Partial of(Iterator<RolloutRules.CheckedRow> rows, List<CostFunction> costs, String dataset) {
            Partial p = new Partial();
            p.dataset = dataset;
            List<double[]> xs = new ArrayList<>();
            List<double[]> us = new ArrayList<>();
            int iteration = 0;
            int condition = 0;
            int sample = 0;
            while (rows.hasNext()) {
                RolloutRules.CheckedRow r = rows.next();
                p.rows++;
                if (!xs.isEmpty() && (r.iteration() != iteration || r.condition() != condition
                        || r.sample() != sample)) {
                    p.add(dataset, iteration, condition, sample, xs, us, costs);
                    xs.clear();
                    us.clear();
                }
                iteration = r.iteration();
                condition = r.condition();
                sample = r.sample();
                if (r.t() < xs.size()) {
                    throw RolloutRules.repeated(dataset, r, Arrays.equals(xs.get(r.t()), r.x())
                            && Arrays.equals(us.get(r.t()), r.u()));
                }
                if (r.t() > xs.size()) {
                    throw RolloutRules.trajectoryFault(dataset, FaultKind.MISSING_TIME_STEP, iteration,
                            condition, sample, "has t=" + r.t() + " after " + xs.size()
                                    + " time steps; expected t = 0..T-1, each once (a time step is missing)");
                }
                xs.add(r.x());
                us.add(r.u());
            }
            if (!xs.isEmpty()) {
                p.add(dataset, iteration, condition, sample, xs, us, costs);
            }
            return p;
        }

        /**
         * Every row, in any order, summed as the distributed path sums them over {@code partitions}
         * partitions ({@link #inOneTask}); null past {@code maxRows} rows.
         */
        static Partial ofAll(Iterator<InternalRow> rows, long maxRows, int partitions, List<CostFunction> costs,
                             RolloutRules.RowCheck check) {
            List<List<RolloutRules.CheckedRow>> parts = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                parts.add(new ArrayList<>());
            }
            long read = 0;
            Iterator<RolloutRules.CheckedRow> checked = checked(rows, check);
            while (checked.hasNext()) {
                if (++read > maxRows) {
                    return null;
                }
                RolloutRules.CheckedRow r = checked.next();
                parts.get(shufflePartition(r.iteration(), r.condition(), r.sample(), partitions)).add(r);
            }
            List<Partial> partials = new ArrayList<>();
            for (List<RolloutRules.CheckedRow> part : parts) {
                part.sort(KEY_ORDER);
                partials.add(of(part.iterator(), costs, check.dataset()));
            }
            return OrderedTreeAggregate.merge(partials, Partial::merge);
        }

        /** The order of {@code sortWithinPartitions} by the key columns. */
        private static final Comparator<RolloutRules.CheckedRow> KEY_ORDER =
                Comparator.comparingInt(RolloutRules.CheckedRow::iteration)
                        .thenComparingInt(RolloutRules.CheckedRow::condition)
                        .thenComparingInt(RolloutRules.CheckedRow::sample)
                        .thenComparingInt(RolloutRules.CheckedRow::t);

        private void add(String dataset, int iteration, int condition, int sample, List<double[]> xs,
                         List<double[]> us, List<CostFunction> costs) {
            if (condition < 0 || condition >= costs.size()) {
                throw new BadInputException(dataset + ": condition " + condition + " has no cost (costs are configured for "
                        + costs.size() + " conditions)");
            }
            QuadraticCostAccumulator acc = accumulators.get(condition);
            if (acc != null && acc.horizon() != xs.size()) {
                throw RolloutRules.trajectoryFault(dataset, FaultKind.UNEQUAL_TRAJECTORY_LENGTHS, iteration, condition,
                        sample, "has T=" + xs.size() + "; expected T=" + acc.horizon() + " as the condition's other trajectories");
            }
            requireDims(dataset, acc, iteration, condition, sample, xs.get(0).length, us.get(0).length);
            CostExpansion e;
            try {
                e = costs.get(condition).evaluate(xs.toArray(new double[0][]), us.toArray(new double[0][]));
            } catch (IllegalArgumentException ex) {
                // The configured cost fixes dX and dU (e.g. its target's length): rows of other lengths are bad input.
                throw RolloutRules.trajectoryFault(dataset, FaultKind.INCONSISTENT_VECTOR_LENGTH, iteration, condition,
                        sample, "does not fit the configured cost of condition " + condition + ": " + ex.getMessage());
            }
            accumulators.computeIfAbsent(condition,
                    k -> new QuadraticCostAccumulator(e.horizon(), e.stateDim(), e.actionDim())).add(e);
            sampleCosts.computeIfAbsent(condition, k -> new TreeMap<>()).put(sample, e.totalCost());
        }

        private static void requireDims(String dataset, QuadraticCostAccumulator acc, int iteration, int condition,
                                        int sample, int dX, int dU) {
            if (acc != null && (acc.stateDim() != dX || acc.actionDim() != dU)) {
                throw RolloutRules.trajectoryFault(dataset, FaultKind.INCONSISTENT_VECTOR_LENGTH, iteration, condition,
                        sample, "has dX=" + dX + ", dU=" + dU + "; expected dX=" + acc.stateDim() + ", dU="
                                + acc.actionDim() + " as the condition's other trajectories");
            }
        }

        /** A sample's sums ({@link #ofSamples}), as {@link #add} adds the sample's expansion. */
        void addSample(SampledCosts.SampleSums s) {
            QuadraticCostAccumulator one = s.sums();
            accumulators.computeIfAbsent(s.condition(),
                    k -> new QuadraticCostAccumulator(one.horizon(), one.stateDim(), one.actionDim())).merge(one);
            sampleCosts.computeIfAbsent(s.condition(), k -> new TreeMap<>()).put(s.sample(), s.totalCost());
            rows += one.horizon();
        }

        Partial merge(Partial other) {
            rows += other.rows;
            other.accumulators.forEach((c, acc) -> {
                QuadraticCostAccumulator mine = accumulators.get(c);
                if (mine != null && (mine.horizon() != acc.horizon() || mine.stateDim() != acc.stateDim()
                        || mine.actionDim() != acc.actionDim())) {
                    throw new BadInputException(dataset + ": condition " + c + " has trajectories of T=" + mine.horizon()
                            + ", dX=" + mine.stateDim() + ", dU=" + mine.actionDim() + " and of T=" + acc.horizon()
                            + ", dX=" + acc.stateDim() + ", dU=" + acc.actionDim()
                            + "; expected one length and one dX, dU per condition (" + FaultKind.UNEQUAL_TRAJECTORY_LENGTHS + ")");
                }
            });
            other.accumulators.forEach((c, acc) -> accumulators.merge(c, acc, QuadraticCostAccumulator::merge));
            other.sampleCosts.forEach((c, m) -> sampleCosts.computeIfAbsent(c, k -> new TreeMap<>()).putAll(m));
            return this;
        }
    }
}
