package org.gps.pipeline.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a person at the console sees, in a JVM of its own as under jobs/gps (the logging of the
 * command line is installed by Main's main only): a bad input ends with one clean line and no
 * stack trace, from our code or Spark's logging; the traces are in the log file, and on the
 * console with --verbose; --quiet leaves only the results (and warnings); SIGTERM and SIGINT end a
 * running step with one line and 143 / 130.
 */
@Tag("slow")
class CleanConsoleTest {
    /** A line of a printed stack trace. */
    static final Pattern TRACE_LINE = Pattern.compile("^\\s+at \\S+\\(.*\\)$|^Caused by: |^\\s+\\.\\.\\. \\d+ more$"
            + "|^Exception in thread ", Pattern.MULTILINE);

    @TempDir
    static Path dir;

    /** The JVM's own warnings (incubator modules, illegal or native access, deprecated methods) start so. */
    static final Pattern JVM_WARNING = Pattern.compile("^WARNING: ", Pattern.MULTILINE);

    static void assertNoJvmWarning(Console c) {
        assertFalse(JVM_WARNING.matcher(c.text()).find(), "no JVM warning on the console:\n" + c.text());
    }

    static Path damagedRollouts(String name) throws IOException {
        Path data = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "data", "logged",
                "double-integrator");
        Path copy = dir.resolve(name);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(data)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.createFile(copy.resolve("part-00001-empty.snappy.parquet"));
        return copy;
    }

    record Console(int exitCode, String text, List<String> lines, Path tmp) {
        String last() {
            return lines.get(lines.size() - 1);
        }
    }

    static Console runToEnd(String name, String... args) throws Exception {
        Path log = dir.resolve(name + ".console");
        Path tmp = dir.resolve(name + "-tmp");
        Process p = StepJvm.startMain(dir.resolve("work"), tmp, log, StepJvm.QUICK_START, args);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the step ends");
        return console(p, log, tmp);
    }

    static Console console(Process p, Path log, Path tmp) {
        String text = StepJvm.log(log);
        return new Console(p.exitValue(), text, text.lines().filter(l -> !l.isBlank()).toList(), tmp);
    }

    static String logFileText(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            Path f = s.filter(x -> x.getFileName().toString().matches("gps-.*\\.log")).findFirst()
                    .orElseThrow(() -> new AssertionError("no gps-*.log in " + tmp));
            return Files.readString(f);
        }
    }

    @Test
    void unreadablePartFileEndsWithOneCleanLineAndTheTraceOnlyInTheLogFile() throws Exception {
        Path rollouts = damagedRollouts("empty-part");
        Path out = dir.resolve("dynamics-out");
        Console c = runToEnd("bad-input", "fit-dynamics", "--rollouts", rollouts.toString(), "--out", out.toString(),
                "--master", "local[1]");

        assertEquals(2, c.exitCode(), c.text());
        assertFalse(TRACE_LINE.matcher(c.text()).find(), "no stack trace on the console:\n" + c.text());
        assertEquals("gps fit-dynamics: error: " + rollouts + " is not a readable Parquet dataset: " + rollouts
                + "/part-00001-empty.snappy.parquet: not a readable Parquet file (truncated, empty or another format)",
                c.last(), c.text());
        assertFalse(Files.exists(out), "nothing written");
        String file = logFileText(c.tmp());
        assertTrue(TRACE_LINE.matcher(file).find() && file.contains("not a Parquet file"), file);
    }

    @Test
    void aMasterUrlSparkCannotParseIsBadInputNamingTheOption() throws Exception {
        Console c = runToEnd("bad-master", "validate", "data/logged/double-integrator", "--master", "bogus://x");

        assertEquals(2, c.exitCode(), c.text());
        assertFalse(TRACE_LINE.matcher(c.text()).find(), "no stack trace on the console:\n" + c.text());
        assertEquals("gps validate: error: --master bogus://x: not a Spark master URL; expected local, local[N], "
                + "local[*], spark://HOST:PORT, yarn or k8s://HOST:PORT", c.last(), c.text());
    }

    /** A command that succeeds prints its result and nothing from Spark's logging (no WARN line). */
    @Test
    void validatingAValidDatasetPrintsNoLogLine() throws Exception {
        Path data = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "data", "logged",
                "double-integrator");
        Console c = runToEnd("valid", "validate", data.toString(), "--master", "local[1]");

        assertEquals(0, c.exitCode(), c.text());
        assertTrue(c.text().contains("sources: logged (120 rows)"), c.text());
        assertFalse(Pattern.compile("^\\d\\d:\\d\\d:\\d\\d (WARN|ERROR) ", Pattern.MULTILINE).matcher(c.text()).find(),
                "no log line on the console:\n" + c.text());
        assertNoJvmWarning(c);
    }

    @Test
    void verbosePrintsTheTraceBeforeTheSameLastLine() throws Exception {
        Path rollouts = damagedRollouts("empty-part-verbose");
        Console c = runToEnd("bad-input-verbose", "fit-dynamics", "--verbose", "--rollouts", rollouts.toString(),
                "--out", dir.resolve("dynamics-verbose").toString(), "--master", "local[1]");

        assertEquals(2, c.exitCode(), c.text());
        assertTrue(TRACE_LINE.matcher(c.text()).find(), "the trace on the console:\n" + c.text());
        assertTrue(c.text().contains("is not a Parquet file (length is too low: 0)"), c.text());
        assertTrue(c.last().startsWith("gps fit-dynamics: error: " + rollouts + " is not a readable Parquet dataset"),
                c.text());
    }

    /**
     * Errors that need no data come before Spark starts: each command below is also given a master URL
     * Spark would refuse, and the error printed is the argument's, not the master's.
     */
    @Test
    void argumentErrorsAreReportedBeforeSparkStarts() throws Exception {
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "enviroment:\n  type: pendulum\n");
        Path runDir = dir.resolve("never-initialised");
        Console config = runToEnd("typo", "run", "--config", typo.toString(), "--run-dir", runDir.toString(),
                "--master", "bogus://x");
        Console step = runToEnd("no-run", "sample", "--run-dir", runDir.toString(), "--iteration", "0",
                "--master", "bogus://x");
        Console resume = runToEnd("no-config", "run", "--run-dir", runDir.toString(), "--master", "bogus://x");

        assertEquals(2, config.exitCode(), config.text());
        assertTrue(config.last().startsWith("gps run: error: " + typo + ": enviroment: unknown key"), config.text());
        assertEquals(2, step.exitCode(), step.text());
        assertEquals("gps sample: error: " + runDir + ": not a run directory (no config.json); create one with "
                + "'gps init --config C --run-dir " + runDir + "'", step.last(), step.text());
        assertEquals(2, resume.exitCode(), resume.text());
        assertEquals("gps run: error: " + runDir + ": not a run directory yet; give --config to start one",
                resume.last(), resume.text());
        assertFalse(Files.exists(runDir), "nothing written");
        assertNoJvmWarning(config);
        assertNoJvmWarning(step);
        assertNoJvmWarning(resume);
    }

    /**
     * The launcher's JVM options (jobs/jvm.options) add the incubating Vector API, whose module
     * makes the JVM print a warning before any command starts; jobs/gps-jvm keeps it off the console.
     */
    @Test
    void helpAndVersionPrintNoJvmWarning() throws Exception {
        Console help = runToEnd("help", "--help");
        Console version = runToEnd("version", "--version");

        assertEquals(0, help.exitCode(), help.text());
        assertTrue(help.text().startsWith("Usage: gps "), help.text());
        assertNoJvmWarning(help);
        assertEquals(0, version.exitCode(), version.text());
        assertTrue(version.text().startsWith("gps "), version.text());
        assertNoJvmWarning(version);
    }

    @Test
    void aQuietRunPrintsOnlyItsResultsAndTheLogFileKeepsTheStepsAndTheWideTable() throws Exception {
        Path config = dir.resolve("quiet.yaml");
        Files.writeString(config, RunAndResumeTest.CONFIG.replace("iterations: 2", "iterations: 1"));
        Path run = dir.resolve("quiet-run");
        Console c = runToEnd("quiet", "run", "--quiet", "--config", config.toString(), "--run-dir", run.toString(),
                "--master", "local[1]");

        assertEquals(0, c.exitCode(), c.text());
        for (String l : c.lines()) {
            assertFalse(l.matches("\\d\\d:\\d\\d:\\d\\d INFO .*") || l.startsWith("iter ") || l.startsWith("init ")
                    || l.startsWith("run "), "not with --quiet: " + l + "\n" + c.text());
        }
        assertTrue(c.lines().contains("final controllers (iteration 1):"), c.text());
        assertTrue(c.last().startsWith("report: "), c.text());
        assertNoJvmWarning(c);
        String file = logFileText(c.tmp());
        assertTrue(file.contains("InitStep: initialised "), file);
        assertTrue(Pattern.compile("gps\\.progress: run \\S+: iter\\s+cost0\\s+cost1\\s+ret0\\s+ret1\\s").matcher(file)
                .find(), file);
    }

    /** Starts a whole run, signals it once it has initialised (Spark up, a step under way), and waits for the end. */
    static Console signalled(String name, String signal) throws Exception {
        Path log = dir.resolve(name + ".console");
        Path tmp = dir.resolve(name + "-tmp");
        Path config = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "data", "pendulum",
                "trajopt.yaml");
        Path run = dir.resolve(name + "-run");
        Process p = StepJvm.startMain(dir.resolve("work"), tmp, log, StepJvm.QUICK_START, "run", "--config",
                config.toString(), "--run-dir", run.toString(), "--master", "local[1]");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && !StepJvm.log(log).contains("initialised ") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(p.isAlive(), "the run is still going when signalled:\n" + StepJvm.log(log));
        if (signal.equals("TERM")) {
            p.destroy();
        } else {
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run stops");
        return console(p, log, tmp);
    }

    static void assertStoppedCleanly(Console c, int exitCode) {
        assertEquals(exitCode, c.exitCode(), c.text());
        assertEquals("gps run: stopped by signal; rerun to resume", c.last(), c.text());
        assertFalse(c.text().contains("internal failure"), c.text());
        assertFalse(TRACE_LINE.matcher(c.text()).find(), "no stack trace on the console:\n" + c.text());
    }

    @Test
    void sigtermEndsARunningStepWithOneLineAndExit143() throws Exception {
        assertStoppedCleanly(signalled("sigterm", "TERM"), 143);
    }

    @Test
    void sigintEndsARunningStepWithOneLineAndExit130() throws Exception {
        assertStoppedCleanly(signalled("sigint", "INT"), 130);
    }
}
