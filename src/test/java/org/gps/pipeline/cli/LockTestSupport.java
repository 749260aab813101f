package org.gps.pipeline.cli;

import org.gps.io.DirectoryLease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/** Lease files as other processes leave them. */
final class LockTestSupport {
    private LockTestSupport() {
    }

    /** A lease of {@code user@host pid}, taken an hour before its last heartbeat. */
    static String lease(String user, String host, long pid, Instant heartbeat) {
        return new DirectoryLease.Holder(UUID.randomUUID().toString(), user, host, pid, null, "gps trajopt --iteration 0",
                heartbeat.minusSeconds(3600), heartbeat).toJson();
    }

    /** The pid of a process that has ended. */
    static long deadPid() {
        try {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            return p.pid();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
