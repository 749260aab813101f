package org.gps.pipeline.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every file and folder under a path with its content (hidden ones included), so that a test
 * can show a refused command changed nothing: not a byte, not a new empty folder.
 */
final class FolderSnapshot {
    private FolderSnapshot() {
    }

    static Map<String, String> of(Path root) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String key = root.relativize(p).toString();
                out.put(key, Files.isDirectory(p) ? "<dir>" : java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static void assertUnchanged(Map<String, String> before, Path root) {
        assertEquals(before, of(root), "nothing under " + root + " may change");
    }
}
