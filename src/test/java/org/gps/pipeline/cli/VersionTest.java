package org.gps.pipeline.cli;

import org.gps.io.BuildInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionTest {
    /** Where the tests run: Maven starts them in the project's base directory. */
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void versionPrintsThePomsVersionAndTheCommitBuiltFrom() throws Exception {
        CliTestSupport.Outcome o = CliTestSupport.run("--version");
        assertEquals(0, o.exitCode(), o.err());
        String[] lines = o.out().strip().split("\\R");
        assertEquals(3, lines.length, o.out());
        assertEquals("gps " + pomVersion(), lines[0]);
        Matcher m = Pattern.compile("commit (\\S+)( \\(built with uncommitted changes\\))?").matcher(lines[1]);
        assertTrue(m.matches(), lines[1]);
        // The build that ran these tests wrote the commit; outside a git checkout it had none to write.
        String head = gitHead();
        assertEquals(head == null ? BuildInfo.UNKNOWN : head, m.group(1), lines[1]);
        // The tests' JVM has the launcher's kernels (jobs/jvm.options adds the Vector API; no native BLAS).
        assertEquals("kernels netlib VectorBLAS (Java), Vector API on", lines[2]);
    }

    @Test
    void whatTheBuildDidNotRecordIsUnknown() {
        Properties unfilled = new Properties();
        unfilled.setProperty("version", "${project.version}");
        unfilled.setProperty("commit", "${gps.commit}");
        unfilled.setProperty("modified", "true");
        assertEquals(new BuildInfo("unknown", "unknown", false), BuildInfo.of(unfilled));
        assertEquals(new BuildInfo("unknown", "unknown", false),
                BuildInfo.of(new Properties()));

        Properties outsideGit = new Properties();
        outsideGit.setProperty("version", "1.2.3");
        outsideGit.setProperty("commit", "unknown");
        outsideGit.setProperty("modified", "false");
        BuildInfo info = BuildInfo.of(outsideGit);
        assertEquals(new BuildInfo("1.2.3", "unknown", false), info);
        assertEquals("gps 1.2.3", VersionProvider.lines(info)[0]);
        assertEquals("commit unknown", VersionProvider.lines(info)[1]);

        Properties modified = new Properties();
        modified.setProperty("version", "1.2.3");
        modified.setProperty("commit", "0123456789abcdef0123456789abcdef01234567");
        modified.setProperty("modified", "true");
        assertEquals("commit 0123456789abcdef0123456789abcdef01234567 (built with uncommitted changes)",
                VersionProvider.lines(BuildInfo.of(modified))[1]);
    }

    /** The project's own version: the first version element after its artifactId. */
    private static String pomVersion() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<artifactId>gps-spark</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "pom.xml: no version after <artifactId>gps-spark</artifactId>");
        assertFalse(m.group(1).isBlank());
        return m.group(1).strip();
    }

    /** HEAD of the project's checkout, or null outside one (or without git). */
    private static String gitHead() throws InterruptedException {
        if (!Files.exists(ROOT.resolve(".git"))) {
            return null;
        }
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--verify", "HEAD").directory(ROOT.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
