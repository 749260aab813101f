package org.gps.pipeline.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's class-data sharing (jobs/gps-jvm's GPS_CLASS_ARCHIVE and GPS_CLASS_ARCHIVE_RECORD,
 * jobs/gps-class-archive): an archive recorded for a classpath is mapped by a later JVM on that
 * classpath, which then loads our classes from it; one made for another classpath, a missing file
 * or {@code off} change nothing, and the JVM says nothing about archives on the console in any case.
 */
class ClassArchiveTest {
    @TempDir
    static Path dir;

    private static final Path BASE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));

    /**
     * The test classpath with its folders (our compiled classes) packed into one jar, as
     * target/gps.jar holds them: the JVM archives classes from jars only.
     */
    private static String cp;

    @BeforeAll
    static void packOurClasses() throws Exception {
        Path jar = dir.resolve("app.jar");
        List<String> entries = new ArrayList<>(List.of(jar.toString()));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            java.util.Set<String> names = new java.util.HashSet<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                if (!Files.isDirectory(p)) {
                    entries.add(e);
                    continue;
                }
                try (var files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = p.relativize(f).toString().replace(File.separatorChar, '/');
                        if (names.add(name)) {
                            out.putNextEntry(new JarEntry(name));
                            Files.copy(f, out);
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        cp = String.join(File.pathSeparator, entries);
    }

    private record Console(int exitCode, String text) {
        List<String> lines() {
            return text.lines().toList();
        }
    }

    /** {@code bash jobs/SCRIPT args...} with the given variables set (and the launcher's others removed). */
    private static Console run(String script, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", BASE.resolve("jobs").resolve(script).toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "console", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("GPS_NATIVE_BLAS");
        pb.environment().remove("GPS_CLASS_ARCHIVE");
        pb.environment().remove("GPS_CLASS_ARCHIVE_RECORD");
        pb.environment().put("GPS_JAVA_OPTS", "-Xmx1g -Djava.io.tmpdir=" + dir);
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + System.getenv().getOrDefault("PATH", ""));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "finishes");
        return new Console(p.exitValue(), Files.readString(log));
    }

    private static Console version(String classpath, Map<String, String> env) throws Exception {
        return run("gps-jvm", env, classpath, Main.class.getName(), "--version");
    }

    /** Lines the JVM prints about loading Main (with -Xlog:class+load in GPS_JAVA_OPTS). */
    private static List<String> mainLoads(Console c) {
        return c.lines().stream().filter(l -> l.contains(" " + Main.class.getName() + " source:")).toList();
    }

    private static final String FROM_ARCHIVE = "source: shared objects file";

    @Test
    void anArchiveRecordedForTheClasspathIsMappedAndAnyOtherIsIgnoredWithoutAWord() throws Exception {
        Console plain = version(cp, Map.of());
        assertEquals(0, plain.exitCode(), plain.text());
        assertTrue(plain.text().startsWith("gps "), plain.text());

        Path archive = dir.resolve("version.jsa");
        Console recording = version(cp, Map.of("GPS_CLASS_ARCHIVE_RECORD", archive.toString()));
        assertEquals(plain.text(), recording.text(), "recording prints nothing of its own");
        assertTrue(Files.size(archive) > 0, "archive written");

        Console mapped = version(cp, Map.of("GPS_CLASS_ARCHIVE", archive.toString()));
        assertEquals(plain.text(), mapped.text(), "the same console with the archive");
        String logLoads = "-Xmx1g -Djava.io.tmpdir=" + dir + " -Xlog:class+load=info";
        Console traced = version(cp, Map.of("GPS_CLASS_ARCHIVE", archive.toString(), "GPS_JAVA_OPTS", logLoads));
        assertEquals(1, mainLoads(traced).size(), traced.text());
        assertTrue(mainLoads(traced).get(0).contains(FROM_ARCHIVE), "Main comes from the archive: " + mainLoads(traced));

        // Another classpath (one more folder at its end), a file that is not there, and off: the
        // classes load from the classpath, and the console is the plain one.
        Path extra = Files.createDirectories(dir.resolve("extra-classes"));
        String otherCp = extra + File.pathSeparator + cp;
        for (Map<String, String> env : List.of(Map.of("GPS_CLASS_ARCHIVE", archive.toString()),
                Map.of("GPS_CLASS_ARCHIVE", dir.resolve("missing.jsa").toString()), Map.of("GPS_CLASS_ARCHIVE", "off"))) {
            String classpath = env.get("GPS_CLASS_ARCHIVE").equals(archive.toString()) ? otherCp : cp;
            Console c = version(classpath, env);
            assertEquals(plain.text(), c.text(), env + " on " + (classpath.equals(cp) ? "the" : "another") + " classpath");
            Map<String, String> tracedEnv = new java.util.HashMap<>(env);
            tracedEnv.put("GPS_JAVA_OPTS", logLoads);
            Console t = version(classpath, tracedEnv);
            assertEquals(1, mainLoads(t).size(), t.text());
            assertFalse(mainLoads(t).get(0).contains(FROM_ARCHIVE), env + ": " + mainLoads(t));
            assertFalse(t.text().contains("[cds"), "no word about archives: " + t.text());
        }
    }

    /** The recording script records from a short run of its own and puts the archive in place whole. */
    @Test
    @Tag("slow")
    void theRecordingScriptWritesAnArchiveThatALaterRunMaps() throws Exception {
        Path archive = dir.resolve("run.jsa");
        Console rec = run("gps-class-archive", Map.of(), archive.toString(), cp);
        assertEquals(0, rec.exitCode(), rec.text());
        assertEquals("", rec.text(), "nothing on the console");
        assertTrue(Files.size(archive) > 0);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("run.jsa.partial")),
                    "no partial archive left");
        }
        Console traced = run("gps-jvm", Map.of("GPS_CLASS_ARCHIVE", archive.toString(),
                "GPS_JAVA_OPTS", "-Xmx1g -Djava.io.tmpdir=" + dir + " -Xlog:class+load=info"),
                cp, Main.class.getName(), "--version");
        assertEquals(0, traced.exitCode(), traced.text());
        assertTrue(mainLoads(traced).get(0).contains(FROM_ARCHIVE), traced.text());
        // A run loads Spark's classes, which --version does not.
        assertTrue(Files.size(archive) > 2 * Files.size(recordVersionArchive()), "more than a --version's classes");
    }

    private static Path recordVersionArchive() throws Exception {
        Path a = dir.resolve("small.jsa");
        if (!Files.exists(a)) {
            assertEquals(0, version(cp, Map.of("GPS_CLASS_ARCHIVE_RECORD", a.toString())).exitCode());
        }
        return a;
    }

    @Test
    void theRecordingScriptRefusesBadArguments() throws Exception {
        Console none = run("gps-class-archive", Map.of());
        assertEquals(2, none.exitCode(), none.text());
        assertEquals("jobs/gps-class-archive: expected ARCHIVE and CLASSPATH, got 0 argument(s) (--help)",
                none.text().strip());
        Console noFolder = run("gps-class-archive", Map.of(), dir.resolve("no/such/folder/a.jsa").toString(), "x");
        assertEquals(2, noFolder.exitCode(), noFolder.text());
        assertTrue(noFolder.text().strip().startsWith("jobs/gps-class-archive: no folder "), noFolder.text());
    }
}
