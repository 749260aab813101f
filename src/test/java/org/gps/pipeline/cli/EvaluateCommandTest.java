package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps evaluate --policy --json}: the per-episode lists behind the summary. */
class EvaluateCommandTest {
    @TempDir
    static Path dir;
    static String runDir;

    @BeforeAll
    static void trainOneIteration() throws Exception {
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, ControlBenchmarkTest.CONFIG.replace("iterations: 2", "iterations: 1"));
        runDir = dir.resolve("run").toString();
        CliTestSupport.Outcome r = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", runDir);
        assertEquals(0, r.exitCode(), r.err());
    }

    private static JsonNode policyJson(String... extra) throws Exception {
        String[] args = new String[4 + extra.length];
        args[0] = "evaluate";
        args[1] = "--run-dir";
        args[2] = runDir;
        args[3] = "--policy";
        System.arraycopy(extra, 0, args, 4, extra.length);
        CliTestSupport.Outcome r = CliTestSupport.run(args);
        assertEquals(0, r.exitCode(), r.err());
        return new ObjectMapper().readTree(r.out()).get("policy");
    }

    @Test
    void policyJsonListsEveryEpisodesReturnAndFinalAngleAndTheirMeanIsTheMeanReturn() throws Exception {
        JsonNode p = policyJson("--json", "--episodes", "7", "--seed", "3");
        JsonNode returns = p.get("episode_returns");
        JsonNode angles = p.get("episode_mean_abs_angle_last_20_steps");
        assertEquals(7, p.get("episodes").asInt());
        assertEquals(7, returns.size());
        assertEquals(7, angles.size());
        double sum = 0;
        for (JsonNode r : returns) {
            sum += r.asDouble();
        }
        assertEquals(p.get("mean_return").asDouble(), sum / 7, 1e-9);
        double sq = 0;
        for (JsonNode r : returns) {
            sq += (r.asDouble() - sum / 7) * (r.asDouble() - sum / 7);
        }
        assertEquals(p.get("std_return").asDouble(), Math.sqrt(sq / 7), 1e-9);
        int upright = 0;
        for (JsonNode a : angles) {
            assertTrue(a.asDouble() >= 0 && a.asDouble() <= Math.PI, "an |angle| in [0, pi]: " + a);
            upright += a.asDouble() < 0.2 ? 1 : 0;
        }
        assertEquals(upright / 7.0, p.get("upright_fraction").asDouble(), 1e-15);
    }

    /**
     * With --seed the starts are Gym's independent draws of that seed, listed in episode order as the
     * pendulum's states [cos th, sin th, thdot], so an episode's return can be put beside its start.
     */
    @Test
    void policyJsonListsEachEpisodesStartAsTheDrawsOfTheSeed() throws Exception {
        JsonNode starts = policyJson("--json", "--episodes", "7", "--seed", "3").get("episode_starts");
        assertEquals(7, starts.size());
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        org.gps.core.env.Pendulum pendulum = new org.gps.core.env.Pendulum();
        for (JsonNode x0 : starts) {
            double[] drawn = pendulum.drawStart(rng).orElseThrow();
            assertEquals(3, x0.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(drawn[i], x0.get(i).asDouble(), 0.0, "start entry " + i);
            }
            assertTrue(Math.abs(x0.get(2).asDouble()) <= 1.0, "Gym's starts have |thdot| <= 1: " + x0);
        }
    }

    @Test
    void policyTextOutputStatesTheUprightShareWithItsDefinition() {
        CliTestSupport.Outcome r = CliTestSupport.run("evaluate", "--run-dir", runDir, "--policy", "--episodes", "3");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*policy ends upright \\(mean \\|angle\\| over the last 20 steps < 0\\.2 rad\\) "
                + "in \\d+% of the episodes.*"), r.out());
    }

    @Test
    void theRunsOwnPolicyScoreFileKeepsThePerEpisodeListsToo() throws Exception {
        JsonNode eval = new ObjectMapper().readTree(Path.of(runDir, "iter=0000/policy_eval.json").toFile());
        assertEquals(4, eval.get("episode_returns").size());
        assertEquals(4, eval.get("episode_mean_abs_angle_last_20_steps").size());
        assertTrue(eval.get("upright_fraction").isNumber());
        assertEquals(4, eval.get("episode_starts").size());
    }
    /**
     * Without --seed the policy is scored from the run's own starts (evenly placed, the config's
     * default), which reproduces its policy_eval.json to the bit; with --seed from independent draws
     * of that seed, the same whatever the run, so a different score.
     */
    @Test
    void withoutASeedEvaluateReproducesTheRunsOwnScoreAndWithOneItScoresRandomStarts() throws Exception {
        JsonNode eval = new ObjectMapper().readTree(Path.of(runDir, "iter=0000/policy_eval.json").toFile());
        JsonNode own = policyJson("--json", "--iteration", "0");
        assertEquals(eval.get("episode_returns"), own.get("episode_returns"));
        assertEquals(eval.get("episode_starts"), own.get("episode_starts"));
        assertEquals(eval.get("mean_return").asDouble(), own.get("mean_return").asDouble(), 0.0);
        JsonNode seeded = policyJson("--json", "--iteration", "0", "--seed", "3");
        assertEquals(eval.get("episodes").asInt(), seeded.get("episodes").asInt());
        assertTrue(eval.get("mean_return").asDouble() != seeded.get("mean_return").asDouble(),
                "the seeded starts are other starts");
    }
}
