package org.gps.pipeline.cli;

import org.apache.hadoop.conf.Configuration;
import org.gps.io.DirectoryLease;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run directory's lock: a command that writes into R holds R/_gps.lock while it works; a
 * second writer is refused naming the holder, read-only commands pass, and a lease whose holder
 * is gone is taken over (at once when its process on this host has ended; after the staleness
 * limit when it is on another host).
 */
class RunDirectoryLockTest {
    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(DirectoryLease.FILE)).toList();
        }
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolderWhileReadersPass(@TempDir Path w) throws Exception {
        Path run = TinyRun.copy(TinyRun.optimised(), w.resolve("run"));
        try (DirectoryLease held = DirectoryLease.acquire(new Configuration(), run.toString(), "run directory",
                "gps run", reason -> { })) {
            Map<String, String> before = FolderSnapshot.of(w);
            for (String[] writer : new String[][] {
                    {"trajopt", "--run-dir", run.toString(), "--iteration", "0"},
                    {"report", "--run-dir", run.toString()},
                    {"fit-dynamics", "--run-dir", run.toString(), "--iteration", "0"}}) {
                CliTestSupport.Outcome o = CliTestSupport.run(writer);
                assertEquals(2, o.exitCode(), o.err());
                String last = OutputRefusalTest.lastLine(o.err());
                assertTrue(last.contains("run directory " + run + " is locked by " + System.getProperty("user.name")
                        + "@" + DirectoryLease.host() + " pid " + ProcessHandle.current().pid()), last);
                assertTrue(last.contains("heartbeat"), last);
                assertFalse(o.err().contains("\tat "), o.err());
            }
            FolderSnapshot.assertUnchanged(before, w);
            CliTestSupport.Outcome read = CliTestSupport.run("inspect", "--run-dir", run.toString());
            assertEquals(0, read.exitCode(), "reading takes no lock: " + read.err());
            CliTestSupport.Outcome eval = CliTestSupport.run("evaluate", "--run-dir", run.toString(), "--json");
            assertEquals(0, eval.exitCode(), "evaluate writes nothing and takes no lock: " + eval.err());
        }
        assertEquals(List.of(), names(run), "released");
        TinyRun.ok("report", "--run-dir", run.toString());
        assertEquals(List.of(), names(run), "a writer releases the lease when it ends");
        CliTestSupport.Outcome failed = CliTestSupport.run("trajopt", "--run-dir", run.toString(), "--iteration", "1");
        assertEquals(2, failed.exitCode(), "iteration 1 has no rollouts: " + failed.err());
        assertEquals(List.of(), names(run), "... and when it fails");
        Path none = w.resolve("none");
        assertEquals(2, CliTestSupport.run("sample", "--run-dir", none.toString(), "--iteration", "0").exitCode());
        assertFalse(Files.exists(none), "a refused writer leaves no folder behind for its lease");
    }

    @Test
    void theLeaseOfAProcessThatEndedOnThisHostIsTakenOverAtOnce(@TempDir Path w) throws Exception {
        Path run = TinyRun.copy(TinyRun.optimised(), w.resolve("run"));
        // As kill -9 leaves it: a fresh heartbeat, but the process is gone.
        Files.writeString(run.resolve(DirectoryLease.FILE), LockTestSupport.lease(System.getProperty("user.name"),
                DirectoryLease.host(), LockTestSupport.deadPid(), Instant.now()));
        TinyRun.ok("report", "--run-dir", run.toString());
        assertEquals(List.of(), names(run), "taken over, then released; the stale lease is not left aside");
    }

    @Test
    void theLeaseOfAnotherHostIsTakenOverOnlyOnceItsHeartbeatIsOld(@TempDir Path w) throws Exception {
        Path run = TinyRun.copy(TinyRun.optimised(), w.resolve("run"));
        Path lock = run.resolve(DirectoryLease.FILE);
        Files.writeString(lock, LockTestSupport.lease("ann", "elsewhere.example", 4242, Instant.now().minusSeconds(20)));
        Map<String, String> before = FolderSnapshot.of(w);
        CliTestSupport.Outcome o = CliTestSupport.run("report", "--run-dir", run.toString());
        assertEquals(2, o.exitCode(), o.err());
        String last = OutputRefusalTest.lastLine(o.err());
        assertTrue(last.contains("is locked by ann@elsewhere.example pid 4242"), last);
        assertTrue(last.contains("heartbeat 20 s ago") || last.contains("heartbeat 21 s ago"), last);
        FolderSnapshot.assertUnchanged(before, w);

        Duration stale = DirectoryLease.staleAfter();
        Files.writeString(lock, LockTestSupport.lease("ann", "elsewhere.example", 4242,
                Instant.now().minus(stale).minusSeconds(5)));
        TinyRun.ok("report", "--run-dir", run.toString());
        assertEquals(List.of(), names(run));
    }

    @Tag("slow")
    @Test
    void twoRunsOnOneRunDirectoryAtOnceOneIsRefusedNamingTheOther(@TempDir Path w) throws Exception {
        Path config = Files.writeString(w.resolve("c.yaml"), TinyRun.CONFIG);
        Path run = w.resolve("run");
        Path log = w.resolve("first.log");
        Process first = StepJvm.startMain(w.resolve("work"), w.resolve("tmp"), log, StepJvm.QUICK_START,
                "run", "--config", config.toString(), "--run-dir", run.toString(), "--master", "local[1]");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.exists(run.resolve(DirectoryLease.FILE)) && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(first.isAlive(), "the first run still works when the second starts\n" + StepJvm.log(log));
            CliTestSupport.Outcome second = CliTestSupport.run("run", "--config", config.toString(), "--run-dir",
                    run.toString());
            assertEquals(2, second.exitCode(), second.err());
            String last = OutputRefusalTest.lastLine(second.err());
            assertTrue(last.contains("is locked by") && last.contains(" pid " + first.pid() + " (gps run)"), last);
            assertFalse(second.err().contains("\tat "), second.err());
        } finally {
            first.destroyForcibly();
            first.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
