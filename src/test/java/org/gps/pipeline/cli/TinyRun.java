package org.gps.pipeline.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.gps.pipeline.config.TestConfigs;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A tiny run (2 conditions, 3 samples, T = 20, 2 iterations) taken step by step, uninterrupted,
 * once per test JVM; each stage is kept as a folder of its own that tests copy and then damage
 * or rerun. Built on the shared test session.
 */
final class TinyRun {
    static final String CONFIG = """
            name: tiny-safe
            seed: 21
            iterations: 2
            horizon: 20
            samples: 3
            """ + TestConfigs.TINY_PENDULUM_TASK + """
            # The start FitDynamicsHeldOutTest's recorded digest of these dynamics was made with.
            dynamics: {em_init: kmeans}
            """;

    private static Path root;
    private static Path config;
    private static Path sampled;
    private static Path fitted;
    private static Path optimised;
    private static Path second;

    private TinyRun() {
    }

    static synchronized Path config() {
        if (config == null) {
            try {
                root = Files.createTempDirectory("gps-tiny-run");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
                config = root.resolve("config.yaml");
                Files.writeString(config, CONFIG);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return config;
    }

    /** init and sample of iteration 0. */
    static synchronized Path sampled() {
        if (sampled == null) {
            Path r = config().getParent().resolve("sampled");
            ok("init", "--config", config().toString(), "--run-dir", r.toString());
            ok("sample", "--run-dir", r.toString(), "--iteration", "0");
            sampled = r;
        }
        return sampled;
    }

    /** ... then fit-dynamics of iteration 0. */
    static synchronized Path fitted() {
        if (fitted == null) {
            fitted = next(sampled(), "fitted", "fit-dynamics", 0);
        }
        return fitted;
    }

    /** ... then trajopt of iteration 0 (controllers of iteration 1, state of 0). */
    static synchronized Path optimised() {
        if (optimised == null) {
            optimised = next(fitted(), "optimised", "trajopt", 0);
        }
        return optimised;
    }

    /** ... then sample and fit-dynamics of iteration 1: everything trajopt of iteration 1 needs. */
    static synchronized Path secondIteration() {
        if (second == null) {
            Path r = next(optimised(), "second", "sample", 1);
            ok("fit-dynamics", "--run-dir", r.toString(), "--iteration", "1");
            second = r;
        }
        return second;
    }

    /** A copy of a stage, at {@code to}, for a test to change. */
    static Path copy(Path stage, Path to) {
        try {
            RunDirectoryAssertions.copyTree(stage, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    private static Path next(Path from, String name, String step, int iteration) {
        Path r = copy(from, from.getParent().resolve(name));
        ok(step, "--run-dir", r.toString(), "--iteration", Integer.toString(iteration));
        return r;
    }

    static void ok(String... args) {
        CliTestSupport.Outcome o = CliTestSupport.run(args);
        assertEquals(0, o.exitCode(), String.join(" ", args) + "\n" + o.err());
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort at JVM exit
        }
    }
}
