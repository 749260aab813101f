package org.gps.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.util.AccumulatorV2;
import org.apache.spark.util.LongAccumulator;
import org.gps.core.cost.CostExpansion;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.io.RolloutRules;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cost step (docs/algorithm.md section 2) made by the tasks that sample the rollouts, for
 * rollouts few enough that the cost step's own Spark job would cost more than its arithmetic
 * ({@link #forRollouts}). Each sampling task expands every sample it draws with its condition's
 * cost and hands that one sample's re-centred sums (T (1 + D + D^2) doubles for D = dX + dU, the
 * size of a condition's cost model, and its total cost; not its states or actions) to the driver
 * through an accumulator. The driver adds them up as {@link CostEvaluation} adds the rows it reads:
 * the same sums in the same order, so the {@link CostEvaluation.Result} is the same bits as
 * {@link CostEvaluation#evaluate} of the rows written.
 *
 * <p>What it saves is a Spark job per iteration: the sample step hands the result to the trajopt
 * step of the same process, which then reads the rows only when they have changed since. A trajopt
 * in a process of its own (a step submitted alone) evaluates the rows as before.
 */
public final class SampledCosts implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * At most this many doubles of per-sample sums travel to the driver (8 MiB), and only for
     * rollouts that {@link CostEvaluation} would expand in one task: sizes where the cost step's
     * job, not its arithmetic, is what it costs.
     */
    static final long MAX_DOUBLES = 1L << 20;

    private final List<CostFunction> costs;
    private final SampleSumsAccumulator sums;
    private final LongAccumulator taskNanos;

    private SampledCosts(SparkContext sc, List<CostFunction> costs) {
        this.costs = new ArrayList<>(costs);
        this.sums = new SampleSumsAccumulator();
        // Unnamed: Spark reports a named accumulator's value with every task, in the UI and the
        // event log, and this one's is every sample's sums.
        sc.register(sums);
        this.taskNanos = sc.longAccumulator("sampled cost nanoseconds");
    }

    /**
     * A collector for rollouts of {@code rows} time steps with states of {@code stateDim} and
     * actions of {@code actionDim} numbers, or null when they are too many for it (the cost step
     * then reads the rows as it always does).
     */
    public static SampledCosts forRollouts(SparkContext sc, List<CostFunction> costs, long rows, int stateDim,
                                           int actionDim) {
        long d = stateDim + actionDim;
        if (!CostEvaluation.expandsInOneTask(rows) || rows * (1 + d + d * d) > MAX_DOUBLES) {
            return null;
        }
        return new SampledCosts(sc, costs);
    }

    /**
     * In a sampling task: expands one sample. A sample the cost step would refuse or fail on (a
     * condition without a cost, a cost of other dimensions, a value beyond the rollout rules'
     * bounds) is left out, which makes the collection incomplete: {@link #result} then returns null
     * and the cost step reads the rows, and reports them, as it always did.
     */
    void add(int iteration, int condition, int sample, double[][] x, double[][] u) {
        long t0 = System.nanoTime();
        if (condition < 0 || condition >= costs.size() || !withinBounds(x) || !withinBounds(u)) {
            return;
        }
        CostExpansion e;
        try {
            e = costs.get(condition).evaluate(x, u);
        } catch (RuntimeException ex) {
            return;
        }
        QuadraticCostAccumulator one = new QuadraticCostAccumulator(e.horizon(), e.stateDim(), e.actionDim()).add(e);
        sums.add(new SampleSums(iteration, condition, sample, one, e.totalCost()));
        taskNanos.add(System.nanoTime() - t0);
    }

    /** Every value finite and of magnitude at most {@link RolloutRules#MAX_MAGNITUDE}, as the rows' check asks. */
    private static boolean withinBounds(double[][] values) {
        for (double[] row : values) {
            for (double v : row) {
                if (!(Math.abs(v) <= RolloutRules.MAX_MAGNITUDE)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * On the driver, after the sampling job: the cost step's result for {@code samples} samples of
     * each of the conditions of iteration {@code iteration}, {@code rows} rows in all, or null when
     * the tasks did not hand in exactly those samples (one was left out: {@link #add}).
     */
    public CostEvaluation.Result result(int iteration, int conditions, int samples, long rows) {
        SortedMap<SampleSums.Key, SampleSums> got = sums.value();
        if (got.size() != (long) conditions * samples) {
            return null;
        }
        long sampled = 0;
        for (SampleSums s : got.values()) {
            if (s.iteration() != iteration || s.condition() >= conditions || s.sample() < 0
                    || s.sample() >= samples) {
                return null;
            }
            sampled += s.sums().horizon();
        }
        if (sampled != rows) {
            return null;
        }
        return CostEvaluation.ofSamples(got.values(), costs.size());
    }

    /** Time the sampling tasks spent expanding, summed over tasks (which may have run side by side). */
    public double taskSeconds() {
        return taskNanos.value() / 1e9;
    }

    /** One sample's re-centred cost sums (a {@link QuadraticCostAccumulator} of one sample) and its total cost. */
    record SampleSums(int iteration, int condition, int sample, QuadraticCostAccumulator sums, double totalCost)
            implements Serializable {
        record Key(int iteration, int condition, int sample) implements Comparable<Key>, Serializable {
            @Override
            public int compareTo(Key o) {
                int c = Integer.compare(iteration, o.iteration);
                if (c == 0) {
                    c = Integer.compare(condition, o.condition);
                }
                return c != 0 ? c : Integer.compare(sample, o.sample);
            }
        }

        Key key() {
            return new Key(iteration, condition, sample);
        }
    }

    /**
     * The samples' sums by key, in key order. A sample handed in twice (a task run again) keeps
     * one entry: its sums are the same, as the sample is.
     */
    static final class SampleSumsAccumulator extends AccumulatorV2<SampleSums, SortedMap<SampleSums.Key, SampleSums>> {
        private static final long serialVersionUID = 1L;
        private final TreeMap<SampleSums.Key, SampleSums> byKey = new TreeMap<>();

        @Override
        public boolean isZero() {
            return byKey.isEmpty();
        }

        @Override
        public SampleSumsAccumulator copy() {
            SampleSumsAccumulator c = new SampleSumsAccumulator();
            c.byKey.putAll(byKey);
            return c;
        }

        @Override
        public void reset() {
            byKey.clear();
        }

        @Override
        public void add(SampleSums s) {
            byKey.put(s.key(), s);
        }

        @Override
        public void merge(AccumulatorV2<SampleSums, SortedMap<SampleSums.Key, SampleSums>> other) {
            byKey.putAll(other.value());
        }

        @Override
        public SortedMap<SampleSums.Key, SampleSums> value() {
            return Collections.unmodifiableSortedMap(byKey);
        }
    }
}
