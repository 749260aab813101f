package org.gps.pipeline.cli;

import org.apache.spark.sql.Row;
import org.gps.io.AtomicOutput;
import org.gps.io.CompletionMarker;
import org.gps.spark.SparkTestSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares two run directories file by file: the same files (hidden ones included, so a
 * leftover temporary fails it), JSON and other small files byte for byte, completion markers
 * by everything but their time, and Parquet datasets by their rows, because Spark names part
 * files with a random UUID per write.
 */
final class RunDirectoryAssertions {
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private RunDirectoryAssertions() {
    }

    /** Every regular file under {@code root}, keyed by its relative path with part-file UUIDs blanked. */
    static Map<String, Path> files(Path root) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String key = root.relativize(p).toString().replaceAll(UUID, "<uuid>");
                if (out.put(key, p) != null) {
                    fail("two files under " + root + " differ only by UUID: " + key);
                }
            }
        }
        return out;
    }

    static void assertSameOutputs(Path expected, Path actual) throws IOException {
        Map<String, Path> want = files(expected);
        Map<String, Path> got = files(actual);
        assertEquals(String.join("\n", want.keySet()), String.join("\n", got.keySet()),
                "files of " + actual + " against the uninterrupted " + expected);
        TreeSet<Path> datasets = new TreeSet<>();
        for (Map.Entry<String, Path> e : want.entrySet()) {
            String name = e.getValue().getFileName().toString();
            Path other = got.get(e.getKey());
            if (name.endsWith(".parquet")) {
                datasets.add(expected.relativize(e.getValue().getParent()));
            } else if (name.endsWith(".parquet.crc")) {
                // The checksum of a Parquet file: covered by comparing the dataset's rows.
                continue;
            } else if (name.equals(AtomicOutput.MARKER)) {
                CompletionMarker a = CompletionMarker.fromJson(Files.readString(e.getValue()));
                CompletionMarker b = CompletionMarker.fromJson(Files.readString(other));
                assertEquals(a.writtenBy(), b.writtenBy(), e.getKey());
                assertEquals(a.rows(), b.rows(), e.getKey());
            } else {
                assertArrayEquals(Files.readAllBytes(e.getValue()), Files.readAllBytes(other), e.getKey());
            }
        }
        for (Path d : datasets) {
            assertEquals(rows(expected.resolve(d)), rows(actual.resolve(d)), "rows of " + d);
        }
    }

    /** The dataset's rows as text, sorted: Scala prints doubles in their shortest exact form. */
    static List<String> rows(Path dataset) {
        List<String> out = new ArrayList<>();
        for (Row r : SparkTestSession.get().read().parquet(dataset.toString()).collectAsList()) {
            out.add(r.toString());
        }
        out.sort(null);
        return out;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }
}
