package org.gps.core.linalg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatTest {
    // Small integer matrices: every product below is exact in double arithmetic, so 0 tolerance.
    private final Mat a = Mat.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
    private final Mat b = Mat.of(new double[][] {{7, 8}, {9, 10}, {11, 12}});

    @Test
    void productsMatchHandComputedValues() {
        assertEquals(Mat.of(new double[][] {{58, 64}, {139, 154}}), a.times(b));
        assertEquals(a.transpose().times(a), a.transposeTimes(a));
        assertEquals(a.times(a.transpose()), a.timesTranspose(a));
        assertArrayEquals(new double[] {14, 32}, a.times(new double[] {1, 2, 3}));
        assertArrayEquals(new double[] {9, 12, 15}, a.transposeTimes(new double[] {1, 2}));
    }

    @Test
    void rowAndColumnMajorRoundTrip() {
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.toRowMajor());
        assertEquals(a, Mat.fromRowMajor(2, 3, a.toRowMajor()));
        assertEquals(a, Mat.fromColumnMajor(2, 3, a.toColumnMajor()));
    }

    @Test
    void blocksAreCutAndPastedInPlace() {
        Mat m = Mat.blocks(Mat.eye(2), Mat.zeros(2, 1), Mat.of(new double[][] {{3, 4}}), Mat.eye(1, 5));
        assertEquals(Mat.of(new double[][] {{1, 0, 0}, {0, 1, 0}, {3, 4, 5}}), m);
        assertEquals(Mat.of(new double[][] {{3, 4}}), m.block(2, 3, 0, 2));
        assertEquals(7.0, m.trace(), 0.0);
    }

    @Test
    void symmetriseAveragesWithTheTranspose() {
        Mat m = Mat.of(new double[][] {{1, 2}, {4, 3}}).symmetrize();
        assertEquals(Mat.of(new double[][] {{1, 3}, {3, 3}}), m);
        assertTrue(m.isSymmetric(0));
    }

    @Test
    void luSolveRecoversTheRightHandSide() {
        Mat m = Mat.of(new double[][] {{0, 2}, {3, 1}});
        Mat x = m.solve(Mat.eye(2));
        // Pivoted LU on a 2x2 with integer entries: error of a few ulps.
        assertTrue(m.times(x).maxAbsDiff(Mat.eye(2)) < 1e-15);
        assertThrows(SingularMatrixException.class, () -> Mat.of(new double[][] {{1, 2}, {2, 4}}).solve(Mat.eye(2)));
    }

    @Test
    void traceOfProductEqualsTraceOfFormedProduct() {
        assertEquals(a.times(b).trace(), a.traceOfProduct(b), 0.0);
    }

    @Test
    void choleskyFactorsSolvesAndGivesLogDet() {
        Mat s = Mat.of(new double[][] {{4, 2}, {2, 3}});
        Cholesky c = Cholesky.of(s);
        // L = [[2, 0], [1, sqrt 2]]; det = 8.
        assertEquals(2.0, c.lower().get(0, 0), 1e-15);
        assertEquals(0.0, c.lower().get(0, 1), 0.0);
        assertEquals(1.0, c.lower().get(1, 0), 1e-15);
        assertEquals(Math.log(8), c.logDet(), 1e-14);
        assertTrue(c.inverse().times(s).maxAbsDiff(Mat.eye(2)) < 1e-14);
        assertArrayEquals(new double[] {1, 0}, c.solve(new double[] {4, 2}), 1e-14);
        // L y = [2, 1] gives y = [1, 0].
        assertArrayEquals(new double[] {1, 0}, c.solveLower(new double[] {2, 1}), 1e-15);
        // L^{-1} = [[1/2, 0], [-1/(2 sqrt 2), 1/sqrt 2]].
        Mat w = c.lowerInverse();
        assertEquals(0.5, w.get(0, 0), 1e-15);
        assertEquals(0.0, w.get(0, 1), 0.0);
        assertEquals(-1 / (2 * Math.sqrt(2)), w.get(1, 0), 1e-15);
        assertEquals(1 / Math.sqrt(2), w.get(1, 1), 1e-15);
    }

    @Test
    void choleskyRefusesIndefiniteAndNonFiniteMatrices() {
        assertNull(Cholesky.tryOf(Mat.of(new double[][] {{1, 2}, {2, 1}})));
        assertNull(Cholesky.tryOf(Mat.of(new double[][] {{Double.NaN, 0}, {0, 1}})));
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class,
                () -> Cholesky.of(Mat.of(new double[][] {{Double.NaN, 0}, {0, 1}})));
        assertTrue(e.getMessage().contains("NaN"));
    }

    @Test
    void logSumExpIsStableForLargeMagnitudes() {
        assertEquals(1000 + Math.log(2), Vec.logSumExp(new double[] {1000, 1000}), 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY, Vec.logSumExp(new double[] {Double.NEGATIVE_INFINITY}));
    }
}
