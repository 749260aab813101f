package org.gps.core.control;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PerStepLqrTest {

    /**
     * Fingerprints of the scalar-target per-step search, recorded on the code before the search took
     * per-step targets: a hash of the bit patterns of every K_t, k_t, S_t, eta_t and kl_t of the
     * result plus its eta, KL and KL target. Cases: bracketing alone (9 rounds), bracketing then Adam
     * (52), a box of action limits that never converges (220) and a search cut short (7). They hold
     * for a JVM whose Math.log/exp/pow round as this one's (HotSpot on x86-64); on another platform
     * recompute them from the parent commit of this test rather than loosening the check.
     */
    @Test
    void scalarTargetPerStepSearchGivesTheSameBitsAsBeforePerStepTargets() {
        TrajOptOptions o = TrajOptOptions.defaults().withConsPerStep(true);
        LqrProblems.Problem p41 = LqrProblems.nontrivial(41);
        assertBits(9, 8134435088760691724L, TrajectoryOptimizer.optimize(p41.model(), p41.reference(), 1.0, 0.1, o));
        LqrProblems.Problem p40 = LqrProblems.nontrivial(40);
        assertBits(52, -282252376084367205L, TrajectoryOptimizer.optimize(p40.model(), p40.reference(), 1.0, 1.0, o));
        LqrProblems.Problem p42 = LqrProblems.nontrivial(42);
        TrajectoryModel boxed = new TrajectoryModel(p42.model().dynamics(), p42.model().initialState(),
                p42.model().cost(), ActionBounds.symmetric(2, 0.5));
        assertBits(220, 6156869556763037869L, TrajectoryOptimizer.optimize(boxed, p42.reference(), 1.0, 1.0, o));
        LqrProblems.Problem p43 = LqrProblems.nontrivial(43);
        assertBits(7, -4889095565512794817L, TrajectoryOptimizer.optimize(p43.model(), p43.reference(), 1.0, 1.0,
                o.withPerStepSearch(3, 4, 0.05)));
    }

    @Test
    void equalPerStepTargetsFollowTheSameSearchAsTheScalarTarget() {
        TrajOptOptions o = TrajOptOptions.defaults().withConsPerStep(true);
        LqrProblems.Problem p = LqrProblems.nontrivial(40);
        double[] etas = new double[20];
        Arrays.fill(etas, 1.0);
        double[] targets = new double[20];
        Arrays.fill(targets, 0.2);
        TrajOptResult viaArray = TrajectoryOptimizer.optimizePerStep(p.model(), p.reference(), etas, targets, o);
        TrajOptResult viaScalar = TrajectoryOptimizer.optimize(p.model(), p.reference(), etas, 1.0, o);
        assertEquals(viaScalar.controller(), viaArray.controller());
        assertEquals(viaScalar.rounds(), viaArray.rounds());
        assertEquals(Arrays.toString(viaScalar.stepEtas()), Arrays.toString(viaArray.stepEtas()));
        // The reported target: sum of twenty 0.2s against 0.2 * 20, equal to a few ulps.
        assertEquals(viaScalar.klTarget(), viaArray.klTarget(), 1e-14);
    }

    @Test
    void perStepTargetsAreCheckedAgainstTheHorizonAndMustBePositive() {
        TrajOptOptions o = TrajOptOptions.defaults().withConsPerStep(true);
        LqrProblems.Problem p = LqrProblems.nontrivial(40);
        double[] etas = new double[20];
        Arrays.fill(etas, 1.0);
        assertThrows(IllegalArgumentException.class,
                () -> TrajectoryOptimizer.optimizePerStep(p.model(), p.reference(), etas, new double[19], o));
        double[] zeroAt3 = new double[20];
        Arrays.fill(zeroAt3, 0.2);
        zeroAt3[3] = 0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrajectoryOptimizer.optimizePerStep(p.model(), p.reference(), etas, zeroAt3, o));
        assertEquals("KL target of step 3 must be positive and finite, got 0.0", e.getMessage());
        double[] ok = new double[20];
        Arrays.fill(ok, 0.2);
        assertThrows(IllegalArgumentException.class, () -> TrajectoryOptimizer.optimizePerStep(p.model(),
                p.reference(), etas, ok, TrajOptOptions.defaults()));
    }

    private static void assertBits(int rounds, long fingerprint, TrajOptResult r) {
        assertEquals(rounds, r.rounds());
        assertEquals(fingerprint, fingerprint(r));
    }

    private static long fingerprint(TrajOptResult r) {
        long h = 1125899906842597L;
        LinearGaussianController c = r.controller();
        for (int t = 0; t < c.horizon(); t++) {
            h = mix(h, c.gain(t).toRowMajor());
            h = mix(h, c.offset(t));
            h = mix(h, c.covariance(t).toRowMajor());
        }
        h = mix(h, r.stepEtas());
        h = mix(h, r.stepKl());
        return mix(h, new double[]{r.eta(), r.kl(), r.klTarget()});
    }

    private static long mix(long h, double[] values) {
        for (double v : values) {
            h = 31 * h + Double.doubleToLongBits(v);
        }
        return h;
    }
}
