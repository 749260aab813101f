package org.gps.core.linalg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PointKernelsTest {

    /**
     * The SIMD kernels run in the species netlib's vectorised BLAS runs in: with a second vector
     * class of the same width in the JVM, the JIT leaves the kernels' vector operations boxed once
     * netlib's have run (an order of magnitude slower, the same numbers), which no test of the
     * results can see.
     */
    @Test
    void theKernelsShareNetlibsVectorSpecies() throws ReflectiveOperationException {
        assertTrue(PointKernels.VECTOR_API);
        java.lang.reflect.Field netlib = Class.forName("dev.ludovic.netlib.blas.VectorBLAS").getDeclaredField("DMAX");
        netlib.setAccessible(true);
        assertSame(netlib.get(null), VectorKernels.species());
    }

    /**
     * The E-step's sum of squares, four rows per sweep, in the scalar loop and in SIMD lanes, must
     * give exactly the numbers of the plain row-by-row loop (the pipeline's runs are reproducible bit for bit, and a GPS run is chaotic:
     * any change in the last bit of a distance changes its path). Panel heights below, at and
     * beyond one sweep, with remainders; the sums land at an offset inside longer cluster rows,
     * as a chunk of a block's points does.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 8, 11, 16})
    void sumOfSquaresIsBitIdenticalToTheRowByRowLoop(int h) {
        Random r = new Random(h);
        int kk = 3;
        int m = 37;
        // Rows of zt 40 apart, as the E-step pads them to whole lane groups: the three entries past
        // m are NaN, and a sum that read one would show it.
        int zs = 40;
        double[] zt = new double[kk * h * zs];
        double[] b = new double[kk * h];
        for (int i = 0; i < zt.length; i++) {
            zt[i] = i % zs < m ? r.nextGaussian() * Math.exp(4 * r.nextGaussian()) : Double.NaN;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian();
        }
        int offset = 5;
        int stride = m + 11;
        double[] start = new double[kk * stride];
        for (int i = 0; i < start.length; i++) {
            start[i] = Math.abs(r.nextGaussian()) * 1e3;
        }
        double[] plain = start.clone();
        for (int k = 0; k < kk; k++) {
            for (int i = 0; i < h; i++) {
                int col = k * h + i;
                for (int j = 0; j < m; j++) {
                    double v = zt[col * zs + j] - b[col];
                    plain[k * stride + offset + j] += v * v;
                }
            }
        }
        double[] swept = start.clone();
        PointKernels.addSquaresScalar(zt, zs, b, kk, h, m, swept, offset, stride, 0);
        assertSameBits(plain, swept);
        double[] lanes = start.clone();
        VectorKernels.addSquares(zt, zs, b, kk, h, m, lanes, offset, stride);
        assertSameBits(plain, lanes);
    }

    /**
     * The tests run with the JVM options of jobs/jvm.options, which add the Vector API: the
     * kernels the pipeline dispatches to are then the SIMD ones checked here.
     */
    @Test
    void theProjectsJvmOptionsEnableTheSimdKernels() {
        assertTrue(PointKernels.VECTOR_API, "jdk.incubator.vector is not in the boot layer");
    }

    /** Gathering one point's shifted, weighted coordinates: SIMD lanes and the scalar loop agree to the bit. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8, 9, 16, 59})
    void shiftedMomentsInLanesAreBitIdenticalToTheScalarLoop(int dim) {
        Random r = new Random(dim);
        double[] points = gaussians(r, 5 * dim + 3);
        double[] shift = gaussians(r, dim);
        double w = 0.37;
        double sw = Math.sqrt(w);
        double[] sumScalar = gaussians(r, dim);
        double[] sumLanes = sumScalar.clone();
        double[] yScalar = new double[3 * dim + 2];
        double[] yLanes = new double[3 * dim + 2];
        for (int point = 0; point < 5; point++) {
            int o = point * dim + 3;
            int p = (point % 3) * dim + 2;
            PointKernels.shiftedMomentsScalar(points, o, shift, dim, w, sw, sumScalar, yScalar, p, 0);
            VectorKernels.shiftedMoments(points, o, shift, dim, w, sw, sumLanes, yLanes, p);
        }
        assertSameBits(sumScalar, sumLanes);
        assertSameBits(yScalar, yLanes);
    }

    /** One cluster's share of a column of the GMM prior's Phi: SIMD lanes and the scalar loop agree to the bit. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 17, 59})
    void mixtureColumnInLanesIsBitIdenticalToTheScalarLoop(int d) {
        Random r = new Random(d);
        double[] cov = gaussians(r, d * d);
        double[] v = gaussians(r, d);
        double[] plain = gaussians(r, d * d);
        double[] lanes = plain.clone();
        for (int col = 0; col < d; col++) {
            int o = col * d;
            double a = 0.3 + col;
            double c = a * v[col];
            for (int row = 0; row < d; row++) {
                plain[o + row] += a * cov[o + row] + c * v[row];
            }
            VectorKernels.addMixtureColumn(lanes, cov, o, a, v, c, d);
        }
        assertSameBits(plain, lanes);
    }

    /**
     * The network's block kernels, in the scalar loop (the JVM without the Vector API) and in SIMD
     * lanes, against one row at a time through {@link PointKernels#addScaledScalar} as the network
     * did: the same bits, for layer widths below, at and past one and two lane groups. The forward
     * layer's inputs include values its ReLU must map as Math.max(0, .) does (-0.0, NaN, infinities)
     * and it reports whether all it wrote is finite; the zero deltas of the backward kernels are
     * skipped row by row and added here, with finite weights and activations and sums that start
     * away from -0.0.
     */
    @ParameterizedTest
    @CsvSource({"3,64", "64,64", "64,1", "1,1", "8,8", "13,24", "24,13", "17,70", "70,17"})
    void blockKernelsGiveTheNumbersOfOneRowAtATime(int in, int out) {
        Random r = new Random(31L * in + out);
        int rows = PointKernels.BLOCK_ROWS;
        double[] columns = gaussians(r, in * out);
        double[] weights = gaussians(r, out * in + 5);
        double[] bias = gaussians(r, out + 2);
        for (int special = 0; special < 3; special++) {
            double[] x = gaussians(r, rows * in);
            if (special == 2) {
                // Every third input zero in all four rows (what a ReLU leaves, which the kernel
                // skips), -0.0 in some rows; row 3 all zeros with biases of -0.0 and weights of
                // -|w|: its sums pass through -0.0, where a skipped -0.0 x -|w| = +0.0 would have
                // turned them to +0.0.
                for (int c = 0; c < in; c += 3) {
                    for (int i = 0; i < rows; i++) {
                        x[i * in + c] = i % 2 == 0 ? 0.0 : -0.0;
                    }
                }
                java.util.Arrays.fill(x, 3 * in, 4 * in, -0.0);
            }
            if (special == 1) {
                // Row 0 gets a NaN, row 1 an infinity; row 3 zeros, which with weights of -|w| and
                // biases of -0.0 give -0.0 units.
                x[r.nextInt(in)] = Double.NaN;
                x[in + r.nextInt(in)] = Double.POSITIVE_INFINITY;
                java.util.Arrays.fill(x, 3 * in, 4 * in, 0.0);
                for (int i = 0; i < columns.length; i++) {
                    columns[i] = -Math.abs(columns[i]);
                }
                java.util.Arrays.fill(bias, -0.0);
            }
            for (boolean relu : new boolean[] {false, true}) {
                double[] plain = new double[rows * out];
                boolean finite = true;
                for (int i = 0; i < rows; i++) {
                    double[] z = java.util.Arrays.copyOfRange(bias, 2, 2 + out);
                    for (int c = 0; c < in; c++) {
                        PointKernels.addScaledScalar(x[i * in + c], columns, c * out, z, 0, out, 0);
                    }
                    for (int j = 0; j < out; j++) {
                        plain[i * out + j] = relu ? Math.max(0, z[j]) : z[j];
                        finite &= Double.isFinite(plain[i * out + j]);
                    }
                }
                int[] inputs = new int[in];
                int count = relu ? PointKernels.nonzeroUnits(x, in, inputs, new double[in])
                        : PointKernels.allUnits(in, inputs);
                if (relu && special == 2) {
                    assertEquals(in - (in + 2) / 3, count, "inputs zero in every row are left out");
                }
                double[] scalar = new double[rows * out];
                assertEquals(finite, PointKernels.blockLayerScalar(x, in, inputs, count, columns, bias, 2, out,
                        scalar, relu, 0));
                assertRawBits(plain, scalar);
                double[] lanes = new double[rows * out];
                assertEquals(finite, VectorKernels.blockLayer(x, in, inputs, count, columns, bias, 2, out, lanes,
                        relu));
                assertRawBits(plain, lanes);
                double[] chosen = new double[rows * out];
                assertEquals(finite, PointKernels.blockLayer(x, in, inputs, count, columns, bias, 2, out, chosen,
                        relu));
                assertRawBits(plain, chosen);
            }
        }
        // Deltas with zeros (inactive units; unit 0 and every fifth unit zero in all four rows,
        // -0.0 in some), activations with zeros and negatives (masked).
        double[] d = gaussians(r, rows * out);
        double[] a = gaussians(r, rows * in);
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextInt(3) == 0 || i % out % 5 == 0 ? (r.nextBoolean() ? 0.0 : -0.0) : d[i];
        }
        int[] units = new int[out];
        int count = PointKernels.nonzeroUnits(d, out, units, new double[out]);
        assertArrayEquals(java.util.stream.IntStream.range(0, out)
                        .filter(u -> d[u] != 0 || d[out + u] != 0 || d[2 * out + u] != 0 || d[3 * out + u] != 0)
                        .toArray(),
                java.util.Arrays.copyOf(units, count), "the units with a delta in some row");
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(3) == 0 ? 0.0 : a[i];
        }
        double[] plainNext = new double[rows * in];
        for (int i = 0; i < rows; i++) {
            double[] next = new double[in];
            for (int k = 0; k < out; k++) {
                if (d[i * out + k] != 0) {
                    PointKernels.addScaledScalar(d[i * out + k], weights, 5 + k * in, next, 0, in, 0);
                }
            }
            for (int c = 0; c < in; c++) {
                plainNext[i * in + c] = a[i * in + c] > 0 ? next[c] : 0;
            }
        }
        double[] scalarNext = new double[rows * in];
        PointKernels.blockBackLayerScalar(d, out, units, count, weights, 5, in, a, scalarNext, 0);
        assertRawBits(plainNext, scalarNext);
        double[] lanesNext = new double[rows * in];
        VectorKernels.blockBackLayer(d, out, units, count, weights, 5, in, a, lanesNext);
        assertRawBits(plainNext, lanesNext);

        double[] start = gaussians(r, 3 + out * in + out);
        for (int i = 0; i < start.length; i += 4) {
            start[i] = 0.0;
        }
        double[] plainGrad = start.clone();
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < out; k++) {
                double dk = d[i * out + k];
                if (dk != 0) {
                    PointKernels.addScaledScalar(dk, a, i * in, plainGrad, 3 + k * in, in, 0);
                    plainGrad[3 + out * in + k] += dk;
                }
            }
        }
        double[] scalarGrad = start.clone();
        PointKernels.blockAddOuterScalar(d, out, units, count, a, in, scalarGrad, 3, 0);
        PointKernels.blockAddSumScalar(d, out, scalarGrad, 3 + out * in, 0);
        assertRawBits(plainGrad, scalarGrad);
        double[] lanesGrad = start.clone();
        VectorKernels.blockAddOuter(d, out, units, count, a, in, lanesGrad, 3);
        VectorKernels.blockAddSum(d, out, lanesGrad, 3 + out * in);
        assertRawBits(plainGrad, lanesGrad);
    }

    /**
     * The unit lists the block kernels skip by: a unit is listed when any of the block's rows holds
     * something other than +-0.0 there (NaN, infinities and the smallest subnormal included), for
     * widths below, at and past the SIMD lane groups, where the list comes from the lanes' sums.
     */
    @ParameterizedTest
    @CsvSource({"1", "3", "7", "8", "9", "16", "17", "64", "70"})
    void nonzeroUnitsListsTheUnitsWithAnythingButZeroInSomeRow(int n) {
        Random r = new Random(17L * n);
        double[] specials = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, 1.0, -2.5};
        int rows = PointKernels.BLOCK_ROWS;
        for (int trial = 0; trial < 50; trial++) {
            double[] d = new double[rows * n];
            for (int i = 0; i < d.length; i++) {
                // Mostly zeros of either sign, so that whole units are zero in every row.
                d[i] = r.nextInt(4) > 0 ? (r.nextBoolean() ? 0.0 : -0.0) : specials[r.nextInt(specials.length)];
            }
            int[] expected = java.util.stream.IntStream.range(0, n)
                    .filter(u -> d[u] != 0 || d[n + u] != 0 || d[2 * n + u] != 0 || d[3 * n + u] != 0
                            || Double.isNaN(d[u] + d[n + u] + d[2 * n + u] + d[3 * n + u]))
                    .toArray();
            int[] units = new int[n];
            int count = PointKernels.nonzeroUnits(d, n, units, new double[n]);
            assertArrayEquals(expected, java.util.Arrays.copyOf(units, count), "trial " + trial);
        }
        int[] all = new int[n];
        assertEquals(n, PointKernels.allUnits(n, all));
        assertArrayEquals(java.util.stream.IntStream.range(0, n).toArray(), all);
    }

    private static void assertRawBits(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    "entry " + i + ": " + expected[i] + " against " + actual[i]);
        }
    }

    /**
     * The scatter's two routines: dsyrk (taken with a native BLAS) fills the lower triangle with
     * the numbers dgemm gives there, up to rounding: 1e-12 relative to the largest entry, for sums
     * of 300 products of O(1) terms (each rounding 1e-16 relative, accumulated over 300 terms).
     * Weights at or below the cut leave no trace in either.
     */
    @Test
    void lowerTriangleScatterMatchesTheFullProduct() {
        Random r = new Random(11);
        int dim = 13;
        int n = 300;
        double[] points = gaussians(r, dim * n);
        double[] shift = gaussians(r, dim);
        double[] w = new double[n + 4];
        for (int j = 0; j < n; j++) {
            w[4 + j] = j % 3 == 0 ? 1e-13 : r.nextDouble();
        }
        double[] sumFull = new double[dim];
        double[] sumLower = new double[dim];
        double[] full = new double[dim * dim];
        double[] lower = new double[dim * dim];
        PointKernels.addWeightedMoments(points, dim, n, shift, w, 4, sumFull, full, false);
        PointKernels.addWeightedMoments(points, dim, n, shift, w, 4, sumLower, lower, true);
        assertSameBits(sumFull, sumLower);
        double[] direct = new double[dim * dim];
        double scale = 0;
        for (int j = 0; j < n; j++) {
            double wj = w[4 + j];
            if (wj <= PointKernels.NEGLIGIBLE_WEIGHT) {
                continue;
            }
            for (int c = 0; c < dim; c++) {
                for (int row = c; row < dim; row++) {
                    direct[c * dim + row] += wj * (points[j * dim + row] - shift[row]) * (points[j * dim + c] - shift[c]);
                }
            }
        }
        for (double x : direct) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int c = 0; c < dim; c++) {
            for (int row = c; row < dim; row++) {
                int i = c * dim + row;
                assertEquals(direct[i], full[i], 1e-12 * scale, "dgemm entry (" + row + ", " + c + ")");
                assertEquals(direct[i], lower[i], 1e-12 * scale, "dsyrk entry (" + row + ", " + c + ")");
            }
        }
    }

    private static double[] gaussians(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian() * Math.exp(2 * r.nextGaussian());
        }
        return a;
    }

    private static void assertSameBits(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(actual[i]), "entry " + i);
        }
    }
}
