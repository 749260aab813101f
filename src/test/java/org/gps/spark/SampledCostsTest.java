package org.gps.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.core.env.EnvironmentSpec;
import org.gps.core.env.LinearSystem;
import org.gps.core.sample.RolloutPolicy;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutRules;
import org.gps.io.RolloutSchema;
import org.gps.io.RolloutWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cost step made by the sampling tasks gives what the cost step makes of the rows they wrote,
 * to the bit, and gives nothing rather than something else when a sample is missing.
 */
class SampledCostsTest {
    private static final int ITERATION = 3;
    private static final int HORIZON = 10;

    @TempDir
    Path dir;

    /** u = 0.3 x[:2] + eps: actions that depend on the state, so the Hessian's cross terms are exercised. */
    private record Feedback() implements RolloutPolicy, Serializable {
        @Override
        public double[] act(int t, double[] x, double[] o, double[] eps) {
            return new double[] {0.3 * x[0] + eps[0], 0.3 * x[1] + eps[1]};
        }
    }

    private static RolloutSampling.Request request(int conditions, int samples) {
        List<double[]> starts = new ArrayList<>();
        Map<Integer, RolloutPolicy> policies = new TreeMap<>();
        for (int c = 0; c < conditions; c++) {
            starts.add(new double[] {Math.cos(c), Math.sin(c), 0.1 * c});
            policies.put(c, new Feedback());
        }
        return new RolloutSampling.Request(new EnvironmentSpec(LinearSystem.TYPE, Map.of("state_dim", 3,
                "action_dim", 2)), starts, policies, samples, HORIZON, 17, ITERATION, RolloutSchema.SOURCE_CONTROLLER);
    }

    /** Samples and writes the rollouts to {@code path}; returns the sums the sampling tasks made of them. */
    private static CostEvaluation.Result sampled(int conditions, int samples, List<CostFunction> costs, String path) {
        SparkSession spark = SparkTestSession.get();
        long rows = (long) conditions * samples * HORIZON;
        SampledCosts sampled = SampledCosts.forRollouts(spark.sparkContext(), costs, rows, 3, 2);
        assertNotNull(sampled, rows + " rows are few enough");
        long written = RolloutWriter.write(RolloutSampling.sample(spark, request(conditions, samples), sampled), path)
                .rows();
        assertEquals(rows, written);
        return sampled.result(ITERATION, conditions, samples, written);
    }

    /**
     * Two conditions make the cost step's fewest partitions (2), nine make three and seventy make
     * eighteen, merged in two levels. Each condition's samples summed in key order in one
     * accumulator differ from the cost step's bits somewhere, so a sample added in another
     * partition or order would show.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 9, 70})
    void theSampledSumsAreTheCostStepsBitsOfTheWrittenRows(int conditions) {
        List<CostFunction> costs = CostEvaluationTest.costs(conditions);
        String path = dir.resolve("rollouts").toString();
        CostEvaluation.Result sampled = sampled(conditions, 4, costs, path);
        assertNotNull(sampled);
        Dataset<Row> read = RolloutReader.readComplete(SparkTestSession.get(), path);
        CostEvaluation.Result fromRows = CostEvaluation.distributed(read, costs, new RolloutRules.RowCheck("rollouts"));
        CostEvaluationTest.assertSameBits(fromRows, sampled);
        assertTrue(IntStream.range(0, conditions).anyMatch(c -> !CostEvaluationTest.sameBits(fromRows.models().get(c),
                        CostEvaluationTest.keyOrderSum(read, c, costs.get(c)))),
                "the data cannot tell one order of the sums from another");
    }

    @Test
    void aSampleWithoutACostLeavesTheCostStepToTheRows() {
        assertNull(sampled(3, 2, CostEvaluationTest.costs(2), dir.resolve("rollouts").toString()),
                "condition 2 has no cost: the sums are incomplete");
    }

    @Test
    void aCostOfOtherDimensionsLeavesTheCostStepToTheRows() {
        List<CostFunction> costs = List.of(new org.gps.core.cost.ActionCost(new double[] {0.1, 0.2, 0.3}));
        assertNull(sampled(1, 2, costs, dir.resolve("rollouts").toString()),
                "a cost of three actions cannot expand two");
    }

    /** u = 1e200 at t = 3 of sample 1: beyond the rollout rules' bounds, so for the cost step's check. */
    private record Huge() implements RolloutPolicy, Serializable {
        @Override
        public double[] act(int t, double[] x, double[] o, double[] eps) {
            return new double[] {t == 3 ? 1e200 : eps[0], eps[1]};
        }
    }

    @Test
    void aValueBeyondTheRowChecksBoundsLeavesTheCostStepToTheRows() {
        SparkSession spark = SparkTestSession.get();
        List<CostFunction> costs = CostEvaluationTest.costs(1);
        SampledCosts sampled = SampledCosts.forRollouts(spark.sparkContext(), costs, 2L * HORIZON, 3, 2);
        RolloutSampling.Request req = request(1, 2);
        RolloutSampling.Request huge = new RolloutSampling.Request(req.environment(), req.initialStates(),
                Map.of(0, new Huge()), req.samples(), req.horizon(), req.seed(), req.iteration(), req.source());
        RolloutSampling.sample(spark, huge, sampled).count();
        assertNull(sampled.result(ITERATION, 1, 2, 2L * HORIZON));
    }

    @Test
    void sumsOfOtherSamplesOrRowsThanAskedForGiveNoResult() {
        List<CostFunction> costs = CostEvaluationTest.costs(2);
        SparkSession spark = SparkTestSession.get();
        SampledCosts sampled = SampledCosts.forRollouts(spark.sparkContext(), costs, 2L * 2 * HORIZON, 3, 2);
        RolloutSampling.sample(spark, request(2, 2), sampled).count();
        assertNotNull(sampled.result(ITERATION, 2, 2, 2L * 2 * HORIZON));
        assertNull(sampled.result(ITERATION + 1, 2, 2, 2L * 2 * HORIZON), "another iteration");
        assertNull(sampled.result(ITERATION, 2, 3, 2L * 3 * HORIZON), "more samples than were drawn");
        assertNull(sampled.result(ITERATION, 1, 2, 1L * 2 * HORIZON), "fewer conditions than were drawn");
        assertNull(sampled.result(ITERATION, 2, 2, 2L * 2 * HORIZON + 1), "other rows than were written");
    }

    @Test
    void aSampleHandedInTwiceIsCountedOnce() {
        QuadraticCostAccumulator one = new QuadraticCostAccumulator(1, 1, 1);
        var s = new SampledCosts.SampleSums(0, 0, 0, one, 1.0);
        var other = new SampledCosts.SampleSums(0, 0, 1, one, 2.0);
        SampledCosts.SampleSumsAccumulator a = new SampledCosts.SampleSumsAccumulator();
        a.add(s);
        SampledCosts.SampleSumsAccumulator b = new SampledCosts.SampleSumsAccumulator();
        b.add(s);
        b.add(other);
        a.merge(b);
        a.merge(b.copy());
        assertEquals(2, a.value().size());
    }

    @Test
    void onlyRolloutsTheCostStepWouldExpandInOneTaskAreSummedWhileSampled() {
        var sc = SparkTestSession.get().sparkContext();
        List<CostFunction> costs = CostEvaluationTest.costs(1);
        assertNotNull(SampledCosts.forRollouts(sc, costs, CostEvaluation.IN_TASK_MAX_ROWS, 3, 2));
        assertNull(SampledCosts.forRollouts(sc, costs, CostEvaluation.IN_TASK_MAX_ROWS + 1, 3, 2));
        // 26 + 7 = 33: 1 + 33 + 1089 doubles per row, so 933 rows fit in the bound and 934 do not.
        long fit = SampledCosts.MAX_DOUBLES / (1 + 33 + 33 * 33);
        assertNotNull(SampledCosts.forRollouts(sc, costs, fit, 26, 7));
        assertNull(SampledCosts.forRollouts(sc, costs, fit + 1, 26, 7));
    }
}
