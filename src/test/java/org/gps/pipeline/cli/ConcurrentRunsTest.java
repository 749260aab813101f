package org.gps.pipeline.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Safe steps: two runs in different run directories never touch each other. Run B
 * goes through a whole iteration in a JVM of its own while run A does the same in this one;
 * each must then hold exactly what a lone run of its config gives, and B's process must have
 * written nothing outside its run directory but Spark's own scratch space under java.io.tmpdir.
 */
@Tag("slow")
class ConcurrentRunsTest {
    static String config(long seed, String conditions) {
        return TinyRun.CONFIG.replace("name: tiny-safe", "name: run-" + seed)
                .replace("seed: 21", "seed: " + seed)
                .replace("conditions: [[3.141592653589793, 0.0], [0.5, 0.0]]", "conditions: " + conditions);
    }

    static List<String> iteration(Path config, Path run) {
        String r = run.toString();
        return List.of("init", "--config", config.toString(), "--run-dir", r, "--and",
                "sample", "--run-dir", r, "--iteration", "0", "--and",
                "fit-dynamics", "--run-dir", r, "--iteration", "0", "--and",
                "trajopt", "--run-dir", r, "--iteration", "0");
    }

    static void inProcess(List<String> chain) {
        List<String> cmd = new ArrayList<>();
        for (int i = 0; i <= chain.size(); i++) {
            if (i == chain.size() || chain.get(i).equals("--and")) {
                CliTestSupport.Outcome o = CliTestSupport.run(cmd.toArray(String[]::new));
                assertEquals(0, o.exitCode(), cmd + "\n" + o.err());
                cmd.clear();
            } else {
                cmd.add(chain.get(i));
            }
        }
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void twoRunsAtOnceEachLeaveWhatALoneRunLeavesAndNothingElsewhere(@TempDir Path dir) throws Exception {
        // Run A is the shared tiny run, whose lone run is already on disk; run B has another seed
        // and other starts, so a file written into the wrong run could not go unnoticed.
        Path configA = TinyRun.config();
        Path configB = dir.resolve("b.yaml");
        Files.writeString(configB, config(32, "[[2.0, 0.5], [-1.0, 0.0]]"));
        Path loneA = TinyRun.optimised();
        Path runs = Files.createDirectories(dir.resolve("runs"));
        Path a = runs.resolve("a");
        Path b = runs.resolve("b");
        Path work = dir.resolve("work");
        Path tmp = dir.resolve("tmp");
        Path log = dir.resolve("b.log");

        // local[2]: the partitioning of the shared test session, which runs the lone reference.
        List<String> chainB = withMaster(iteration(configB, b), "local[2]");
        Process p = StepJvm.start(work, tmp, log, List.of(), StepChain.class.getName(), chainB);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!Files.exists(b.resolve("config.json")) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(p.isAlive(), "run B is still going when run A starts\n" + StepJvm.log(log));
            inProcess(iteration(configA, a));
            assertTrue(p.waitFor(600, TimeUnit.SECONDS), "run B ends");
            assertEquals(0, p.exitValue(), StepJvm.log(log));
        } finally {
            p.destroyForcibly();
        }

        Path loneB = dir.resolve("lone-b");
        inProcess(iteration(configB, loneB));
        RunDirectoryAssertions.assertSameOutputs(loneA, a);
        RunDirectoryAssertions.assertSameOutputs(loneB, b);

        assertEquals(List.of("a", "b"), names(runs), "nothing beside the run directories");
        assertEquals(List.of(), names(work), "nothing in run B's working directory");
        for (String n : names(tmp)) {
            assertTrue(n.startsWith("spark-") || n.startsWith("blockmgr-"),
                    "only Spark's scratch space in java.io.tmpdir, found " + n);
        }
    }

    /** --master belongs to each command of the chain. */
    static List<String> withMaster(List<String> chain, String master) {
        List<String> out = new ArrayList<>();
        for (String s : chain) {
            if (s.equals("--and")) {
                out.addAll(List.of("--master", master));
            }
            out.add(s);
        }
        out.addAll(List.of("--master", master));
        return out;
    }
}
