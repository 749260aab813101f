package org.gps.spark;

import org.gps.core.control.LinearGaussianController;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.control.TrajOptResult;
import org.gps.core.control.TrajectoryModel;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributedTrajOptTest {
    private static final int T = 3;

    @Test
    void aConditionWhoseBackwardPassFailsForEveryEtaKeepsItsReferenceAndTheOthersStillStep() {
        Map<Integer, DistributedTrajOpt.Problem> problems = new TreeMap<>();
        // Condition 0: an action weight of -1e30 no eta below the threshold can outweigh.
        problems.put(0, problem(-1e30));
        problems.put(1, problem(1.0));
        TrajOptOptions o = TrajOptOptions.defaults();
        Map<Integer, TrajOptResult> r = DistributedTrajOpt.optimize(SparkTestSession.get(), problems, o);

        TrajOptResult failed = r.get(0);
        LinearGaussianController ref = problems.get(0).reference();
        for (int t = 0; t < T; t++) {
            // No step: the reference itself, as it came back from its task.
            assertArrayEquals(ref.gain(t).toRowArrays()[0], failed.controller().gain(t).toRowArrays()[0], 0.0);
            assertArrayEquals(ref.offset(t), failed.controller().offset(t), 0.0);
            assertArrayEquals(ref.covariance(t).toRowArrays()[0], failed.controller().covariance(t).toRowArrays()[0],
                    0.0);
        }
        assertEquals(0, failed.rounds());
        assertEquals(0.0, failed.kl(), 0.0);
        assertFalse(failed.converged());
        assertEquals(problems.get(0).eta(), failed.eta(), 0.0);
        assertEquals(o.klStep() * 1.0 * T, failed.klTarget(), 1e-15);
        assertArrayEquals(new double[T], failed.stepKl(), 0.0);

        TrajOptResult ok = r.get(1);
        assertTrue(ok.rounds() > 0 && ok.kl() > 0, "the well-posed condition takes its step: " + ok);
    }

    @Test
    void theDriverAndTheTasksGiveTheSameBitsForEveryCondition() {
        Map<Integer, DistributedTrajOpt.Problem> problems = new TreeMap<>();
        for (int c = 0; c < 5; c++) {
            problems.put(c, problem(0.5 + c));
        }
        TrajOptOptions o = TrajOptOptions.defaults();
        Map<Integer, TrajOptResult> driver = DistributedTrajOpt.solveInDriver(problems, o, 2);
        Map<Integer, TrajOptResult> tasks = DistributedTrajOpt.solveInTasks(
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext()),
                problems, o);
        assertEquals(tasks.keySet(), driver.keySet());
        for (int c : problems.keySet()) {
            TrajOptResult a = driver.get(c);
            TrajOptResult b = tasks.get(c);
            assertTrue(a.rounds() > 0, "condition " + c + " takes a step");
            assertEquals(b.eta(), a.eta(), 0.0);
            assertEquals(b.kl(), a.kl(), 0.0);
            assertEquals(b.rounds(), a.rounds());
            for (int t = 0; t < T; t++) {
                assertArrayEquals(b.controller().gain(t).toRowArrays()[0], a.controller().gain(t).toRowArrays()[0], 0.0);
                assertArrayEquals(b.controller().offset(t), a.controller().offset(t), 0.0);
            }
        }
    }

    @Test
    void smallProblemsAndLocalMastersSolveInTheDriverLargeOnesOnAClusterInTasks() {
        Map<Integer, DistributedTrajOpt.Problem> small = new TreeMap<>();
        small.put(0, problem(1.0));
        // dX = 1, dU = 1, T = 3: per step 4 + 2 + 2 + 1 + 1 + 1 + 1 + 3 = 15 doubles.
        assertEquals(45, DistributedTrajOpt.doubles(small.get(0)));
        assertTrue(DistributedTrajOpt.solvesInDriver(false, small));
        assertTrue(DistributedTrajOpt.solvesInDriver(true, small));
        Map<Integer, DistributedTrajOpt.Problem> large = new TreeMap<>();
        long conditions = DistributedTrajOpt.IN_DRIVER_MAX_DOUBLES / 45 + 1;
        for (int c = 0; c < conditions; c++) {
            large.put(c, small.get(0));
        }
        assertFalse(DistributedTrajOpt.solvesInDriver(false, large), "above the limit on a cluster: tasks");
        assertTrue(DistributedTrajOpt.solvesInDriver(true, large), "a local master's executors are the driver's threads");
    }

    private static DistributedTrajOpt.Problem problem(double actionWeight) {
        Mat[] f = new Mat[T - 1];
        double[][] c = new double[T - 1][];
        Mat[] q = new Mat[T - 1];
        for (int t = 0; t < T - 1; t++) {
            f[t] = Mat.of(new double[][]{{0.9, 0.1}});
            c[t] = new double[]{0};
            q[t] = Mat.eye(1, 0.01);
        }
        double[] cc = new double[T];
        double[][] cv = new double[T][];
        Mat[] cm = new Mat[T];
        Mat[] k = new Mat[T];
        double[][] o = new double[T][];
        Mat[] s = new Mat[T];
        for (int t = 0; t < T; t++) {
            cv[t] = new double[]{-0.5, 0.2};
            cm[t] = Mat.diag(new double[]{1.0, actionWeight});
            k[t] = Mat.of(new double[][]{{0.1}});
            o[t] = new double[]{0.0};
            s[t] = Mat.eye(1, 1.0);
        }
        TrajectoryModel model = new TrajectoryModel(LinearGaussianDynamics.of(f, c, q),
                new InitialStateDistribution(new double[]{1.0}, Mat.eye(1, 0.01)), QuadraticCostModel.of(1, cc, cv, cm));
        return new DistributedTrajOpt.Problem(model, LinearGaussianController.of(k, o, s), 1.0, 1.0);
    }
}
