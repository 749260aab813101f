package org.gps.core.control;

import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenLoopOffsetsTest {
    private static LinearGaussianController controller(int horizon, int dX, int dU) {
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covariances = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            double[][] k = new double[dU][dX];
            for (int i = 0; i < dU; i++) {
                for (int j = 0; j < dX; j++) {
                    k[i][j] = 0.1 * (i + 1) - 0.05 * j + 0.01 * t;
                }
            }
            gains[t] = Mat.of(k);
            offsets[t] = new double[dU];
            Arrays.fill(offsets[t], 0.3 - 0.01 * t);
            covariances[t] = Mat.eye(dU, 2.0);
        }
        return LinearGaussianController.of(gains, offsets, covariances);
    }

    @Test
    void zeroStdLeavesTheControllerAsBuilt() {
        LinearGaussianController c = controller(20, 3, 1);
        assertSame(c, OpenLoopOffsets.none().applyTo(c, new SplittableRandom(1)));
        assertTrue(OpenLoopOffsets.none().isNone());
    }

    @Test
    void addsASequenceOfTheRequestedSizeToTheMeanOnly() {
        LinearGaussianController c = controller(60, 4, 2);
        OpenLoopOffsets o = new OpenLoopOffsets(1.5, 4.0);
        LinearGaussianController shifted = o.applyTo(c, new SplittableRandom(7));
        double[][] added = o.draw(60, 2, new SplittableRandom(7));
        for (int i = 0; i < 2; i++) {
            double squares = 0;
            for (int t = 0; t < 60; t++) {
                assertEquals(c.offset(t)[i] + added[t][i], shifted.offset(t)[i], 0.0);
                squares += added[t][i] * added[t][i];
            }
            // Scaled to the root mean square exactly, up to the rounding of the sum and the square root.
            assertEquals(1.5, Math.sqrt(squares / 60), 1e-12);
        }
        for (int t = 0; t < 60; t++) {
            assertEquals(c.gain(t), shifted.gain(t));
            assertEquals(c.covariance(t), shifted.covariance(t));
        }
    }

    @Test
    void theSequenceIsSmoothAlongTime() {
        // A Gaussian kernel of width w correlates neighbouring steps by about exp(-1 / (4 w^2)): 0.99 at w = 5,
        // against about 0 for the white noise it smooths (|r| < 0.25 for 200 steps with high probability).
        double[][] smooth = new OpenLoopOffsets(1.0, 5.0).draw(200, 1, new SplittableRandom(3));
        double[][] white = new OpenLoopOffsets(1.0, 1e-3).draw(200, 1, new SplittableRandom(3));
        assertTrue(lagOneCorrelation(smooth) > 0.95, "smoothed: " + lagOneCorrelation(smooth));
        assertTrue(Math.abs(lagOneCorrelation(white)) < 0.25, "white: " + lagOneCorrelation(white));
    }

    @Test
    void theSameStreamGivesTheSameBitsAndAnotherStreamOtherValues() {
        OpenLoopOffsets o = new OpenLoopOffsets(2.0, 10.0);
        double[][] a = o.draw(30, 1, new SplittableRandom(11));
        assertArrayEquals(a, o.draw(30, 1, new SplittableRandom(11)));
        assertFalse(Arrays.deepEquals(a, o.draw(30, 1, new SplittableRandom(12))));
    }

    @Test
    void refusesANegativeStdOrANonPositiveWidth() {
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopOffsets(-0.1, 5.0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopOffsets(1.0, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new OpenLoopOffsets(Double.NaN, 5.0));
    }

    private static double lagOneCorrelation(double[][] x) {
        int n = x.length;
        double mean = 0;
        for (double[] v : x) {
            mean += v[0] / n;
        }
        double num = 0;
        double den = 0;
        for (int t = 0; t < n; t++) {
            double d = x[t][0] - mean;
            den += d * d;
            if (t + 1 < n) {
                num += d * (x[t + 1][0] - mean);
            }
        }
        return num / den;
    }
}
