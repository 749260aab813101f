package org.gps.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.PolicyTarget;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTrainingTest {
    private static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    }

    @Test
    void theMlpFitsAKnownLinearMap() {
        Random r = new Random(1);
        List<PolicyTarget> targets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double[] o = {2 * r.nextDouble() - 1, 2 * r.nextDouble() - 1};
            targets.add(new PolicyTarget(o, linear(o), new double[] {1, 0, 0, 1}, 1.0));
        }
        PolicyTraining.Result res = PolicyTraining.train(jsc().parallelize(targets, 3),
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
        Mlp net = PolicyTraining.train(jsc().parallelize(targets, 2), Mlp.initial(new int[] {2, 2}, 3),
                PolicyTraining.Options.defaults()).policy();
        for (int i = 0; i < 5; i++) {
            double[] f = net.apply(new double[] {r.nextGaussian(), r.nextGaussian()});
            // A linear model on a quadratic loss: L-BFGS reaches the minimiser to ~1e-9; 1e-6 is ample.
            assertEquals(100.0 / 101, f[0], 1e-6);
            assertEquals(1.0 / 101, f[1], 1e-6);
        }
    }

    private static double[] linear(double[] o) {
        return new double[] {o[0] - 2 * o[1] + 0.3, 0.5 * o[0] + o[1] - 0.1};
    }
}
