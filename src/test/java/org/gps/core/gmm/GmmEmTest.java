package org.gps.core.gmm;

import org.gps.core.dynamics.NiwPrior;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GmmEmTest {
    private static final double[][] CENTRES = {{0, 0}, {10, 0}, {0, 10}};
    private static final int PER_CLUSTER = 400;

    /** 3 x 400 points from N(centre, diag(1, 0.25)). */
    static List<double[]> threeGaussians(long seed) {
        Random r = new Random(seed);
        List<double[]> pts = new ArrayList<>();
        for (double[] c : CENTRES) {
            for (int i = 0; i < PER_CLUSTER; i++) {
                pts.add(new double[] {c[0] + r.nextGaussian(), c[1] + 0.5 * r.nextGaussian()});
            }
        }
        java.util.Collections.shuffle(pts, r);
        return pts;
    }

    static List<PointBlock> blocks(List<double[]> pts, int blockSize) {
        List<PointBlock> out = new ArrayList<>();
        for (int i = 0; i < pts.size(); i += blockSize) {
            out.add(PointBlock.of(0, pts.subList(i, Math.min(pts.size(), i + blockSize)), i));
        }
        return out;
    }

    /**
     * The M-step's one-pass covariance gives the numbers of the step-by-step formula (mirror the
     * lower scatter, scale by 1/W, subtract d d^T, symmetrise, add the ridge) to the bit: a
     * reordering would move EM's rounding and with it every later GPS iteration.
     */
    @Test
    void initializationNamesRoundTripAndUnknownNamesAreRejected() {
        for (GmmOptions.Initialization i : GmmOptions.Initialization.values()) {
            assertEquals(i, GmmOptions.Initialization.fromConfigName(i.configName()));
        }
        assertEquals("sampled_means", GmmOptions.Initialization.SAMPLED_MEANS.configName());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GmmOptions.Initialization.fromConfigName("KMEANS"));
        assertTrue(e.getMessage().contains("kmeans, sampled_means, random_assignment") && e.getMessage().contains("'KMEANS'"),
                e.getMessage());
    }

    @Test
    void clusterCovarianceIsBitIdenticalToTheStepByStepFormula() {
        Random r = new Random(11);
        int d = 9;
        double[] lower = new double[d * d];
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                lower[j * d + i] = r.nextGaussian() * 100;
            }
        }
        double[] dlt = new double[d];
        for (int i = 0; i < d; i++) {
            dlt[i] = r.nextGaussian();
        }
        double w = 37.3;
        Mat stepwise = EmRun.lowerToFull(lower, d).scale(1.0 / w).minus(Mat.outer(dlt, dlt)).symmetrize()
                .plusDiagonal(1e-6);
        Mat fused = EmRun.clusterCovariance(lower, d, 1.0 / w, dlt, 1e-6);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertEquals(Double.doubleToLongBits(stepwise.get(i, j)), Double.doubleToLongBits(fused.get(i, j)),
                        "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void threeWellSeparatedGaussiansAreRecovered() {
        EmResult r = GmmEm.fit(blocks(threeGaussians(1), 128), 3, GmmOptions.defaults(7), null);
        Gmm g = r.model();
        assertEquals(EmResult.StopReason.CONVERGED, r.stopReason());
        for (double[] c : CENTRES) {
            int k = nearest(g, c);
            // 400 points per cluster: the sample mean's standard error is 1/20 (x) and 1/40 (y), so
            // 0.2 is four standard errors or more; a sample variance of 400 draws has standard error
            // var * sqrt(2/400): 0.071 for var 1 and 0.018 for var 0.25, so 0.3 and 0.075 are ~4 SE.
            assertEquals(c[0], g.mean(k)[0], 0.2);
            assertEquals(c[1], g.mean(k)[1], 0.2);
            assertEquals(1.0, g.covariance(k).get(0, 0), 0.3);
            assertEquals(0.25, g.covariance(k).get(1, 1), 0.075);
            // Clusters 10 standard deviations apart: only the few points 4-5 standard deviations out
            // carry posterior mass of another cluster, ~1e-8 of the total (measured 6.5e-9).
            assertEquals(1.0 / 3, Math.exp(g.logMass(k)), 1e-6);
        }
    }

    @Test
    void logLikelihoodNeverDecreasesAcrossIterations() {
        EmResult r = GmmEm.fit(blocks(threeGaussians(2), 100), 6, GmmOptions.defaults(3), null);
        double[] ll = r.logLikelihoods();
        assertTrue(ll.length > 3, "EM should take several iterations from a random start, took " + ll.length);
        for (int i = 1; i < ll.length; i++) {
            // At convergence successive values agree to the rounding of a sum over 1200 points
            // (~1e-13 relative); any real decrease would be far larger.
            assertTrue(ll[i] >= ll[i - 1] - 1e-12 * Math.abs(ll[i]),
                    "LL went from " + ll[i - 1] + " to " + ll[i] + " at iteration " + i);
        }
        assertNotEquals(EmResult.StopReason.LIKELIHOOD_DECREASED, r.stopReason());
    }

    @Test
    void theOriginalsRandomAssignmentStallsAtTheSymmetricSaddle() {
        // Documents why auto keeps the random assignment to few points per cluster
        // (GmmOptions.Initialization): with 400 per cluster every random cluster becomes the global
        // Gaussian and the corrected rule stops EM there.
        GmmOptions o = GmmOptions.defaults(7);
        o = new GmmOptions(o.maxIterations(), o.tolerance(), o.ridge(), o.initialRidge(), o.rebootMass(), o.seed(),
                o.warmStart(), GmmOptions.Initialization.RANDOM_ASSIGNMENT);
        EmResult r = GmmEm.fit(blocks(threeGaussians(1), 128), 3, o, null);
        assertTrue(r.iterations() <= 3, "took " + r.iterations());
        double spread = 0;
        for (int k = 1; k < 3; k++) {
            spread = Math.max(spread, org.gps.core.linalg.Vec.maxAbsDiff(r.model().mean(0), r.model().mean(k)));
        }
        assertTrue(spread < 0.05, "clusters should all sit at the global mean, spread " + spread);
    }

    @Test
    void theFitDoesNotDependOnHowPointsAreSplitIntoBlocks() {
        List<double[]> pts = threeGaussians(3);
        Gmm a = GmmEm.fit(blocks(pts, 1200), 4, GmmOptions.defaults(5), null).model();
        Gmm b = GmmEm.fit(blocks(pts, 37), 4, GmmOptions.defaults(5), null).model();
        for (int k = 0; k < 4; k++) {
            // Only the summation order differs: rounding, far below 1e-9.
            assertEquals(a.logMass(k), b.logMass(k), 1e-9);
            assertTrue(org.gps.core.linalg.Vec.maxAbsDiff(a.mean(k), b.mean(k)) < 1e-9);
            assertTrue(a.covariance(k).maxAbsDiff(b.covariance(k)) < 1e-9);
        }
    }

    @Test
    void noiseFreeLinearDataGivesAFiniteModel() {
        // Points [x, u, A x + B u] lie on a 3-dimensional subspace of R^5: every scatter is singular
        // and only the ridge keeps the covariances invertible.
        Random r = new Random(4);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            double x0 = r.nextGaussian();
            double x1 = r.nextGaussian();
            double u = r.nextGaussian();
            pts.add(new double[] {x0, x1, u, 0.9 * x0 + 0.1 * x1, -0.2 * x0 + 0.95 * x1 + 0.5 * u});
        }
        EmResult res = GmmEm.fit(blocks(pts, 200), 8, GmmOptions.defaults(1), null);
        assertTrue(Double.isFinite(res.logLikelihood()));
        for (int k = 0; k < 8; k++) {
            assertTrue(res.model().covariance(k).isFinite());
            assertTrue(Double.isFinite(res.model().logMass(k)));
        }
    }

    @Test
    void warmStartFromAConvergedModelStopsAtOnceWithTheSameModel() {
        List<PointBlock> b = blocks(threeGaussians(5), 300);
        EmResult first = GmmEm.fit(b, 3, GmmOptions.defaults(9), null);
        EmResult second = GmmEm.fit(b, 3, GmmOptions.defaults(9), first.model());
        assertTrue(second.warmStarted());
        assertTrue(second.iterations() <= 2, "took " + second.iterations());
        assertEquals(first.logLikelihood(), second.logLikelihood(), 1e-5 * Math.abs(first.logLikelihood()));
    }

    @Test
    void aClusterThatLosesItsMassRestartsFromAllPoints() {
        List<PointBlock> b = blocks(threeGaussians(6), 1200);
        Moments global = Moments.of(b.get(0));
        // Warm start from a model whose second cluster sits far from every point: it gets no mass.
        Gmm start = new Gmm(new double[] {Math.log(0.5), Math.log(0.5)}, new double[][] {{3, 3}, {1e4, 1e4}},
                new Mat[] {Mat.eye(2, 30.0), Mat.eye(2)}, 1200);
        EmRun run = new EmRun(2, global, GmmOptions.defaults(1), start);
        run.acceptExpectation(EmStatistics.empty(start).addExpectation(start, b.get(0)));
        Gmm after = run.current();
        assertTrue(org.gps.core.linalg.Vec.maxAbsDiff(global.mean(), after.mean(1)) < 1e-12);
        assertTrue(global.covariance().plusDiagonal(1e-6).maxAbsDiff(after.covariance(1)) < 1e-9);
    }

    /**
     * Points of a curved 4-dimensional manifold in 8 dimensions: nonlinear, as dynamics are, so that
     * every start ends on a model of its own.
     */
    static List<double[]> curvedPoints(int n, long seed) {
        Random r = new Random(seed);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            double c = r.nextGaussian();
            double d = r.nextGaussian();
            pts.add(new double[] {a, b, c, d, Math.sin(2 * a) + 0.1 * r.nextGaussian(), a * b + 0.1 * r.nextGaussian(),
                    c * c + 0.1 * r.nextGaussian(), Math.tanh(3 * d) + 0.1 * r.nextGaussian()});
        }
        return pts;
    }

    /** auto decides by points per cluster: the random assignment up to 3 D K points, the sampled means above. */
    @Test
    void autoTakesTheRandomAssignmentUpToThreePointsPerClusterAndDimension() {
        GmmOptions.Initialization auto = GmmOptions.Initialization.AUTO;
        assertEquals(GmmOptions.Initialization.RANDOM_ASSIGNMENT, auto.resolve(3 * 8 * 5, 8, 5));
        assertEquals(GmmOptions.Initialization.SAMPLED_MEANS, auto.resolve(3 * 8 * 5 + 1, 8, 5));
        // The medium benchmark's GMMs (20 rollouts x 99 steps, D = 59, K = 20) and a million logged points.
        assertEquals(GmmOptions.Initialization.RANDOM_ASSIGNMENT, auto.resolve(1980, 59, 20));
        assertEquals(GmmOptions.Initialization.SAMPLED_MEANS, auto.resolve(990_000, 59, 20));
        for (GmmOptions.Initialization named : new GmmOptions.Initialization[] {GmmOptions.Initialization.KMEANS,
                GmmOptions.Initialization.SAMPLED_MEANS, GmmOptions.Initialization.RANDOM_ASSIGNMENT}) {
            assertEquals(named, named.resolve(1, 8, 5));
            assertEquals(named, named.resolve(1_000_000, 8, 5));
        }
        GmmOptions options = GmmOptions.defaults(3);
        assertEquals(auto, options.initialization());
        // 120 points, K = 5, D = 8: at the limit, the random assignment's fit, bit for bit; one point
        // more, the sampled means'.
        for (int n : new int[] {120, 121}) {
            List<PointBlock> blocks = blocks(curvedPoints(n, 5), 64);
            EmResult a = GmmEm.fit(blocks, 5, options, null);
            EmResult r = GmmEm.fit(blocks, 5, options.withInitialization(GmmOptions.Initialization.RANDOM_ASSIGNMENT),
                    null);
            EmResult s = GmmEm.fit(blocks, 5, options.withInitialization(GmmOptions.Initialization.SAMPLED_MEANS), null);
            EmResult taken = n <= 120 ? r : s;
            EmResult other = n <= 120 ? s : r;
            org.junit.jupiter.api.Assertions.assertArrayEquals(taken.logLikelihoods(), a.logLikelihoods(), 0.0);
            assertEquals(taken.model(), a.model(), n + " points");
            assertNotEquals(other.model(), a.model(), n + " points: the starts cannot be told apart");
        }
    }

    /**
     * Where auto takes it, the random assignment leaves the symmetric start. Three clusters ten
     * standard deviations apart with 3 D points each, D = 5, 10, 20 and 59, ten EM seeds each: EM
     * runs more than three iterations and ends at least 0.5 nats per point above one Gaussian (the
     * same clusters with 20 D points each stall: 2 iterations, a gain below 1e-3). Which mixture it ends on is another matter: with so few
     * points per dimension neither start reliably splits the clusters along their one separating axis.
     */
    @Test
    void withFewPointsPerClusterTheRandomAssignmentLeavesTheSymmetricStart() {
        for (int d : new int[] {5, 10, 20, 59}) {
            int k = 3;
            int n = GmmOptions.Initialization.RANDOM_ASSIGNMENT_POINTS_PER_DIMENSION * d * k;
            Random r = new Random(d);
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double[] p = new double[d];
                for (int j = 0; j < d; j++) {
                    p[j] = r.nextGaussian() + (j == 0 ? 10 * (i % k) : 0);
                }
                pts.add(p);
            }
            java.util.Collections.shuffle(pts, r);
            List<PointBlock> blocks = blocks(pts, 100);
            for (long seed = 0; seed < 10; seed++) {
                GmmOptions o = GmmOptions.defaults(seed);
                assertEquals(GmmOptions.Initialization.RANDOM_ASSIGNMENT, o.initialization().resolve(n, d, k));
                EmResult fit = GmmEm.fit(blocks, k, o, null);
                double oneGaussian = GmmEm.fit(blocks, 1, o, null).logLikelihood();
                assertTrue(fit.iterations() > 3, "D " + d + ", seed " + seed + ": " + fit.iterations() + " iterations");
                assertTrue(fit.logLikelihood() - oneGaussian > 0.5,
                        "D " + d + ", seed " + seed + ": gain " + (fit.logLikelihood() - oneGaussian));
            }
        }
    }

    @Test
    void clusterCountFollowsTheRule() {
        assertEquals(2, GmmEm.clusterCount(10, 20, 40));
        assertEquals(12, GmmEm.clusterCount(495, 20, 40));
        assertEquals(20, GmmEm.clusterCount(100_000, 20, 40));
    }

    @Test
    void priorOfASingleClusterIsItsMomentsScaledByStrength() {
        double[] mu = {1, 2};
        Mat sigma = Mat.of(new double[][] {{2, 0.5}, {0.5, 1}});
        Gmm g = new Gmm(new double[] {0.0}, new double[][] {mu}, new Mat[] {sigma}, 100);
        NiwPrior p = g.prior(PointBlock.of(0, List.of(new double[] {0, 0}, new double[] {5, 5}), 0), 2.0);
        assertEquals(1.0, p.mu0()[0], 1e-15);
        assertEquals(2.0, p.mu0()[1], 1e-15);
        assertTrue(p.phi().maxAbsDiff(sigma.scale(2.0)) < 1e-15);
        assertEquals(2.0, p.m(), 0.0);
        assertEquals(2.0 * (100 - 2 - 2) / 100.0, p.n0(), 1e-15);
    }

    /** The cluster whose mean is nearest to {@code c} (2-D). */
    static int nearest(Gmm g, double[] c) {
        int best = -1;
        double bd = Double.POSITIVE_INFINITY;
        for (int k = 0; k < g.clusters(); k++) {
            double d = Math.hypot(g.mean(k)[0] - c[0], g.mean(k)[1] - c[1]);
            if (d < bd) {
                bd = d;
                best = k;
            }
        }
        return best;
    }
}
