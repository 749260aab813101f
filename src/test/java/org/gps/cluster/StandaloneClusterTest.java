package org.gps.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.gps.pipeline.cli.CliTestSupport;
import org.gps.pipeline.cli.Main;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One GPS iteration on a real Spark standalone cluster: a master and a worker in their own JVMs on
 * 127.0.0.1, and each step (init, sample, fit-dynamics, trajopt) submitted as its own application
 * through Spark's own submit entry point, as jobs/submit does, with jobs/spark-gps.conf. The same
 * steps then run in local mode on the shared test session; a cluster must not change a single bit.
 *
 * <p>No Spark distribution can be downloaded here, so the "distribution" is the Maven test
 * classpath: SPARK_HOME/jars holds symlinks to its jars (the worker builds executor command lines
 * from that folder, and fails with "Cannot find any build directories" without it).
 *
 * <p>It costs about five CPU-minutes (ten JVMs), hence the slow tag: {@code -DexcludedGroups=slow} leaves
 * it out of a quick local run.
 */
@Tag("slow")
class StandaloneClusterTest {
    static final String CONFIG = """
            name: cluster-test
            seed: 7
            iterations: 1
            horizon: 20
            samples: 2
            environment: {type: pendulum}
            conditions: [[3.141592653589793, 0.0], [1.0, 0.0]]
            initial_controller: {type: lqr, init_var: 1.0}
            cost:
              terms:
                - {type: state, target: [1, 0, 0], weights: [1, 1, 0.1]}
                - {type: action, weights: 0.05}
            """;
    static final List<String> STEPS = List.of("init", "sample", "fit-dynamics", "trajopt");
    /** Generous: on a loaded two-core machine one application has taken over three minutes. */
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(8);
    static final String LOOPBACK = "127.0.0.1";
    /** The tests' numbers come from netlib's Java kernels; the cluster JVMs must use the same ones. */
    static final List<String> JAVA_KERNELS = List.of("-Ddev.ludovic.netlib.blas.allowNative=false",
            "-Ddev.ludovic.netlib.lapack.allowNative=false", "-Ddev.ludovic.netlib.arpack.allowNative=false");
    /**
     * Ten short-lived JVMs share two cores with the rest of the suite: one GC thread each. Master and
     * worker only pass messages, so they skip the optimising compiler too (drivers and executors keep
     * it: their numbers must be those of the test JVM, and that is the configuration compared).
     */
    static final List<String> LEAN_JVM = List.of("-XX:+UseSerialGC");
    static final List<String> LEANER_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @TempDir
    static Path dir;
    static final List<Process> started = new ArrayList<>();
    static Path logs;
    static Path workerWorkDir;
    static int masterUiPort;
    /** Application name to application id, from the master's JSON. */
    static Map<String, String> appIds = new LinkedHashMap<>();
    static Map<String, Long> appMillis = new LinkedHashMap<>();
    static Path clusterRun;
    static Path localRun;
    static long clusterMillis;

    @BeforeAll
    static void runOneIterationOnTheClusterAndLocally() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(StandaloneClusterTest::stopEverything));
        logs = Files.createDirectories(dir.resolve("logs"));
        workerWorkDir = Files.createDirectories(dir.resolve("worker-work"));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, CONFIG);
        clusterRun = dir.resolve("cluster-run");
        localRun = dir.resolve("local-run");

        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                jars.add(entry);
            }
        }
        Path sparkHome = fakeSparkHome(jars);
        String classpath = String.join(File.pathSeparator, jars);
        Path appJar = appJarOfTargetClasses();

        int masterPort = freePort();
        masterUiPort = freePort();
        int workerPort = freePort();
        int workerUiPort = freePort();
        String master = "spark://" + LOOPBACK + ":" + masterPort;
        start("master", sparkHome, javaCommand(classpath, LEANER_JVM, "-Xmx256m", "org.apache.spark.deploy.master.Master",
                "--host", LOOPBACK, "--port", "" + masterPort, "--webui-port", "" + masterUiPort));
        start("worker", sparkHome, javaCommand(classpath, LEANER_JVM, "-Xmx256m", "org.apache.spark.deploy.worker.Worker",
                "--host", LOOPBACK, "--port", "" + workerPort, "--webui-port", "" + workerUiPort,
                "--cores", "1", "--memory", "1g", "--work-dir", workerWorkDir.toString(), master));
        awaitAliveWorker();

        long t0 = System.nanoTime();
        for (String step : STEPS) {
            List<String> gpsArgs = step.equals("init")
                    ? List.of("init", "--config", config.toString(), "--run-dir", clusterRun.toString())
                    : List.of(step, "--run-dir", clusterRun.toString(), "--iteration", "0");
            List<String> submit = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
                    "--master", master, "--deploy-mode", "client", "--name", "gps " + step,
                    "--properties-file", Path.of("jobs", "spark-gps.conf").toAbsolutePath().toString(),
                    "--conf", "spark.driver.host=" + LOOPBACK, "--conf", "spark.driver.bindAddress=" + LOOPBACK,
                    "--conf", "spark.executor.memory=512m", "--conf", "spark.cores.max=1",
                    // local[2] has a default parallelism of 2; pin the cluster's to the same.
                    "--conf", "spark.default.parallelism=2",
                    "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", JAVA_KERNELS) + " "
                            + String.join(" ", LEAN_JVM),
                    "--conf", "spark.ui.enabled=false",
                    "--class", Main.class.getName(), appJar.toString()));
            submit.addAll(gpsArgs);
            List<String> cmd = javaCommand(classpath, LEAN_JVM, "-Xmx512m", submit.toArray(String[]::new));
            Process p = start("submit-" + step, sparkHome, cmd);
            if (!p.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                fail("gps " + step + " did not finish within " + STEP_TIMEOUT + "\n" + tail("submit-" + step));
            }
            assertEquals(0, p.exitValue(), "gps " + step + " on the cluster failed:\n" + tail("submit-" + step));
        }
        clusterMillis = (System.nanoTime() - t0) / 1_000_000;
        appIds = finishedApplications();

        for (String step : STEPS) {
            String[] args = step.equals("init")
                    ? new String[] {"init", "--config", config.toString(), "--run-dir", localRun.toString()}
                    : new String[] {step, "--run-dir", localRun.toString(), "--iteration", "0"};
            CliTestSupport.Outcome o = CliTestSupport.run(args);
            assertEquals(0, o.exitCode(), "local " + step + ": " + o.err());
        }
        System.out.printf("StandaloneClusterTest: 4 submissions in %.1f s; application durations (ms) %s%n",
                clusterMillis / 1e3, appMillis);
    }

    @AfterAll
    static void stopCluster() {
        stopEverything();
    }

    @Test
    void everyStepWasAnApplicationWhoseExecutorOnTheWorkerRanTasksFromTheSubmittedJar() throws IOException {
        for (String step : STEPS) {
            String id = appIds.get("gps " + step);
            assertTrue(id != null, "the master lists no finished application 'gps " + step + "': " + appIds);
            Path appDir = workerWorkDir.resolve(id);
            assertTrue(Files.isDirectory(appDir), "the worker has no folder for " + id);
            List<Path> executors;
            try (Stream<Path> s = Files.list(appDir)) {
                executors = s.filter(Files::isDirectory).toList();
            }
            assertEquals(1, executors.size(), "one executor per application (1 core, spark.cores.max=1): " + executors);
            Path executor = executors.get(0);
            // The executor fetched the application jar from the driver: the steps' classes came from it.
            assertTrue(Files.exists(executor.resolve("app.jar")), "no app.jar in " + executor);
            String stderr = Files.readString(executor.resolve("stderr"));
            if (!step.equals("init")) {
                assertTrue(stderr.contains("Finished task"), "the executor of gps " + step + " ran no task:\n"
                        + stderr.substring(Math.max(0, stderr.length() - 3000)));
            }
        }
    }

    @Test
    void controllersAndStateAreByteForByteThoseOfLocalMode() throws IOException {
        for (String file : List.of("config.json", "iter=0000/controllers.json", "iter=0001/controllers.json",
                "iter=0000/state.json")) {
            assertEquals(Files.readString(localRun.resolve(file)), Files.readString(clusterRun.resolve(file)), file);
        }
    }

    @Test
    void rolloutsHoldTheSameValuesAsInLocalMode() {
        List<String> local = rows(localRun.resolve("iter=0000/rollouts"));
        List<String> cluster = rows(clusterRun.resolve("iter=0000/rollouts"));
        assertEquals(2 * 2 * 20, local.size(), "conditions x samples x T rows");
        // Row strings print every double with Double.toString, which round-trips: equal strings, equal bits.
        assertEquals(local, cluster);
    }

    private static List<String> rows(Path rollouts) {
        return SparkTestSession.get().read().parquet(rollouts.toString())
                .orderBy("condition", "sample", "t").collectAsList().stream().map(Row::toString).toList();
    }

    /** A Spark "distribution" whose jars/ is the test classpath, which is what executors are started from. */
    private static Path fakeSparkHome(List<String> jars) throws IOException {
        Path home = dir.resolve("spark-home");
        Path jarDir = Files.createDirectories(home.resolve("jars"));
        for (String jar : jars) {
            Path source = Path.of(jar);
            Path link = jarDir.resolve(source.getFileName());
            for (int i = 1; Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS); i++) {
                link = jarDir.resolve(i + "-" + source.getFileName());
            }
            Files.createSymbolicLink(link, source.toAbsolutePath());
        }
        return home;
    }

    /**
     * During {@code mvn test} target/gps.jar does not exist yet (packaging comes later), so the
     * application jar is made here from the compiled main classes: exactly our code, nothing else.
     */
    private static Path appJarOfTargetClasses() throws Exception {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(classes), "expected compiled classes in a folder, got " + classes);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static List<String> javaCommand(String classpath, List<String> flags, String heap, String... mainAndArgs)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.add(heap);
        // The options Spark 4 needs on Java 17, shared with jobs/gps and Surefire.
        cmd.addAll(Files.readAllLines(Path.of("jobs", "jvm.options")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
        cmd.addAll(JAVA_KERNELS);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.addAll(List.of(mainAndArgs));
        return cmd;
    }

    private static Process start(String name, Path sparkHome, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("PYSPARK") || k.equals("HADOOP_CONF_DIR")
                || k.equals("YARN_CONF_DIR"));
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", LOOPBACK);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            // no input for any of them
        }
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    private static void awaitAliveWorker() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            for (Process p : started) {
                if (!p.isAlive()) {
                    fail("a cluster process exited with " + p.exitValue() + "\nmaster:\n" + tail("master")
                            + "\nworker:\n" + tail("worker"));
                }
            }
            try {
                JsonNode json = masterJson();
                last = json.toString();
                if (json.path("aliveworkers").asInt() == 1) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        fail("no worker registered with the master in 3 minutes; last answer " + last + "\nmaster:\n" + tail("master")
                + "\nworker:\n" + tail("worker"));
    }

    private static JsonNode masterJson() throws IOException {
        URI uri = URI.create("http://" + LOOPBACK + ":" + masterUiPort + "/json/");
        return new ObjectMapper().readTree(uri.toURL());
    }

    /** The finished applications by name; the master lists an application once its driver has gone. */
    private static Map<String, String> finishedApplications() throws Exception {
        Map<String, String> byName = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            byName.clear();
            for (JsonNode app : masterJson().path("completedapps")) {
                if (app.path("state").asText().equals("FINISHED")) {
                    byName.put(app.path("name").asText(), app.path("id").asText());
                    appMillis.put(app.path("name").asText(), app.path("duration").asLong());
                }
            }
            if (byName.size() >= STEPS.size()) {
                break;
            }
            Thread.sleep(500);
        }
        return byName;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    private static String tail(String name) {
        try {
            List<String> lines = Files.readAllLines(logs.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Every process this test started, with whatever they started (the worker's executors): politely,
     * then by force. Drivers first, the worker before the master.
     */
    static void stopEverything() {
        List<Process> all;
        synchronized (started) {
            all = new ArrayList<>(started);
            started.clear();
        }
        java.util.Collections.reverse(all);
        List<ProcessHandle> handles = new ArrayList<>();
        for (Process p : all) {
            p.descendants().forEach(handles::add);
            handles.add(p.toHandle());
        }
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (ProcessHandle h : handles) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception stillAlive) {
                h.destroyForcibly();
            }
        }
    }
}
