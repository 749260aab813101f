package org.gps.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.BadInputException;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.PolicyOptions.Training;
import org.gps.core.policy.PolicyTarget;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTrainingTest {
    private static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    }

    /**
     * Training over a targets RDD as the S-step decides it: the cap and the size rule of
     * {@link PolicyTraining#runsLocally}, then the driver's L-BFGS over the gathered partitions or
     * MLlib's on the executors.
     */
    static PolicyTraining.Result train(JavaRDD<PolicyTarget> targets, Mlp initial, PolicyTraining.Options options) {
        if (options.training() == Training.DISTRIBUTED) {
            return PolicyTraining.distributed(targets, initial, options);
        }
        long count = targets.count();
        int perTarget = (int) Training.doublesPerTarget(initial.inputDim(), initial.outputDim());
        return PolicyTraining.runsLocally(count, initial, options)
                ? PolicyTraining.local(gather(targets, perTarget), count, initial, options)
                : PolicyTraining.distributed(targets, initial, options);
    }

    /** Each partition's packed targets in one array, in partition order. */
    private static List<double[]> gather(JavaRDD<PolicyTarget> targets, int perTarget) {
        return targets.mapPartitions(it -> {
            List<double[]> rows = new ArrayList<>();
            it.forEachRemaining(t -> rows.add(t.packed()));
            double[] flat = new double[rows.size() * perTarget];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, flat, i * perTarget, perTarget);
            }
            return List.of(flat).iterator();
        }).collect();
    }

    @Test
    void theMlpFitsAKnownLinearMap() {
        Random r = new Random(1);
        List<PolicyTarget> targets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double[] o = {2 * r.nextDouble() - 1, 2 * r.nextDouble() - 1};
            targets.add(new PolicyTarget(o, linear(o), new double[] {1, 0, 0, 1}, 1.0));
        }
        PolicyTraining.Result res = train(jsc().parallelize(targets, 3),
                Mlp.initial(new int[] {2, 16, 2}, 7), PolicyTraining.Options.defaults());
        double[] h = res.lossHistory();
        double worst = 0;
        for (int i = 0; i < 100; i++) {
            double[] o = {2 * r.nextDouble() - 1, 2 * r.nextDouble() - 1};
            double[] f = res.policy().apply(o);
            double[] y = linear(o);
            worst = Math.max(worst, Math.max(Math.abs(f[0] - y[0]), Math.abs(f[1] - y[1])));
        }
        // A 16-unit ReLU layer is piecewise linear, so it can match a linear map on [-1, 1]^2 up to
        // the fit's residual: a loss 1e-3 of the initial one leaves errors of a few hundredths at
        // fresh points, while an untrained or broken fit is off by order 1 (the map's scale).
        assertTrue(h[h.length - 1] < 1e-3 * h[0], "loss " + h[0] + " -> " + h[h.length - 1]);
        assertTrue(worst < 0.1, "largest error at fresh inputs " + worst);
    }

    @Test
    void precisionWeightingFavoursTheHeavilyWeightedActionDimension() {
        // Two conflicting targets at every observation: mean (1, 1) with precision diag(100, 1)
        // and mean (0, 0) with diag(1, 100). The loss's minimiser is, per action dimension, the
        // precision-weighted mean of the targets: 100/101 for the first, 1/101 for the second.
        Random r = new Random(2);
        List<PolicyTarget> targets = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double[] o = {r.nextGaussian(), r.nextGaussian()};
            targets.add(new PolicyTarget(o, new double[] {1, 1}, new double[] {100, 0, 0, 1}, 1.0));
            targets.add(new PolicyTarget(o, new double[] {0, 0}, new double[] {1, 0, 0, 100}, 1.0));
        }
        Mlp net = train(jsc().parallelize(targets, 2), Mlp.initial(new int[] {2, 2}, 3),
                PolicyTraining.Options.defaults()).policy();
        for (int i = 0; i < 5; i++) {
            double[] f = net.apply(new double[] {r.nextGaussian(), r.nextGaussian()});
            // A linear model on a quadratic loss: L-BFGS reaches the minimiser to ~1e-9; 1e-6 is ample.
            assertEquals(100.0 / 101, f[0], 1e-6);
            assertEquals(1.0 / 101, f[1], 1e-6);
        }
    }

    /** A nonlinear fit with weights and correlated precisions: 3 inputs, 2 actions, 402 parameters. */
    private static List<PolicyTarget> nonlinearTargets(int count) {
        Random r = new Random(5);
        List<PolicyTarget> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[] o = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
            double[] mu = {Math.sin(o[0]) + 0.3 * o[1] * o[2], Math.cos(o[1])};
            targets.add(new PolicyTarget(o, mu, new double[] {2, 0.3, 0.3, 1}, 0.5 + r.nextDouble()));
        }
        return targets;
    }

    private static final Mlp NONLINEAR_START = Mlp.initial(new int[] {3, 16, 16, 2}, 11);

    private static PolicyTraining.Result train(List<PolicyTarget> targets, int partitions, double l2, Training where) {
        PolicyTraining.Result r = train(jsc().parallelize(targets, partitions), NONLINEAR_START,
                new PolicyTraining.Options(100, 1e-9, l2, 10, where));
        assertEquals(where == Training.LOCAL, r.local());
        return r;
    }

    /**
     * After a failed line search Breeze restarts its memory and hands out the same state again
     * (same point, same loss): that state is in the loss history but is no iteration.
     */
    @Test
    void theIterationCountLeavesOutTheStateRepeatedAfterAFailedLineSearch() {
        Mlp net = Mlp.of(new int[] {1, 1}, new double[] {0.5, 0.1});
        assertEquals(4, new PolicyTraining.Result(net, new double[] {3.0, 2.0, 1.0, 0.8, 0.5}, true).iterations());
        assertEquals(3, new PolicyTraining.Result(net, new double[] {3.0, 2.0, 1.0, 1.0, 0.5}, true).iterations());
        assertEquals(0, new PolicyTraining.Result(net, new double[] {3.0}, false).iterations());
        // In a run: the limit of 100 iterations reached without converging counts 100.
        PolicyTraining.Result local = train(nonlinearTargets(400), 2, 0, Training.LOCAL);
        assertEquals(100, local.iterations());
    }

    @Test
    void onTwoPartitionsWithoutL2BothPathsComputeTheSameNumbers() {
        // Both add each partition's targets in order and then the two partitions' sums (a + b = b + a),
        // divide by the count the same way and run the same Breeze L-BFGS: every evaluation, hence
        // every iterate, is the same double, so the histories and parameters are equal, not close.
        List<PolicyTarget> targets = nonlinearTargets(400);
        PolicyTraining.Result distributed = train(targets, 2, 0, Training.DISTRIBUTED);
        PolicyTraining.Result local = train(targets, 2, 0, Training.LOCAL);
        assertEquals(101, local.lossHistory().length, "100 iterations without converging, and the start");
        assertArrayEquals(distributed.lossHistory(), local.lossHistory(), 0.0);
        assertArrayEquals(distributed.policy().parameters(), local.policy().parameters(), 0.0);
    }

    @Test
    void withL2OnThreePartitionsBothPathsReachTheSameLoss() {
        // The L2 gradient is added by MLlib's BLAS, whose vector lanes fuse multiply and add, and three
        // partitions' sums meet in the order their tasks finish: a few gradient entries differ in the
        // last bit, which 100 L-BFGS iterations on a non-convex fit carry to about 3e-6 of the final
        // loss (measured). A wrong objective moves it by far more: without the penalty the same fit
        // ends at 0.020 against 0.048 with it, and a missing 1/count would scale the data term by 400.
        List<PolicyTarget> targets = nonlinearTargets(400);
        PolicyTraining.Result distributed = train(targets, 3, 1e-3, Training.DISTRIBUTED);
        PolicyTraining.Result local = train(targets, 3, 1e-3, Training.LOCAL);
        double d = distributed.lossHistory()[distributed.lossHistory().length - 1];
        double l = local.lossHistory()[local.lossHistory().length - 1];
        assertEquals(d, l, 1e-4 * d);
        assertEquals(distributed.lossHistory()[0], local.lossHistory()[0], 1e-12 * d, "the same start, evaluated");
        // Parameters of order 0.1-1; measured apart by 5e-6 at most.
        assertArrayEquals(distributed.policy().parameters(), local.policy().parameters(), 1e-3);
    }

    @Test
    void localTrainingIsReproducibleBitForBit() {
        // Three partitions summed on parallel threads: their sums are added in partition order,
        // not in the order the threads finish.
        List<PolicyTarget> targets = nonlinearTargets(400);
        PolicyTraining.Result a = train(targets, 3, 1e-3, Training.LOCAL);
        PolicyTraining.Result b = train(targets, 3, 1e-3, Training.LOCAL);
        assertArrayEquals(a.policy().parameters(), b.policy().parameters(), 0.0);
        assertArrayEquals(a.lossHistory(), b.lossHistory(), 0.0);
    }

    @Test
    void localTrainingRunsTwoSparkJobsWhereTheDistributedRunsOnePerEvaluation() {
        List<PolicyTarget> targets = nonlinearTargets(400);
        int local = jobsOf("local-training", () -> train(targets, 2, 0, Training.LOCAL));
        int distributed = jobsOf("distributed-training", () -> train(targets, 2, 0, Training.DISTRIBUTED));
        // Local: the count and the gathering, whatever the 100 iterations; distributed: at least one
        // job per L-BFGS iteration (line searches add more).
        assertEquals(2, local);
        assertTrue(distributed > 100, "distributed training ran " + distributed + " jobs");
    }

    private static int jobsOf(String group, Runnable training) {
        jsc().setJobGroup(group, group, false);
        try {
            training.run();
        } finally {
            jsc().clearJobGroup();
        }
        return jsc().statusTracker().getJobIdsForGroup(group).length;
    }

    @Test
    void theMostTargetsTrainedInTheDriverIsWhereTheChoiceTurns() {
        // What the S-step's index brings back at once must be sure to train in the driver.
        for (int[] sizes : new int[][] {{3, 64, 64, 1}, {3, 10_000, 2}, {1_000, 1}, {26, 100, 100, 7}}) {
            Mlp net = Mlp.initial(sizes, 1);
            long parameters = Mlp.parameterCount(sizes);
            long perTarget = Training.doublesPerTarget(net.inputDim(), net.outputDim());
            for (Training t : Training.values()) {
                long most = PolicyTraining.mostTargetsInDriver(net, new PolicyTraining.Options(1, 1e-9, 0, 10, t));
                if (t == Training.DISTRIBUTED) {
                    assertEquals(0, most);
                    continue;
                }
                String what = java.util.Arrays.toString(sizes) + " " + t + ": " + most;
                assertTrue(most > 0 && t.runsLocally(most, parameters, perTarget)
                        && !Training.exceedsCap(most, perTarget), what);
                assertFalse(t.runsLocally(most + 1, parameters, perTarget)
                        && !Training.exceedsCap(most + 1, perTarget), what);
            }
        }
    }

    @Test
    void autoTrainsASmallSStepInTheDriver() {
        PolicyTraining.Result r = train(jsc().parallelize(nonlinearTargets(400), 2), NONLINEAR_START,
                new PolicyTraining.Options(5, 1e-9, 0, 10, Training.AUTO));
        assertTrue(r.local(), "400 targets x 402 parameters, far below the limit");
    }

    @Test
    void autoTrainsAboveTheWorkLimitOnTheExecutors() {
        // 2,500 targets x 60,002 parameters (one hidden layer of 10,000 units) exceed 10^8
        // target-parameters. Weightless targets make the gradient zero, so L-BFGS stops after one
        // evaluation and the test stays quick.
        int[] sizes = {3, 10_000, 2};
        assertTrue(2_500L * Mlp.parameterCount(sizes) >= Training.AUTO_LOCAL_BELOW);
        List<PolicyTarget> weightless = nonlinearTargets(2_500).stream()
                .map(t -> new PolicyTarget(t.observation(), t.mean(), t.precision(), 0.0)).toList();
        PolicyTraining.Result r = train(jsc().parallelize(weightless, 2), Mlp.initial(sizes, 1),
                new PolicyTraining.Options(1, 1e-9, 0, 10, Training.AUTO));
        assertFalse(r.local());
    }

    @Test
    void localAboveTheCapIsRefusedNamingTheKeyBeforeAnythingIsGathered() {
        // 17,000 targets of 1,000 observations and one action: 17,051,000 numbers, above 2^24 = 16,777,216.
        JavaRDD<PolicyTarget> wide = jsc().parallelize(IntStream.range(0, 17_000).boxed().toList(), 2)
                .map(i -> new PolicyTarget(new double[1_000], new double[] {1}, new double[] {1}, 1));
        BadInputException e = assertThrows(BadInputException.class, () -> train(wide,
                Mlp.initial(new int[] {1_000, 1}, 1), new PolicyTraining.Options(10, 1e-9, 0, 10, Training.LOCAL)));
        assertEquals("policy.training: local would gather 17000 S-step targets of 1003 numbers each into the driver, "
                + "130.1 MiB, above its cap of 16777216 numbers (128 MiB); use auto or distributed", e.getMessage());
    }

    private static double[] linear(double[] o) {
        return new double[] {o[0] - 2 * o[1] + 0.3, 0.5 * o[0] + o[1] - 0.1};
    }
}
