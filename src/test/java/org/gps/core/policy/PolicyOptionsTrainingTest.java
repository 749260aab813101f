package org.gps.core.policy;

import org.gps.core.policy.PolicyOptions.Training;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyOptionsTrainingTest {
    /** Pendulum's policy: o of 3, one action, hidden [64, 64]. */
    private static final long PENDULUM_PARAMETERS = Mlp.parameterCount(new int[] {3, 64, 64, 1});
    private static final long PENDULUM_PER_TARGET = Training.doublesPerTarget(3, 1);

    @Test
    void autoTrainsPendulumsSStepInTheDriverWithAndWithoutReplay() {
        assertEquals(4481, PENDULUM_PARAMETERS);
        assertEquals(6, PENDULUM_PER_TARGET);
        // 20 conditions x 2 samples x T = 100, and three iterations of them with replay_iterations 2.
        assertTrue(Training.AUTO.runsLocally(4_000, PENDULUM_PARAMETERS, PENDULUM_PER_TARGET));
        assertTrue(Training.AUTO.runsLocally(12_000, PENDULUM_PARAMETERS, PENDULUM_PER_TARGET));
    }

    @Test
    void autoSwitchesToTheExecutorsAtTheWorkLimit() {
        // 10^8 target-parameters exactly: the limit is exclusive.
        assertTrue(Training.AUTO.runsLocally(99_999, 1_000, 10));
        assertFalse(Training.AUTO.runsLocally(100_000, 1_000, 10));
    }

    @Test
    void autoSwitchesToTheExecutorsWhenTheTargetsWouldNotFitTheCapEvenBelowTheWorkLimit() {
        // A tiny network (6 parameters) and wide targets: 2^24 numbers exactly fit, one more target does not.
        long perTarget = 1 << 10;
        long fitting = Training.LOCAL_CAP_DOUBLES / perTarget;
        assertTrue(Training.AUTO.runsLocally(fitting, 6, perTarget));
        assertFalse(Training.AUTO.runsLocally(fitting + 1, 6, perTarget));
        assertTrue(Training.exceedsCap(fitting + 1, perTarget));
        assertFalse(Training.exceedsCap(fitting, perTarget));
    }

    @Test
    void explicitChoicesAreKeptWhateverTheSize() {
        assertTrue(Training.LOCAL.runsLocally(1_000_000, 1_000_000, 6));
        assertFalse(Training.DISTRIBUTED.runsLocally(1, 1, 6));
    }

    @Test
    void configNamesRoundTripAndAnythingElseIsRefused() {
        assertArrayEquals(new String[] {"auto", "local", "distributed"}, Training.configNames());
        for (Training t : Training.values()) {
            assertEquals(t, Training.fromConfigName(t.configName()));
        }
        assertThrows(IllegalArgumentException.class, () -> Training.fromConfigName("Local"));
    }
}
