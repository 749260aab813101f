package org.gps.io;

import org.apache.hadoop.conf.Configuration;
import org.gps.core.BadInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lease file itself: exclusive, renewed, released, and a holder that lost it is told. */
class DirectoryLeaseTest {
    static final Configuration CONF = new Configuration();

    @AfterEach
    void defaultStaleness() {
        System.clearProperty(DirectoryLease.STALE_PROPERTY);
    }

    @Test
    void oneHolderAtATimeAndTheFolderIsLeftAsFoundAfterRelease(@TempDir Path dir) {
        Path folder = dir.resolve("r");
        try (DirectoryLease a = DirectoryLease.acquire(CONF, folder.toString(), "run directory", "first", r -> { })) {
            assertTrue(Files.exists(folder.resolve(DirectoryLease.FILE)));
            BadInputException e = assertThrows(BadInputException.class,
                    () -> DirectoryLease.acquire(CONF, folder.toString(), "run directory", "second", r -> { }));
            assertTrue(e.getMessage().contains("is locked by") && e.getMessage().contains("(first)"), e.getMessage());
            assertEquals(a.holder().token(), DirectoryLease.holderOf(CONF, folder.toString()).orElseThrow().token());
        }
        assertFalse(Files.exists(folder), "a folder the lease created is removed again when it stayed empty");
    }

    @Test
    void theHeartbeatRenewsTheLease(@TempDir Path dir) throws Exception {
        System.setProperty(DirectoryLease.STALE_PROPERTY, "1.2");
        try (DirectoryLease a = DirectoryLease.acquire(CONF, dir.toString(), "run directory", "beating", r -> { })) {
            Instant first = a.holder().heartbeat();
            Thread.sleep(700);
            Instant later = DirectoryLease.holderOf(CONF, dir.toString()).orElseThrow().heartbeat();
            assertTrue(later.isAfter(first), first + " then " + later);
            assertNull(a.lostReason());
        }
        assertFalse(Files.exists(dir.resolve(DirectoryLease.FILE)));
    }

    @Test
    void aHolderWhoseLeaseWasTakenIsToldAndLeavesTheNewLeaseAlone(@TempDir Path dir) throws Exception {
        System.setProperty(DirectoryLease.STALE_PROPERTY, "1.2");
        CompletableFuture<String> told = new CompletableFuture<>();
        Path lock = dir.resolve(DirectoryLease.FILE);
        String other = new DirectoryLease.Holder("someone-else", "bob", "elsewhere.example", 7, null, "gps run",
                Instant.now(), Instant.now()).toJson();
        try (DirectoryLease a = DirectoryLease.acquire(CONF, dir.toString(), "run directory", "slow", told::complete)) {
            Files.writeString(lock, other);
            String reason = told.get(10, TimeUnit.SECONDS);
            assertTrue(reason.contains("bob@elsewhere.example pid 7"), reason);
            assertEquals(reason, a.lostReason());
        }
        assertEquals(other, Files.readString(lock), "the release does not delete a lease that is not ours");
    }

    @Test
    void ofManyTakersOfOneStaleLeaseExactlyOneGetsIt(@TempDir Path root) throws Exception {
        // Many rounds: a race that loses one time in ten must not pass by luck.
        for (int round = 0; round < 30; round++) {
            oneRoundOfTakers(Files.createDirectories(root.resolve("r" + round)));
        }
    }

    static void oneRoundOfTakers(Path dir) throws Exception {
        Path lock = dir.resolve(DirectoryLease.FILE);
        Files.writeString(lock, new DirectoryLease.Holder("gone", "ann", "elsewhere.example", 9, null, "gps run",
                Instant.EPOCH, Instant.EPOCH).toJson());
        int takers = 6;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(takers);
        java.util.List<CompletableFuture<DirectoryLease>> got = new java.util.ArrayList<>();
        for (int i = 0; i < takers; i++) {
            String name = "taker " + i;
            got.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                try {
                    return DirectoryLease.acquire(CONF, dir.toString(), "run directory", name, r -> { });
                } catch (BadInputException e) {
                    return null;
                }
            }));
        }
        java.util.List<DirectoryLease> holders = new java.util.ArrayList<>();
        for (CompletableFuture<DirectoryLease> f : got) {
            DirectoryLease l = f.get(30, TimeUnit.SECONDS);
            if (l != null) {
                holders.add(l);
            }
        }
        try {
            assertEquals(1, holders.size(), "exactly one taker holds the lease");
            assertEquals(holders.get(0).holder().token(),
                    DirectoryLease.holderOf(CONF, dir.toString()).orElseThrow().token());
        } finally {
            holders.forEach(DirectoryLease::close);
        }
        try (var s = Files.list(dir)) {
            assertEquals(java.util.List.of(), s.toList(), "no stale lease left aside");
        }
    }

    @Test
    void aLiveHolderOnThisHostIsNotStaleWhenItsStartTimeReadsSecondsApartButIsWhenItIsAnotherProcess() {
        ProcessHandle me = ProcessHandle.current();
        Instant start = me.info().startInstant().orElseThrow();
        Instant now = Instant.now();
        // A live holder is judged by its process alone; the file is not read.
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path("file:/nonexistent/" + DirectoryLease.FILE);
        // Two JVMs can read one process's start a second or more apart: still the same holder.
        DirectoryLease.Holder jittered = new DirectoryLease.Holder("t", "u", DirectoryLease.host(), me.pid(),
                start.plusMillis(1500), "gps run", now, now);
        assertEquals(null, DirectoryLease.staleReason(CONF, file, jittered, now));
        // A start an hour away is another process that got the pid.
        DirectoryLease.Holder reused = new DirectoryLease.Holder("t", "u", DirectoryLease.host(), me.pid(),
                start.minusSeconds(3600), "gps run", now, now);
        String reason = DirectoryLease.staleReason(CONF, file, reused, now);
        assertTrue(reason != null && reason.contains("is another process now"), String.valueOf(reason));
    }
}
