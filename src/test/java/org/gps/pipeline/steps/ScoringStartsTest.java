package org.gps.pipeline.steps;

import org.gps.core.env.Pendulum;
import org.gps.core.policy.PolicyOptions.EvalStarts;
import org.gps.core.random.KroneckerPoints;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.config.TestConfigs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the episodes that score a policy after each S-step start. */
class ScoringStartsTest {
    private static final ExperimentConfig PENDULUM = ConfigReader.parse("c.yaml", TestConfigs.MINIMAL);

    @Test
    void evenStartsArePendulumStartsAtTheShiftedKroneckerPointsOfTheSeed() {
        List<double[]> starts = EvaluateStep.scoringStarts(PENDULUM, 100, EvalStarts.EVEN, 17L);
        double[][] points = KroneckerPoints.shifted(100, 2, new SplittableRandom(17L));
        assertEquals(100, starts.size());
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(new Pendulum().startAt(points[i]), starts.get(i), 0.0, "start " + i);
        }
    }

    /**
     * Even starts cover the angles as independent ones rarely do: each tenth of (-pi, pi) holds 9 to
     * 11 of 100. Independent draws put 10 in a tenth with a binomial spread (sd 3): with this seed
     * some tenth of the random starts holds 6 or fewer or 14 or more, which is how a set of 100
     * random starts can miss the few near the bottom that a policy leaves hanging.
     */
    @Test
    void evenStartsCoverEveryTenthOfTheCircleAndRandomStartsDoNot() {
        int[] even = tenths(EvaluateStep.scoringStarts(PENDULUM, 100, EvalStarts.EVEN, 4L));
        int[] random = tenths(EvaluateStep.scoringStarts(PENDULUM, 100, EvalStarts.RANDOM, 4L));
        for (int c : even) {
            assertTrue(c >= 9 && c <= 11, java.util.Arrays.toString(even));
        }
        int min = java.util.Arrays.stream(random).min().orElseThrow();
        int max = java.util.Arrays.stream(random).max().orElseThrow();
        assertTrue(min <= 6 || max >= 14, java.util.Arrays.toString(random));
    }

    @Test
    void randomStartsAreTheEnvironmentsDrawsWithTheSeedAsBefore() {
        List<double[]> starts = EvaluateStep.scoringStarts(PENDULUM, 20, EvalStarts.RANDOM, 9L);
        SplittableRandom rng = new SplittableRandom(9L);
        for (double[] s : starts) {
            assertArrayEquals(Pendulum.randomStart(rng), s, 0.0);
        }
    }

    /** The two-link arm defines no start distribution: its scoring starts are the conditions in turn. */
    @Test
    void anEnvironmentWithoutAStartDistributionStartsFromTheConditionsInTurnEitherWay() {
        ExperimentConfig arm = ConfigReader.parse("arm.yaml", """
                horizon: 10
                environment: {type: two_link_arm}
                conditions: [[-1.5, 0.0], [0.5, -0.5]]
                cost: {terms: [{type: state, target: [0, 1.5, 0, 0]}, {type: action, weights: 0.1}]}
                """);
        for (EvalStarts placement : EvalStarts.values()) {
            List<double[]> starts = EvaluateStep.scoringStarts(arm, 5, placement, 1L);
            for (int e = 0; e < 5; e++) {
                assertArrayEquals(arm.conditions().get(e % 2), starts.get(e), 0.0, placement + " start " + e);
            }
        }
    }

    private static int[] tenths(List<double[]> starts) {
        int[] counts = new int[10];
        for (double[] x : starts) {
            double th = Pendulum.angle(x);
            counts[Math.min(9, (int) ((th + Math.PI) / (2 * Math.PI) * 10))]++;
        }
        return counts;
    }
}
