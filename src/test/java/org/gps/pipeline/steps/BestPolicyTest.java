package org.gps.pipeline.steps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.gps.pipeline.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The published-policy rule on score files written by hand (no Spark): the numbers in
 * best_policy.json are copies of a policy_eval.json, so they are compared exactly.
 */
class BestPolicyTest {
    static final String CONFIG = """
            {"name": "best-policy", "seed": 3, "algorithm": "mdgps", "iterations": 5, "horizon": 10, "samples": 2,
             "environment": {"type": "pendulum"},
             "conditions": [[3.141592653589793, 0.0], [0.5, 0.0]],
             "initial_controller": {"type": "lqr", "init_var": 1.0},
             "cost": {"terms": [{"type": "action", "weights": 0.05}]},
             "policy": {"hidden": [8], "eval_episodes": 4}}
            """;
    static final int EPISODES = 4;
    static final int HORIZON = 200;

    @TempDir
    Path dir;

    RunDirectory run() throws Exception {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        return new RunDirectory(dir.toString(), new Configuration());
    }

    /** iter=I/policy_eval.json with mean {@code mean}, std 10 + I and M x N x T x (I + 1) = 40 (I + 1) steps. */
    void score(int iteration, double mean) throws Exception {
        Path it = Files.createDirectories(dir.resolve(String.format("iter=%04d", iteration)));
        Files.writeString(it.resolve("policy_eval.json"), new EvaluateStep.PolicyScore(EPISODES, HORIZON, mean,
                10.0 + iteration, 40L * (iteration + 1), null, null, "even", null).toJson());
    }

    JsonNode published() throws Exception {
        return new ObjectMapper().readTree(dir.resolve("best_policy.json").toFile());
    }

    static SortedMap<Integer, Double> means(double... values) {
        SortedMap<Integer, Double> m = new TreeMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(i, values[i]);
        }
        return m;
    }

    @Test
    void theRulePicksTheHighestMeanReturnTheEarliestOfEqualOnesAndNaNLast() {
        assertEquals(2, BestPolicy.select(means(-300, -152, -138, -168)));
        assertEquals(1, BestPolicy.select(means(-300, -138, -168, -138)), "a tie goes to the earlier iteration");
        assertEquals(1, BestPolicy.select(means(Double.NaN, -900, Double.NaN)), "NaN ranks below every number");
        assertEquals(0, BestPolicy.select(means(Double.NaN, Double.NaN)), "only NaN: the earliest");
        assertEquals(-1, BestPolicy.select(means()));
        SortedMap<Integer, Double> gap = new TreeMap<>(java.util.Map.of(0, -400.0, 3, -200.0));
        assertEquals(3, BestPolicy.select(gap), "an iteration without a score is no candidate");
    }

    @Test
    void aLaterWorseIterationNeverReplacesThePublishedPolicy() throws Exception {
        RunDirectory run = run();
        score(0, -500.25);
        score(1, -152.5);
        assertEquals(1, BestPolicy.publish(run).orElseThrow().iteration());
        score(2, -352.75); // the S-step made the policy worse
        BestPolicy b = BestPolicy.publish(run).orElseThrow();
        assertEquals(1, b.iteration());
        assertFalse(b.isLast());
        JsonNode j = published();
        assertEquals(1, j.get("iteration").asInt());
        assertEquals("iter=0001/policy.json", j.get("policy").asText());
        assertEquals(-152.5, j.get("mean_return").asDouble(), 0.0);
        assertEquals(11.0, j.get("std_return").asDouble(), 0.0);
        assertEquals(EPISODES, j.get("episodes").asInt());
        assertEquals(HORIZON, j.get("horizon").asInt());
        assertEquals(80, j.get("training_env_steps").asLong(), "the published iteration's, not the last one's");
        assertEquals(2, j.get("last_iteration").asInt());
        assertEquals(-352.75, j.get("last_mean_return").asDouble(), 0.0);
        assertEquals(List.of(0, 1, 2), ints(j.get("scored_iterations")));
        assertEquals(3L * EPISODES * HORIZON, j.get("scoring_env_steps").asLong());

        score(3, -138.0);
        assertEquals(3, BestPolicy.publish(run).orElseThrow().iteration(), "a strictly better one is published");
        score(4, -138.0);
        assertEquals(3, BestPolicy.publish(run).orElseThrow().iteration(), "an equal later one is not");
        assertEquals(3, published().get("iteration").asInt());
        assertEquals(4, published().get("last_iteration").asInt());
    }

    @Test
    void publishingAgainOrAfterTheFileWasLostWritesTheSameBytesAndLeavesAnUpToDateFileAlone() throws Exception {
        RunDirectory run = run();
        score(0, -410.0);
        score(1, -190.0);
        score(2, -260.0);
        BestPolicy.publish(run);
        Path file = dir.resolve("best_policy.json");
        byte[] first = Files.readAllBytes(file);
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, old);
        BestPolicy.publish(run);
        assertEquals(old, Files.getLastModifiedTime(file), "a resumed run does not rewrite an up-to-date file");
        Files.delete(file); // a run stopped between its last score file and best_policy.json
        BestPolicy.publish(run);
        assertEquals(new String(first), Files.readString(file));
        try (var names = Files.list(dir)) {
            assertEquals(List.of(), names.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".") && !n.endsWith(".crc")).toList(), "no temporary left");
        }
    }

    @Test
    void aWithdrawnScoreTakesItsPolicyOutOfTheChoiceAndNoScoreLeavesNoFile() throws Exception {
        RunDirectory run = run();
        score(0, -410.0);
        score(1, -190.0);
        BestPolicy.publish(run);
        // train-policy of iteration 1 again: its score is withdrawn while the policy is replaced.
        Files.delete(dir.resolve("iter=0001/policy_eval.json"));
        BestPolicy b = BestPolicy.publish(run).orElseThrow();
        assertEquals(0, b.iteration());
        assertEquals(0, published().get("iteration").asInt());
        assertEquals(0, published().get("last_iteration").asInt());
        Files.delete(dir.resolve("iter=0000/policy_eval.json"));
        assertTrue(BestPolicy.publish(run).isEmpty());
        assertFalse(Files.exists(dir.resolve("best_policy.json")), "no file names a policy without a score");
    }

    private static List<Integer> ints(JsonNode arr) {
        List<Integer> out = new java.util.ArrayList<>();
        arr.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
