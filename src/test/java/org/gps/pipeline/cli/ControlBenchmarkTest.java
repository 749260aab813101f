package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.pipeline.config.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps benchmark control} on a tiny MDGPS config: the files' structure, resuming, and bad input. */
class ControlBenchmarkTest {
    // Two iterations of a tiny Pendulum problem; the policy is scored over 30 steps so that the
    // evaluations stay cheap (the numbers are not what these tests check).
    static final String CONFIG = """
            name: tiny-control
            seed: 5
            algorithm: mdgps
            iterations: 2
            horizon: 10
            samples: 2
            """ + TestConfigs.TINY_PENDULUM_TASK + """
            policy:
              hidden: [8]
              train_iterations: 10
              eval_episodes: 4
              eval_horizon: 30
              sample_on_policy: true
            """;

    @TempDir
    static Path dir;
    static Path config;
    static Path out;
    static CliTestSupport.Outcome first;

    @BeforeAll
    static void benchmarkTwoSeeds() throws Exception {
        config = dir.resolve("tiny.yaml");
        Files.writeString(config, CONFIG);
        out = dir.resolve("bench");
        first = CliTestSupport.run("benchmark", "control", "--config", config.toString(), "--seeds", "0,1",
                "--eval-episodes", "3", "--out", out.toString());
    }

    @Test
    void eachSeedRunsTheConfigWithItsSeedReplacedIntoItsOwnRunDirectory() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        for (long seed : new long[] {0, 1}) {
            JsonNode resolved = new ObjectMapper().readTree(out.resolve("seed=" + seed + "/config.json").toFile());
            assertEquals(seed, resolved.get("seed").asLong());
            assertEquals("tiny-control", resolved.get("name").asText(), "everything but the seed is the config's");
            assertTrue(Files.exists(out.resolve("seed=" + seed + "/iter=0001/policy_eval.json")));
            assertTrue(first.out().contains("seed " + seed + " (" + (seed + 1) + " of 2)"), first.out());
        }
    }

    @Test
    void markdownTableHasOneRowPerSeedThenTheMedianAndTheWorstSeed() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        String md = Files.readString(out.resolve("control.md"));
        List<String> rows = md.lines().filter(l -> l.startsWith("|")).toList();
        assertEquals("| seed | iteration | return | std | upright | last-iteration return | selection return "
                + "| env steps to -200 | env steps to -160 |", rows.get(0));
        assertEquals(6, rows.size(), md);
        assertTrue(rows.get(2).startsWith("| 0 |") && rows.get(3).startsWith("| 1 |"), md);
        assertTrue(rows.get(4).startsWith("| median | - |"), md);
        assertTrue(rows.get(5).matches("\\| worst \\(seed [01]\\) \\|.*"), md);
        for (String row : rows) {
            assertEquals(11, row.split("\\|", -1).length, "9 columns between 10 bars: " + row);
        }
        assertTrue(first.out().contains(md), "the table is printed at the end:\n" + first.out());
    }

    @Test
    void jsonHoldsTheSameNumbersPerSeedWithTheirCurves() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        JsonNode j = new ObjectMapper().readTree(out.resolve("control.json").toFile());
        assertEquals("control", j.get("benchmark").asText());
        assertEquals("policy", j.get("scored").asText());
        assertEquals(3, j.get("eval_episodes").asInt());
        assertEquals(1000, j.get("eval_seed").asLong(), "the documented default evaluation seed");
        JsonNode seeds = j.get("seeds");
        assertEquals(2, seeds.size());
        for (int k = 0; k < 2; k++) {
            JsonNode s = seeds.get(k);
            assertEquals(k, s.get("seed").asLong());
            JsonNode best = new ObjectMapper().readTree(out.resolve("seed=" + k + "/best_policy.json").toFile());
            int published = best.get("iteration").asInt();
            assertEquals(published, s.get("policy_iteration").asInt(), "the run's published policy is scored");
            assertEquals(1, s.get("last_iteration").asInt());
            for (String key : new String[] {"mean_return", "std_return", "upright_fraction", "last_iteration_return",
                    "selection_return"}) {
                assertTrue(s.get(key).isNumber(), key + " in " + s);
            }
            if (published == 1) {
                assertEquals(s.get("mean_return").asDouble(), s.get("last_iteration_return").asDouble(), 0.0,
                        "the same policy on the same starts");
            }
            assertEquals(best.get("mean_return").asDouble(), s.get("selection_return").asDouble(), 0.0);
            assertTrue(s.get("env_steps_to_reach").has("-200") && s.get("env_steps_to_reach").has("-160"), s.toString());
            JsonNode curve = s.get("curve");
            assertEquals(2, curve.size());
            // M x N x T per iteration = 2 x 2 x 10.
            assertEquals(40, curve.get(0).get("env_steps").asLong());
            assertEquals(80, curve.get(1).get("env_steps").asLong());
            for (JsonNode p : curve) {
                assertTrue(s.get("selection_return").asDouble() >= p.get("mean_return").asDouble(), s.toString());
            }
        }
        assertTrue(j.get("median").get("mean_return").isNumber());
        assertTrue(j.get("median").get("last_iteration_return").isNumber());
        long worst = j.get("worst_seed").asLong();
        double worstReturn = Math.min(seeds.get(0).get("mean_return").asDouble(),
                seeds.get(1).get("mean_return").asDouble());
        assertEquals(worstReturn, seeds.get((int) worst).get("mean_return").asDouble());
        String md = Files.readString(out.resolve("control.md"));
        assertTrue(md.contains(String.format(Locale.ROOT, "| 0 | %d | %.1f |",
                seeds.get(0).get("policy_iteration").asInt(), seeds.get(0).get("mean_return").asDouble())), md);
    }

    @Test
    void plotIsAReadablePng() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        BufferedImage png = ImageIO.read(out.resolve("control.png").toFile());
        assertNotNull(png, "control.png is not an image");
        assertEquals(900, png.getWidth());
        assertEquals(500, png.getHeight());
    }

    @Test
    void rerunOnTheSameOutputSkipsCompleteSeedsAndWritesTheSameTable() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        String before = Files.readString(out.resolve("control.md"));
        CliTestSupport.Outcome again = CliTestSupport.run("benchmark", "control", "--config", config.toString(),
                "--seeds", "0,1", "--eval-episodes", "3", "--out", out.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("seed 0: its run is complete, not run again"), again.out());
        assertTrue(again.out().contains("seed 1: its run is complete, not run again"), again.out());
        assertFalse(again.out().contains("pol_ret"), "no iteration was run again:\n" + again.out());
        assertEquals(before, Files.readString(out.resolve("control.md")));
    }

    @Test
    void quietPrintsOnlyTheTableAndWhereItIsWritten() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        CliTestSupport.Outcome quiet = CliTestSupport.run("benchmark", "control", "--quiet", "--config",
                config.toString(), "--seeds", "0,1", "--eval-episodes", "3", "--out", out.toString());
        assertEquals(0, quiet.exitCode(), quiet.err());
        assertEquals(Files.readString(out.resolve("control.md")) + "written: " + out.resolve("control.md") + ", "
                + out.resolve("control.json") + ", " + out.resolve("control.png") + System.lineSeparator(),
                quiet.out());
    }

    @Test
    void aSeedWhoseEarlierPolicyScoredBetterIsScoredByThatOneAndItsLastIterationsReturnIsKeptBeside() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        JsonNode before = new ObjectMapper().readTree(out.resolve("control.json").toFile()).get("seeds").get(0);
        Path copy = dir.resolve("bench-earlier-best");
        RunDirectoryAssertions.copyTree(out, copy);
        // Iteration 0 of seed 0 made to score far above anything the tiny run reaches.
        Path eval = copy.resolve("seed=0/iter=0000/policy_eval.json");
        ObjectNode score = (ObjectNode) new ObjectMapper().readTree(eval.toFile());
        score.put("mean_return", 1000.0);
        Files.writeString(eval, score.toPrettyString());
        CliTestSupport.Outcome again = CliTestSupport.run("benchmark", "control", "--config", config.toString(),
                "--seeds", "0,1", "--eval-episodes", "3", "--out", copy.toString());
        assertEquals(0, again.exitCode(), again.err());
        JsonNode s = new ObjectMapper().readTree(copy.resolve("control.json").toFile()).get("seeds").get(0);
        assertEquals(0, s.get("policy_iteration").asInt());
        assertEquals(1000.0, s.get("selection_return").asDouble(), 0.0);
        assertEquals(1, s.get("last_iteration").asInt());
        // The last iteration's policy on the same evaluation starts as before: the same number.
        assertEquals(before.get("last_iteration_return").asDouble(), s.get("last_iteration_return").asDouble(), 0.0);
        String row = Files.readString(copy.resolve("control.md")).lines().filter(l -> l.startsWith("| 0 |"))
                .findFirst().orElseThrow();
        String[] cells = row.split("\\|", -1);
        assertEquals("0", cells[2].trim(), row);
        assertEquals(String.format(Locale.ROOT, "%.1f", s.get("mean_return").asDouble()), cells[3].trim(), row);
        assertEquals(String.format(Locale.ROOT, "%.1f", s.get("last_iteration_return").asDouble()),
                cells[6].trim(), row);
        assertEquals("1000.0", cells[7].trim(), row);
    }

    @Test
    void aBudgetScoresThePolicyTheRunWouldHavePublishedByThenOnTheSameStarts() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        // 40 environment steps per iteration (2 conditions x 2 samples x T = 10): a budget of 80 takes
        // both iterations, 40 only the first, 39 none.
        for (long budget : new long[] {80, 40, 39}) {
            Path copy = dir.resolve("bench-budget-" + budget);
            RunDirectoryAssertions.copyTree(out, copy);
            CliTestSupport.Outcome r = CliTestSupport.run("benchmark", "control", "--config", config.toString(),
                    "--seeds", "0,1", "--eval-episodes", "3", "--budget", String.valueOf(budget), "--out",
                    copy.toString());
            assertEquals(0, r.exitCode(), r.err());
            JsonNode j = new ObjectMapper().readTree(copy.resolve("control.json").toFile());
            assertEquals(budget, j.get("budget_env_steps").asLong());
            String md = Files.readString(copy.resolve("control.md"));
            List<String> rows = md.lines().filter(l -> l.startsWith("|")).toList();
            assertTrue(rows.get(0).endsWith("| iteration by " + budget + " steps | return by " + budget + " steps |"),
                    rows.get(0));
            for (String row : rows) {
                assertEquals(13, row.split("\\|", -1).length, "11 columns between 12 bars: " + row);
            }
            for (int k = 0; k < 2; k++) {
                JsonNode s = j.get("seeds").get(k);
                JsonNode b = s.get("budget");
                assertEquals(budget, b.get("env_steps").asLong());
                String[] cells = rows.get(2 + k).split("\\|", -1);
                if (budget == 39) {
                    assertTrue(b.get("policy_iteration").isNull(), b.toString());
                    assertEquals("-", cells[10].trim(), rows.get(2 + k));
                    assertEquals("-", cells[11].trim(), rows.get(2 + k));
                    continue;
                }
                int expected = budget == 80 ? s.get("policy_iteration").asInt() : 0;
                assertEquals(expected, b.get("policy_iteration").asInt(), b.toString());
                // The same iteration's policy from `gps evaluate` on the same evaluation starts.
                CliTestSupport.Outcome e = CliTestSupport.run("evaluate", "--run-dir",
                        copy.resolve("seed=" + k).toString(), "--policy", "--iteration", String.valueOf(expected),
                        "--episodes", "3", "--seed", "1000", "--json", "--quiet");
                assertEquals(0, e.exitCode(), e.err());
                double evaluated = new ObjectMapper().readTree(e.out()).get("policy").get("mean_return").asDouble();
                assertEquals(evaluated, b.get("mean_return").asDouble(), 0.0, b.toString());
                assertEquals(String.valueOf(expected), cells[10].trim(), rows.get(2 + k));
                assertEquals(String.format(Locale.ROOT, "%.1f", evaluated), cells[11].trim(),
                        rows.get(2 + k));
                if (budget == 80) {
                    assertEquals(s.get("mean_return").asDouble(), b.get("mean_return").asDouble(), 0.0,
                            "with every iteration in the budget it is the published policy");
                }
            }
            assertTrue(md.contains("By " + budget + " steps: median "), md);
            assertNotNull(ImageIO.read(copy.resolve("control.png").toFile()), "the plot with the budget's marker");
        }
    }

    @Test
    void aBudgetIsRefusedForAConfigThatTrainsNoPolicyAndWhenNotPositive() throws Exception {
        Path trajopt = dir.resolve("trajopt-budget.yaml");
        Files.writeString(trajopt, CONFIG.substring(0, CONFIG.indexOf("policy:")).replace("mdgps", "trajopt"));
        Path never = dir.resolve("never-budget");
        CliTestSupport.Outcome r = CliTestSupport.run("benchmark", "control", "--config", trajopt.toString(),
                "--seeds", "0", "--budget", "1000", "--out", never.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--budget: scores the policy a run would have published by then; " + trajopt
                + " trains no policy (algorithm trajopt)"), r.err());
        assertFalse(Files.exists(never), "nothing written");
        r = CliTestSupport.run("benchmark", "control", "--config", config.toString(), "--seeds", "0", "--budget", "0",
                "--out", never.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--budget: expected a number of environment steps >= 1, got 0"), r.err());
        assertFalse(Files.exists(never), "nothing written");
    }

    @Test
    void anOutputFolderHoldingSomethingElseIsRefused() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        CliTestSupport.Outcome r = CliTestSupport.run("benchmark", "control", "--config", config.toString(),
                "--seeds", "0", "--out", other.toString());
        assertEquals(2, r.exitCode(), r.out());
        assertTrue(r.err().contains("--out: " + other + " exists and is not empty"), r.err());
        assertEquals(List.of(other.resolve("notes.txt")), Files.list(other).toList(), "nothing written");
    }

    @Test
    void aBadSeedListIsRefusedNamingTheOption() {
        for (String bad : new String[] {"0,x", "1,1", "", "0,,1"}) {
            CliTestSupport.Outcome r = CliTestSupport.run("benchmark", "control", "--config", config.toString(),
                    "--seeds", bad, "--out", dir.resolve("never-" + bad.hashCode()).toString());
            assertEquals(2, r.exitCode(), bad + ": " + r.err());
            assertTrue(r.err().contains("--seeds: expected a comma-separated list of distinct integers"), r.err());
            assertFalse(Files.exists(dir.resolve("never-" + bad.hashCode())), "nothing written for " + bad);
        }
    }

    @Test
    void aMissingConfigIsRefusedNamingTheOption() {
        CliTestSupport.Outcome r = CliTestSupport.run("benchmark", "control", "--config",
                dir.resolve("missing.yaml").toString(), "--seeds", "0", "--out", dir.resolve("none").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--config: " + dir.resolve("missing.yaml") + ": config file not found"), r.err());
        assertFalse(r.err().contains("at org."), "no stack trace:\n" + r.err());
    }

    @Test
    void trajOptConfigsAreScoredByTheirFinalControllersPerCondition() throws Exception {
        Path trajopt = dir.resolve("trajopt.yaml");
        Files.writeString(trajopt, CONFIG.substring(0, CONFIG.indexOf("policy:")).replace("mdgps", "trajopt")
                .replace("iterations: 2", "iterations: 1"));
        Path bench = dir.resolve("bench-trajopt");
        CliTestSupport.Outcome r = CliTestSupport.run("benchmark", "control", "--config", trajopt.toString(),
                "--seeds", "3,4", "--eval-seed", "11", "--out", bench.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> rows = Files.readString(bench.resolve("control.md")).lines().filter(l -> l.startsWith("|")).toList();
        assertEquals("| seed | iteration | mean return | conditions upright | return c0 | abs angle c0 | return c1 "
                + "| abs angle c1 |", rows.get(0));
        // Two tables of the same layout: with the controllers' noise, then without it.
        assertEquals(12, rows.size(), String.join("\n", rows));
        for (int table : new int[] {0, 6}) {
            assertEquals(rows.get(0), rows.get(table));
            assertTrue(rows.get(table + 2).startsWith("| 3 | 1 |") && rows.get(table + 3).startsWith("| 4 | 1 |"),
                    rows.toString());
            assertTrue(rows.get(table + 4).startsWith("| median |") && rows.get(table + 5).startsWith("| worst (seed "),
                    rows.toString());
        }
        JsonNode j = new ObjectMapper().readTree(bench.resolve("control.json").toFile());
        assertEquals("controllers", j.get("scored").asText());
        assertEquals(11, j.get("eval_seed").asLong());
        assertEquals(2, j.get("eval_episodes").asInt(), "default: the config's samples");
        JsonNode seed = j.get("seeds").get(0);
        assertEquals(2, seed.get("conditions").size());
        JsonNode mean = seed.get("mean_actions");
        assertEquals(2, mean.get("conditions").size());
        for (JsonNode c : mean.get("conditions")) {
            // Pendulum without process noise and controllers without theirs: every episode is the same.
            assertEquals(0.0, c.get("std_return").asDouble(), 0.0, c.toString());
        }
        assertTrue(j.get("median").get("mean_actions_return").isNumber());
        assertEquals(1, seed.get("curve").size());
        assertTrue(seed.get("curve").get(0).get("mean_cost").isNumber());
        assertNotNull(ImageIO.read(bench.resolve("control.png").toFile()));
    }

    @Test
    void restartsOfOneStartArePickedByTheirLastSampleCostAndScored() throws Exception {
        Path trajopt = dir.resolve("trajopt-restarts.yaml");
        Files.writeString(trajopt, CONFIG.substring(0, CONFIG.indexOf("policy:")).replace("mdgps", "trajopt")
                .replace("iterations: 2", "iterations: 1")
                .replace("conditions: [[3.141592653589793, 0.0], [0.5, 0.0]]",
                        "conditions: [[3.141592653589793, 0.0], [0.5, 0.0], [3.141592653589793, 0.0]]")
                .replace("initial_controller: {type: lqr, init_var: 1.0}",
                        "initial_controller: {type: lqr, init_var: 1.0, offset_std: 2.0}"));
        Path bench = dir.resolve("bench-restarts");
        CliTestSupport.Outcome r = CliTestSupport.run("benchmark", "control", "--config", trajopt.toString(),
                "--seeds", "3", "--eval-seed", "11", "--out", bench.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode state = new ObjectMapper().readTree(bench.resolve("seed=3").resolve("iter=0000")
                .resolve("state.json").toFile()).get("conditions");
        double cost0 = state.get(0).get("cost_mean").asDouble();
        double cost2 = state.get(2).get("cost_mean").asDouble();
        assertNotEquals(cost0, cost2, "the copies start from different offsets");
        int picked = cost0 < cost2 ? 0 : 2;

        JsonNode seed = new ObjectMapper().readTree(bench.resolve("control.json").toFile()).get("seeds").get(0);
        JsonNode restarts = seed.get("restarts");
        assertEquals(1, restarts.size(), "one start with copies; the 0.5 rad start has none");
        assertEquals("[0,2]", restarts.get(0).get("copies").toString());
        assertEquals(picked, restarts.get(0).get("picked").asInt());
        assertEquals(Math.min(cost0, cost2), restarts.get(0).get("mean_cost").asDouble(), 0.0);

        String md = Files.readString(bench.resolve("control.md"));
        JsonNode planned = seed.get("mean_actions").get("conditions").get(picked);
        String row = md.lines().filter(l -> l.startsWith("| 3 | c0, c2 |")).findFirst().orElseThrow();
        assertTrue(row.startsWith("| 3 | c0, c2 | c" + picked + " | "), row);
        assertTrue(row.contains(String.format(Locale.ROOT, " %.1f | ", planned.get("mean_return").asDouble())),
                row);
        assertTrue(md.contains("Without noise: median "), md);
    }
}
