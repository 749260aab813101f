package org.gps.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Which build of gps is running: the project's version and the git commit its classes were built
 * from, as the build recorded them in {@value #RESOURCE} next to this class (pom.xml,
 * "build-info"). {@code gps --version} prints it, and every output records it, so a file can be
 * traced to the code that wrote it. It lives in io because the outputs that carry it are written
 * here and in the layers above.
 *
 * @param version  the project's version, or "unknown" when the classes were not built by Maven
 * @param commit   the full commit id, or "unknown" when the build ran outside a git checkout
 * @param modified whether tracked files differed from that commit when the build ran
 */
public record BuildInfo(String version, String commit, boolean modified) {
    static final String RESOURCE = "build.properties";
    public static final String UNKNOWN = "unknown";
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static volatile BuildInfo current;

    public BuildInfo {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(commit, "commit");
    }

    /**
     * The recorded values; a missing, empty or unfilled one (a build that skipped the step that
     * writes them) is unknown rather than wrong.
     */
    public static BuildInfo of(Properties p) {
        String version = p.getProperty("version", "").strip();
        String commit = p.getProperty("commit", "").strip();
        boolean knownCommit = COMMIT.matcher(commit).matches();
        return new BuildInfo(version.isEmpty() || version.contains("${") ? UNKNOWN : version,
                knownCommit ? commit : UNKNOWN, knownCommit && p.getProperty("modified", "").strip().equals("true"));
    }

    /** This build; read once, since the classes cannot change under a running JVM. */
    public static BuildInfo current() {
        BuildInfo b = current;
        if (b == null) {
            Properties p = new Properties();
            try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
            b = of(p);
            current = b;
        }
        return b;
    }

    /** The commit as {@code gps --version} prints it, with the note on uncommitted changes. */
    public String describeCommit() {
        return commit + (modified ? " (built with uncommitted changes)" : "");
    }
}
