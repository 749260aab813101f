package org.gps.core.policy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TargetWeightsTest {
    @Test
    void weightsAreScaledCappedAtTwiceTheMedianAndDividedByIt() {
        // Sum 10 over 4 weights: scaled by 4/10 to (0.4, 0.8, 0.8, 2.0); median of those > 1e-2 is
        // 0.8; cap at 1.6 gives (0.4, 0.8, 0.8, 1.6); divided by 0.8: (0.5, 1, 1, 2).
        assertArrayEquals(new double[] {0.5, 1, 1, 2}, TargetWeights.normalise(new double[] {1, 2, 2, 5}), 1e-12);
    }

    @Test
    void tinyWeightsDoNotCountTowardTheMedian() {
        // Scaled by 3/3.001: (~0.001, ~1.5, ~1.5); only the two large ones make the median.
        double[] w = TargetWeights.normalise(new double[] {0.001, 1.5, 1.5});
        assertEquals(0.001 / 1.5, w[0], 1e-12);
        assertEquals(1.0, w[1], 1e-12);
    }

    @Test
    void policyVarianceIsTheInverseOfTheMeanPrecisionPerDimension() {
        double[][] p = {{4, 1, 1, 2}, {2, 0, 0, 6}};
        // sum of P_00 = 6, of P_11 = 8, sum of weights 2: var = (2/6, 2/8).
        assertArrayEquals(new double[] {1.0 / 3, 0.25}, TargetWeights.policyVariance(p, new double[] {1, 1}), 1e-15);
    }

    @Test
    void negativeOrAllZeroWeightsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TargetWeights.normalise(new double[] {1, -1}));
        assertThrows(IllegalArgumentException.class, () -> TargetWeights.normalise(new double[] {0, 0}));
    }
}
