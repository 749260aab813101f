package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps fit-dynamics}' held-out scores, and that scoring leaves the published dynamics alone. */
class FitDynamicsHeldOutTest {
    /**
     * SHA-256 of every value (raw double bits) of the tiny run's dynamics of iterations 0 and 1,
     * computed with the code before held-out scoring existed: a run-dir fit without --held-out
     * must keep writing exactly these bits.
     */
    static final String DYNAMICS_BEFORE_HELD_OUT =
            "d79e6562aba801e330b9b5f048b8125ed1f0e915483374a71d985eab201504ad "
            + "ac1e6b89c72205f5fe50a19e8cd68ff5a1f07e23e030d308f747168076bbf197";

    static String digest(Path dynamics) throws Exception {
        Map<String, List<String>> values = RunValues.of(dynamics, SparkTestSession.get());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            for (String v : e.getValue()) {
                sha.update((byte) '\n');
                sha.update(v.getBytes(StandardCharsets.UTF_8));
            }
            sha.update((byte) 0);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void aRunDirFitWithoutHeldOutWritesTheSameDynamicsAsBefore() throws Exception {
        Path run = TinyRun.secondIteration();
        String d = digest(run.resolve("iter=0000/dynamics")) + " " + digest(run.resolve("iter=0001/dynamics"));
        assertEquals(DYNAMICS_BEFORE_HELD_OUT, d);
    }

    /** Every value of a dynamics folder but its summary's held_out scores. */
    static Map<String, List<String>> withoutHeldOut(Path dynamics) {
        Map<String, List<String>> values = new TreeMap<>(RunValues.of(dynamics, SparkTestSession.get()));
        values.computeIfPresent("summary.json", (k, v) -> v.stream().filter(l -> !l.startsWith(".held_out")).toList());
        return values;
    }

    static JsonNode summary(Path dynamics) throws Exception {
        return new ObjectMapper().readTree(dynamics.resolve("summary.json").toFile());
    }

    static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void aRunDirFitWithHeldOutPublishesTheSameDynamicsAndAddsTheScores(@TempDir Path dir) throws Exception {
        Path run = TinyRun.copy(TinyRun.sampled(), dir.resolve("run"));
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--run-dir", run.toString(), "--iteration", "0",
                "--held-out");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("one-step prediction error (held out"), o.out());
        Path scored = run.resolve("iter=0000/dynamics");
        Path plain = TinyRun.fitted().resolve("iter=0000/dynamics");
        assertEquals(RunValues.of(plain, SparkTestSession.get()), withoutHeldOut(scored));
        assertFalse(Files.readString(plain.resolve("summary.json")).contains("held_out"));
        JsonNode h = summary(scored).get("held_out");
        assertEquals(0.2, h.get("fraction").asDouble());
        // The tiny run has 3 samples per condition: 1 held out, 2 fitted, T - 1 = 19 transitions each.
        assertEquals(2, h.get("conditions").size());
        for (JsonNode c : h.get("conditions")) {
            assertEquals("scored", c.get("status").asText());
            assertEquals(3, c.get("trajectories").asInt());
            assertEquals(1, c.get("held_out").size());
            assertEquals(0, c.get("held_out").get(0).get("iteration").asInt());
            assertEquals(19, c.get("transitions").asInt());
            for (String k : new String[] {"mse", "mean_rmse", "max_rmse", "mean_relative_rmse", "nll_per_transition"}) {
                assertTrue(c.get(k).isDouble() && Double.isFinite(c.get(k).asDouble()), k + " " + c.get(k));
            }
            assertTrue(c.get("mse").asDouble() > 0);
        }
        assertEquals(38, h.get("overall").get("transitions").asInt());
    }

    @Test
    void aRunDirFitWithoutHeldOutSaysSo(@TempDir Path dir) {
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--run-dir",
                TinyRun.copy(TinyRun.sampled(), dir.resolve("run")).toString(), "--iteration", "0");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("held-out scores: not computed (--held-out computes them)"), o.out());
        assertFalse(o.out().contains("(held out"), o.out());
    }

    @Test
    void loggedDataIsScoredByDefaultAndNoHeldOutSkipsItLeavingTheDynamicsAlone(@TempDir Path dir) throws Exception {
        Path scored = dir.resolve("scored");
        Path plain = dir.resolve("plain");
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", FitDynamicsCommandTest.LOGGED,
                "--out", scored.toString());
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("overall"), o.out());
        CliTestSupport.Outcome p = CliTestSupport.run("fit-dynamics", "--rollouts", FitDynamicsCommandTest.LOGGED,
                "--out", plain.toString(), "--no-held-out");
        assertEquals(0, p.exitCode(), p.err());
        assertTrue(p.out().contains("held-out scores: not computed (--no-held-out)"), p.out());
        assertEquals(RunValues.of(plain, SparkTestSession.get()), withoutHeldOut(scored));
        assertTrue(summary(plain).get("held_out") == null);
        // 2 conditions x 3 trajectories of T = 20.
        JsonNode h = summary(scored).get("held_out");
        assertEquals(2, h.get("conditions").size());
        assertEquals(2 * 19, h.get("overall").get("transitions").asInt());
    }

    /** The GMM folder's values of a logged fit with {@code --em-init start}. */
    private static List<String> gmmWith(Path dir, String start) {
        Path out = dir.resolve(start);
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", FitDynamicsCommandTest.LOGGED,
                "--out", out.toString(), "--no-held-out", "--em-init", start);
        assertEquals(0, o.exitCode(), o.err());
        return RunValues.of(out, SparkTestSession.get()).get("gmm");
    }

    @Test
    void emInitPicksTheGmmStartOnLoggedData(@TempDir Path dir) {
        List<String> auto = gmmWith(dir, "auto");
        List<String> kmeans = gmmWith(dir, "kmeans");
        List<String> sampled = gmmWith(dir, "sampled_means");
        List<String> random = gmmWith(dir, "random_assignment");
        assertEquals(sampled, auto);
        assertNotEquals(kmeans, sampled);
        assertNotEquals(kmeans, random);
        assertNotEquals(sampled, random);
    }

    @Test
    void aBadEmInitIsRefusedNamingTheOptionAndTheStarts(@TempDir Path dir) {
        Path out = dir.resolve("dyn");
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", FitDynamicsCommandTest.LOGGED,
                "--out", out.toString(), "--em-init", "kmean");
        assertEquals(2, o.exitCode(), o.err());
        assertEquals("gps fit-dynamics: error: --em-init: expected one of auto, kmeans, sampled_means, "
                + "random_assignment, got 'kmean'", lastLine(o.err()));
        assertFalse(Files.exists(out), "nothing written");
        CliTestSupport.Outcome inRun = CliTestSupport.run("fit-dynamics", "--run-dir", dir.resolve("run").toString(),
                "--iteration", "0", "--em-init", "kmeans");
        assertEquals(2, inRun.exitCode(), inRun.err());
        assertEquals("gps fit-dynamics: error: --em-init: only with --rollouts and --out (in a run the config's "
                + "dynamics.em_init sets the EM start)", lastLine(inRun.err()));
    }
}
