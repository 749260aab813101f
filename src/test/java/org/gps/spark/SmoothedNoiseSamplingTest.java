package org.gps.spark;

import org.apache.spark.sql.Row;
import org.gps.core.env.EnvironmentSpec;
import org.gps.core.env.LinearSystem;
import org.gps.core.random.Seeds;
import org.gps.core.sample.ExplorationNoise;
import org.gps.core.sample.RolloutPolicy;
import org.gps.io.RolloutSchema;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run's exploration noise reaches the sampled rollouts: with smoothing each rollout's noise is
 * the smoothed draw of its own seed (unit variance over the rollout, neighbouring steps alike), and
 * without it the same seed's independent draws, as before smoothing existed.
 */
class SmoothedNoiseSamplingTest {
    private static final int HORIZON = 100;

    /** u_t = eps_t: the recorded action is the noise itself. */
    private record NoiseOnly() implements RolloutPolicy, Serializable {
        @Override
        public double[] act(int t, double[] x, double[] o, double[] eps) {
            return eps.clone();
        }
    }

    private static List<Row> sample(ExplorationNoise noise) {
        RolloutSampling.Request req = new RolloutSampling.Request(
                new EnvironmentSpec(LinearSystem.TYPE, Map.of("state_dim", 2, "action_dim", 1)), List.of(new double[2]),
                Map.of(0, new NoiseOnly()), 3, HORIZON, 11, 0, RolloutSchema.SOURCE_CONTROLLER, noise);
        return RolloutSampling.sample(SparkTestSession.get(), req).orderBy("sample", "t").collectAsList();
    }

    private static double[] actions(List<Row> rows, int sample) {
        return rows.stream().filter(r -> r.<Integer>getAs("sample") == sample)
                .mapToDouble(r -> r.<scala.collection.Seq<Double>>getAs("u").apply(0)).toArray();
    }

    @Test
    void eachRolloutActsOnTheSmoothedDrawOfItsOwnSeed() {
        ExplorationNoise smooth = new ExplorationNoise(2.0);
        List<Row> rows = sample(smooth);
        for (int n = 0; n < 3; n++) {
            double[] u = actions(rows, n);
            long seed = Seeds.derive(Seeds.derive(11, "rollout", 0, 0, n), "action-noise");
            double[][] eps = smooth.draw(new SplittableRandom(seed), HORIZON, 1);
            double[] expected = new double[HORIZON];
            for (int t = 0; t < HORIZON; t++) {
                expected[t] = eps[t][0];
            }
            assertArrayEquals(expected, u, 0.0, "sample " + n);
            double mean = java.util.Arrays.stream(u).average().orElseThrow();
            double variance = 0;
            double lag1 = 0;
            for (int t = 0; t < HORIZON; t++) {
                variance += (u[t] - mean) * (u[t] - mean);
                lag1 += t == 0 ? 0 : (u[t] - mean) * (u[t - 1] - mean);
            }
            assertEquals(1.0, variance / HORIZON, 1e-12, "unit variance over the rollout");
            // exp(-1/16) = 0.94 for a kernel of 2 steps; over 100 steps the estimate is within about 0.1 of it.
            assertTrue(lag1 / variance > 0.75, "neighbouring steps alike: " + lag1 / variance);
        }
    }

    @Test
    void withoutSmoothingTheRolloutsDrawWhatTheyAlwaysDrew() {
        List<Row> white = sample(ExplorationNoise.WHITE);
        for (int n = 0; n < 3; n++) {
            SplittableRandom same = new SplittableRandom(Seeds.derive(Seeds.derive(11, "rollout", 0, 0, n),
                    "action-noise"));
            double[] u = actions(white, n);
            for (int t = 0; t < HORIZON; t++) {
                assertEquals(Double.doubleToLongBits(same.nextGaussian()), Double.doubleToLongBits(u[t]),
                        "sample " + n + ", t " + t);
            }
        }
    }
}
