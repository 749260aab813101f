package org.gps.core.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of {@link PointKernels}' element-wise loops, through the incubating Vector API.
 * The JIT of Java 17 does not vectorise these loops by itself: they read and write different
 * arrays at offsets it cannot prove apart, so it falls back to one element per instruction.
 *
 * <p>Every result is the same to the bit as the scalar loop's: each lane does the scalar
 * operations in the scalar order (subtract, multiply, add; a fused multiply-add only where the
 * scalar loop has {@link Math#fma}; no reassociation across elements). Loaded only when the JVM
 * has the module ({@link PointKernels#VECTOR_API}); {@code jobs/jvm.options} adds it.
 */
final class VectorKernels {
    /**
     * The species netlib's {@code VectorBLAS} uses (its kernels run in the same JVM). The Vector
     * API's shared methods carry one type profile for all their callers: with two vector classes
     * of the same width in use (SPECIES_PREFERRED's Double512Vector beside SPECIES_MAX's
     * DoubleMaxVector on a 512-bit machine), the JIT can no longer tell which one a kernel's loop
     * holds, leaves the operations uncompiled and boxes every vector, an order of magnitude
     * slower once netlib's dgemv has run (docs/benchmarks.md, "The default kernels at medium and
     * large"). One species for both keeps the profiles single. The lane count does not change any
     * result (each lane repeats the scalar loop's operations).
     */
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_MAX;

    private VectorKernels() {
    }

    /** The species the kernels run in, for the test that it is netlib's. */
    static VectorSpecies<Double> species() {
        return SPECIES;
    }

    /** {@link PointKernels#addSquaresScalar}, with the points of a row in SIMD lanes; the points past the last full lane scalar. */
    static void addSquares(double[] zt, int zs, double[] b, int kk, int h, int m, double[] acc, int offset,
                           int stride) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(m);
        for (int k = 0; k < kk; k++) {
            int ao = k * stride + offset;
            int i = 0;
            for (; i + 4 <= h; i += 4) {
                int c0 = k * h + i;
                double b0 = b[c0];
                double b1 = b[c0 + 1];
                double b2 = b[c0 + 2];
                double b3 = b[c0 + 3];
                int z0 = c0 * zs;
                int z1 = z0 + zs;
                int z2 = z1 + zs;
                int z3 = z2 + zs;
                for (int j = 0; j < bound; j += lanes) {
                    DoubleVector v0 = DoubleVector.fromArray(SPECIES, zt, z0 + j).sub(b0);
                    DoubleVector v1 = DoubleVector.fromArray(SPECIES, zt, z1 + j).sub(b1);
                    DoubleVector v2 = DoubleVector.fromArray(SPECIES, zt, z2 + j).sub(b2);
                    DoubleVector v3 = DoubleVector.fromArray(SPECIES, zt, z3 + j).sub(b3);
                    DoubleVector.fromArray(SPECIES, acc, ao + j)
                            .add(v0.mul(v0)).add(v1.mul(v1)).add(v2.mul(v2)).add(v3.mul(v3))
                            .intoArray(acc, ao + j);
                }
            }
            for (; i < h; i++) {
                int col = k * h + i;
                double bv = b[col];
                int zo = col * zs;
                for (int j = 0; j < bound; j += lanes) {
                    DoubleVector v = DoubleVector.fromArray(SPECIES, zt, zo + j).sub(bv);
                    DoubleVector.fromArray(SPECIES, acc, ao + j).add(v.mul(v)).intoArray(acc, ao + j);
                }
            }
        }
        PointKernels.addSquaresScalar(zt, zs, b, kk, h, m, acc, offset, stride, bound);
    }

    /**
     * {@link PointKernels#panelProductScalar}, with the points in SIMD lanes (one fused
     * multiply-add per lane where the scalar loop does one per point, in the same order): four
     * panel rows by four lane groups of points per sweep (then by two, then by one), sixteen
     * independent sums, each load of the points shared by four rows and each broadcast panel entry
     * by four lane groups; the points past the last full lane scalar.
     */
    static void panelProduct(double[] xt, int m, int r1, double[] w, int rows, double[] zt) {
        panelProduct(xt, m, r1, w, rows, 1, rows, zt);
    }

    /**
     * {@link #panelProduct} with the panel entry of row c and column l at w[l wl + c wc]: (rows, 1)
     * for a column-major panel of {@code rows} rows, (1, r1) for its transpose stored column-major.
     */
    static void panelProduct(double[] xt, int m, int r1, double[] w, int wl, int wc, int rows, double[] zt) {
        panelProduct(xt, m, m, r1, w, wl, wc, rows, zt);
    }

    /**
     * {@link #panelProduct} with the rows of xt and zt {@code s >= m} apart. A stride that is a
     * multiple of 4 KB / 8 (such as 256 points) maps all the rows a tile reads onto a few sets of
     * the first-level cache, which then evicts them as they are read.
     */
    static void panelProduct(double[] xt, int s, int m, int r1, double[] w, int wl, int wc, int rows, double[] zt) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(m);
        int pair = 2 * lanes;
        int quad = 4 * lanes;
        int j = 0;
        // Four, then two lane groups of points at a time, so that each broadcast panel entry feeds
        // several fused multiply-adds and the points' columns stay in the first-level cache across
        // all the panel's rows. Each sweep is a method of its own: in one method the JIT ran out of
        // inlining budget and left the last sweeps' vector operations as calls on boxed vectors.
        for (; j + quad <= bound; j += quad) {
            int c = 0;
            for (; c + 4 <= rows; c += 4) {
                fourByFourLaneGroups(xt, j, s, w, c * wc, wl, wc, r1, zt, c * s + j, s);
            }
            for (; c < rows; c++) {
                oneRowByTwoLaneGroups(xt, j, s, w, c * wc, wl, r1, zt, c * s + j);
                oneRowByTwoLaneGroups(xt, j + pair, s, w, c * wc, wl, r1, zt, c * s + j + pair);
            }
        }
        for (; j + pair <= bound; j += pair) {
            int c = 0;
            for (; c + 4 <= rows; c += 4) {
                fourByTwoLaneGroups(xt, j, s, w, c * wc, wl, wc, r1, zt, c * s + j, s);
            }
            for (; c < rows; c++) {
                oneRowByTwoLaneGroups(xt, j, s, w, c * wc, wl, r1, zt, c * s + j);
            }
        }
        for (; j < bound; j += lanes) {
            int c = 0;
            for (; c + 4 <= rows; c += 4) {
                fourRowsByOneLaneGroup(xt, j, s, w, c * wc, wl, wc, r1, zt, c * s + j);
            }
            for (; c < rows; c++) {
                oneRowByOneLaneGroup(xt, j, s, w, c * wc, wl, r1, zt, c * s + j);
            }
        }
        PointKernels.panelProductScalar(xt, s, m, r1, w, wl, wc, rows, zt, bound);
    }

    /** {@link #panelProduct}'s sweep of one panel row (entries from wo, wl apart) by two lane groups of points from j. */
    private static void oneRowByTwoLaneGroups(double[] xt, int j, int s, double[] w, int wo, int wl, int r1,
                                              double[] zt, int zo) {
        int lanes = SPECIES.length();
        DoubleVector a = DoubleVector.zero(SPECIES);
        DoubleVector b = a;
        for (int l = 0; l < r1; l++) {
            DoubleVector wv = DoubleVector.broadcast(SPECIES, w[l * wl + wo]);
            a = DoubleVector.fromArray(SPECIES, xt, l * s + j).fma(wv, a);
            b = DoubleVector.fromArray(SPECIES, xt, l * s + j + lanes).fma(wv, b);
        }
        a.intoArray(zt, zo);
        b.intoArray(zt, zo + lanes);
    }

    /** {@link #panelProduct}'s sweep of four panel rows (wc apart) by one lane group of points from j; zt's rows s apart. */
    private static void fourRowsByOneLaneGroup(double[] xt, int j, int s, double[] w, int wo0, int wl, int wc, int r1,
                                               double[] zt, int z0) {
        DoubleVector s0 = DoubleVector.zero(SPECIES);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        DoubleVector s3 = s0;
        for (int l = 0; l < r1; l++) {
            DoubleVector x = DoubleVector.fromArray(SPECIES, xt, l * s + j);
            int wo = l * wl + wo0;
            s0 = x.fma(DoubleVector.broadcast(SPECIES, w[wo]), s0);
            s1 = x.fma(DoubleVector.broadcast(SPECIES, w[wo + wc]), s1);
            s2 = x.fma(DoubleVector.broadcast(SPECIES, w[wo + 2 * wc]), s2);
            s3 = x.fma(DoubleVector.broadcast(SPECIES, w[wo + 3 * wc]), s3);
        }
        s0.intoArray(zt, z0);
        s1.intoArray(zt, z0 + s);
        s2.intoArray(zt, z0 + 2 * s);
        s3.intoArray(zt, z0 + 3 * s);
    }

    /** {@link #panelProduct}'s sweep of one panel row by one lane group of points from j. */
    private static void oneRowByOneLaneGroup(double[] xt, int j, int s, double[] w, int wo, int wl, int r1,
                                             double[] zt, int zo) {
        DoubleVector a = DoubleVector.zero(SPECIES);
        for (int l = 0; l < r1; l++) {
            a = DoubleVector.fromArray(SPECIES, xt, l * s + j).fma(DoubleVector.broadcast(SPECIES, w[l * wl + wo]), a);
        }
        a.intoArray(zt, zo);
    }

    /**
     * {@link PointKernels#logJointScalar}, with the points in SIMD lanes: per cluster four rows
     * per sweep sharing each load of the points (as {@link #panelProduct}), their squares
     * added to the running sum in row order; the points past the last full lane scalar.
     */
    static void logJoint(double[] xt, int m, int dim, double[] w, double[] b, int kk, double[] c, double[] out,
                         int stride) {
        if (dim == 4) {
            logJoint4(xt, m, w, b, kk, c, out, stride);
            return;
        }
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(m);
        int rows = kk * dim;
        for (int k = 0; k < kk; k++) {
            int ao = k * stride;
            DoubleVector ck = DoubleVector.broadcast(SPECIES, c[k]);
            for (int j = 0; j < bound; j += lanes) {
                DoubleVector acc = DoubleVector.zero(SPECIES);
                int i = 0;
                for (; i + 4 <= dim; i += 4) {
                    int r0 = k * dim + i;
                    DoubleVector s0 = DoubleVector.zero(SPECIES);
                    DoubleVector s1 = s0;
                    DoubleVector s2 = s0;
                    DoubleVector s3 = s0;
                    for (int l = 0; l < dim; l++) {
                        DoubleVector x = DoubleVector.fromArray(SPECIES, xt, l * m + j);
                        int wo = l * rows + r0;
                        s0 = x.fma(DoubleVector.broadcast(SPECIES, w[wo]), s0);
                        s1 = x.fma(DoubleVector.broadcast(SPECIES, w[wo + 1]), s1);
                        s2 = x.fma(DoubleVector.broadcast(SPECIES, w[wo + 2]), s2);
                        s3 = x.fma(DoubleVector.broadcast(SPECIES, w[wo + 3]), s3);
                    }
                    DoubleVector v0 = s0.sub(b[r0]);
                    DoubleVector v1 = s1.sub(b[r0 + 1]);
                    DoubleVector v2 = s2.sub(b[r0 + 2]);
                    DoubleVector v3 = s3.sub(b[r0 + 3]);
                    acc = acc.add(v0.mul(v0)).add(v1.mul(v1)).add(v2.mul(v2)).add(v3.mul(v3));
                }
                for (; i < dim; i++) {
                    int row = k * dim + i;
                    DoubleVector s = DoubleVector.zero(SPECIES);
                    for (int l = 0; l < dim; l++) {
                        s = DoubleVector.fromArray(SPECIES, xt, l * m + j).fma(DoubleVector.broadcast(SPECIES, w[l * rows + row]), s);
                    }
                    DoubleVector v = s.sub(b[row]);
                    acc = acc.add(v.mul(v));
                }
                ck.sub(acc.mul(0.5)).intoArray(out, ao + j);
            }
        }
        PointKernels.logJointScalar(xt, m, dim, w, b, kk, c, out, stride, bound);
    }

    /**
     * {@link #logJoint} at D = 4, the policy prior's dimension, with the loops over the four rows
     * and columns written out: the same operations in the same order, without a loop of four
     * around every few of them.
     */
    private static void logJoint4(double[] xt, int m, double[] w, double[] b, int kk, double[] c, double[] out,
                                  int stride) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(m);
        int rows = kk * 4;
        for (int k = 0; k < kk; k++) {
            int ao = k * stride;
            int r0 = k * 4;
            DoubleVector ck = DoubleVector.broadcast(SPECIES, c[k]);
            DoubleVector w00 = DoubleVector.broadcast(SPECIES, w[r0]);
            DoubleVector w01 = DoubleVector.broadcast(SPECIES, w[r0 + 1]);
            DoubleVector w02 = DoubleVector.broadcast(SPECIES, w[r0 + 2]);
            DoubleVector w03 = DoubleVector.broadcast(SPECIES, w[r0 + 3]);
            DoubleVector w10 = DoubleVector.broadcast(SPECIES, w[rows + r0]);
            DoubleVector w11 = DoubleVector.broadcast(SPECIES, w[rows + r0 + 1]);
            DoubleVector w12 = DoubleVector.broadcast(SPECIES, w[rows + r0 + 2]);
            DoubleVector w13 = DoubleVector.broadcast(SPECIES, w[rows + r0 + 3]);
            DoubleVector w20 = DoubleVector.broadcast(SPECIES, w[2 * rows + r0]);
            DoubleVector w21 = DoubleVector.broadcast(SPECIES, w[2 * rows + r0 + 1]);
            DoubleVector w22 = DoubleVector.broadcast(SPECIES, w[2 * rows + r0 + 2]);
            DoubleVector w23 = DoubleVector.broadcast(SPECIES, w[2 * rows + r0 + 3]);
            DoubleVector w30 = DoubleVector.broadcast(SPECIES, w[3 * rows + r0]);
            DoubleVector w31 = DoubleVector.broadcast(SPECIES, w[3 * rows + r0 + 1]);
            DoubleVector w32 = DoubleVector.broadcast(SPECIES, w[3 * rows + r0 + 2]);
            DoubleVector w33 = DoubleVector.broadcast(SPECIES, w[3 * rows + r0 + 3]);
            double b0 = b[r0];
            double b1 = b[r0 + 1];
            double b2 = b[r0 + 2];
            double b3 = b[r0 + 3];
            for (int j = 0; j < bound; j += lanes) {
                DoubleVector x0 = DoubleVector.fromArray(SPECIES, xt, j);
                DoubleVector x1 = DoubleVector.fromArray(SPECIES, xt, m + j);
                DoubleVector x2 = DoubleVector.fromArray(SPECIES, xt, 2 * m + j);
                DoubleVector x3 = DoubleVector.fromArray(SPECIES, xt, 3 * m + j);
                DoubleVector zero = DoubleVector.zero(SPECIES);
                DoubleVector s0 = x0.fma(w00, zero);
                DoubleVector s1 = x0.fma(w01, zero);
                DoubleVector s2 = x0.fma(w02, zero);
                DoubleVector s3 = x0.fma(w03, zero);
                s0 = x1.fma(w10, s0);
                s1 = x1.fma(w11, s1);
                s2 = x1.fma(w12, s2);
                s3 = x1.fma(w13, s3);
                s0 = x2.fma(w20, s0);
                s1 = x2.fma(w21, s1);
                s2 = x2.fma(w22, s2);
                s3 = x2.fma(w23, s3);
                s0 = x3.fma(w30, s0);
                s1 = x3.fma(w31, s1);
                s2 = x3.fma(w32, s2);
                s3 = x3.fma(w33, s3);
                DoubleVector v0 = s0.sub(b0);
                DoubleVector v1 = s1.sub(b1);
                DoubleVector v2 = s2.sub(b2);
                DoubleVector v3 = s3.sub(b3);
                DoubleVector acc = zero.add(v0.mul(v0)).add(v1.mul(v1)).add(v2.mul(v2)).add(v3.mul(v3));
                ck.sub(acc.mul(0.5)).intoArray(out, ao + j);
            }
        }
        PointKernels.logJointScalar(xt, m, 4, w, b, kk, c, out, stride, bound);
    }

    /** {@link PointKernels#listNotBelow}: a lane group with nothing to list skipped after one comparison, the others scalar. */
    static int listNotBelow(double[] v, int o, double[] max, int m, double threshold, int[] out, int t) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(m);
        int c = 0;
        for (int j = 0; j < bound; j += lanes) {
            if (!DoubleVector.fromArray(SPECIES, v, o + j).sub(DoubleVector.fromArray(SPECIES, max, j))
                    .compare(VectorOperators.LT, threshold).allTrue()) {
                c = PointKernels.listNotBelowScalar(v, o, max, threshold, out, t, j, j + lanes, c);
            }
        }
        return PointKernels.listNotBelowScalar(v, o, max, threshold, out, t, bound, m, c);
    }

    /** {@link PointKernels#shiftedMomentsScalar}, with the point's coordinates in SIMD lanes; the rest scalar. */
    static void shiftedMoments(double[] points, int o, double[] shift, int dim, double w, double sw,
                               double[] sum, double[] y, int p) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(dim);
        for (int i = 0; i < bound; i += lanes) {
            DoubleVector d = DoubleVector.fromArray(SPECIES, points, o + i).sub(DoubleVector.fromArray(SPECIES, shift, i));
            DoubleVector.fromArray(SPECIES, sum, i).add(d.mul(w)).intoArray(sum, i);
            d.mul(sw).intoArray(y, p + i);
        }
        PointKernels.shiftedMomentsScalar(points, o, shift, dim, w, sw, sum, y, p, bound);
    }

    /** n rounded up to a whole number of lanes. */
    static int padded(int n) {
        int lanes = SPECIES.length();
        return (n + lanes - 1) / lanes * lanes;
    }

    /**
     * {@link PointKernels#lowerScatterScalar} in SIMD lanes, the chains of
     * {@link PointKernels#addSelectedMomentsByChains}: for the m
     * points y (one per {@code padded} entries, zeros past dim), out[c padded + r] = the chain of
     * fma(y_q[r], y_q[c], .) over q in order from +0.0, for each column c < dim and at least the
     * rows r >= c (rows from the start of c's lane group; the rest of the column is left as it
     * was). Four columns by two lane groups of rows per sweep: eight sums, each load of a point's
     * rows shared by four columns and each broadcast by two lane groups.
     */
    static void lowerScatter(double[] y, int padded, int dim, int m, double[] out) {
        int lanes = SPECIES.length();
        int c = 0;
        for (; c + 4 <= dim; c += 4) {
            int r = c / lanes * lanes;
            for (; r + 2 * lanes <= padded; r += 2 * lanes) {
                fourByTwoLaneGroups(y, r, padded, y, c, padded, 1, m, out, c * padded + r, padded);
            }
            for (; r < padded; r += lanes) {
                DoubleVector a0 = DoubleVector.zero(SPECIES);
                DoubleVector a1 = a0;
                DoubleVector a2 = a0;
                DoubleVector a3 = a0;
                for (int q = 0; q < m; q++) {
                    int o = q * padded;
                    DoubleVector x = DoubleVector.fromArray(SPECIES, y, o + r);
                    a0 = x.fma(DoubleVector.broadcast(SPECIES, y[o + c]), a0);
                    a1 = x.fma(DoubleVector.broadcast(SPECIES, y[o + c + 1]), a1);
                    a2 = x.fma(DoubleVector.broadcast(SPECIES, y[o + c + 2]), a2);
                    a3 = x.fma(DoubleVector.broadcast(SPECIES, y[o + c + 3]), a3);
                }
                a0.intoArray(out, c * padded + r);
                a1.intoArray(out, (c + 1) * padded + r);
                a2.intoArray(out, (c + 2) * padded + r);
                a3.intoArray(out, (c + 3) * padded + r);
            }
        }
        for (; c < dim; c++) {
            for (int r = c / lanes * lanes; r < padded; r += lanes) {
                DoubleVector a = DoubleVector.zero(SPECIES);
                for (int q = 0; q < m; q++) {
                    int o = q * padded;
                    a = DoubleVector.fromArray(SPECIES, y, o + r).fma(DoubleVector.broadcast(SPECIES, y[o + c]), a);
                }
                a.intoArray(out, c * padded + r);
            }
        }
    }

    /**
     * {@link UnblockedCholesky#choleskyColumnScalar} for {@code groups} lane groups of rows from
     * j+1 (past n-1 the work copy's padding): two lane groups at a time held in registers across
     * the columns k, each lane the scalar loop's adds in its order.
     */
    static void choleskyColumn(double[] w, int lda, int j, int groups, double r) {
        int lanes = SPECIES.length();
        int yo = j * lda + j + 1;
        DoubleVector rv = DoubleVector.broadcast(SPECIES, r);
        int g = 0;
        for (; g + 2 <= groups; g += 2) {
            int o = yo + g * lanes;
            DoubleVector y0 = DoubleVector.fromArray(SPECIES, w, o);
            DoubleVector y1 = DoubleVector.fromArray(SPECIES, w, o + lanes);
            for (int k = 0; k < j; k++) {
                double x = w[j + k * lda];
                if (x != 0.0) {
                    DoubleVector temp = DoubleVector.broadcast(SPECIES, -1.0 * x);
                    int ao = k * lda + j + 1 + g * lanes;
                    y0 = y0.add(DoubleVector.fromArray(SPECIES, w, ao).mul(temp));
                    y1 = y1.add(DoubleVector.fromArray(SPECIES, w, ao + lanes).mul(temp));
                }
            }
            y0.mul(rv).intoArray(w, o);
            y1.mul(rv).intoArray(w, o + lanes);
        }
        if (g < groups) {
            choleskyColumnGroup(w, lda, j, 1 + j + g * lanes, rv);
        }
    }

    /**
     * {@link #choleskyColumn} for the one lane group of rows from {@code from}, through memory: a
     * single running vector carried across the conditional update was left by the JIT as calls on
     * boxed vectors.
     */
    private static void choleskyColumnGroup(double[] w, int lda, int j, int from, DoubleVector rv) {
        int o = j * lda + from;
        for (int k = 0; k < j; k++) {
            double x = w[j + k * lda];
            if (x != 0.0) {
                DoubleVector temp = DoubleVector.broadcast(SPECIES, -1.0 * x);
                DoubleVector.fromArray(SPECIES, w, o)
                        .add(DoubleVector.fromArray(SPECIES, w, k * lda + from).mul(temp))
                        .intoArray(w, o);
            }
        }
        DoubleVector.fromArray(SPECIES, w, o).mul(rv).intoArray(w, o);
    }

    /**
     * {@link UnblockedCholesky#inverseColumnScalar}'s dtrmv for column j of an n x n work copy
     * (lda rows per column, at least n + lanes - 1): each column c's update of the rows below it
     * in whole lane groups (past n-1 the padding), a multiply then an add per lane.
     */
    static void inverseColumn(double[] w, int lda, int j, int n) {
        int lanes = SPECIES.length();
        int xo = j * lda;
        for (int c = n - 1; c > j; c--) {
            double temp = w[xo + c];
            if (temp != 0.0) {
                DoubleVector t = DoubleVector.broadcast(SPECIES, temp);
                int co = c * lda;
                for (int p = c + 1; p < n; p += lanes) {
                    DoubleVector.fromArray(SPECIES, w, xo + p)
                            .add(DoubleVector.fromArray(SPECIES, w, co + p).mul(t))
                            .intoArray(w, xo + p);
                }
                w[xo + c] = w[xo + c] * w[co + c];
            }
        }
    }

    /**
     * {@link UnblockedCholesky#solveScalar}'s L Y = B on the right-hand sides in lanes: b holds
     * row k of B at k r (r a whole number of lane groups). Row k's lanes become y_k = b_k / L_kk
     * and each row i below it b_i - y_k L_ik. Where a lane's b_k is zero the reference loop skips
     * that column: a group with such a lane runs its lanes one at a time for that k.
     */
    static void solveLower(double[] l, int n, double[] b, int r) {
        int lanes = SPECIES.length();
        for (int g = 0; g < r; g += lanes) {
            for (int k = 0; k < n; k++) {
                int ko = k * r + g;
                boolean anyZero = false;
                for (int q = 0; q < lanes; q++) {
                    anyZero |= b[ko + q] == 0.0;
                }
                if (anyZero) {
                    solveLowerColumnByLane(l, n, b, r, k, ko, lanes);
                } else {
                    solveLowerColumn(l, n, b, r, k, ko);
                }
            }
        }
    }

    /** {@link #solveLower}'s step k for a lane group none of whose b_k is zero. */
    private static void solveLowerColumn(double[] l, int n, double[] b, int r, int k, int ko) {
        DoubleVector y = DoubleVector.fromArray(SPECIES, b, ko).div(DoubleVector.broadcast(SPECIES, l[k + k * n]));
        y.intoArray(b, ko);
        for (int i = k + 1; i < n; i++) {
            int io = ko + (i - k) * r;
            DoubleVector.fromArray(SPECIES, b, io)
                    .sub(y.mul(DoubleVector.broadcast(SPECIES, l[i + k * n])))
                    .intoArray(b, io);
        }
    }

    /** {@link #solveLower}'s step k one lane at a time, each skipped where its b_k is zero. */
    private static void solveLowerColumnByLane(double[] l, int n, double[] b, int r, int k, int ko, int lanes) {
        for (int q = 0; q < lanes; q++) {
            double bk = b[ko + q];
            if (bk != 0.0) {
                bk = bk / l[k + k * n];
                b[ko + q] = bk;
                for (int i = k + 1; i < n; i++) {
                    int io = ko + (i - k) * r + q;
                    b[io] = b[io] - bk * l[i + k * n];
                }
            }
        }
    }

    /**
     * {@link UnblockedCholesky#solveScalar}'s L^T X = Y on the right-hand sides in lanes (b as in
     * {@link #solveLower}): from the last row, x_i = (y_i - L_ki x_k over k = i + 1.. in order) /
     * L_ii, each lane's running value in a register. (The reference starts from 1 y_i, the same
     * number: multiplying by one changes no double the pipeline can hold.)
     */
    static void solveLowerTransposed(double[] l, int n, double[] b, int r) {
        int lanes = SPECIES.length();
        for (int g = 0; g < r; g += lanes) {
            for (int i = n - 1; i >= 0; i--) {
                solveLowerTransposedRow(l, n, b, r, i, i * r + g);
            }
        }
    }

    private static void solveLowerTransposedRow(double[] l, int n, double[] b, int r, int i, int io) {
        DoubleVector temp = DoubleVector.fromArray(SPECIES, b, io);
        for (int k = i + 1; k < n; k++) {
            temp = temp.sub(DoubleVector.fromArray(SPECIES, b, io + (k - i) * r)
                    .mul(DoubleVector.broadcast(SPECIES, l[k + i * n])));
        }
        temp.div(DoubleVector.broadcast(SPECIES, l[i + i * n])).intoArray(b, io);
    }

    /** {@link #fourByTwoLaneGroups} over four lane groups: sixteen independent sums, each broadcast feeding four. */
    private static void fourByFourLaneGroups(double[] a, int ao, int as, double[] b, int bo, int bs, int bi, int n,
                                             double[] out, int oo, int os) {
        int lanes = SPECIES.length();
        DoubleVector s0 = DoubleVector.zero(SPECIES);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        DoubleVector s3 = s0;
        DoubleVector t0 = s0;
        DoubleVector t1 = s0;
        DoubleVector t2 = s0;
        DoubleVector t3 = s0;
        DoubleVector u0 = s0;
        DoubleVector u1 = s0;
        DoubleVector u2 = s0;
        DoubleVector u3 = s0;
        DoubleVector v0 = s0;
        DoubleVector v1 = s0;
        DoubleVector v2 = s0;
        DoubleVector v3 = s0;
        for (int k = 0; k < n; k++) {
            int ak = ao + k * as;
            int bk = bo + k * bs;
            DoubleVector x = DoubleVector.fromArray(SPECIES, a, ak);
            DoubleVector y = DoubleVector.fromArray(SPECIES, a, ak + lanes);
            DoubleVector z = DoubleVector.fromArray(SPECIES, a, ak + 2 * lanes);
            DoubleVector q = DoubleVector.fromArray(SPECIES, a, ak + 3 * lanes);
            DoubleVector b0 = DoubleVector.broadcast(SPECIES, b[bk]);
            s0 = x.fma(b0, s0);
            t0 = y.fma(b0, t0);
            u0 = z.fma(b0, u0);
            v0 = q.fma(b0, v0);
            DoubleVector b1 = DoubleVector.broadcast(SPECIES, b[bk + bi]);
            s1 = x.fma(b1, s1);
            t1 = y.fma(b1, t1);
            u1 = z.fma(b1, u1);
            v1 = q.fma(b1, v1);
            DoubleVector b2 = DoubleVector.broadcast(SPECIES, b[bk + 2 * bi]);
            s2 = x.fma(b2, s2);
            t2 = y.fma(b2, t2);
            u2 = z.fma(b2, u2);
            v2 = q.fma(b2, v2);
            DoubleVector b3 = DoubleVector.broadcast(SPECIES, b[bk + 3 * bi]);
            s3 = x.fma(b3, s3);
            t3 = y.fma(b3, t3);
            u3 = z.fma(b3, u3);
            v3 = q.fma(b3, v3);
        }
        int l2 = 2 * lanes;
        int l3 = 3 * lanes;
        s0.intoArray(out, oo);
        t0.intoArray(out, oo + lanes);
        u0.intoArray(out, oo + l2);
        v0.intoArray(out, oo + l3);
        s1.intoArray(out, oo + os);
        t1.intoArray(out, oo + os + lanes);
        u1.intoArray(out, oo + os + l2);
        v1.intoArray(out, oo + os + l3);
        s2.intoArray(out, oo + 2 * os);
        t2.intoArray(out, oo + 2 * os + lanes);
        u2.intoArray(out, oo + 2 * os + l2);
        v2.intoArray(out, oo + 2 * os + l3);
        s3.intoArray(out, oo + 3 * os);
        t3.intoArray(out, oo + 3 * os + lanes);
        u3.intoArray(out, oo + 3 * os + l2);
        v3.intoArray(out, oo + 3 * os + l3);
    }

    /**
     * The sweep both products are made of: for i < 4 and the two lane groups from {@code ao},
     * out[oo + i os + lane] = the chain over k < n, in order from +0.0, of
     * fma(a[ao + k as + lane], b[bo + k bs + i bi], .). Eight sums; each load of a lane group shared
     * by four broadcasts, each broadcast by two lane groups.
     */
    private static void fourByTwoLaneGroups(double[] a, int ao, int as, double[] b, int bo, int bs, int bi, int n,
                                            double[] out, int oo, int os) {
        int lanes = SPECIES.length();
        DoubleVector s0 = DoubleVector.zero(SPECIES);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        DoubleVector s3 = s0;
        DoubleVector t0 = s0;
        DoubleVector t1 = s0;
        DoubleVector t2 = s0;
        DoubleVector t3 = s0;
        for (int k = 0; k < n; k++) {
            int ak = ao + k * as;
            int bk = bo + k * bs;
            DoubleVector x = DoubleVector.fromArray(SPECIES, a, ak);
            DoubleVector y = DoubleVector.fromArray(SPECIES, a, ak + lanes);
            DoubleVector b0 = DoubleVector.broadcast(SPECIES, b[bk]);
            DoubleVector b1 = DoubleVector.broadcast(SPECIES, b[bk + bi]);
            DoubleVector b2 = DoubleVector.broadcast(SPECIES, b[bk + 2 * bi]);
            DoubleVector b3 = DoubleVector.broadcast(SPECIES, b[bk + 3 * bi]);
            s0 = x.fma(b0, s0);
            s1 = x.fma(b1, s1);
            s2 = x.fma(b2, s2);
            s3 = x.fma(b3, s3);
            t0 = y.fma(b0, t0);
            t1 = y.fma(b1, t1);
            t2 = y.fma(b2, t2);
            t3 = y.fma(b3, t3);
        }
        s0.intoArray(out, oo);
        t0.intoArray(out, oo + lanes);
        s1.intoArray(out, oo + os);
        t1.intoArray(out, oo + os + lanes);
        s2.intoArray(out, oo + 2 * os);
        t2.intoArray(out, oo + 2 * os + lanes);
        s3.intoArray(out, oo + 3 * os);
        t3.intoArray(out, oo + 3 * os + lanes);
    }

    /** {@link PointKernels#addMixtureColumn}, with the rows in SIMD lanes; the rest scalar. */
    static void addMixtureColumn(double[] phi, double[] cov, int o, double a, double[] v, double c, int d) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(d);
        for (int r = 0; r < bound; r += lanes) {
            DoubleVector t = DoubleVector.fromArray(SPECIES, cov, o + r).mul(a)
                    .add(DoubleVector.fromArray(SPECIES, v, r).mul(c));
            DoubleVector.fromArray(SPECIES, phi, o + r).add(t).intoArray(phi, o + r);
        }
        PointKernels.addMixtureColumnScalar(phi, cov, o, a, v, c, d, bound);
    }

    /** {@link PointKernels#addScaled}: a product, then a sum, in each lane; the elements past the last full lane scalar. */
    static void addScaled(double a, double[] x, int xo, double[] y, int yo, int n) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += lanes) {
            DoubleVector.fromArray(SPECIES, y, yo + i).add(DoubleVector.fromArray(SPECIES, x, xo + i).mul(a))
                    .intoArray(y, yo + i);
        }
        PointKernels.addScaledScalar(a, x, xo, y, yo, n, bound);
    }

    /**
     * {@link PointKernels#nonzeroUnits}'s sums for the r below the last full lane group of n, whose
     * bound it returns (the caller does the rest): the same terms, added in the same order.
     */
    static int absSums(double[] d, int n, double[] sums) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        for (int r = 0; r < bound; r += lanes) {
            DoubleVector.fromArray(SPECIES, d, r).abs()
                    .add(DoubleVector.fromArray(SPECIES, d, n + r).abs())
                    .add(DoubleVector.fromArray(SPECIES, d, 2 * n + r).abs())
                    .add(DoubleVector.fromArray(SPECIES, d, 3 * n + r).abs())
                    .intoArray(sums, r);
        }
        return bound;
    }

    /**
     * {@link PointKernels#blockLayerScalar}: two lane groups of units for the block's four rows in
     * eight registers through the whole sum over the inputs, each weight loaded once per block;
     * then one lane group; the units past the last full lane group scalar.
     */
    static boolean blockLayer(double[] x, int in, int[] inputs, int count, double[] columns, double[] bias, int bo,
                              int out, double[] z, boolean relu) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(out);
        int j = 0;
        for (; j + 2 * lanes <= bound; j += 2 * lanes) {
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bias, bo + j);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bias, bo + j + lanes);
            DoubleVector z00 = b0;
            DoubleVector z01 = b1;
            DoubleVector z10 = b0;
            DoubleVector z11 = b1;
            DoubleVector z20 = b0;
            DoubleVector z21 = b1;
            DoubleVector z30 = b0;
            DoubleVector z31 = b1;
            for (int q = 0; q < count; q++) {
                int c = inputs[q];
                DoubleVector w0 = DoubleVector.fromArray(SPECIES, columns, c * out + j);
                DoubleVector w1 = DoubleVector.fromArray(SPECIES, columns, c * out + j + lanes);
                double x0 = x[c];
                double x1 = x[in + c];
                double x2 = x[2 * in + c];
                double x3 = x[3 * in + c];
                z00 = z00.add(w0.mul(x0));
                z01 = z01.add(w1.mul(x0));
                z10 = z10.add(w0.mul(x1));
                z11 = z11.add(w1.mul(x1));
                z20 = z20.add(w0.mul(x2));
                z21 = z21.add(w1.mul(x2));
                z30 = z30.add(w0.mul(x3));
                z31 = z31.add(w1.mul(x3));
            }
            z00.intoArray(z, j);
            z01.intoArray(z, j + lanes);
            z10.intoArray(z, out + j);
            z11.intoArray(z, out + j + lanes);
            z20.intoArray(z, 2 * out + j);
            z21.intoArray(z, 2 * out + j + lanes);
            z30.intoArray(z, 3 * out + j);
            z31.intoArray(z, 3 * out + j + lanes);
        }
        for (; j < bound; j += lanes) {
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bias, bo + j);
            DoubleVector z0 = b0;
            DoubleVector z1 = b0;
            DoubleVector z2 = b0;
            DoubleVector z3 = b0;
            for (int q = 0; q < count; q++) {
                int c = inputs[q];
                DoubleVector w0 = DoubleVector.fromArray(SPECIES, columns, c * out + j);
                z0 = z0.add(w0.mul(x[c]));
                z1 = z1.add(w0.mul(x[in + c]));
                z2 = z2.add(w0.mul(x[2 * in + c]));
                z3 = z3.add(w0.mul(x[3 * in + c]));
            }
            z0.intoArray(z, j);
            z1.intoArray(z, out + j);
            z2.intoArray(z, 2 * out + j);
            z3.intoArray(z, 3 * out + j);
        }
        PointKernels.blockLayerScalar(x, in, inputs, count, columns, bias, bo, out, z, relu, bound);
        return reluFinite(z, 4 * out, relu);
    }

    /**
     * With {@code relu}, z[i] = Math.max(0, z[i]) for i below n (non-positive values, -0.0 among
     * them, become +0.0, NaN stays; a second pass changes nothing); returns whether all of z[0..n)
     * is finite. A pass of its own, after the sums: done inside {@link #blockLayer}'s loops it made
     * the method too large for the JIT to keep its vectors in registers.
     */
    private static boolean reluFinite(double[] z, int n, boolean relu) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        // Lane by lane zero while what was stored is finite, NaN from the first that is not.
        DoubleVector check = DoubleVector.zero(SPECIES);
        if (relu) {
            for (int i = 0; i < bound; i += lanes) {
                DoubleVector v = DoubleVector.fromArray(SPECIES, z, i);
                v = v.blend(0.0, v.compare(VectorOperators.LE, 0.0));
                v.intoArray(z, i);
                check = check.add(v.mul(0.0));
            }
        } else {
            for (int i = 0; i < bound; i += lanes) {
                check = check.add(DoubleVector.fromArray(SPECIES, z, i).mul(0.0));
            }
        }
        boolean finite = check.reduceLanes(VectorOperators.ADD) == 0;
        for (int i = bound; i < n; i++) {
            if (relu) {
                z[i] = Math.max(0, z[i]);
            }
            finite &= Double.isFinite(z[i]);
        }
        return finite;
    }

    /**
     * {@link PointKernels#blockBackLayerScalar}: two lane groups of inputs for the block's four rows
     * in eight registers through the whole sum over the outputs, each weight loaded once per block;
     * then one lane group; the inputs past the last full lane group scalar.
     */
    static void blockBackLayer(double[] d, int out, int[] units, int count, double[] weights, int wo, int in,
                               double[] prev, double[] next) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(in);
        DoubleVector zero = DoubleVector.zero(SPECIES);
        int c = 0;
        for (; c + 2 * lanes <= bound; c += 2 * lanes) {
            DoubleVector n00 = zero;
            DoubleVector n01 = zero;
            DoubleVector n10 = zero;
            DoubleVector n11 = zero;
            DoubleVector n20 = zero;
            DoubleVector n21 = zero;
            DoubleVector n30 = zero;
            DoubleVector n31 = zero;
            for (int q = 0; q < count; q++) {
                int r = units[q];
                DoubleVector w0 = DoubleVector.fromArray(SPECIES, weights, wo + r * in + c);
                DoubleVector w1 = DoubleVector.fromArray(SPECIES, weights, wo + r * in + c + lanes);
                double d0 = d[r];
                double d1 = d[out + r];
                double d2 = d[2 * out + r];
                double d3 = d[3 * out + r];
                n00 = n00.add(w0.mul(d0));
                n01 = n01.add(w1.mul(d0));
                n10 = n10.add(w0.mul(d1));
                n11 = n11.add(w1.mul(d1));
                n20 = n20.add(w0.mul(d2));
                n21 = n21.add(w1.mul(d2));
                n30 = n30.add(w0.mul(d3));
                n31 = n31.add(w1.mul(d3));
            }
            n00.intoArray(next, c);
            n01.intoArray(next, c + lanes);
            n10.intoArray(next, in + c);
            n11.intoArray(next, in + c + lanes);
            n20.intoArray(next, 2 * in + c);
            n21.intoArray(next, 2 * in + c + lanes);
            n30.intoArray(next, 3 * in + c);
            n31.intoArray(next, 3 * in + c + lanes);
        }
        for (; c < bound; c += lanes) {
            DoubleVector n0 = zero;
            DoubleVector n1 = zero;
            DoubleVector n2 = zero;
            DoubleVector n3 = zero;
            for (int q = 0; q < count; q++) {
                int r = units[q];
                DoubleVector w0 = DoubleVector.fromArray(SPECIES, weights, wo + r * in + c);
                n0 = n0.add(w0.mul(d[r]));
                n1 = n1.add(w0.mul(d[out + r]));
                n2 = n2.add(w0.mul(d[2 * out + r]));
                n3 = n3.add(w0.mul(d[3 * out + r]));
            }
            n0.intoArray(next, c);
            n1.intoArray(next, in + c);
            n2.intoArray(next, 2 * in + c);
            n3.intoArray(next, 3 * in + c);
        }
        PointKernels.blockBackLayerScalar(d, out, units, count, weights, wo, in, prev, next, bound);
        // The ReLU's mask over the whole block in a pass of its own (as reluFinite, for the same
        // reason); the scalar loop's inputs, masked already, stay as they are.
        int all = SPECIES.loopBound(4 * in);
        for (int i = 0; i < all; i += lanes) {
            DoubleVector.zero(SPECIES)
                    .blend(DoubleVector.fromArray(SPECIES, next, i),
                            DoubleVector.fromArray(SPECIES, prev, i).compare(VectorOperators.GT, 0.0))
                    .intoArray(next, i);
        }
        for (int i = all; i < 4 * in; i++) {
            next[i] = prev[i] > 0 ? next[i] : 0.0;
        }
    }

    /**
     * {@link PointKernels#blockAddOuterScalar}: two lane groups of columns of the block's four rows
     * of a held in eight registers while every gradient row takes its four products, one load and
     * one store per gradient element and block (two groups rather than one: half the broadcasts of
     * d per product); then one lane group; the columns past the last full lane group scalar.
     */
    static void blockAddOuter(double[] d, int out, int[] units, int count, double[] a, int in, double[] grad,
                              int go) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(in);
        int k = 0;
        for (; k + 2 * lanes <= bound; k += 2 * lanes) {
            DoubleVector a00 = DoubleVector.fromArray(SPECIES, a, k);
            DoubleVector a01 = DoubleVector.fromArray(SPECIES, a, k + lanes);
            DoubleVector a10 = DoubleVector.fromArray(SPECIES, a, in + k);
            DoubleVector a11 = DoubleVector.fromArray(SPECIES, a, in + k + lanes);
            DoubleVector a20 = DoubleVector.fromArray(SPECIES, a, 2 * in + k);
            DoubleVector a21 = DoubleVector.fromArray(SPECIES, a, 2 * in + k + lanes);
            DoubleVector a30 = DoubleVector.fromArray(SPECIES, a, 3 * in + k);
            DoubleVector a31 = DoubleVector.fromArray(SPECIES, a, 3 * in + k + lanes);
            for (int q = 0; q < count; q++) {
                int r = units[q];
                int g = go + r * in + k;
                double d0 = d[r];
                double d1 = d[out + r];
                double d2 = d[2 * out + r];
                double d3 = d[3 * out + r];
                DoubleVector.fromArray(SPECIES, grad, g)
                        .add(a00.mul(d0)).add(a10.mul(d1)).add(a20.mul(d2)).add(a30.mul(d3))
                        .intoArray(grad, g);
                DoubleVector.fromArray(SPECIES, grad, g + lanes)
                        .add(a01.mul(d0)).add(a11.mul(d1)).add(a21.mul(d2)).add(a31.mul(d3))
                        .intoArray(grad, g + lanes);
            }
        }
        for (; k < bound; k += lanes) {
            DoubleVector a0 = DoubleVector.fromArray(SPECIES, a, k);
            DoubleVector a1 = DoubleVector.fromArray(SPECIES, a, in + k);
            DoubleVector a2 = DoubleVector.fromArray(SPECIES, a, 2 * in + k);
            DoubleVector a3 = DoubleVector.fromArray(SPECIES, a, 3 * in + k);
            for (int q = 0; q < count; q++) {
                int r = units[q];
                int g = go + r * in + k;
                DoubleVector.fromArray(SPECIES, grad, g)
                        .add(a0.mul(d[r])).add(a1.mul(d[out + r])).add(a2.mul(d[2 * out + r]))
                        .add(a3.mul(d[3 * out + r]))
                        .intoArray(grad, g);
            }
        }
        PointKernels.blockAddOuterScalar(d, out, units, count, a, in, grad, go, bound);
    }

    /** {@link PointKernels#blockAddSumScalar}, with the elements in SIMD lanes; the rest scalar. */
    static void blockAddSum(double[] d, int n, double[] grad, int go) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        for (int r = 0; r < bound; r += lanes) {
            DoubleVector.fromArray(SPECIES, grad, go + r)
                    .add(DoubleVector.fromArray(SPECIES, d, r)).add(DoubleVector.fromArray(SPECIES, d, n + r))
                    .add(DoubleVector.fromArray(SPECIES, d, 2 * n + r)).add(DoubleVector.fromArray(SPECIES, d, 3 * n + r))
                    .intoArray(grad, go + r);
        }
        PointKernels.blockAddSumScalar(d, n, grad, go, bound);
    }
}
