package org.gps.io;

import static org.gps.io.RolloutFixtures.spark;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
    @TempDir
    Path dir;

    private static Dataset<Row> rolloutsOfCondition(int condition, int samples) {
        double[][][] x = new double[samples][3][2];
        double[][][] u = new double[samples][3][1];
        return Rollouts.fromArrays(spark(), 0, condition, x, u, null, null, RolloutSchema.SOURCE_CONTROLLER);
    }

    private List<String> siblingsOf(String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(name)).sorted().toList();
        }
    }

    @Test
    void rerunReplacesTheOutputAndLeavesNoTemporaryFolder() throws IOException {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(rolloutsOfCondition(0, 2), path);
        CompletionMarker second = RolloutWriter.write(rolloutsOfCondition(5, 1), path);

        Dataset<Row> back = RolloutReader.readComplete(spark(), path);
        assertEquals(3, back.count());
        assertEquals(List.of(5), back.select("condition").distinct().as(org.apache.spark.sql.Encoders.INT()).collectAsList());
        assertEquals(3, second.rows());
        assertEquals(List.of("samples"), siblingsOf("samples"));
    }

    @Test
    void markerRecordsRowsTimeAndWriter() {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(rolloutsOfCondition(0, 2), path, "step sample (test)");

        CompletionMarker m = AtomicOutput.requireComplete(spark(), path);
        assertEquals(6, m.rows());
        assertEquals("step sample (test)", m.writtenBy());
        assertTrue(Math.abs(System.currentTimeMillis() - m.completedAt().toEpochMilli()) < 60_000,
                "marker time " + m.completedAt() + " should be now");
    }

    @Test
    void folderWithoutMarkerIsRefusedByRequireComplete() throws IOException {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(rolloutsOfCondition(0, 2), path);
        // What a crash between the rename and the marker leaves behind.
        Files.delete(dir.resolve("samples").resolve(AtomicOutput.MARKER));

        BadInputException e = assertThrows(BadInputException.class, () -> RolloutReader.readComplete(spark(), path));
        assertTrue(e.getMessage().contains(path) && e.getMessage().contains(AtomicOutput.MARKER), e.getMessage());
        assertFalse(AtomicOutput.isComplete(HadoopFiles.conf(spark()), path));
        // Logged data need no marker: the plain reader and the validator still accept it.
        assertEquals(6, RolloutReader.read(spark(), path).count());
        assertTrue(RolloutValidator.validate(spark(), path).isValid());
    }

    @Test
    void missingOutputIsRefusedByRequireCompleteNamingThePath() {
        String path = dir.resolve("never-written").toString();
        BadInputException e = assertThrows(BadInputException.class, () -> AtomicOutput.requireComplete(spark(), path));
        assertTrue(e.getMessage().contains(path) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void temporaryFolderOfAKilledWriterIsNotReadAndIsCleanedByTheNextPublish() throws IOException {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(rolloutsOfCondition(0, 2), path);
        // A killed second attempt: its rows sit in a temporary sibling that was never renamed.
        String leftover = dir.resolve(".samples._tmp-killed").toString();
        rolloutsOfCondition(9, 4).write().parquet(leftover);

        assertEquals(6, RolloutReader.readComplete(spark(), path).count());
        assertEquals(0, RolloutReader.readComplete(spark(), path).filter("condition = 9").count());

        RolloutWriter.write(rolloutsOfCondition(1, 1), path);
        assertEquals(List.of("samples"), siblingsOf("samples"));
        assertEquals(3, RolloutReader.readComplete(spark(), path).count());
    }

    @Test
    void failingWriterKeepsThePreviousOutputAndRemovesItsTemporaryFolder() throws IOException {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(rolloutsOfCondition(0, 2), path);

        assertThrows(IllegalStateException.class, () -> AtomicOutput.publish(spark(), path, "test", tmp -> {
            Files.createDirectories(Path.of(tmp));
            Files.writeString(Path.of(tmp, "half-written"), "x");
            throw new IllegalStateException("killed mid-write");
        }));

        assertEquals(List.of("samples"), siblingsOf("samples"));
        assertEquals(6, RolloutReader.readComplete(spark(), path).count());
    }

    @Test
    void writeFileReplacesASmallFileAtomically() throws IOException {
        String path = dir.resolve("iter=0001").resolve("state.json").toString();
        AtomicOutput.writeFile(HadoopFiles.conf(spark()), path, "{\"eta\":1}".getBytes(StandardCharsets.UTF_8));
        AtomicOutput.writeFile(HadoopFiles.conf(spark()), path, "{\"eta\":2}".getBytes(StandardCharsets.UTF_8));

        assertArrayEquals("{\"eta\":2}".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(Path.of(path)));
        try (Stream<Path> s = Files.list(dir.resolve("iter=0001"))) {
            assertEquals(List.of("state.json"),
                    s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList());
        }
    }

    @Test
    void writeFileDeletesTheTemporaryAKilledEarlierAttemptLeft() throws IOException {
        Path iter = Files.createDirectories(dir.resolve("iter=0002"));
        // What a process killed between creating its temporary and renaming it leaves behind.
        Files.writeString(iter.resolve(".state.json._tmp-0b7c1a52-1d7e-4d59-9a43-6d1c2a3b4c5d"), "{\"eta\":");
        Files.writeString(iter.resolve(".controllers.json._tmp-5a1e8c3f-0000-4000-8000-000000000000"), "other");

        AtomicOutput.writeFile(HadoopFiles.conf(spark()), iter.resolve("state.json").toString(),
                "{\"eta\":3}".getBytes(StandardCharsets.UTF_8));

        try (Stream<Path> s = Files.list(iter)) {
            assertEquals(List.of(".controllers.json._tmp-5a1e8c3f-0000-4000-8000-000000000000", "state.json"),
                    s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList(),
                    "only the same output's temporaries go; another output's writer may still be at work");
        }
    }

    @Test
    void withdrawnOutputsAreGoneAndWithdrawingNothingIsFine() throws IOException {
        String folder = dir.resolve("samples").toString();
        RolloutWriter.write(rolloutsOfCondition(0, 1), folder);
        String file = dir.resolve("state.json").toString();
        AtomicOutput.writeFile(HadoopFiles.conf(spark()), file, "{}".getBytes(StandardCharsets.UTF_8));

        AtomicOutput.withdraw(HadoopFiles.conf(spark()), folder);
        AtomicOutput.withdraw(HadoopFiles.conf(spark()), file);
        AtomicOutput.withdraw(HadoopFiles.conf(spark()), dir.resolve("never-written").toString());

        assertFalse(Files.exists(Path.of(folder)));
        assertFalse(Files.exists(Path.of(file)));
        assertThrows(BadInputException.class, () -> AtomicOutput.requireComplete(spark(), folder));
    }

    @Test
    void fileUriAndPlainPathNameTheSameOutput() {
        String plain = dir.resolve("samples").toString();
        RolloutWriter.write(rolloutsOfCondition(0, 1), dir.resolve("samples").toUri().toString());

        assertEquals(3, RolloutReader.readComplete(spark(), plain).count());
    }
}
