package org.gps.core.control;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PilqrOptionsTest {

    @Test
    void defaultRampsForOneHundredStepsRunFromEndToEnd() {
        PilqrOptions o = PilqrOptions.defaults();
        double[] kl = o.klStep().values(100);
        double[] max = o.maxStepMult().values(100);
        double[] min = o.minStepMult().values(100);
        assertEquals(100, kl.length);
        // Both ends exactly; in between a + (b - a) t / 99, to the round-off of that expression.
        assertEquals(0.4, kl[0]);
        assertEquals(0.2, kl[99]);
        assertEquals(10.0, max[0]);
        assertEquals(5.0, max[99]);
        assertEquals(0.01, min[0]);
        assertEquals(0.5, min[99]);
        assertEquals(0.4 - 0.2 * 33 / 99, kl[33], 1e-15);
        assertEquals(10.0 - 5.0 * 50 / 99, max[50], 1e-14);
        assertEquals(0.01 + 0.49 * 66 / 99, min[66], 1e-15);
        for (int t = 1; t < 100; t++) {
            // Evenly spaced: every difference is (b - a) / 99.
            assertEquals(-0.2 / 99, kl[t] - kl[t - 1], 1e-15);
        }
    }

    @Test
    void rampsAreLaidOutForShortHorizons() {
        // T = 7: six equal steps between the ends.
        assertArrayEquals(new double[]{0.4, 0.4 - 0.2 / 6, 0.4 - 0.4 / 6, 0.3, 0.4 - 0.8 / 6, 0.4 - 1.0 / 6, 0.2},
                new Ramp(0.4, 0.2).values(7), 1e-15);
        assertArrayEquals(new double[]{10, 10 - 5.0 / 6, 10 - 10.0 / 6, 7.5, 10 - 20.0 / 6, 10 - 25.0 / 6, 5},
                new Ramp(10, 5).values(7), 1e-14);
        // T = 1: the start value alone.
        assertArrayEquals(new double[]{0.4}, new Ramp(0.4, 0.2).values(1));
        assertArrayEquals(new double[]{0.01}, PilqrOptions.defaults().minStepMult().values(1));
    }

    @Test
    void aScalarIsTheSameValueAtEveryStep() {
        double[] v = Ramp.constant(0.3).values(5);
        assertArrayEquals(new double[]{0.3, 0.3, 0.3, 0.3, 0.3}, v);
        PilqrOptions o = PilqrOptions.defaults().withKlStep(Ramp.constant(0.3));
        assertArrayEquals(new double[]{0.3, 0.6, 0.03}, o.klTargets(new double[]{1.0, 2.0, 0.1}), 1e-16);
    }

    @Test
    void klTargetsAreTheRampTimesTheStepMultipliers() {
        double[] eps = PilqrOptions.defaults().klTargets(new double[]{1.0, 2.0, 4.0});
        // kl_step over T = 3: 0.4, 0.3, 0.2.
        assertArrayEquals(new double[]{0.4, 0.6, 0.8}, eps, 1e-15);
    }

    @Test
    void defaultsAreTheOriginalOnes() {
        PilqrOptions o = PilqrOptions.defaults();
        assertEquals(PilqrOptions.StepRule.RES_PERCENT, o.stepRule());
        assertEquals(0.2, o.resRatioDec());
        assertEquals(0.05, o.resRatioInc());
        assertEquals(PilqrOptions.Pi2TemperatureFrom.COST, o.pi2TemperatureFrom());
        assertEquals(PilqrOptions.ReplayStart.MODEL_MEAN, o.replayStart());
    }

    @Test
    void invalidValuesAreRefused() {
        PilqrOptions d = PilqrOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withKlStep(new Ramp(0.4, 0.0)));
        assertThrows(IllegalArgumentException.class, () -> d.withKlStep(Ramp.constant(-0.1)));
        assertThrows(IllegalArgumentException.class, () -> new Ramp(Double.NaN, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new Ramp(1.0, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new Ramp(0.4, 0.2).values(0));
        // min above max at one end only.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.withStepMultBounds(new Ramp(0.01, 6.0), new Ramp(10.0, 5.0)));
        assertEquals("min_step_mult (0.01 -> 6.0) must not exceed max_step_mult (10.0 -> 5.0) at either end",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withStepMultBounds(Ramp.constant(0), Ramp.constant(5)));
        assertThrows(IllegalArgumentException.class, () -> d.withResRatios(0.05, 0.2));
        assertThrows(IllegalArgumentException.class, () -> d.withResRatios(0.2, -0.01));
        assertThrows(IllegalArgumentException.class, () -> d.withResRatios(Double.NaN, 0.05));
        assertThrows(IllegalArgumentException.class, () -> d.withStepRule(null));
        // Equal bounds and equal ratios are allowed: a fixed multiplier, a rule without a dead band.
        assertEquals(3.0, d.withStepMultBounds(Ramp.constant(3), Ramp.constant(3)).maxStepMult().values(4)[2]);
        assertEquals(0.1, d.withResRatios(0.1, 0.1).resRatioInc());
    }
}
