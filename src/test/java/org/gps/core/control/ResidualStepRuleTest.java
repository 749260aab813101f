package org.gps.core.control;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResidualStepRuleTest {
    private static final PilqrOptions DEFAULTS = PilqrOptions.defaults();

    @Test
    void aLargeResidualShareHalvesTheStepAndASmallOneDoublesIt() {
        double[][] c = costs();
        // r = 0.5 c: rho_t = 0.5 > 0.2 at every t.
        ResidualStepRule.Update half = ResidualStepRule.apply(c, scaled(c, 0.5), filled(4.0), DEFAULTS);
        assertArrayEquals(filled(2.0), half.stepMult());
        // r = 0.01 c: rho_t = 0.01 < 0.05 at every t.
        ResidualStepRule.Update twice = ResidualStepRule.apply(c, scaled(c, 0.01), filled(1.0), DEFAULTS);
        assertArrayEquals(filled(2.0), twice.stepMult());
        // r = 0.1 c: between the two thresholds.
        ResidualStepRule.Update same = ResidualStepRule.apply(c, scaled(c, 0.1), filled(1.5), DEFAULTS);
        assertArrayEquals(filled(1.5), same.stepMult());
        for (double rho : same.rho()) {
            // Tail sums of 0.1 |c| over those of |c|: equal to 0.1 up to a few ulps.
            assertEquals(0.1, rho, 1e-15);
        }
    }

    @Test
    void theShareIsOfTheAbsoluteCostToGoFromEachStepOn() {
        // N = 2, T = 3. Tails of |c| from t on: sample 0: 6, 5, 3; sample 1: 6, 3, 1 -> means 6, 4, 2.
        // Tails of |r|: both samples 1.6, 0.1, 0.1 -> means 1.6, 0.1, 0.1. rho = 0.2667, 0.025, 0.05.
        double[][] c = {{1, -2, 3}, {3, 2, -1}};
        double[][] r = {{1.5, 0, 0.1}, {-1.5, 0, -0.1}};
        ResidualStepRule.Update u = ResidualStepRule.apply(c, r, new double[]{1, 1, 1}, DEFAULTS);
        assertArrayEquals(new double[]{1.6 / 6, 0.025, 0.05}, u.rho(), 1e-15);
        // Halved at t = 0, doubled at t = 1; at t = 2 rho equals the increase threshold exactly (0.1 / 2
        // is exact in binary), which is not below it: unchanged.
        assertArrayEquals(new double[]{0.5, 2.0, 1.0}, u.stepMult());
    }

    @Test
    void theNewMultipliersAreClippedToEachStepsBounds() {
        double[][] c = costs();
        double[] max = DEFAULTS.maxStepMult().values(5);
        double[] min = DEFAULTS.minStepMult().values(5);
        // 8 doubled is 16, above max_t = 10 .. 5 at every step.
        assertArrayEquals(max, ResidualStepRule.apply(c, scaled(c, 0.0), filled(8.0), DEFAULTS).stepMult());
        // 0.015 halved is 0.0075, below min_t = 0.01 .. 0.5 at every step.
        assertArrayEquals(min, ResidualStepRule.apply(c, scaled(c, 0.9), filled(0.015), DEFAULTS).stepMult());
        // 6 doubled is 12: clipped to max_t; max_t runs 10, 8.75, 7.5, 6.25, 5 over T = 5.
        assertArrayEquals(new double[]{10, 8.75, 7.5, 6.25, 5},
                ResidualStepRule.apply(c, scaled(c, 0.0), filled(6.0), DEFAULTS).stepMult());
        // 0.2 halved is 0.1: kept where min_t is lower (t = 0), raised to min_t after that.
        assertArrayEquals(new double[]{0.1, 0.1325, 0.255, 0.3775, 0.5},
                ResidualStepRule.apply(c, scaled(c, 0.9), filled(0.2), DEFAULTS).stepMult(), 1e-15);
    }

    @Test
    void theConstantRuleLeavesTheMultipliersAsTheyAre() {
        double[][] c = costs();
        PilqrOptions constant = DEFAULTS.withStepRule(PilqrOptions.StepRule.CONST);
        double[] before = {0.3, 20.0, 1.0, 7.0, 0.001};
        ResidualStepRule.Update u = ResidualStepRule.apply(c, scaled(c, 0.9), before, constant);
        // Not even clipped to the bounds.
        assertArrayEquals(before, u.stepMult());
        // rho is still reported for the logs.
        assertEquals(0.9, u.rho()[0], 1e-15);
    }

    @Test
    void aZeroCostToGoKeepsTheMultiplier() {
        // From t = 1 on every sample's cost is 0: rho is undefined there, with or without a residual.
        double[][] c = {{1, 0, 0}, {2, 0, 0}};
        double[][] r = {{0.9, 0.3, 0}, {0.9, 0.3, 0}};
        ResidualStepRule.Update u = ResidualStepRule.apply(c, r, new double[]{1, 1, 1}, DEFAULTS);
        assertArrayEquals(new double[]{0.5, 1, 1}, u.stepMult());
        assertEquals(1.2 / 1.5, u.rho()[0], 1e-15);
        assertTrue(Double.isNaN(u.rho()[1]) && Double.isNaN(u.rho()[2]));
    }

    @Test
    void badInputIsRefused() {
        double[][] c = costs();
        assertThrows(IllegalArgumentException.class,
                () -> ResidualStepRule.apply(c, scaled(c, 0.1), new double[]{1, 1, 0, 1, 1}, DEFAULTS));
        // Four multipliers for T = 5.
        assertThrows(IllegalArgumentException.class,
                () -> ResidualStepRule.apply(c, scaled(c, 0.1), new double[]{1, 1, 1, 1}, DEFAULTS));
        assertThrows(IllegalArgumentException.class,
                () -> ResidualStepRule.apply(c, new double[][]{{0, 0, 0, 0, 0}}, filled(1.0), DEFAULTS));
        assertThrows(IllegalArgumentException.class,
                () -> ResidualStepRule.apply(new double[0][], new double[0][], filled(1.0), DEFAULTS));
    }

    /** Three samples over T = 5 with costs of both signs. */
    private static double[][] costs() {
        return new double[][]{{1.0, -2.0, 0.5, 3.0, 1.0}, {2.0, 1.0, -1.0, 0.5, 4.0}, {0.5, 0.5, 2.0, -3.0, 1.0}};
    }

    private static double[][] scaled(double[][] c, double s) {
        double[][] r = new double[c.length][c[0].length];
        for (int i = 0; i < c.length; i++) {
            for (int t = 0; t < c[i].length; t++) {
                r[i][t] = s * c[i][t];
            }
        }
        return r;
    }

    private static double[] filled(double v) {
        return new double[]{v, v, v, v, v};
    }
}
