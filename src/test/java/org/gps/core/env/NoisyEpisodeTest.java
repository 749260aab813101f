package org.gps.core.env;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NoisyEpisodeTest {
    @Test
    void aStepOrAStateBeforeTheFirstResetIsRefusedNamingTheEnvironment() {
        NoisyEpisode e = new NoisyEpisode("point mass", 2, new ProcessNoise(new double[] {0, 0}));
        IllegalStateException ex = assertThrows(IllegalStateException.class, e::state);
        assertEquals("point mass: call reset before step or state", ex.getMessage());
        assertThrows(IllegalStateException.class, () -> e.advance(new double[] {1, 2}));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> e.reset(new double[] {1, 2, 3}, 7));
        assertEquals("x0: expected 2 values, got 3", wrong.getMessage());
    }

    @Test
    void theNoiseOfAStepDependsOnTheSeedAndTheStepOnlyAndAResetStartsOver() {
        ProcessNoise noise = new ProcessNoise(new double[] {0.5, 0.5});
        NoisyEpisode a = new NoisyEpisode("test", 2, noise);
        a.reset(new double[] {0, 0}, 11);
        a.advance(new double[] {1, 1});
        a.advance(new double[] {1, 1});
        double[] second = a.state();
        a.reset(new double[] {0, 0}, 11);
        a.advance(new double[] {1, 1});
        double[] first = a.state();
        a.advance(new double[] {1, 1});
        // The same seed and step give the same draw: the second step's state repeats after a reset.
        assertArrayEquals(second, a.state(), 0.0);
        // Steps 0 and 1 draw different noise around the same mean.
        assertNotEquals(first[0], second[0]);

        NoisyEpisode b = new NoisyEpisode("test", 2, noise);
        b.reset(new double[] {0, 0}, 12);
        b.advance(new double[] {1, 1});
        assertNotEquals(first[0], b.state()[0], "another seed, another draw");
    }

    @Test
    void theStateReturnedIsACopy() {
        NoisyEpisode e = new NoisyEpisode("test", 1, new ProcessNoise(new double[] {0}));
        e.reset(new double[] {3}, 0);
        e.state()[0] = 99;
        assertEquals(3, e.state()[0], 0.0);
    }
}
