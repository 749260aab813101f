package org.gps.spark;

import org.gps.core.BadInputException;
import org.gps.core.sample.Trajectory;
import org.gps.io.FaultKind;
import org.gps.io.RolloutRules;
import org.gps.io.RolloutSchema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dynamics step must know about the trajectories before EM, gathered in one pass without
 * a shuffle (each partition fills one census, the driver merges them): per condition the number of
 * trajectories, of rows, of trajectories in the fit set and the dimensions; per GMM group the
 * newest {@code max_samples} trajectories, which are the prior's window (docs/algorithm.md section 3),
 * with their row counts; and per condition the newest {@code max_samples} initial states, for the
 * initial-state prior. Its size is bounded by groups x max_samples, whatever the number of
 * trajectories, and none of it depends on the order in which trajectories arrive.
 */
final class TrajectoryCensus implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Index of the counts in {@link #perCondition}'s arrays. */
    static final int TRAJECTORIES = 0;
    static final int ROWS = 1;
    static final int CURRENT = 2;
    static final int STATE_DIM = 3;
    static final int ACTION_DIM = 4;
    static final int INPUT_DIM = 5;
    static final int HORIZON = 6;
    static final int CURRENT_ROWS = 7;

    /** A trajectory of a window: its key, its rows for the GMM and its initial state. */
    record Entry(TrajectoryGroups.Key key, int rows, double[] x0) implements Serializable {
    }

    /** Newest first: by iteration, then condition, then sample, all descending. */
    static final class NewestFirst implements Comparator<TrajectoryGroups.Key>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(TrajectoryGroups.Key a, TrajectoryGroups.Key b) {
            int c = Integer.compare(b.iteration(), a.iteration());
            if (c == 0) {
                c = Integer.compare(b.condition(), a.condition());
            }
            return c != 0 ? c : Integer.compare(b.sample(), a.sample());
        }
    }

    private final boolean shared;
    private final int maxSamples;
    private final String dataset;
    private final boolean equalLengths;
    final TreeMap<Integer, long[]> perCondition = new TreeMap<>();
    /** Per condition, the trajectory its T and dimensions were first taken from: named when another disagrees. */
    private final TreeMap<Integer, TrajectoryGroups.Key> firstOf = new TreeMap<>();
    /** Rows read per iteration (each trajectory's T), to hold against the datasets' completion markers. */
    final TreeMap<Integer, Long> rowsPerIteration = new TreeMap<>();
    /** Per group (the condition, or 0 when one GMM is shared): the newest max_samples trajectories. */
    final TreeMap<Integer, TreeMap<TrajectoryGroups.Key, Entry>> newestPerGroup = new TreeMap<>();
    /** Per condition, only when the GMM is shared (otherwise groups are conditions). */
    private final TreeMap<Integer, TreeMap<TrajectoryGroups.Key, Entry>> newestPerCondition = new TreeMap<>();

    /**
     * @param dataset      names the data in messages
     * @param equalLengths whether a condition's trajectories must all have the same T (the rollout schema's
     *                     rule; the fits themselves do not need it)
     */
    TrajectoryCensus(boolean shared, int maxSamples, String dataset, boolean equalLengths) {
        this.shared = shared;
        this.maxSamples = maxSamples;
        this.dataset = dataset;
        this.equalLengths = equalLengths;
    }

    /**
     * Counts one trajectory, refusing one too short to give a row to fit, or one whose T differs
     * from its condition's other trajectories or whose dX / dU differ from the dataset's.
     */
    TrajectoryCensus add(TrajectoryGroups.Key k, Trajectory t, DynamicsFitting.JointRows layout, boolean current) {
        if (layout.readsAppliedActions() && !t.hasAppliedActions()) {
            // Never the commanded action in its place: that would be another model without a word.
            throw new BadInputException(dataset + ": trajectory (iteration=" + k.iteration() + ", condition="
                    + k.condition() + ", sample=" + k.sample() + ") does not record " + RolloutSchema.U_APPLIED
                    + " (the action the plant applied) in every row; fitting the dynamics on the applied action"
                    + " needs that column in every row (rollout schema v2), or fit on the commanded action u");
        }
        int rows = layout.count(t);
        if (rows < 1) {
            // Valid data, but too short for this fit: no fault kind of the schema.
            throw new BadInputException(dataset + ": trajectory (iteration=" + k.iteration() + ", condition="
                    + k.condition() + ", sample=" + k.sample() + ") has T=" + t.horizon() + "; expected at least "
                    + (t.horizon() - rows + 1) + " time steps to fit");
        }
        long[] mine = {1, rows, current ? 1 : 0, t.x()[0].length, t.u()[0].length, layout.inputDim(t), t.horizon(),
            current ? rows : 0};
        requireAgrees(k.condition(), k, mine);
        long[] c = perCondition.computeIfAbsent(k.condition(), x -> new long[] {0, 0, 0, mine[STATE_DIM],
                mine[ACTION_DIM], mine[INPUT_DIM], mine[HORIZON], 0});
        firstOf.putIfAbsent(k.condition(), k);
        rowsPerIteration.merge(k.iteration(), (long) t.horizon(), Long::sum);
        c[TRAJECTORIES]++;
        c[ROWS] += rows;
        c[CURRENT] += current ? 1 : 0;
        c[CURRENT_ROWS] += current ? rows : 0;
        Entry e = new Entry(k, rows, t.x()[0]);
        keepNewest(newestPerGroup, shared ? 0 : k.condition(), e);
        if (shared) {
            keepNewest(newestPerCondition, k.condition(), e);
        }
        return this;
    }

    TrajectoryCensus merge(TrajectoryCensus o) {
        o.perCondition.forEach((cond, c) -> requireAgrees(cond, o.firstOf.get(cond), c));
        o.perCondition.forEach((cond, c) -> perCondition.merge(cond, c, (x, y) -> new long[] {x[0] + y[0],
                x[1] + y[1], x[2] + y[2], x[3], x[4], x[5], x[6], x[7] + y[7]}));
        o.firstOf.forEach(firstOf::putIfAbsent);
        o.rowsPerIteration.forEach((i, n) -> rowsPerIteration.merge(i, n, Long::sum));
        o.newestPerGroup.forEach((g, m) -> m.values().forEach(e -> keepNewest(newestPerGroup, g, e)));
        o.newestPerCondition.forEach((cond, m) -> m.values().forEach(e -> keepNewest(newestPerCondition, cond, e)));
        return this;
    }

    /**
     * The dataset rules across trajectories: one T per condition, one dX and dU per dataset.
     * {@code other} holds the facts of trajectory {@code key} (or of a census whose first
     * trajectory of the condition is {@code key}).
     */
    private void requireAgrees(int condition, TrajectoryGroups.Key key, long[] other) {
        long[] mine = perCondition.get(condition);
        if (equalLengths && mine != null && mine[HORIZON] != other[HORIZON]) {
            TrajectoryGroups.Key first = firstOf.get(condition);
            throw RolloutRules.trajectoryFault(dataset, FaultKind.UNEQUAL_TRAJECTORY_LENGTHS, key.iteration(),
                    key.condition(), key.sample(), "has T=" + other[HORIZON] + "; expected T=" + mine[HORIZON]
                            + " as trajectory (iteration=" + first.iteration() + ", condition=" + first.condition()
                            + ", sample=" + first.sample() + ") of the same condition");
        }
        Map.Entry<Integer, long[]> any = perCondition.firstEntry();
        if (any != null && (any.getValue()[STATE_DIM] != other[STATE_DIM] || any.getValue()[ACTION_DIM] != other[ACTION_DIM])) {
            TrajectoryGroups.Key first = firstOf.get(any.getKey());
            throw RolloutRules.trajectoryFault(dataset, FaultKind.INCONSISTENT_VECTOR_LENGTH, key.iteration(),
                    key.condition(), key.sample(), "has dX=" + other[STATE_DIM] + ", dU=" + other[ACTION_DIM]
                            + "; expected dX=" + any.getValue()[STATE_DIM] + ", dU=" + any.getValue()[ACTION_DIM]
                            + " as trajectory (iteration=" + first.iteration() + ", condition=" + first.condition()
                            + ", sample=" + first.sample() + "): x and u have one length in a dataset");
        }
    }

    private void keepNewest(TreeMap<Integer, TreeMap<TrajectoryGroups.Key, Entry>> newest, int group, Entry e) {
        TreeMap<TrajectoryGroups.Key, Entry> m = newest.computeIfAbsent(group, g -> new TreeMap<>(new NewestFirst()));
        m.put(e.key(), e);
        if (m.size() > maxSamples) {
            m.pollLastEntry();
        }
    }

    /** The initial states of a condition's newest max_samples trajectories, oldest first. */
    double[][] windowInitialStates(int condition) {
        TreeMap<TrajectoryGroups.Key, Entry> m = (shared ? newestPerCondition : newestPerGroup).get(condition);
        List<double[]> out = new ArrayList<>();
        if (m != null) {
            for (Entry e : m.descendingMap().values()) {
                out.add(e.x0());
            }
        }
        return out.toArray(double[][]::new);
    }

    /** Whether every group has at most max_samples trajectories, so that the window is everything. */
    boolean windowIsEverything() {
        Map<Integer, Long> perGroup = new TreeMap<>();
        perCondition.forEach((cond, c) -> perGroup.merge(shared ? 0 : cond, c[TRAJECTORIES], Long::sum));
        return perGroup.values().stream().allMatch(n -> n <= maxSamples);
    }
}
