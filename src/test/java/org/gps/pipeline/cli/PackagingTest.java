package org.gps.pipeline.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code mvn package} makes, on a copy of the project (pom.xml and src/main) so the build
 * under test leaves this one's target/ alone: packaged twice in a row, as a second {@code jobs/gps}
 * build after a change does, each time without a warning, a shaded target/gps.jar that runs
 * (our classes, picocli, Jackson and SnakeYAML relocated, JFreeChart; no Spark, Scala or Hadoop,
 * which the cluster and target/classpath.txt provide) and a thin target/original-gps.jar with our
 * classes only.
 */
@Tag("slow")
class PackagingTest {
    @TempDir
    static Path copy;
    static final List<String> BUILD_OUTPUTS = new ArrayList<>();

    @BeforeAll
    static void packageACopyTwice() throws Exception {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Files.copy(base.resolve("pom.xml"), copy.resolve("pom.xml"));
        RunDirectoryAssertions.copyTree(base.resolve("src").resolve("main"), copy.resolve("src").resolve("main"));
        for (int i = 0; i < 2; i++) {
            BUILD_OUTPUTS.add(mvnPackage());
        }
    }

    private static String mvnPackage() throws IOException, InterruptedException {
        Path log = copy.resolve("mvn-" + BUILD_OUTPUTS.size() + ".log");
        Process p = new ProcessBuilder("mvn", "-B", "-ntp", "-DskipTests", "package").directory(copy.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "mvn package finishes");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static List<String> entries(String jar) throws IOException {
        try (JarFile j = new JarFile(copy.resolve("target").resolve(jar).toFile())) {
            return j.stream().map(e -> e.getName()).toList();
        }
    }

    /** The packaging plugins' sections of a build's output (javac's lint warnings are the compile's business). */
    static List<String> packagingSections(String out) {
        List<String> sections = new ArrayList<>();
        for (String section : out.split("(?m)^\\[INFO\\] --- ")) {
            if (section.startsWith("jar:") || section.startsWith("shade:") || section.startsWith("dependency:")
                    || section.startsWith("maven-jar-plugin") || section.startsWith("maven-shade-plugin")
                    || section.startsWith("maven-dependency-plugin")) {
                sections.add(section);
            }
        }
        return sections;
    }

    @Test
    void bothPackagesBuildWithoutAPackagingWarning() {
        for (String out : BUILD_OUTPUTS) {
            List<String> sections = packagingSections(out);
            assertEquals(3, sections.size(), "the jar, shade and classpath steps ran:\n" + out);
            for (String section : sections) {
                assertFalse(section.contains("[WARNING]"), section);
            }
            assertFalse(out.contains("overlapping"), out);
        }
    }

    @Test
    void theShadedJarCarriesItsOwnLibrariesRelocatedAndNoneOfTheClusters() throws IOException {
        List<String> names = entries("gps.jar");
        assertTrue(names.contains("org/gps/pipeline/cli/Main.class"), "our classes");
        assertTrue(names.contains("picocli/CommandLine.class"), "picocli");
        assertTrue(names.stream().anyMatch(n -> n.startsWith("org/gps/shaded/jackson/")), "Jackson, relocated");
        assertTrue(names.stream().anyMatch(n -> n.startsWith("org/gps/shaded/snakeyaml/")), "SnakeYAML, relocated");
        assertTrue(names.stream().anyMatch(n -> n.startsWith("org/jfree/chart/")), "JFreeChart");
        for (String n : names) {
            assertFalse(n.startsWith("org/apache/spark/") || n.startsWith("scala/") || n.startsWith("org/apache/hadoop/")
                    || n.startsWith("com/fasterxml/") || n.startsWith("org/yaml/") || n.startsWith("META-INF/versions/"),
                    "not in the shaded jar: " + n);
        }
        try (JarFile j = new JarFile(copy.resolve("target").resolve("gps.jar").toFile())) {
            assertNotNull(j.getManifest(), "a manifest");
            assertEquals("org.gps.pipeline.cli.Main", j.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }

    @Test
    void theThinJarHoldsOurClassesOnly() throws IOException {
        List<String> names = entries("original-gps.jar");
        assertTrue(names.contains("org/gps/pipeline/cli/Main.class"), "our classes");
        Path resources = copy.resolve("src").resolve("main").resolve("resources");
        for (String n : names) {
            boolean ours = n.startsWith("org/gps/") || n.startsWith("META-INF/") || n.equals("org/")
                    || Files.isRegularFile(resources.resolve(n));
            assertTrue(ours, "only our classes and resources: " + n);
            assertFalse(n.startsWith("org/gps/shaded/"), "nothing shaded: " + n);
        }
    }
}
