package org.gps.pipeline.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jobs/submit}: its help, and the dry run a scheduler's author checks a command with. */
class SubmitScriptTest {
    static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    record Result(int exitCode, String out, String err) {
    }

    /** Runs the script with no Spark installation in sight: no SPARK_HOME, no spark-submit on the PATH. */
    static Result submit(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of("bash",
                BASEDIR.resolve("jobs/submit").toString())));
        pb.command().addAll(List.of(args));
        pb.environment().remove("SPARK_HOME");
        pb.environment().remove("SPARK_SUBMIT");
        pb.environment().put("PATH", "/usr/bin:/bin");
        // A jar that exists in no build: the dry run must not need (or build) one.
        pb.environment().put("GPS_JAR", "/nonexistent/gps.jar");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jobs/submit ends");
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void helpPrintsTheUsageOnStdoutAndExitsZero() throws Exception {
        Result r = submit(Map.of(), "--help");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("Submits one gps step to a Spark cluster"), r.out());
        assertTrue(r.out().contains("GPS_DRY_RUN=1"), r.out());
        assertTrue(!r.out().contains("set -euo"), "no line of the script's code: " + r.out());
    }

    @Test
    void aDryRunPrintsTheCommandWithoutSparkSubmitOrAJar() throws Exception {
        Result r = submit(Map.of("GPS_DRY_RUN", "1"), "--master", "yarn", "--", "sample", "--run-dir", "R",
                "--iteration", "0");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("spark-submit --class org.gps.pipeline.cli.Main"), r.out());
        assertTrue(r.out().contains("--master yarn /nonexistent/gps.jar sample --run-dir R --iteration 0"), r.out());
    }

    @Test
    void gpsDryRunZeroRunsForRealAndOtherValuesAreRefused() throws Exception {
        Result real = submit(Map.of("GPS_DRY_RUN", "0"), "sample", "--run-dir", "R");
        assertEquals(2, real.exitCode());
        // Not a dry run: it looked for the jar (and would then look for spark-submit).
        assertTrue(real.err().contains("/nonexistent/gps.jar: no such application jar"), real.err());
        Result bad = submit(Map.of("GPS_DRY_RUN", "yes"), "sample");
        assertEquals(2, bad.exitCode());
        assertEquals("submit: GPS_DRY_RUN: expected 1 (print the command) or 0 (run it), got 'yes'",
                bad.err().strip());
    }
}
