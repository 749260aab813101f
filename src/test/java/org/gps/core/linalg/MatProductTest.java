package org.gps.core.linalg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Mat}'s products in SIMD lanes against the netlib dgemm calls they replace, by raw bits:
 * the C-step, the fits and the policy's linearization run on these products, and a difference in
 * the last bit of one would change a GPS run's whole path.
 */
class MatProductTest {

    private static final int[] COLUMNS = {1, 2, 3, 4, 5, 7, 8, 26, 33};
    private static final int[] INNER = {1, 2, 3, 7, 8, 26, 33};

    /** The tests' BLAS (jobs/jvm.options, native libraries off) is the one the products repeat. */
    @Test
    void theTestsRunTheLaneProducts() {
        assertTrue(PointKernels.useLaneProducts);
    }

    /**
     * Rows at, past and between multiples of the SIMD width (the lanes' tail runs scalar), the
     * C-step's shapes among them (26 and 33 rows, columns and inner terms: dX = 26, dX + dU = 33),
     * all three transpose cases Mat uses. Values of every sign and of magnitudes from 1e-300 to
     * 1e300 with zeros of both signs ({@link PanelProductTest#values}): sums that overflow and
     * products that underflow, whose sign the order of the chain decides.
     */
    @ParameterizedTest
    @ValueSource(ints = {8, 9, 15, 16, 17, 24, 26, 31, 33, 40, 59, 100})
    void sameBitsAsNetlibsDgemmForEveryShapeAndTranspose(int m) {
        Random r = new Random(500 + m);
        int compared = 0;
        for (int n : COLUMNS) {
            for (int k : INNER) {
                for (int variant = 0; variant < 3; variant++) {
                    boolean transA = variant == 1;
                    boolean transB = variant == 2;
                    double[] a = PanelProductTest.values(r, m * k);
                    double[] b = PanelProductTest.values(r, k * n);
                    double[] expected = new double[m * n];
                    Mat.BLAS_.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, 1.0, a, transA ? k : m, b,
                            transB ? n : k, 0.0, expected, m);
                    double[] actual = new double[m * n];
                    java.util.Arrays.fill(actual, Double.NaN);
                    String shape = (transA ? "A^T" : "A") + (transB ? " B^T" : " B") + " m=" + m + " n=" + n + " k="
                            + k;
                    assertTrue(PointKernels.product(transA, transB, m, n, k, a, b, actual), shape);
                    for (int i = 0; i < m * n; i++) {
                        assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                                shape + " entry " + i + ": " + expected[i] + " vs " + actual[i]);
                    }
                    compared++;
                }
            }
        }
        assertEquals(COLUMNS.length * INNER.length * 3, compared);
    }

    @Test
    void fewerRowsThanALaneGroupAndDgemmsBlockedPathAreLeftToDgemm() {
        int lanes = VectorKernels.species().length();
        double[] a = new double[(lanes - 1) * 3];
        assertFalse(PointKernels.product(false, false, lanes - 1, 3, 3, a, new double[9], new double[(lanes - 1) * 3]));
        int m = 100;
        int n = 100;
        int k = 100;
        assertFalse(PointKernels.product(false, false, m, n, k, new double[m * k], new double[k * n],
                new double[m * n]));
    }

    /** Mat's three products give the same bits with the lanes and with dgemm. */
    @Test
    void matProductsAreTheSameWithAndWithoutTheLanes() {
        Random r = new Random(7);
        Mat v = Mat.fromColumnMajor(26, 26, PanelProductTest.values(r, 26 * 26));
        Mat f = Mat.fromColumnMajor(26, 33, PanelProductTest.values(r, 26 * 33));
        Mat s = Mat.fromColumnMajor(33, 33, PanelProductTest.values(r, 33 * 33));
        Mat[] lanes = {v.times(f), f.transposeTimes(v.times(f)), f.times(s).timesTranspose(f)};
        boolean before = PointKernels.useLaneProducts;
        try {
            PointKernels.useLaneProducts = false;
            Mat[] dgemm = {v.times(f), f.transposeTimes(v.times(f)), f.times(s).timesTranspose(f)};
            for (int p = 0; p < lanes.length; p++) {
                for (int i = 0; i < lanes[p].rows(); i++) {
                    for (int j = 0; j < lanes[p].cols(); j++) {
                        assertEquals(Double.doubleToRawLongBits(dgemm[p].get(i, j)),
                                Double.doubleToRawLongBits(lanes[p].get(i, j)), "product " + p + " (" + i + "," + j + ")");
                    }
                }
            }
        } finally {
            PointKernels.useLaneProducts = before;
        }
    }
}
