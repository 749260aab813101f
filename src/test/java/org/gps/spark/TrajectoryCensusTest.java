package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.BadInputException;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.sample.Trajectory;
import org.gps.io.FaultKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The census a dynamics fit takes before EM: counts per condition and per iteration, each group's
 * newest max_samples trajectories and the dataset rules across trajectories, the same however the
 * trajectories are split over partitions and in whatever order they arrive.
 */
class TrajectoryCensusTest {
    /** Rows [x_t, u_t, x_{t+1}]: T - 1 per trajectory, input dimension dX + dU. */
    private static final DynamicsFitting.JointRows ROWS =
            DynamicsFitting.JointRows.dynamics(1e-6, DynamicsOptions.Action.COMMANDED);
    /** T of condition 0 and of condition 1. */
    private static final int[] HORIZON = {5, 7};

    /** dX = 2, dU = 1; x_0 = [100 i + 10 c + s, 0] names the trajectory. */
    private static Trajectory trajectory(TrajectoryGroups.Key k, int horizon, int dX) {
        double[][] x = new double[horizon][dX];
        double[][] u = new double[horizon][1];
        double[][] o = new double[horizon][dX];
        x[0][0] = id(k);
        for (int t = 1; t < horizon; t++) {
            x[t][0] = id(k) + t;
            u[t][0] = -t;
        }
        return new Trajectory(x, u, o);
    }

    private static double id(TrajectoryGroups.Key k) {
        return 100 * k.iteration() + 10 * k.condition() + k.sample();
    }

    private static TrajectoryGroups.Key key(int iteration, int condition, int sample) {
        return new TrajectoryGroups.Key(iteration, condition, sample);
    }

    /** Iterations 0..2, conditions 0 and 1, samples 0..2: 18 trajectories. */
    private static List<Tuple2<TrajectoryGroups.Key, Trajectory>> dataset() {
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 2; c++) {
                for (int s = 0; s < 3; s++) {
                    TrajectoryGroups.Key k = key(i, c, s);
                    out.add(new Tuple2<>(k, trajectory(k, HORIZON[c], 2)));
                }
            }
        }
        return out;
    }

    /** The census as DynamicsFitting takes it: Spark's aggregate, whose merge order is not fixed. */
    private static TrajectoryCensus census(List<Tuple2<TrajectoryGroups.Key, Trajectory>> data, int partitions,
                                           boolean shared, int maxSamples) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        return jsc.parallelizePairs(data, partitions).aggregate(new TrajectoryCensus(shared, maxSamples, "test", true),
                (c, kv) -> c.add(kv._1(), kv._2(), ROWS, kv._1().iteration() == 2), TrajectoryCensus::merge);
    }

    /** Everything the census tells its caller, in a form that compares by value. */
    private static String facts(TrajectoryCensus c) {
        StringBuilder b = new StringBuilder();
        c.perCondition.forEach((cond, n) -> b.append("condition ").append(cond).append(' ')
                .append(Arrays.toString(n)).append('\n'));
        b.append("rows per iteration ").append(c.rowsPerIteration).append('\n');
        c.newestPerGroup.forEach((g, m) -> b.append("window ").append(g).append(' ')
                .append(m.values().stream().map(e -> e.key() + " rows=" + e.rows()).toList()).append('\n'));
        for (int cond : c.perCondition.keySet()) {
            b.append("initial states ").append(cond).append(' ')
                    .append(Arrays.deepToString(c.windowInitialStates(cond))).append('\n');
        }
        return b.append("window is everything ").append(c.windowIsEverything()).toString();
    }

    @Test
    void countsTrajectoriesRowsAndCurrentOnesPerConditionAndRowsPerIteration() {
        TrajectoryCensus c = census(dataset(), 3, false, 100);

        // {trajectories, rows (T - 1 each), current (iteration 2), dX, dU, dX + dU, T, the current ones' rows}
        assertEquals(List.of(0, 1), new ArrayList<>(c.perCondition.keySet()));
        assertEquals(Arrays.toString(new long[] {9, 9 * 4, 3, 2, 1, 3, 5, 3 * 4}), Arrays.toString(c.perCondition.get(0)));
        assertEquals(Arrays.toString(new long[] {9, 9 * 6, 3, 2, 1, 3, 7, 3 * 6}), Arrays.toString(c.perCondition.get(1)));
        // Each iteration: 3 trajectories of T = 5 and 3 of T = 7, counted by T, not by fitted rows.
        assertEquals(Map.of(0, 36L, 1, 36L, 2, 36L), c.rowsPerIteration);
        assertTrue(c.windowIsEverything());
    }

    @Test
    void eachConditionsWindowIsItsNewestMaxSamplesTrajectoriesWithInitialStatesOldestFirst() {
        TrajectoryCensus c = census(dataset(), 4, false, 4);

        assertEquals(List.of(key(2, 0, 2), key(2, 0, 1), key(2, 0, 0), key(1, 0, 2)),
                new ArrayList<>(c.newestPerGroup.get(0).keySet()));
        assertEquals(List.of(key(2, 1, 2), key(2, 1, 1), key(2, 1, 0), key(1, 1, 2)),
                new ArrayList<>(c.newestPerGroup.get(1).keySet()));
        assertEquals(List.of(6), c.newestPerGroup.get(1).values().stream().map(TrajectoryCensus.Entry::rows)
                .distinct().toList());
        assertEquals("[[102.0, 0.0], [200.0, 0.0], [201.0, 0.0], [202.0, 0.0]]",
                Arrays.deepToString(c.windowInitialStates(0)));
        assertFalse(c.windowIsEverything(), "9 trajectories per condition, 4 in the window");
    }

    /** One GMM for all conditions: one window across them, but the initial states stay per condition. */
    @Test
    void aSharedPriorHasOneWindowAcrossConditionsAndInitialStatesPerCondition() {
        TrajectoryCensus c = census(dataset(), 2, true, 4);

        assertEquals(List.of(0), new ArrayList<>(c.newestPerGroup.keySet()));
        assertEquals(List.of(key(2, 1, 2), key(2, 1, 1), key(2, 1, 0), key(2, 0, 2)),
                new ArrayList<>(c.newestPerGroup.get(0).keySet()));
        assertEquals("[[112.0, 0.0], [210.0, 0.0], [211.0, 0.0], [212.0, 0.0]]",
                Arrays.deepToString(c.windowInitialStates(1)));
        assertEquals("[[102.0, 0.0], [200.0, 0.0], [201.0, 0.0], [202.0, 0.0]]",
                Arrays.deepToString(c.windowInitialStates(0)));
        // 9 per condition fit a window of 9, but the shared group holds 18.
        assertFalse(census(dataset(), 2, true, 9).windowIsEverything());
        assertTrue(census(dataset(), 2, true, 18).windowIsEverything());
    }

    /** The reference is one partition in the dataset's order; the others split and shuffle it. */
    @ParameterizedTest
    @ValueSource(ints = {2, 5, 18})
    void theCensusIsTheSameForAnyPartitioningAndOrderOfTheTrajectories(int partitions) {
        String reference = facts(census(dataset(), 1, false, 4));
        String sharedReference = facts(census(dataset(), 1, true, 4));
        for (long seed = 1; seed <= 3; seed++) {
            List<Tuple2<TrajectoryGroups.Key, Trajectory>> shuffled = new ArrayList<>(dataset());
            Collections.shuffle(shuffled, new Random(seed));
            assertEquals(reference, facts(census(shuffled, partitions, false, 4)), "seed " + seed);
            assertEquals(sharedReference, facts(census(shuffled, partitions, true, 4)), "seed " + seed);
        }
    }

    @Test
    void aTrajectoryWhoseTDiffersFromItsConditionsIsRefusedNamingBoth() {
        TrajectoryCensus c = new TrajectoryCensus(false, 4, "rollouts", true);
        c.add(key(0, 1, 0), trajectory(key(0, 1, 0), 7, 2), ROWS, true);
        BadInputException e = assertThrows(BadInputException.class,
                () -> c.add(key(0, 1, 1), trajectory(key(0, 1, 1), 6, 2), ROWS, true));
        assertEquals("rollouts: trajectory (iteration=0, condition=1, sample=1) has T=6; expected T=7 as trajectory "
                + "(iteration=0, condition=1, sample=0) of the same condition (" + FaultKind.UNEQUAL_TRAJECTORY_LENGTHS
                + ")", e.getMessage());

        // The same disagreement met when two partitions' censuses merge.
        TrajectoryCensus a = new TrajectoryCensus(false, 4, "rollouts", true)
                .add(key(0, 1, 0), trajectory(key(0, 1, 0), 7, 2), ROWS, true);
        TrajectoryCensus b = new TrajectoryCensus(false, 4, "rollouts", true)
                .add(key(0, 1, 1), trajectory(key(0, 1, 1), 6, 2), ROWS, true);
        assertTrue(assertThrows(BadInputException.class, () -> a.merge(b)).getMessage()
                .contains(FaultKind.UNEQUAL_TRAJECTORY_LENGTHS.toString()));

        // Without the rule, other lengths are counted.
        TrajectoryCensus free = new TrajectoryCensus(false, 4, "rollouts", false);
        free.add(key(0, 1, 0), trajectory(key(0, 1, 0), 7, 2), ROWS, true);
        free.add(key(0, 1, 1), trajectory(key(0, 1, 1), 6, 2), ROWS, true);
        assertEquals(6 + 5, free.perCondition.get(1)[TrajectoryCensus.ROWS]);
    }

    @Test
    void aStateOfAnotherLengthIsRefusedInAnyCondition() {
        TrajectoryCensus c = new TrajectoryCensus(false, 4, "rollouts", true);
        c.add(key(0, 0, 0), trajectory(key(0, 0, 0), 5, 2), ROWS, true);
        BadInputException e = assertThrows(BadInputException.class,
                () -> c.add(key(0, 1, 0), trajectory(key(0, 1, 0), 7, 3), ROWS, true));
        assertTrue(e.getMessage().startsWith("rollouts: trajectory (iteration=0, condition=1, sample=0) has dX=3, dU=1;"
                + " expected dX=2, dU=1"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(" + FaultKind.INCONSISTENT_VECTOR_LENGTH + ")"), e.getMessage());
    }

    @Test
    void aTrajectoryTooShortToGiveARowIsRefused() {
        TrajectoryCensus c = new TrajectoryCensus(false, 4, "rollouts", true);
        BadInputException e = assertThrows(BadInputException.class,
                () -> c.add(key(3, 0, 4), trajectory(key(3, 0, 4), 1, 2), ROWS, true));
        assertEquals("rollouts: trajectory (iteration=3, condition=0, sample=4) has T=1; expected at least 2 time "
                + "steps to fit", e.getMessage());
        assertTrue(c.perCondition.isEmpty(), "a refused trajectory is not counted");
    }

    @Test
    void fittingOnTheAppliedActionRefusesATrajectoryThatDoesNotRecordIt() {
        DynamicsFitting.JointRows applied = DynamicsFitting.JointRows.dynamics(1e-6, DynamicsOptions.Action.APPLIED);
        TrajectoryCensus c = new TrajectoryCensus(false, 4, "rollouts", true);
        BadInputException e = assertThrows(BadInputException.class,
                () -> c.add(key(0, 0, 0), trajectory(key(0, 0, 0), 5, 2), applied, true));
        assertTrue(e.getMessage().startsWith("rollouts: trajectory (iteration=0, condition=0, sample=0) does not "
                + "record u_applied"), e.getMessage());

        Trajectory t = trajectory(key(0, 0, 0), 5, 2);
        c.add(key(0, 0, 0), new Trajectory(t.x(), t.u(), t.o(), t.u()), applied, true);
        assertEquals(4, c.perCondition.get(0)[TrajectoryCensus.ROWS]);
    }

    /** The facts compared above do change with the data: the order test could see a difference. */
    @Test
    void theComparedFactsTellDatasetsApart() {
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> fewer = new ArrayList<>(dataset());
        fewer.remove(fewer.size() - 1);
        assertFalse(facts(census(dataset(), 1, false, 4)).equals(facts(census(fewer, 1, false, 4))),
                "one trajectory less changes the counts and the window");
    }
}
