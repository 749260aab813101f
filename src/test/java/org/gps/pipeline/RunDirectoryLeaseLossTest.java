package org.gps.pipeline;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.gps.core.BadInputException;
import org.gps.io.DirectoryLease;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A writer whose lease another process took over stops its Spark work and ends naming the new holder. */
class RunDirectoryLeaseLossTest {
    @Test
    void aWriterThatLostItsLeaseHasItsSparkJobCancelledAndEndsWithTheReason(@TempDir Path run) throws Exception {
        Path lock = run.resolve(DirectoryLease.FILE);
        String other = new DirectoryLease.Holder("taken", "ann", "elsewhere.example", 4242, null, "gps run",
                Instant.now(), Instant.now()).toJson();
        SparkTestSession.get(); // started before the clock: the first test of a JVM pays for it
        System.setProperty(DirectoryLease.STALE_PROPERTY, "1.2");
        long start = System.nanoTime();
        try {
            BadInputException e = assertThrows(BadInputException.class, () -> RunDirectory.whileLocked(
                    SparkTestSession.get(), run.toString(), "gps test", () -> {
                        try {
                            Files.writeString(lock, other);
                        } catch (java.io.IOException io) {
                            throw new java.io.UncheckedIOException(io);
                        }
                        // A job far longer than a heartbeat: the loss must cut it short.
                        return SparkTestSession.get().range(1).map((MapFunction<Long, Long>) x -> {
                            Thread.sleep(8000);
                            return x;
                        }, Encoders.LONG()).count();
                    }));
            assertTrue(e.getMessage().contains("lost the lease") && e.getMessage().contains("ann@elsewhere.example pid 4242"),
                    e.getMessage());
        } finally {
            System.clearProperty(DirectoryLease.STALE_PROPERTY);
        }
        assertTrue(System.nanoTime() - start < 7_000_000_000L, "the job was cancelled, not waited for");
        assertEquals(other, Files.readString(lock), "the new holder's lease is left alone");
    }
}
