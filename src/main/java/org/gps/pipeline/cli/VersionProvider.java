package org.gps.pipeline.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What {@code gps --version} prints: the project's version and the git commit the classes were
 * built from, both recorded by the build in {@value #RESOURCE} (pom.xml, "build-info").
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
    static final String RESOURCE = "build.properties";
    static final String UNKNOWN = "unknown";
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /**
     * @param version  the project's version, or "unknown" when the classes were not built by Maven
     * @param commit   the full commit id, or "unknown" when the build ran outside a git checkout
     * @param modified whether tracked files differed from that commit when the build ran
     */
    record BuildInfo(String version, String commit, boolean modified) {
        /**
         * The recorded values; a missing, empty or unfilled one (a build that skipped the step that
         * writes them) is unknown rather than wrong.
         */
        static BuildInfo of(Properties p) {
            String version = p.getProperty("version", "").strip();
            String commit = p.getProperty("commit", "").strip();
            boolean knownCommit = COMMIT.matcher(commit).matches();
            return new BuildInfo(version.isEmpty() || version.contains("${") ? UNKNOWN : version,
                    knownCommit ? commit : UNKNOWN, knownCommit && p.getProperty("modified", "").strip().equals("true"));
        }

        static BuildInfo read() {
            Properties p = new Properties();
            try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
            return of(p);
        }

        String[] lines() {
            return new String[] {"gps " + version,
                    "commit " + commit + (modified ? " (built with uncommitted changes)" : "")};
        }
    }

    @Override
    public String[] getVersion() {
        return BuildInfo.read().lines();
    }
}
