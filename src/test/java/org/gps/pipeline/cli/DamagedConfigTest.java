package org.gps.pipeline.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of damaged config, through every command that reads one (init and run): exit 2, the
 * last line names the file and the key with what was expected, no stack trace, no run directory.
 * The configs are written here from a valid one, one fault each.
 */
class DamagedConfigTest {
    static final String VALID = org.gps.pipeline.config.TestConfigs.MINIMAL_RUN;

    @TempDir
    static Path dir;

    /** name, config text (null: a folder), what the last line must say after "FILE: ". */
    static Stream<Arguments> damaged() {
        return Stream.of(
                Arguments.of("duplicate-key", VALID + "horizon: 20\n", "horizon: duplicate key at line 11"),
                Arguments.of("duplicate-nested-key", VALID + "trajopt: {kl_step: 1, kl_step: 2}\n",
                        "trajopt.kl_step: duplicate key"),
                Arguments.of("json-then-garbage", "{\"horizon\": 10, \"environment\": {\"type\": \"pendulum\"}} garbage\n",
                        "unexpected content after the end of the config"),
                Arguments.of("second-document", VALID + "---\nhorizon: 20\n", "unexpected content after the end"),
                Arguments.of("horizon-two-billion", VALID.replace("horizon: 10", "horizon: 2000000000"),
                        "horizon: 2000000000 exceeds 1000000"),
                Arguments.of("horizon-fifty-million", VALID.replace("horizon: 10", "horizon: 50000000"),
                        "horizon: 50000000 exceeds 1000000"),
                Arguments.of("rollouts-beyond-a-task", VALID.replace("horizon: 10", "horizon: 500000")
                        .replace("samples: 3", "samples: 1000"), "horizon: 500000 steps x 1000 samples"),
                Arguments.of("too-many-samples", VALID.replace("samples: 3", "samples: 1000000"),
                        "samples: 1000000 exceeds 100000"),
                Arguments.of("hidden-layer-too-wide", VALID + "algorithm: mdgps\npolicy: {hidden: [1000000]}\n",
                        "policy.hidden: 1000000 exceeds 65536"),
                Arguments.of("wrong-type", VALID.replace("samples: 3", "samples: five"),
                        "samples: expected an integer, got the string 'five'"),
                Arguments.of("unknown-key", VALID + "horizn: 5\n", "horizn: unknown key"),
                Arguments.of("folder", null, "is a directory, expected a YAML or JSON file"));
    }

    static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name + ".yaml");
        if (text == null) {
            Files.createDirectories(p);
        } else {
            Files.writeString(p, text);
        }
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void initRefusesWithTheKeyAndWritesNothing(String name, String text, String says) throws Exception {
        Path config = write("init-" + name, text);
        Path run = dir.resolve("init-" + name + "-run");
        assertRefused(CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run.toString()),
                "gps init", config, says, run);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void runRefusesWithTheKeyAndWritesNothing(String name, String text, String says) throws Exception {
        Path config = write("run-" + name, text);
        Path run = dir.resolve("run-" + name + "-run");
        assertRefused(CliTestSupport.run("run", "--config", config.toString(), "--run-dir", run.toString()),
                "gps run", config, says, run);
    }

    static void assertRefused(CliTestSupport.Outcome o, String command, Path config, String says, Path run) {
        assertEquals(2, o.exitCode(), o.err());
        List<String> lines = o.err().lines().filter(l -> !l.isBlank()).toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith(command + ": error: " + config + ": ") && last.contains(says),
                "last line names the key: " + last);
        assertFalse(CleanConsoleTest.TRACE_LINE.matcher(o.err() + o.out()).find(), o.err());
        assertFalse(Files.exists(run), "nothing written: " + run);
    }
}
