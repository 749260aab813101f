package org.gps.core.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of {@link PointKernels}' element-wise loops, through the incubating Vector API.
 * The JIT of Java 17 does not vectorise these loops by itself: they read and write different
 * arrays at offsets it cannot prove apart, so it falls back to one element per instruction.
 *
 * <p>Every result is the same to the bit as the scalar loop's: each lane does the scalar
 * operations in the scalar order (subtract, multiply, add; no fused multiply-add, no
 * reassociation across elements). Loaded only when the JVM has the module
 * ({@link PointKernels#VECTOR_API}); {@code jobs/jvm.options} adds it.
 */
final class VectorKernels {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

    private VectorKernels() {
    }

    /** {@link PointKernels#addSquaresScalar}, with the points of a row in SIMD lanes; the points past the last full lane scalar. */
    static void addSquares(double[] zt, double[] b, int kk, int h, int m, double[] acc, int offset, int stride) {
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
                int z0 = c0 * m;
                int z1 = z0 + m;
                int z2 = z1 + m;
                int z3 = z2 + m;
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
                int zo = col * m;
                for (int j = 0; j < bound; j += lanes) {
                    DoubleVector v = DoubleVector.fromArray(SPECIES, zt, zo + j).sub(bv);
                    DoubleVector.fromArray(SPECIES, acc, ao + j).add(v.mul(v)).intoArray(acc, ao + j);
                }
            }
        }
        PointKernels.addSquaresScalar(zt, b, kk, h, m, acc, offset, stride, bound);
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
}
