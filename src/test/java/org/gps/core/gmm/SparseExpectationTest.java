package org.gps.core.gmm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The E-step through {@link Gmm#expectation} (one pass over each chunk's log joints, then only the
 * terms that count) and PointKernels' own scatter at D = 4, against the dense posteriors they
 * replaced ({@link Gmm#posteriorsByCluster} and a pass per cluster over all of them) and dgemm,
 * compared by raw bits: any difference in a last bit would move a GPS run's whole path.
 */
class SparseExpectationTest {

    /**
     * Whole fits both ways on trajectories plus noise: D 2 to 8 (and 12 and 13, where the log
     * joints come from the dense distances instead of the fused kernel), K 2 to 60, N 50 to 3,000,
     * blocks of 512 as the in-task fits use and of odd sizes, every start; among them fits of many
     * clusters on few points, whose clusters lose their mass and are rebooted.
     */
    @Test
    void emFitsTheSameBitsBothWays() {
        int[][] shapes = {
            // D, K, N, block
            {4, 50, 2000, 512}, {4, 50, 2000, 333}, {2, 2, 50, 512}, {2, 7, 300, 64}, {3, 20, 1000, 512},
            {4, 60, 50, 512}, {4, 60, 150, 70}, {5, 11, 3000, 512}, {6, 33, 1200, 1200}, {7, 3, 600, 100},
            {8, 20, 2000, 512}, {8, 60, 400, 512}, {12, 30, 800, 512}, {13, 5, 500, 250}, {4, 50, 3000, 512},
        };
        GmmOptions.Initialization[] starts = GmmOptions.Initialization.values();
        for (int s = 0; s < shapes.length; s++) {
            int[] sh = shapes[s];
            List<PointBlock> blocks = trajectories(sh[0], sh[2], sh[3], s);
            GmmOptions options = new GmmOptions(s % 2 == 0 ? 100 : 40, s % 3 == 0 ? 0.0 : 1e-5, 1e-6, 2e-6, 1e-4,
                    s, false, starts[s % starts.length]);
            EmResult dense = fit(blocks, sh[1], options, false);
            EmResult sparse = fit(blocks, sh[1], options, true);
            String shape = "D=" + sh[0] + " K=" + sh[1] + " N=" + sh[2] + " block " + sh[3];
            assertSameResult(dense, sparse, shape);
            // And the same again from the fit's model, as a warm start would.
            GmmOptions warm = new GmmOptions(15, 0.0, 1e-6, 2e-6, 1e-4, s, true, starts[s % starts.length]);
            assertSameResult(fit(blocks, sh[1], warm, false, dense.model()),
                    fit(blocks, sh[1], warm, true, dense.model()), shape + " (warm)");
        }
    }

    /**
     * From a warm start whose clusters sit far from every point (they get no mass and are
     * rebooted to all points' moments), and whose other clusters share one point cloud, both ways.
     */
    @Test
    void fitsWithRebootedClustersAreTheSameBitsBothWays() {
        for (int dim : new int[] {2, 4, 6}) {
            List<PointBlock> blocks = trajectories(dim, 900, 512, 40 + dim);
            Moments global = new Moments(dim);
            for (PointBlock b : blocks) {
                global.add(b);
            }
            int kk = 6;
            double[] logMass = new double[kk];
            double[][] means = new double[kk][];
            org.gps.core.linalg.Mat[] covs = new org.gps.core.linalg.Mat[kk];
            for (int k = 0; k < kk; k++) {
                logMass[k] = Math.log(1.0 / kk);
                means[k] = global.mean();
                means[k][0] += k < 2 ? 1e4 * (k + 1) : 0.1 * k;
                covs[k] = k < 2 ? org.gps.core.linalg.Mat.eye(dim) : global.covariance().plusDiagonal(1e-3);
            }
            Gmm start = new Gmm(logMass, means, covs, 900);
            EmRun run = new EmRun(kk, global, GmmOptions.defaults(1), start);
            run.acceptExpectation(both(true, () -> {
                EmStatistics s = EmStatistics.empty(start);
                for (PointBlock b : blocks) {
                    s.addExpectation(start, b);
                }
                return s;
            }));
            assertEquals(2, rebooted(run.current(), blocks), "D=" + dim);
            GmmOptions options = new GmmOptions(30, 0.0, 1e-6, 2e-6, 1e-4, 3, true, GmmOptions.Initialization.AUTO);
            assertSameResult(fit(blocks, kk, options, false, start), fit(blocks, kk, options, true, start),
                    "D=" + dim + " rebooted");
        }
    }

    /**
     * One E-step's statistics both ways under models far from and near the points, including a
     * block with an infinite coordinate: there the dense path's NaNs are kept (and EM fails on
     * them as before).
     */
    @Test
    void statisticsAreTheSameBitsBothWays() {
        for (int dim : new int[] {1, 2, 4, 9}) {
            List<PointBlock> blocks = trajectories(dim, 700, 512, 100 + dim);
            Gmm model = GmmEm.fit(blocks, 12, GmmOptions.defaults(dim), null).model();
            for (PointBlock b : blocks) {
                assertSameStatistics(model, b, "D=" + dim);
            }
            double[] data = blocks.get(0).data().clone();
            data[3 * dim] = Double.POSITIVE_INFINITY;
            PointBlock broken = new PointBlock(0, dim, data, blocks.get(0).ids());
            assertTrue(!model.expectation(broken, 0.0, EStep.get(12, 512)));
            assertSameStatistics(model, broken, "D=" + dim + " with an infinite point");
            assertTrue(Double.isNaN(EmStatistics.empty(model).addExpectation(model, broken).logLikelihood()));
        }
    }

    /** An E-step whose log-likelihood is NaN fails the fit both ways. */
    @Test
    void aNanLogLikelihoodFailsBothWays() {
        List<PointBlock> blocks = trajectories(3, 300, 512, 5);
        Gmm model = GmmEm.fit(blocks, 4, GmmOptions.defaults(1), null).model();
        double[] data = blocks.get(0).data().clone();
        data[0] = Double.NEGATIVE_INFINITY;
        PointBlock broken = new PointBlock(0, 3, data, blocks.get(0).ids());
        for (boolean isNew : new boolean[] {false, true}) {
            EmRun run = new EmRun(4, Moments.of(blocks.get(0)), GmmOptions.defaults(1), model);
            EmStatistics s = both(isNew, () -> EmStatistics.empty(model).addExpectation(model, broken));
            assertThrows(IllegalStateException.class, () -> run.acceptExpectation(s));
        }
    }

    private static void assertSameStatistics(Gmm model, PointBlock b, String what) {
        EmStatistics dense = withExpectation(model, b, false);
        EmStatistics sparse = withExpectation(model, b, true);
        assertEquals(dense.count, sparse.count);
        assertSameBits(new double[] {dense.logLikelihood}, new double[] {sparse.logLikelihood}, what + " log-likelihood");
        assertSameBits(dense.weight, sparse.weight, what + " weights");
        for (int k = 0; k < model.clusters(); k++) {
            assertSameBits(dense.sum[k], sparse.sum[k], what + " sum " + k);
            assertSameBits(dense.scatter[k], sparse.scatter[k], what + " scatter " + k);
        }
    }

    private static EmStatistics withExpectation(Gmm model, PointBlock b, boolean sparse) {
        // Twice, so that a second block's sums start from the first's.
        return both(sparse, () -> EmStatistics.empty(model).addExpectation(model, b).addExpectation(model, b));
    }

    /**
     * Runs {@code what} with the new E-step ({@link Gmm#expectation} and PointKernels' own scatter
     * at D = 4) or with the old one (the dense posteriors and dgemm).
     */
    static <T> T both(boolean isNew, java.util.function.Supplier<T> what) {
        boolean before = EmStatistics.sparseExpectation;
        boolean directBefore = directScatter(isNew);
        try {
            EmStatistics.sparseExpectation = isNew;
            return what.get();
        } finally {
            EmStatistics.sparseExpectation = before;
            directScatter(directBefore);
        }
    }

    /** Sets PointKernels.useDirectScatter (package-private there); returns what it was. */
    private static boolean directScatter(boolean on) {
        try {
            java.lang.reflect.Field f = org.gps.core.linalg.PointKernels.class.getDeclaredField("useDirectScatter");
            f.setAccessible(true);
            boolean before = f.getBoolean(null);
            f.setBoolean(null, on);
            return before;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static EmResult fit(List<PointBlock> blocks, int k, GmmOptions options, boolean sparse) {
        return fit(blocks, k, options, sparse, null);
    }

    private static EmResult fit(List<PointBlock> blocks, int k, GmmOptions options, boolean sparse, Gmm previous) {
        return both(sparse, () -> GmmEm.fit(blocks, k, options, previous));
    }

    /** Clusters whose mean is the points' global mean to the bit: the reboot's. */
    private static int rebooted(Gmm g, List<PointBlock> blocks) {
        Moments global = new Moments(g.dim());
        for (PointBlock b : blocks) {
            global.add(b);
        }
        int count = 0;
        for (int k = 0; k < g.clusters(); k++) {
            count += java.util.Arrays.equals(g.mean(k), global.mean()) ? 1 : 0;
        }
        return count;
    }

    private static void assertSameResult(EmResult a, EmResult b, String what) {
        assertEquals(a.iterations(), b.iterations(), what + " iterations");
        assertEquals(a.stopReason(), b.stopReason(), what + " stop reason");
        assertSameBits(a.logLikelihoods(), b.logLikelihoods(), what + " log-likelihoods");
        assertSameBits(new double[] {a.logLikelihood()}, new double[] {b.logLikelihood()}, what + " log-likelihood");
        Gmm x = a.model();
        Gmm y = b.model();
        assertEquals(x.clusters(), y.clusters());
        for (int k = 0; k < x.clusters(); k++) {
            assertSameBits(new double[] {x.logMass(k)}, new double[] {y.logMass(k)}, what + " log mass " + k);
            assertSameBits(x.mean(k), y.mean(k), what + " mean " + k);
            assertSameBits(x.covariance(k).toColumnMajor(), y.covariance(k).toColumnMajor(), what + " covariance " + k);
        }
    }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                throw new AssertionError(what + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    /**
     * n points of dimension dim along a few smooth random curves (a point of a curve per step)
     * plus noise of a few scales, ids in order, cut into blocks of {@code block}.
     */
    static List<PointBlock> trajectories(int dim, int n, int block, long seed) {
        Random r = new Random(seed);
        int curves = 1 + r.nextInt(6);
        double[][] a = new double[curves][dim];
        double[][] f = new double[curves][dim];
        for (int c = 0; c < curves; c++) {
            for (int i = 0; i < dim; i++) {
                a[c][i] = 5 * r.nextGaussian();
                f[c][i] = 0.2 * r.nextGaussian();
            }
        }
        List<double[]> pts = new ArrayList<>();
        int per = (n + curves - 1) / curves;
        for (int j = 0; j < n; j++) {
            int c = j / per;
            int t = j % per;
            double noise = (j % 7 == 0 ? 0.3 : 0.01) * (c + 1);
            double[] x = new double[dim];
            for (int i = 0; i < dim; i++) {
                x[i] = a[c][i] * Math.sin(f[c][i] * t + i) + (i == 0 ? 0.05 * t : 0) + noise * r.nextGaussian();
            }
            pts.add(x);
        }
        List<PointBlock> out = new ArrayList<>();
        for (int i = 0; i < n; i += block) {
            out.add(PointBlock.of(0, pts.subList(i, Math.min(n, i + block)), i));
        }
        return out;
    }
}
