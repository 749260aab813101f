package org.gps.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.core.BadInputException;
import org.gps.core.cost.ActionCost;
import org.gps.core.cost.CostExpansion;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.CostSum;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.cost.StateCost;
import org.gps.io.FaultKind;
import org.gps.io.RolloutRules;
import org.gps.io.RolloutSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostEvaluationTest {
    private static final int CONDITIONS = 2;
    private static final int SAMPLES = 3;
    private static final int HORIZON = 6;
    private static final int DX = 3;
    private static final int DU = 2;

    private final double[][][][] xs = new double[CONDITIONS][SAMPLES][HORIZON][DX];
    private final double[][][][] us = new double[CONDITIONS][SAMPLES][HORIZON][DU];

    private List<CostFunction> costs() {
        List<CostFunction> costs = new ArrayList<>();
        for (int c = 0; c < CONDITIONS; c++) {
            // l1 != 0 makes lxx dense, so the re-centring exercises every entry of the Hessian.
            costs.add(CostSum.of(new StateCost(new double[] {c, 0.5, -1}, new double[] {1, 2, 0.5},
                    org.gps.core.cost.RampOption.LINEAR, 3.0, 0.7, 1.0, 1e-2), new ActionCost(new double[] {0.1, 0.3})));
        }
        return costs;
    }

    /** Rows in shuffled order over many partitions, so the evaluation has to regroup them. */
    private Dataset<Row> rollouts(SparkSession spark, boolean dropOneStep) {
        Random rng = new Random(3);
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < CONDITIONS; c++) {
            for (int n = 0; n < SAMPLES; n++) {
                for (int t = 0; t < HORIZON; t++) {
                    for (int i = 0; i < DX; i++) {
                        xs[c][n][t][i] = rng.nextGaussian();
                    }
                    for (int i = 0; i < DU; i++) {
                        us[c][n][t][i] = rng.nextGaussian();
                    }
                    if (dropOneStep && c == 1 && n == 2 && t == 3) {
                        continue;
                    }
                    rows.add(RowFactory.create(0, c, n, t, xs[c][n][t], us[c][n][t], xs[c][n][t], null,
                            RolloutSchema.SOURCE_CONTROLLER, null));
                }
            }
        }
        Collections.shuffle(rows, rng);
        return spark.createDataFrame(rows, RolloutSchema.STRUCT).repartition(5);
    }

    @Test
    void modelsAndSampleCostsMatchTheDirectAverageOfEachSample() {
        SparkSession spark = SparkTestSession.get();
        List<CostFunction> costs = costs();
        CostEvaluation.Result result = CostEvaluation.evaluate(rollouts(spark, false), costs);

        assertEquals(CONDITIONS, result.models().size());
        for (int c = 0; c < CONDITIONS; c++) {
            List<CostExpansion> expansions = new ArrayList<>();
            double[] totals = new double[SAMPLES];
            for (int n = 0; n < SAMPLES; n++) {
                CostExpansion e = costs.get(c).evaluate(xs[c][n], us[c][n]);
                expansions.add(e);
                totals[n] = e.totalCost();
            }
            QuadraticCostModel expected = QuadraticCostModel.average(expansions);
            QuadraticCostModel actual = result.models().get(c);
            // Same sums in a possibly different order: equal up to a few roundings of O(1) numbers.
            double tol = 1e-12;
            for (int t = 0; t < HORIZON; t++) {
                assertEquals(expected.constant(t), actual.constant(t), tol, "cc at t=" + t);
                assertArrayEquals(expected.linear(t), actual.linear(t), tol, "cv at t=" + t);
                assertTrue(expected.quadratic(t).maxAbsDiff(actual.quadratic(t)) < tol, "Cm at t=" + t);
            }
            assertArrayEquals(totals, result.sampleCosts().get(c), tol, "sample costs in sample order");
        }
    }

    @Test
    void aMissingTimeStepIsNamed() {
        // Thrown in a task, it reaches the driver wrapped by Spark; the CLI looks through the causes.
        Exception e = assertThrows(Exception.class,
                () -> CostEvaluation.evaluate(rollouts(SparkTestSession.get(), true), costs()));
        assertNamesTheMissingStep(e);
    }

    @Test
    void theModelsAreTheSameBitsWhateverTheInputPartitioning() {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> rows = rollouts(spark, false);
        CostEvaluation.Result reference = CostEvaluation.evaluate(rows.coalesce(1), costs());
        for (int partitions : new int[] {2, 5}) {
            CostEvaluation.Result r = CostEvaluation.evaluate(rows.repartition(partitions), costs());
            for (int c = 0; c < CONDITIONS; c++) {
                QuadraticCostModel a = reference.models().get(c);
                QuadraticCostModel b = r.models().get(c);
                for (int t = 0; t < HORIZON; t++) {
                    assertEquals(Double.doubleToRawLongBits(a.constant(t)), Double.doubleToRawLongBits(b.constant(t)));
                    assertArrayEquals(a.linear(t), b.linear(t), 0.0);
                    assertEquals(0.0, a.quadratic(t).maxAbsDiff(b.quadratic(t)), partitions + " partitions, t=" + t);
                }
                assertArrayEquals(reference.sampleCosts().get(c), r.sampleCosts().get(c), 0.0);
            }
        }
    }

    /**
     * A table of its own, in shuffled order over five partitions: {@code samples} rollouts of
     * {@code horizon} steps per condition, of an iteration other than 0 (the iteration is hashed too).
     */
    private static Dataset<Row> generated(SparkSession spark, int conditions, int samples, int horizon) {
        Random rng = new Random(11);
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < conditions; c++) {
            for (int n = 0; n < samples; n++) {
                for (int t = 0; t < horizon; t++) {
                    double[] x = new double[DX];
                    double[] u = new double[DU];
                    for (int i = 0; i < DX; i++) {
                        x[i] = rng.nextGaussian();
                    }
                    for (int i = 0; i < DU; i++) {
                        u[i] = rng.nextGaussian();
                    }
                    rows.add(RowFactory.create(3, c, n, t, x, u, x, null, RolloutSchema.SOURCE_CONTROLLER, null));
                }
            }
        }
        Collections.shuffle(rows, rng);
        return spark.createDataFrame(rows, RolloutSchema.STRUCT).repartition(5);
    }

    static List<CostFunction> costs(int conditions) {
        List<CostFunction> costs = new ArrayList<>();
        for (int c = 0; c < conditions; c++) {
            costs.add(CostSum.of(new StateCost(new double[] {c % 3, 0.5, -1}, new double[] {1, 2, 0.5},
                            org.gps.core.cost.RampOption.LINEAR, 3.0, 0.7, 1.0, 1e-2),
                    new ActionCost(new double[] {0.1, 0.3})));
        }
        return costs;
    }

    static void assertSameBits(CostEvaluation.Result expected, CostEvaluation.Result actual) {
        assertEquals(expected.rows(), actual.rows());
        assertEquals(expected.models().keySet(), actual.models().keySet());
        assertEquals(expected.sampleCosts().keySet(), actual.sampleCosts().keySet());
        for (int c : expected.models().keySet()) {
            QuadraticCostModel a = expected.models().get(c);
            QuadraticCostModel b = actual.models().get(c);
            assertEquals(a.horizon(), b.horizon());
            for (int t = 0; t < a.horizon(); t++) {
                String at = "condition " + c + ", t=" + t;
                assertEquals(Double.doubleToRawLongBits(a.constant(t)), Double.doubleToRawLongBits(b.constant(t)), at);
                assertArrayEquals(rawBits(a.linear(t)), rawBits(b.linear(t)), at);
                assertArrayEquals(rawBits(a.quadratic(t).toRowMajor()), rawBits(b.quadratic(t).toRowMajor()), at);
            }
            assertArrayEquals(rawBits(expected.sampleCosts().get(c)), rawBits(actual.sampleCosts().get(c)),
                    "sample costs of condition " + c);
        }
    }

    private static long[] rawBits(double[] v) {
        long[] bits = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = Double.doubleToRawLongBits(v[i]);
        }
        return bits;
    }

    /**
     * Two conditions make the fewest partitions (2), nine make three and seventy make eighteen,
     * which the aggregate merges in two levels. Each condition's samples are summed in key order
     * as a check that the data can tell the paths apart: that sum differs from the distributed
     * path's somewhere, so a trajectory summed in another partition would show.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 9, 70})
    void theOneTaskPathMakesTheDistributedPathsBits(int conditions) {
        Dataset<Row> rows = generated(SparkTestSession.get(), conditions, 7, 5);
        List<CostFunction> costs = costs(conditions);
        RolloutRules.RowCheck check = new RolloutRules.RowCheck("rollouts");

        CostEvaluation.Result spread = CostEvaluation.distributed(rows, costs, check);
        CostEvaluation.Result oneTask = CostEvaluation.inOneTask(rows, costs, check, CostEvaluation.IN_TASK_MAX_ROWS);

        assertEquals(conditions * 7L * 5, spread.rows());
        assertSameBits(spread, oneTask);
        assertSameBits(spread, CostEvaluation.evaluate(rows, conditions * 7L * 5, costs, check));
        assertTrue(IntStream.range(0, conditions).anyMatch(c -> !sameBits(spread.models().get(c),
                        keyOrderSum(rows, c, costs.get(c)))),
                "every condition's sum in key order has the distributed path's bits: "
                        + "the data cannot tell the paths apart");
    }

    /** Condition c's samples added one after another in sample order, in one accumulator. */
    static QuadraticCostModel keyOrderSum(Dataset<Row> rows, int c, CostFunction cost) {
        List<Row> own = rows.filter(functions.col(RolloutSchema.CONDITION).equalTo(c))
                .orderBy(RolloutSchema.SAMPLE, RolloutSchema.T).collectAsList();
        QuadraticCostAccumulator acc = null;
        int from = 0;
        while (from < own.size()) {
            int to = from;
            while (to < own.size() && own.get(to).getInt(2) == own.get(from).getInt(2)) {
                to++;
            }
            double[][] x = new double[to - from][];
            double[][] u = new double[to - from][];
            for (int i = from; i < to; i++) {
                x[i - from] = toDoubles(own.get(i).getList(4));
                u[i - from] = toDoubles(own.get(i).getList(5));
            }
            CostExpansion e = cost.evaluate(x, u);
            if (acc == null) {
                acc = new QuadraticCostAccumulator(e.horizon(), e.stateDim(), e.actionDim());
            }
            acc.add(e);
            from = to;
        }
        return acc.result();
    }

    private static double[] toDoubles(List<Object> l) {
        return l.stream().mapToDouble(v -> (Double) v).toArray();
    }

    static boolean sameBits(QuadraticCostModel a, QuadraticCostModel b) {
        for (int t = 0; t < a.horizon(); t++) {
            if (Double.doubleToRawLongBits(a.constant(t)) != Double.doubleToRawLongBits(b.constant(t))
                    || !Arrays.equals(rawBits(a.linear(t)), rawBits(b.linear(t)))
                    || !Arrays.equals(rawBits(a.quadratic(t).toRowMajor()), rawBits(b.quadratic(t).toRowMajor()))) {
                return false;
            }
        }
        return true;
    }

    /** Spark's own repartition by the three key columns, asked where it sends each key. */
    @Test
    void aTrajectoryGoesToThePartitionSparksRepartitionSendsItTo() {
        SparkSession spark = SparkTestSession.get();
        List<Row> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 40; c++) {
                for (int n = 0; n < 10; n++) {
                    keys.add(RowFactory.create(i == 2 ? 1_000_000 : i, c, n));
                }
            }
        }
        StructType schema = new StructType()
                .add(RolloutSchema.ITERATION, DataTypes.IntegerType, false)
                .add(RolloutSchema.CONDITION, DataTypes.IntegerType, false)
                .add(RolloutSchema.SAMPLE, DataTypes.IntegerType, false);
        for (int partitions : new int[] {2, 3, 18}) {
            List<Row> placed = spark.createDataFrame(keys, schema)
                    .repartition(partitions, functions.col(RolloutSchema.ITERATION),
                            functions.col(RolloutSchema.CONDITION), functions.col(RolloutSchema.SAMPLE))
                    .withColumn("partition", functions.spark_partition_id())
                    .collectAsList();
            assertEquals(keys.size(), placed.size());
            for (Row r : placed) {
                assertEquals(r.getInt(3), CostEvaluation.shufflePartition(r.getInt(0), r.getInt(1), r.getInt(2),
                        partitions), r + " of " + partitions + " partitions");
            }
        }
    }

    @Test
    void rolloutsOfKnownSmallSizeAreExpandedInOneTaskOthersOnTheExecutors() {
        assertFalse(CostEvaluation.expandsInOneTask(CostEvaluation.UNKNOWN_ROWS));
        assertTrue(CostEvaluation.expandsInOneTask(0));
        assertTrue(CostEvaluation.expandsInOneTask(CostEvaluation.IN_TASK_MAX_ROWS));
        assertFalse(CostEvaluation.expandsInOneTask(CostEvaluation.IN_TASK_MAX_ROWS + 1));

        SparkSession spark = SparkTestSession.get();
        Dataset<Row> rows = rollouts(spark, false).cache();
        long count = rows.count();
        RolloutRules.RowCheck check = new RolloutRules.RowCheck("rollouts");
        assertEquals(List.of(1), tasksPerJob(spark, () -> CostEvaluation.evaluate(rows, count, costs(), check)));
        for (long unknownOrLarge : new long[] {CostEvaluation.UNKNOWN_ROWS, CostEvaluation.IN_TASK_MAX_ROWS + 1}) {
            List<Integer> tasks = tasksPerJob(spark,
                    () -> CostEvaluation.evaluate(rows, unknownOrLarge, costs(), check));
            assertTrue(tasks.size() >= 2 && tasks.stream().anyMatch(n -> n >= CostEvaluation.MIN_PARTITIONS),
                    unknownOrLarge + " rows: " + tasks + " tasks per job");
        }
        rows.unpersist();
    }

    /** The tasks of each Spark job that {@code action} runs, in job order (stages skipped as cached left out). */
    private static List<Integer> tasksPerJob(SparkSession spark, Runnable action) {
        String group = "cost-evaluation-test-" + System.nanoTime();
        spark.sparkContext().setJobGroup(group, "", false);
        try {
            action.run();
        } finally {
            spark.sparkContext().clearJobGroup();
        }
        // The tracker counts completed tasks from listener events, delivered asynchronously: wait
        // until those of the jobs just run are in (without it a count can still read 0).
        try {
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Spark's listener events were not delivered", e);
        }
        var tracker = spark.sparkContext().statusTracker();
        List<Integer> tasks = new ArrayList<>();
        for (int job : Arrays.stream(tracker.getJobIdsForGroup(group)).sorted().toArray()) {
            int n = 0;
            for (int stage : tracker.getJobInfo(job).get().stageIds()) {
                var info = tracker.getStageInfo(stage);
                if (info.isDefined()) {
                    n += info.get().numCompletedTasks();
                }
            }
            tasks.add(n);
        }
        return tasks;
    }

    @Test
    void theOneTaskPathStopsPastItsRowsAndLeavesThemToTheExecutors() {
        Dataset<Row> rows = rollouts(SparkTestSession.get(), false);
        RolloutRules.RowCheck check = new RolloutRules.RowCheck("rollouts");
        long count = (long) CONDITIONS * SAMPLES * HORIZON;
        assertNull(CostEvaluation.inOneTask(rows, costs(), check, count - 1));
        assertSameBits(CostEvaluation.distributed(rows, costs(), check),
                CostEvaluation.inOneTask(rows, costs(), check, count));
    }

    @Test
    void theOneTaskPathNamesAMissingTimeStep() {
        Exception e = assertThrows(Exception.class, () -> CostEvaluation.inOneTask(
                rollouts(SparkTestSession.get(), true), costs(), new RolloutRules.RowCheck("rollouts"),
                CostEvaluation.IN_TASK_MAX_ROWS));
        assertNamesTheMissingStep(e);
    }

    /** The BadInputException among {@code e}'s causes names the trajectory and the step that is missing. */
    private static void assertNamesTheMissingStep(Exception e) {
        Throwable bad = e;
        while (bad != null && !(bad instanceof BadInputException)) {
            bad = bad.getCause();
        }
        assertTrue(bad != null, "no BadInputException among the causes of " + e);
        assertTrue(bad.getMessage().contains("condition=1, sample=2") && bad.getMessage().contains("t=4"),
                bad.getMessage());
    }

    @Test
    void rolloutsWithoutRowsAreRefusedOnBothPaths() {
        Dataset<Row> none = rollouts(SparkTestSession.get(), false).limit(0);
        RolloutRules.RowCheck check = new RolloutRules.RowCheck("rollouts");
        for (Executable path : List.<Executable>of(() -> CostEvaluation.distributed(none, costs(), check),
                () -> CostEvaluation.inOneTask(none, costs(), check, CostEvaluation.IN_TASK_MAX_ROWS))) {
            BadInputException e = assertThrows(BadInputException.class, path);
            assertTrue(e.getMessage().contains(FaultKind.EMPTY_DATASET.toString()), e.getMessage());
        }
    }

    @Test
    void theCostStepsPartitionCountFollowsTheConditionsNotTheCores() {
        assertEquals(2, CostEvaluation.partitions(1));
        assertEquals(2, CostEvaluation.partitions(8));
        assertEquals(3, CostEvaluation.partitions(9));
        assertEquals(250, CostEvaluation.partitions(1000));
    }
}
