package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.gps.core.policy.Policy;
import org.gps.io.PolicyJson;
import org.gps.io.RolloutSchema;
import org.gps.pipeline.config.TestConfigs;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A two-iteration MDGPS run on a tiny Pendulum config, and the policy jobs around it. */
class MdgpsRunTest {
    static final String CONFIG = """
            name: tiny-mdgps
            seed: 5
            algorithm: mdgps
            iterations: 2
            horizon: 10
            samples: 3
            """ + TestConfigs.TINY_PENDULUM_TASK + """
            policy:
              hidden: [8]
              train_iterations: 20
              eval_episodes: 5
              sample_on_policy: true
            """;

    @TempDir
    static Path dir;
    static String runDir;
    static CliTestSupport.Outcome run;

    @BeforeAll
    static void runTwoIterations() throws Exception {
        Path config = dir.resolve("mdgps.yaml");
        Files.writeString(config, CONFIG);
        runDir = dir.resolve("run").toString();
        run = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", runDir);
    }

    @Test
    void aTwoIterationRunTrainsLinearizesAndScoresThePolicyEveryIteration() throws Exception {
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("pol_ret") && run.out().contains("published policy (iteration "), run.out());
        for (String p : new String[] {"iter=0000/policy_initial.json", "iter=0000/policy_linearization/_GPS_COMPLETE",
                "iter=0000/policy.json", "iter=0000/policy_eval.json", "iter=0001/policy_linearization/_GPS_COMPLETE",
                "iter=0001/policy.json", "iter=0001/policy_eval.json", "iter=0002/controllers.json"}) {
            assertTrue(Files.exists(Path.of(runDir, p)), p);
        }
        Policy p = PolicyJson.fromJson(Files.readString(Path.of(runDir, "iter=0001/policy.json")), "policy.json");
        assertEquals(3, p.network().inputDim());
        assertEquals(1, p.network().outputDim());
        JsonNode eval = new ObjectMapper().readTree(Path.of(runDir, "iter=0001/policy_eval.json").toFile());
        assertEquals(5, eval.get("episodes").asInt());
        assertEquals(200, eval.get("horizon").asInt(), "Pendulum policies are scored over Gym's 200 steps");
        assertEquals("even", eval.get("starts").asText(), "policy.eval_starts' default");
        // M x N x T x iterations = 2 x 3 x 10 x 2.
        assertEquals(120, eval.get("training_env_steps").asLong());
    }

    @Test
    void oneStepMultiplierServesEveryConditionUnderTheMdgpsRule() throws Exception {
        JsonNode state = new ObjectMapper().readTree(Path.of(runDir, "iter=0001/state.json").toFile());
        assertEquals("mdgps", state.get("algorithm").asText());
        JsonNode c = state.get("conditions");
        assertEquals(c.get(0).get("step_mult").asDouble(), c.get(1).get("step_mult").asDouble(), 0.0);
        // The improvements are averages over the conditions, so every condition records the same.
        assertEquals(c.get(0).get("predicted_improvement").asDouble(), c.get(1).get("predicted_improvement").asDouble(),
                0.0);
    }

    @Test
    void withSampleOnPolicyTheSecondIterationsRolloutsComeFromThePolicy() {
        List<Row> sources = SparkTestSession.get().read().parquet(Path.of(runDir, "iter=0001/rollouts").toString())
                .select(RolloutSchema.SOURCE).distinct().collectAsList();
        assertEquals(1, sources.size());
        assertEquals("policy", sources.get(0).getString(0));
        List<Row> first = SparkTestSession.get().read().parquet(Path.of(runDir, "iter=0000/rollouts").toString())
                .select(RolloutSchema.SOURCE).distinct().collectAsList();
        assertEquals("controller", first.get(0).getString(0));
    }

    @Test
    void evaluatePolicyReportsTheScoreAndIsReproducibleForASeed() throws Exception {
        CliTestSupport.Outcome a = CliTestSupport.run("evaluate", "--run-dir", runDir, "--policy", "--episodes", "4",
                "--seed", "9", "--json");
        assertEquals(0, a.exitCode(), a.err());
        JsonNode root = new ObjectMapper().readTree(a.out());
        int published = bestPolicy().get("iteration").asInt();
        assertEquals(published, root.get("policy_iteration").asInt(), "the published policy by default");
        assertEquals(published, root.get("published_policy_iteration").asInt());
        JsonNode pol = root.get("policy");
        assertEquals(4, pol.get("episodes").asInt());
        // M x N x T x (iteration + 1) = 2 x 3 x 10 x (iteration + 1).
        assertEquals(60L * (published + 1), pol.get("training_env_steps").asLong());
        assertTrue(pol.get("mean_return").asDouble() < 0 && pol.get("std_return").asDouble() >= 0, a.out());
        assertTrue(root.get("conditions").size() == 2, "the controllers' evaluation is still there: " + a.out());
        CliTestSupport.Outcome b = CliTestSupport.run("evaluate", "--run-dir", runDir, "--policy", "--episodes", "4",
                "--seed", "9", "--json");
        assertEquals(a.out(), b.out());
        CliTestSupport.Outcome table = CliTestSupport.run("evaluate", "--run-dir", runDir, "--policy", "--episodes", "4",
                "--seed", "9");
        assertTrue(table.out().contains(String.format(java.util.Locale.ROOT, "mean return %.2f",
                pol.get("mean_return").asDouble())), table.out());
        // The controllers beside it are the policy's iteration's, run N = 3 times each, not --episodes times.
        assertTrue(table.out().startsWith("controllers of iteration " + published
                + " (the policy's): 3 episodes per condition, the config's samples"), table.out());
    }

    static JsonNode bestPolicy() throws Exception {
        return new ObjectMapper().readTree(Path.of(runDir, "best_policy.json").toFile());
    }

    static JsonNode policyEval(int iteration) throws Exception {
        return new ObjectMapper().readTree(Path.of(runDir, String.format("iter=%04d/policy_eval.json", iteration))
                .toFile());
    }

    @Test
    void theRunPublishesAScoredPolicyAtLeastAsGoodAsEveryKeptOneAndSaysWhetherItIsTheLast() throws Exception {
        assertEquals(0, run.exitCode(), run.err());
        JsonNode best = bestPolicy();
        int it = best.get("iteration").asInt();
        assertEquals(String.format("iter=%04d/policy.json", it), best.get("policy").asText());
        assertTrue(Files.exists(Path.of(runDir, best.get("policy").asText())));
        // A copy of the chosen iteration's score, so exactly equal; no kept policy scored higher.
        assertEquals(policyEval(it).get("mean_return").asDouble(), best.get("mean_return").asDouble(), 0.0);
        assertEquals(policyEval(it).get("training_env_steps").asLong(), best.get("training_env_steps").asLong());
        for (int i = 0; i < 2; i++) {
            assertTrue(best.get("mean_return").asDouble() >= policyEval(i).get("mean_return").asDouble(),
                    "iteration " + i + " scored higher than the published " + it);
        }
        assertEquals(1, best.get("last_iteration").asInt());
        // Two iterations scored over 5 starts of 200 steps each.
        assertEquals(2 * 5 * 200, best.get("scoring_env_steps").asLong());
        assertTrue(run.out().contains(String.format(java.util.Locale.ROOT,
                "published policy (iteration %d, the best of 2 scored; best_policy.json): mean return %.1f", it,
                best.get("mean_return").asDouble())), run.out());
        assertTrue(run.out().contains("std " + String.format(java.util.Locale.ROOT, "%.1f",
                best.get("std_return").asDouble()) + " over 5 evenly placed starts of 200 steps"), run.out());
        assertEquals(it != 1, run.out().contains("last policy (iteration 1)"), run.out());
        assertEquals(it != 1, run.out().contains("not the published policy"), run.out());
    }

    @Test
    void evaluatePolicyScoresThePublishedPolicyAsItsRunScoredItUnlessAnIterationIsChosen() throws Exception {
        JsonNode best = bestPolicy();
        int it = best.get("iteration").asInt();
        // No --episodes and no --seed: the starts of that iteration's own scoring, so the same number.
        CliTestSupport.Outcome r = CliTestSupport.run("evaluate", "--run-dir", runDir, "--policy", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(it, root.get("policy_iteration").asInt());
        assertEquals(it, root.get("iteration").asInt(), "the controllers of the same iteration");
        assertEquals(best.get("mean_return").asDouble(), root.get("policy").get("mean_return").asDouble(), 0.0);

        int other = 1 - it;
        CliTestSupport.Outcome chosen = CliTestSupport.run("evaluate", "--run-dir", runDir, "--policy", "--iteration",
                String.valueOf(other), "--episodes", "2");
        assertEquals(0, chosen.exitCode(), chosen.err());
        assertTrue(chosen.out().contains("policy (iteration " + other + ", chosen with --iteration; not the published "
                + "policy, which is iteration " + it + ")"), chosen.out());
        CliTestSupport.Outcome dflt = CliTestSupport.run("evaluate", "--run-dir", runDir, "--policy", "--episodes", "2");
        assertTrue(dflt.out().contains("policy (iteration " + it + ", the published policy)"), dflt.out());
    }

    @Test
    void aResumedRunAndASeparateTrainPolicyJobWriteTheSameBestPolicyFile() throws Exception {
        assertEquals(0, run.exitCode(), run.err());
        Path copy = dir.resolve("resumed");
        RunDirectoryAssertions.copyTree(Path.of(runDir), copy);
        Path file = copy.resolve("best_policy.json");
        String written = Files.readString(file);
        // Stopped after its last score file, before best_policy.json: the resumed run writes it.
        Files.delete(file);
        CliTestSupport.Outcome resumed = CliTestSupport.run("run", "--run-dir", copy.toString());
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(written, Files.readString(file));
        // The last job of an Airflow iteration: the same policy bits, so the same file.
        Files.delete(file);
        CliTestSupport.Outcome job = CliTestSupport.run("train-policy", "--run-dir", copy.toString(), "--iteration", "1");
        assertEquals(0, job.exitCode(), job.err());
        assertEquals(written, Files.readString(file));
        assertTrue(job.out().contains("published policy: iteration " + bestPolicy().get("iteration").asInt()),
                job.out());
    }

    @Test
    void withReplayTheSStepAlsoTrainsOnTheEarlierIterationsSamples() throws Exception {
        assertEquals(0, run.exitCode(), run.err());
        Path copy = dir.resolve("replayed");
        RunDirectoryAssertions.copyTree(Path.of(runDir), copy);
        // The same run had it been configured to replay one iteration back: the S-step of iteration 1
        // trains on iteration 0's samples (towards iteration 1's controllers) as well.
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode config =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(copy.resolve("config.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("policy")).put("replay_iterations", 1);
        Files.writeString(copy.resolve("config.json"), json.writeValueAsString(config));
        CliTestSupport.Outcome job = CliTestSupport.run("train-policy", "--run-dir", copy.toString(), "--iteration", "1");
        assertEquals(0, job.exitCode(), job.err());
        double[] replayed = PolicyJson.fromJson(Files.readString(copy.resolve("iter=0001/policy.json")), "policy.json")
                .network().parameters();
        double[] plain = PolicyJson.fromJson(Files.readString(Path.of(runDir, "iter=0001/policy.json")), "policy.json")
                .network().parameters();
        assertTrue(!java.util.Arrays.equals(replayed, plain), "the replayed samples changed nothing");
    }

    @Test
    void trainPolicyRefusesMissingControllersAndTrajOptRunsWithExitCode2() throws Exception {
        // A fresh MDGPS run directory: iteration 0's C-step has not made the controllers of 1 yet.
        Path mdgps = dir.resolve("fresh.yaml");
        Files.writeString(mdgps, CONFIG);
        String fresh = dir.resolve("fresh-run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", mdgps.toString(), "--run-dir", fresh).exitCode());
        CliTestSupport.Outcome missing = CliTestSupport.run("train-policy", "--run-dir", fresh, "--iteration", "0");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("iter=0001/controllers") && missing.err().contains("gps trajopt"),
                missing.err());

        Path config = dir.resolve("trajopt.yaml");
        Files.writeString(config, RunAndResumeTest.CONFIG);
        String trajopt = dir.resolve("trajopt-run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", trajopt).exitCode());
        CliTestSupport.Outcome refused = CliTestSupport.run("train-policy", "--run-dir", trajopt, "--iteration", "0");
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains("algorithm trajopt"), refused.err());
        CliTestSupport.Outcome eval = CliTestSupport.run("evaluate", "--run-dir", trajopt, "--policy");
        assertEquals(2, eval.exitCode());
    }
}
