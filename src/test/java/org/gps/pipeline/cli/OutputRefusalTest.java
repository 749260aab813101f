package org.gps.pipeline.cli;

import org.gps.io.AtomicOutput;
import org.gps.io.CompletionMarker;
import org.gps.io.DirectoryLease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Never write over what is not ours: every command that writes where the user says refuses,
 * before any work, an output that is a regular file, is, contains or lies inside an input, or
 * exists and is not its own earlier output; the refusal exits 2 with one last line naming the
 * path, no stack trace, and leaves every file as it was.
 */
class OutputRefusalTest {
    static final Path LOGGED = Path.of(FitDynamicsCommandTest.LOGGED);
    static final Path ROBOT_LOG = Path.of("data/logged/robot-log");

    static String lastLine(String err) {
        String[] lines = err.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** Runs the command and checks it was refused as the class comment says, changing nothing under {@code world}. */
    static String assertRefused(Path world, String named, String... args) {
        Map<String, String> before = FolderSnapshot.of(world);
        CliTestSupport.Outcome o = CliTestSupport.run(args);
        assertEquals(2, o.exitCode(), String.join(" ", args) + "\n" + o.err());
        String last = lastLine(o.err());
        assertTrue(last.contains(named), "the last line names " + named + ": " + last);
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        FolderSnapshot.assertUnchanged(before, world);
        return last;
    }

    static Path copy(Path from, Path to) {
        return TinyRun.copy(from, to);
    }

    @Test
    void fitDynamicsOutThatIsTheRolloutsIsRefused(@TempDir Path w) {
        Path ro = copy(LOGGED, w.resolve("ro"));
        String last = assertRefused(w, ro.toString(), "fit-dynamics", "--rollouts", ro.toString(), "--out", ro.toString());
        assertTrue(last.contains("is the input --rollouts"), last);
    }

    @Test
    void fitDynamicsOutInsideTheRolloutsIsRefused(@TempDir Path w) {
        Path ro = copy(LOGGED, w.resolve("ro"));
        String out = ro.resolve("dyn").toString();
        String last = assertRefused(w, out, "fit-dynamics", "--rollouts", ro.toString(), "--out", out);
        assertTrue(last.contains("lies inside the input --rollouts"), last);
    }

    @Test
    void fitDynamicsOutHoldingTheRolloutsIsRefused(@TempDir Path w) {
        Path ro = copy(LOGGED, w.resolve("data/ro"));
        String out = w.resolve("data").toString();
        String last = assertRefused(w, out, "fit-dynamics", "--rollouts", ro.toString(), "--out", out);
        assertTrue(last.contains("contains the input --rollouts"), last);
    }

    @Test
    void fitDynamicsOutThroughALinkToTheRolloutsIsRefused(@TempDir Path w) throws Exception {
        Path ro = copy(LOGGED, w.resolve("ro"));
        Path link = Files.createSymbolicLink(w.resolve("link"), ro);
        assertRefused(w, link.toString(), "fit-dynamics", "--rollouts", ro.toString(), "--out", link.toString());
    }

    @Test
    void fitDynamicsOutThatIsARegularFileIsRefused(@TempDir Path w) throws Exception {
        Path ro = copy(LOGGED, w.resolve("ro"));
        Path file = Files.writeString(w.resolve("notes.txt"), "mine\n");
        String last = assertRefused(w, file.toString(), "fit-dynamics", "--rollouts", ro.toString(), "--out", file.toString());
        assertTrue(last.contains("is a regular file"), last);
    }

    @Test
    void fitDynamicsOutInAFolderOfOtherFilesIsRefused(@TempDir Path w) throws Exception {
        Path ro = copy(LOGGED, w.resolve("ro"));
        Path folder = Files.createDirectories(w.resolve("mine"));
        Files.writeString(folder.resolve("thesis.tex"), "\\documentclass{article}\n");
        String last = assertRefused(w, folder.toString(), "fit-dynamics", "--rollouts", ro.toString(),
                "--out", folder.toString());
        assertTrue(last.contains("is not an output of gps fit-dynamics"), last);
        // A dataset of another command is not ours either, even with --overwrite.
        Path other = copy(LOGGED, w.resolve("other-dataset"));
        assertRefused(w, other.toString(), "fit-dynamics", "--rollouts", ro.toString(), "--out", other.toString(),
                "--overwrite");
    }

    @Test
    void fitDynamicsReplacesItsOwnEarlierOutputOnlyWithOverwrite(@TempDir Path w) throws Exception {
        Path ro = copy(LOGGED, w.resolve("ro"));
        Path out = Files.createDirectories(w.resolve("dyn")); // empty: counts as new
        TinyRun.ok("fit-dynamics", "--rollouts", ro.toString(), "--out", out.toString());
        Path marker = out.resolve(AtomicOutput.MARKER);
        Instant first = CompletionMarker.fromJson(Files.readString(marker)).completedAt();

        String last = assertRefused(w, out.toString(), "fit-dynamics", "--rollouts", ro.toString(), "--out", out.toString());
        assertTrue(last.contains("add --overwrite"), last);

        TinyRun.ok("fit-dynamics", "--rollouts", ro.toString(), "--out", out.toString(), "--overwrite");
        assertNotEquals(first, CompletionMarker.fromJson(Files.readString(marker)).completedAt(), "replaced");
    }

    @Test
    void ingestOutThatIsOrHoldsTheInputIsRefused(@TempDir Path w) {
        Path src = copy(ROBOT_LOG, w.resolve("robot"));
        String mapping = src.resolve("mapping.yaml").toString();
        String last = assertRefused(w, src.toString(), "ingest", "--input", src.toString(), "--format", "csv",
                "--mapping", mapping, "--out", src.toString());
        assertTrue(last.contains("is the input --input"), last);
        // A glob stands for what it matches: the folder holding the matched files contains them.
        last = assertRefused(w, src.toString(), "ingest", "--input", src.resolve("*.csv").toString(), "--format", "csv",
                "--mapping", mapping, "--out", src.toString());
        assertTrue(last.contains("contains the input --input"), last);
        last = assertRefused(w, w.toString(), "ingest", "--input", src.resolve("episodes.csv").toString(),
                "--format", "csv", "--mapping", mapping, "--out", w.toString());
        assertTrue(last.contains("contains the input"), last);
    }

    @Test
    void initAndRunRefuseAFolderOfOtherFiles(@TempDir Path w) throws Exception {
        Path config = Files.writeString(w.resolve("c.yaml"), TinyRun.CONFIG);
        Path folder = Files.createDirectories(w.resolve("mine"));
        Files.writeString(folder.resolve("notes.txt"), "mine\n");
        String last = assertRefused(w, folder.toString(), "init", "--config", config.toString(), "--run-dir",
                folder.toString());
        assertTrue(last.contains("notes.txt") && last.contains("new or empty folder"), last);
        assertRefused(w, folder.toString(), "run", "--config", config.toString(), "--run-dir", folder.toString());
        Path file = w.resolve("notes.txt");
        Files.writeString(file, "mine\n");
        last = assertRefused(w, file.toString(), "init", "--config", config.toString(), "--run-dir", file.toString());
        assertTrue(last.contains("regular file"), last);
    }

    @Test
    void initGoesIntoAnEmptyFolderAndThroughWhatAKilledInitOfTheSameConfigLeft(@TempDir Path w) throws Exception {
        Path config = Files.writeString(w.resolve("c.yaml"), TinyRun.CONFIG);
        Path empty = Files.createDirectories(w.resolve("empty"));
        TinyRun.ok("init", "--config", config.toString(), "--run-dir", empty.toString());
        assertTrue(Files.exists(empty.resolve("iter=0000/controllers.json")));
        assertFalse(Files.exists(empty.resolve(DirectoryLease.FILE)), "the lease is released");

        // Killed after config.yaml, while writing config.json, holding the lease: a retry is ours to finish.
        Path killed = Files.createDirectories(w.resolve("killed"));
        Files.writeString(killed.resolve("config.yaml"), TinyRun.CONFIG);
        Files.writeString(killed.resolve(".config.json._tmp-0f0e"), "{\"na");
        Files.writeString(killed.resolve(DirectoryLease.FILE), LockTestSupport.lease("tester", DirectoryLease.host(),
                LockTestSupport.deadPid(), Instant.now()));
        TinyRun.ok("init", "--config", config.toString(), "--run-dir", killed.toString());
        RunDirectoryAssertions.assertSameOutputs(empty, killed);

        // The same init again over the complete run (an Airflow retry) rewrites the same files.
        TinyRun.ok("init", "--config", config.toString(), "--run-dir", killed.toString());
        RunDirectoryAssertions.assertSameOutputs(empty, killed);

        // config.yaml of another config is not what our init left.
        Path otherKilled = Files.createDirectories(w.resolve("other"));
        Files.writeString(otherKilled.resolve("config.yaml"), TinyRun.CONFIG.replace("seed: 21", "seed: 22"));
        assertRefused(w, otherKilled.toString(), "init", "--config", config.toString(), "--run-dir",
                otherKilled.toString());
    }

    @Test
    void reportOutsideTheRunNeverReplacesAForeignFileAndItsOwnOnlyWithOverwrite(@TempDir Path w) throws Exception {
        Path run = copy(TinyRun.optimised(), w.resolve("run"));
        Path foreign = Files.writeString(w.resolve("index.html"), "<html>mine</html>\n");
        String last = assertRefused(w, foreign.toString(), "report", "--run-dir", run.toString(), "--out",
                foreign.toString());
        assertTrue(last.contains("is not an output of gps report"), last);
        String inside = run.resolve("iter=0000/page.html").toString();
        last = assertRefused(w, inside, "report", "--run-dir", run.toString(), "--out", inside);
        assertTrue(last.contains("lies inside the input --run-dir"), last);

        String page = w.resolve("out/page.html").toString();
        TinyRun.ok("report", "--run-dir", run.toString(), "--out", page);
        last = assertRefused(w, page, "report", "--run-dir", run.toString(), "--out", page);
        assertTrue(last.contains("add --overwrite"), last);
        TinyRun.ok("report", "--run-dir", run.toString(), "--out", page, "--overwrite");
        // The run's own report folder is the run's: replaced by every report, as a step's output is.
        TinyRun.ok("report", "--run-dir", run.toString());
        TinyRun.ok("report", "--run-dir", run.toString());
        assertFalse(Files.exists(run.resolve(DirectoryLease.FILE)), "the lease is released");
    }

    @Test
    void benchmarkOutNeverReplacesAFileWithoutOverwrite(@TempDir Path w) throws Exception {
        Path file = Files.writeString(w.resolve("table.md"), "mine\n");
        String last = assertRefused(w, file.toString(), "benchmark", "trajopt", "--sizes", "small", "--out",
                file.toString());
        assertTrue(last.contains("add --overwrite"), last);
    }
}
