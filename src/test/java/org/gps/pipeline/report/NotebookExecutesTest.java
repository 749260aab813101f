package org.gps.pipeline.report;

import org.gps.pipeline.cli.CliTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The end of {@code gps run} and what reads it: a tiny run made in-process on the shared test
 * SparkSession (so no second Spark JVM), its report, and {@code notebooks/analyse_run.ipynb}
 * executed on it by {@code notebooks/execute}, which CI thereby runs headless; a failing cell
 * fails this test. The test installs nothing: Debian's Jupyter packages come from
 * {@code jobs/install-test-deps}, which the README's test command and CI run first; without them
 * the notebook's execution is skipped with that reason.
 */
@Tag("slow")
class NotebookExecutesTest {
    static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    /** Generous: a tiny run's notebook executes in under a minute on 2 cores (docs/notebooks.md). */
    static final long TIMEOUT_MINUTES = 10;

    @TempDir
    static Path dir;
    static Path runDir;
    static CliTestSupport.Outcome run;

    @BeforeAll
    static void makeATinyRun() {
        runDir = dir.resolve("run");
        run = CliTestSupport.run("run", "--config", BASEDIR.resolve("notebooks/tiny-run.yaml").toString(),
                "--run-dir", runDir.toString());
    }

    @Test
    void runWritesItsReportAtTheEnd() throws Exception {
        assertEquals(0, run.exitCode(), run.err());
        Path page = runDir.resolve("report/index.html");
        assertTrue(run.out().contains("report: " + page), run.out());
        String html = Files.readString(page);
        Matcher m = Pattern.compile("<img [^>]*src=\"([^\"]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            assertTrue(m.group(1).startsWith("data:image/png;base64,"), "an image that is not in the page");
            images++;
        }
        assertEquals(4, images, html);
        // A TrajOpt run's result: its final controllers, iteration 2 of the tiny run.
        assertTrue(html.contains("<p class=\"result\">Controllers of iteration 2: mean return <strong>"), html);
    }

    @Test
    void theAnalysisNotebookExecutesOnTheRunWithoutAnError() throws Exception {
        assertEquals(0, run.exitCode(), run.err());
        Path out = dir.resolve("executed");
        Path log = dir.resolve("execute.log");
        Process p = new ProcessBuilder("bash", BASEDIR.resolve("notebooks/execute").toString(),
                "--run-dir", runDir.toString(), "--out", out.toString())
                .directory(BASEDIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("notebooks/execute did not finish in " + TIMEOUT_MINUTES + " min:\n" + tail(log));
        }
        // Exit 3 is the script's "packages missing": a skip that says what to run, not a failure.
        org.junit.jupiter.api.Assumptions.assumeTrue(p.exitValue() != 3,
                "Debian's Jupyter packages are missing: run jobs/install-test-deps (the README's test command does)");
        assertEquals(0, p.exitValue(), "notebooks/execute failed:\n" + tail(log));
        String executed = Files.readString(out.resolve("analyse_run.ipynb"));
        assertFalse(executed.contains("\"output_type\": \"error\""), "a cell raised:\n" + executed);
        // Every code cell ran (nbconvert numbers them) and the plots were drawn.
        assertTrue(executed.contains("\"execution_count\": 8"), "the 8 code cells ran");
        assertTrue(executed.contains("image/png"), "the notebook drew its charts");
        assertTrue(executed.contains("run 'notebook-tiny-run'"), "the first cell read the run's config");
    }

    static String tail(Path log) throws Exception {
        String s = Files.exists(log) ? Files.readString(log) : "(no output)";
        return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
    }
}
