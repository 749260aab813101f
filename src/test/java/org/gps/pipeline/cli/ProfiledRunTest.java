package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiny two-iteration MDGPS run of {@link MdgpsRunTest}, once with {@code --profile} and once without. */
class ProfiledRunTest {
    /** Every phase a MDGPS iteration goes through, and the remainder. */
    static final Set<String> MDGPS_PHASES = Set.of("sample", "census", "prior_em", "step_fits", "cost_expansion",
            "policy_linearization", "c_step", "s_step", "policy_scoring", "evaluate_controllers", "io", "other");

    @TempDir
    static Path dir;
    static Path profiled;
    static Path plain;
    static CliTestSupport.Outcome withProfile;
    static CliTestSupport.Outcome without;

    @BeforeAll
    static void runTwice() throws Exception {
        Path config = dir.resolve("mdgps.yaml");
        Files.writeString(config, MdgpsRunTest.CONFIG);
        profiled = dir.resolve("profiled");
        plain = dir.resolve("plain");
        withProfile = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", profiled.toString(),
                "--profile");
        without = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", plain.toString());
    }

    private static JsonNode profile(int iteration) throws Exception {
        return new ObjectMapper().readTree(profiled.resolve(String.format(Locale.ROOT, "iter=%04d/profile.json",
                iteration)).toFile());
    }

    private static Map<String, JsonNode> phases(JsonNode profile) {
        Map<String, JsonNode> m = new HashMap<>();
        profile.get("phases").forEach(p -> m.put(p.get("phase").asText(), p));
        return m;
    }

    /** The seconds column of the run's progress rows (before the ETA), by iteration. */
    private static Map<Integer, Double> progressSeconds(String out) {
        Map<Integer, Double> m = new HashMap<>();
        Matcher x = Pattern.compile("(?m)^\\s*(\\d+)\\s.*\\s(\\d+\\.\\d)\\s+\\S+$").matcher(out);
        while (x.find()) {
            m.putIfAbsent(Integer.parseInt(x.group(1)), Double.parseDouble(x.group(2)));
        }
        return m;
    }

    @Test
    void everyIterationsProfileHasTheMdgpsPhasesAddingUpToItsWallTime() throws Exception {
        assertEquals(0, withProfile.exitCode(), withProfile.err());
        Map<Integer, Double> printed = progressSeconds(withProfile.out());
        for (int i = 0; i < 2; i++) {
            JsonNode p = profile(i);
            assertEquals(i, p.get("iteration").asInt());
            assertFalse(p.get("resumed").asBoolean());
            Map<String, JsonNode> ph = phases(p);
            assertEquals(new TreeSet<>(MDGPS_PHASES), new TreeSet<>(ph.keySet()), "iteration " + i);
            double sum = 0;
            for (JsonNode n : p.get("phases")) {
                assertTrue(n.get("seconds").asDouble() >= 0, n.toString());
                assertTrue(n.get("spark_jobs").asLong() >= 0, n.toString());
                sum += n.get("seconds").asDouble();
            }
            double total = p.get("total_seconds").asDouble();
            assertEquals(total, sum, 0.01 * total, "iteration " + i);
            // The progress line's own clock, printed to 0.1 s, spans the same iteration.
            assertEquals(printed.get(i), total, 0.06, "iteration " + i + " in\n" + withProfile.out());
        }
    }

    @Test
    void theSStepRunsSparkJobsAndCountsItsLbfgsIterations() throws Exception {
        for (int i = 0; i < 2; i++) {
            JsonNode s = phases(profile(i)).get("s_step");
            assertTrue(s.get("spark_jobs").asLong() > 0, s.toString());
            // Iteration 0 also catches the policy up to the initial controllers: two S-steps of at
            // most train_iterations (20) L-BFGS iterations each, at least one.
            int calls = i == 0 ? 2 : 1;
            assertEquals(calls, s.get("calls").asInt(), s.toString());
            long lbfgs = s.get("lbfgs_iterations").asLong();
            assertTrue(lbfgs >= calls && lbfgs <= 20L * calls, s.toString());
            JsonNode c = phases(profile(i)).get("c_step");
            assertTrue(c.get("dual_search_rounds").asLong() >= 2, "two conditions, a round each at least: " + c);
            // Cost expansion: the sample step's sums of this iteration's samples, the trajopt step's
            // ask for them, and from iteration 1 its ask for the previous ones for the step size.
            assertEquals(i == 0 ? 2 : 3, phases(profile(i)).get("cost_expansion").get("calls").asInt());
        }
    }

    /**
     * What iteration 1 asks of Spark besides its own computations. {@code io}: only the dynamics'
     * fits brought to the driver once (for the summary, the tables and the C-step); the small tables
     * (the dynamics' four, the policy linearization, the controllers) are written from the driver
     * without a job (7 jobs before), and those an earlier step of this process published or read
     * (controllers, dynamics, GMMs, linearizations) and the rollouts it wrote are not asked of Spark
     * again (28 jobs before that). {@code cost_expansion}: no job; the tasks that sampled this
     * iteration's rollouts expanded them too, and iteration 0's expansion, needed again for the
     * step size, is the one made then (before: one job of one task for the samples, known by their
     * marker to be few; before that, 2 jobs, the shuffle's and the merge's, and 4 with iteration 0's).
     */
    @Test
    void iterationOneReadsNothingThisProcessWroteOrReadAgain() throws Exception {
        for (int i = 0; i < 2; i++) {
            Map<String, JsonNode> ph = phases(profile(i));
            assertEquals(0, ph.get("cost_expansion").get("spark_jobs").asLong(), ph.get("cost_expansion").toString());
        }
        Map<String, JsonNode> ph = phases(profile(1));
        assertEquals(1, ph.get("io").get("spark_jobs").asLong(), ph.get("io").toString());
        assertEquals(3, ph.get("cost_expansion").get("calls").asInt(), "the sums made, and both expansions asked for");
    }

    /**
     * The S-step's Spark jobs: one indexes the samples (their order, their target count) and brings
     * them to the driver, which builds the targets and adds the covariance's sums itself; a first
     * update (the initial policy's, at iteration 0) collects the samples in a second job, once the
     * observations' sums have fixed the new network's size. Before: a keys collect, the sums'
     * reduce, a count and the gather, and at the first update the normalisation's reduce (9 jobs
     * at iteration 0, the initial policy's S-step and the iteration's own, and 4 at iteration 1).
     */
    @Test
    void theSStepInTheDriverRunsOneSparkJob() throws Exception {
        assertEquals(3, phases(profile(0)).get("s_step").get("spark_jobs").asLong(), phases(profile(0)).toString());
        assertEquals(1, phases(profile(1)).get("s_step").get("spark_jobs").asLong(), phases(profile(1)).toString());
    }

    @Test
    void theStartupIsInTheFirstIterationsProfileAndTheTableEndsTheRun() throws Exception {
        JsonNode startup = profile(0).get("startup");
        assertTrue(startup.get("session_start_seconds").asDouble() > 0, startup.toString());
        assertTrue(startup.get("setup_seconds").asDouble() > 0, startup.toString());
        assertNull(profile(1).get("startup"));
        String out = withProfile.out();
        assertTrue(out.contains("profile: 2 iteration(s)"), out);
        for (String row : new String[] {"session_start", "setup", "s_step", "other", "after_loop", "total"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(row + " ")), row + " in\n" + out);
        }
        assertFalse(without.out().contains("profile:"), without.out());
    }

    @Test
    void aRunWithoutProfileWritesNoProfileFile() throws Exception {
        assertEquals(0, without.exitCode(), without.err());
        try (Stream<Path> files = Files.walk(plain)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().contains("profile")).toList());
        }
    }

    @Test
    void aStepJobWithProfilePrintsItsTableAndWritesTheSameOutputsAndNoProfileFile() throws Exception {
        assertEquals(0, without.exitCode(), without.err());
        Path copy = dir.resolve("step");
        RunDirectoryAssertions.copyTree(plain, copy);
        CliTestSupport.Outcome job = CliTestSupport.run("train-policy", "--run-dir", copy.toString(), "--iteration",
                "1", "--profile");
        assertEquals(0, job.exitCode(), job.err());
        String sStep = job.out().lines().filter(l -> l.startsWith("s_step ")).findFirst().orElseThrow();
        // The jobs column follows the three numbers: total seconds, share and the median.
        long jobs = Long.parseLong(sStep.trim().split("\\s+")[4]);
        assertTrue(jobs > 0 && sStep.contains("lbfgs_iterations"), job.out());
        assertTrue(job.out().lines().anyMatch(l -> l.startsWith("session_start ")), job.out());
        assertArrayEquals(Files.readAllBytes(plain.resolve("iter=0001/policy.json")),
                Files.readAllBytes(copy.resolve("iter=0001/policy.json")));
        try (Stream<Path> files = Files.walk(copy)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().contains("profile")).toList());
        }
    }

    @Test
    void fitDynamicsOnLoggedRolloutsRefusesProfileNamingTheOption() {
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts",
                plain.resolve("iter=0000/rollouts").toString(), "--out", dir.resolve("logged-fit").toString(),
                "--profile");
        assertEquals(2, o.exitCode(), o.err());
        String last = o.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.contains("--profile: only with --run-dir and --iteration"), o.err());
        assertFalse(Files.exists(dir.resolve("logged-fit")), "refused before any work");
    }

    @Test
    void theRunsOutputsAreTheSameBitsWithAndWithoutProfile() throws Exception {
        assertEquals(0, withProfile.exitCode(), withProfile.err());
        assertEquals(0, without.exitCode(), without.err());
        for (String f : new String[] {"iter=0000/policy_initial.json", "iter=0000/policy.json",
                "iter=0001/policy.json", "iter=0000/policy_eval.json", "iter=0001/policy_eval.json",
                "iter=0000/state.json", "iter=0001/state.json", "iter=0001/controllers.json",
                "iter=0002/controllers.json", "best_policy.json"}) {
            assertArrayEquals(Files.readAllBytes(plain.resolve(f)), Files.readAllBytes(profiled.resolve(f)), f);
        }
    }
}
