package org.gps.pipeline.steps;

import org.gps.core.dynamics.DynamicsOptions;
import org.gps.io.BuildInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FitDynamicsEndLineTest {
    private static final BuildInfo BUILD = new BuildInfo("1.2.3", "0123456789abcdef0123456789abcdef01234567", false);

    @Test
    void theLastLineNamesBuildInputOutputSeedsAndOptionsOnOneLine() {
        DynamicsOptions options = DynamicsOptions.defaults(42);
        String line = FitDynamicsStep.endLine("/data/ro", 2, 1234, "/data/ro", "/data/dyn", options, 42L, 77L, BUILD);
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("/data/ro: dynamics for 2 conditions in 1234 ms; "), line);
        for (String part : new String[] {"gps 1.2.3", "commit 0123456789abcdef0123456789abcdef01234567",
                "input /data/ro", "out /data/dyn", "seed 42", "held-out seed 77", "options " + options}) {
            assertTrue(line.contains(part), part + " in " + line);
        }
        // The options are all there, down to the EM start and the action fitted on.
        assertTrue(line.contains("initialization=" + options.em().initialization()), line);
        assertTrue(line.contains("action=" + options.action()), line);
    }

    @Test
    void withoutHeldOutScoresNoHeldOutSeedIsNamed() {
        String line = FitDynamicsStep.endLine("iteration 3", 4, 5, "r/iter=0002/rollouts,r/iter=0003/rollouts",
                "r/iter=0003/dynamics", DynamicsOptions.defaults(0), 9L, null, BUILD);
        assertFalse(line.contains("held-out"), line);
        assertEquals(1, line.split("; input ", -1).length - 1, line);
        assertTrue(line.contains("input r/iter=0002/rollouts,r/iter=0003/rollouts; "), line);
    }
}
