package org.gps.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.cost.ActionCost;
import org.gps.core.cost.CostExpansion;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.CostSum;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.cost.StateCost;
import org.gps.io.RolloutSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
        Throwable bad = e;
        while (bad != null && !(bad instanceof BadInputException)) {
            bad = bad.getCause();
        }
        assertTrue(bad != null, "no BadInputException among the causes of " + e);
        assertTrue(bad.getMessage().contains("condition=1, sample=2") && bad.getMessage().contains("t=4"),
                bad.getMessage());
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

    @Test
    void theCostStepsPartitionCountFollowsTheConditionsNotTheCores() {
        assertEquals(2, CostEvaluation.partitions(1));
        assertEquals(2, CostEvaluation.partitions(8));
        assertEquals(3, CostEvaluation.partitions(9));
        assertEquals(250, CostEvaluation.partitions(1000));
    }
}
