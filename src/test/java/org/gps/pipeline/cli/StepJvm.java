package org.gps.pipeline.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts the command line in a JVM of its own, as a scheduler does: through the launcher's JVM start
 * ({@code jobs/gps-jvm}) on the test classpath, with a working directory and a {@code java.io.tmpdir}
 * of the caller's choosing (so a test can see what a step leaves outside its run directory).
 */
final class StepJvm {
    /** The infix of every hidden temporary output of {@link org.gps.io.AtomicOutput}. */
    static final String STAGING_INFIX = "._tmp-";

    private StepJvm() {
    }

    /**
     * @param jvmFlags extra JVM flags, e.g. {@link #QUICK_START} for a process whose outputs are thrown away
     */
    static Process start(Path workDir, Path tmpDir, Path log, List<String> jvmFlags, String mainClass,
                         List<String> args) throws IOException {
        Files.createDirectories(workDir);
        Files.createDirectories(tmpDir);
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        // The launcher's own JVM start (jobs/gps-jvm, which jobs/gps ends in): its JVM options,
        // kernels and console handling, on the tests' classpath instead of the jar.
        List<String> javaOpts = new ArrayList<>(List.of("-Xmx1g", "-Djava.io.tmpdir=" + tmpDir));
        javaOpts.addAll(jvmFlags);
        List<String> cmd = new ArrayList<>(List.of("bash", base.resolve("jobs").resolve("gps-jvm").toString(),
                System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GPS_JAVA_OPTS", String.join(" ", javaOpts));
        pb.environment().remove("GPS_NATIVE_BLAS");
        pb.environment().remove("GPS_CLASS_ARCHIVE");
        pb.environment().remove("GPS_CLASS_ARCHIVE_RECORD");
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
                + System.getenv().getOrDefault("PATH", ""));
        return pb.start();
    }

    /**
     * Starts faster (C1 only, one GC thread) at the price of slower long runs; the tiers may sum
     * floating-point vector lanes in another order, so only for a process whose outputs are not compared.
     */
    static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** One command line of {@link Main}. */
    static Process startMain(Path workDir, Path tmpDir, Path log, List<String> jvmFlags, String... args)
            throws IOException {
        return start(workDir, tmpDir, log, jvmFlags, Main.class.getName(), List.of(args));
    }

    /**
     * Waits until the temporary folder of output {@code output} appears under {@code runDir}
     * (the step is publishing it) and kills the process with SIGKILL right then.
     *
     * @param output the output's name, e.g. {@code dynamics}
     * @return true when the process was killed; false when it ended on its own first
     */
    static boolean killOnceStaging(Process p, Path runDir, String output, long timeoutSeconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (p.isAlive() && System.nanoTime() < deadline) {
            if (hasStaging(runDir, output)) {
                p.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no cleanup
                p.waitFor(60, TimeUnit.SECONDS);
                return true;
            }
            Thread.sleep(2);
        }
        if (p.isAlive()) {
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
            throw new AssertionError("the step wrote nothing within " + timeoutSeconds + " s");
        }
        return false;
    }

    static boolean hasStaging(Path runDir, String output) {
        String prefix = "." + output + STAGING_INFIX;
        try (Stream<Path> s = Files.walk(runDir)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
        } catch (IOException | UncheckedIOException e) {
            // A folder renamed while walking: look again on the next poll.
            return false;
        }
    }

    static String log(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
