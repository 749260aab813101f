package org.gps.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.linalg.Mat;
import org.gps.io.RolloutSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DynamicsFittingTest {
    static final Mat A = Mat.of(new double[][] {{0.9, 0.1, 0.0}, {-0.2, 0.95, 0.05}, {0.0, 0.3, 0.8}});
    static final Mat B = Mat.of(new double[][] {{0.0, 0.2}, {0.5, 0.0}, {1.0, -0.3}});

    /** Noise-free rollouts of x' = A x + B u with random actions, as rollout-schema rows. */
    static Dataset<Row> linearRollouts(SparkSession spark, int conditions, int samples, int horizon, double scale) {
        Random r = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < conditions; c++) {
            for (int s = 0; s < samples; s++) {
                double[] x = {scale * r.nextGaussian(), scale * r.nextGaussian(), scale * r.nextGaussian()};
                for (int t = 0; t < horizon; t++) {
                    double[] u = {scale * r.nextGaussian(), scale * r.nextGaussian()};
                    rows.add(RowFactory.create(0, c, s, t, x, u, x, null, RolloutSchema.SOURCE_LOGGED));
                    x = org.gps.core.linalg.Vec.plus(A.times(x), B.times(u));
                }
            }
        }
        return spark.createDataFrame(rows, RolloutSchema.STRUCT);
    }

    private static void assertRecovers(DynamicsFitting.Result fit, int conditions, int horizon) {
        List<DynamicsFitting.StepFit> steps = fit.steps().collect();
        assertEquals(conditions * (horizon - 1), steps.size());
        for (DynamicsFitting.StepFit s : steps) {
            // Spread 10: the 1e-6 ridges bias the gains by ~1e-8 (see JointGaussianFitTest).
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(A.get(i, j), s.model().gain().get(i, j), 1e-6, "A at " + s.condition() + "," + s.t());
                }
                for (int j = 0; j < 2; j++) {
                    assertEquals(B.get(i, j), s.model().gain().get(i, 3 + j), 1e-6, "B at " + s.condition() + "," + s.t());
                }
            }
            assertTrue(s.relativeRmse() < 1e-6, "relative prediction error " + s.relativeRmse());
        }
    }

    @Test
    void noiseFreeLinearRolloutsGiveBackAAndBAtEveryConditionAndStep() {
        SparkSession spark = SparkTestSession.get();
        DynamicsFitting.Result fit = DynamicsFitting.fit(TrajectoryGroups.trajectories(linearRollouts(spark, 2, 12, 15, 10)),
                DynamicsFitting.CurrentSet.all(), DynamicsOptions.defaults(1), Map.of(), 1);
        try {
            assertEquals(2, fit.gmms().size());
            assertRecovers(fit, 2, 15);
            for (InitialStateDistribution d : fit.initialStates().values()) {
                assertTrue(d.covariance().isFinite());
            }
        } finally {
            fit.steps().unpersist();
        }
    }

    @Test
    void oneSharedPriorServesAllConditions() {
        SparkSession spark = SparkTestSession.get();
        DynamicsOptions d = DynamicsOptions.defaults(1);
        DynamicsOptions shared = new DynamicsOptions(true, d.maxClusters(), d.minSamplesPerCluster(), 100,
                d.strength(), d.regularization(), d.initialStateVar(), d.em());
        DynamicsFitting.Result fit = DynamicsFitting.fit(TrajectoryGroups.trajectories(linearRollouts(spark, 3, 6, 10, 10)),
                DynamicsFitting.CurrentSet.all(), shared, Map.of(), 1);
        try {
            assertEquals(1, fit.gmms().size());
            assertEquals(3 * 6 * 9, fit.gmms().get(0).model().fittedPoints());
            assertRecovers(fit, 3, 10);
        } finally {
            fit.steps().unpersist();
        }
    }

    @Test
    void thePriorWindowKeepsTheLastMaxSamplesTrajectories() {
        SparkSession spark = SparkTestSession.get();
        DynamicsOptions d = DynamicsOptions.defaults(1);
        DynamicsOptions window5 = new DynamicsOptions(false, d.maxClusters(), d.minSamplesPerCluster(), 5,
                d.strength(), d.regularization(), d.initialStateVar(), d.em());
        DynamicsFitting.Result fit = DynamicsFitting.fit(TrajectoryGroups.trajectories(linearRollouts(spark, 1, 8, 10, 10)),
                DynamicsFitting.CurrentSet.all(), window5, Map.of(), 1);
        try {
            assertEquals(5, fit.windowSizes().get(0));
            assertEquals(5 * 9, fit.gmms().get(0).model().fittedPoints());
            // The per-step fits still use every trajectory of the fit set.
            assertEquals(8, fit.steps().first().samples());
        } finally {
            fit.steps().unpersist();
        }
    }
}
