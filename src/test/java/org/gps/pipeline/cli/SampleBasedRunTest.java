package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gps.pipeline.config.TestConfigs;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two-iteration runs of the algorithms whose C-step reads the samples (PI2, PILQR, MDGPS with
 * PILQR or PI2) on a tiny Pendulum config, each made twice: the state files carry the per-step arrays the
 * next iteration starts from, and the second run reproduces the first bit for bit.
 */
@Tag("slow")
class SampleBasedRunTest {
    private static final String CONFIG = """
            name: tiny-%s
            seed: 7
            algorithm: %s
            iterations: 2
            horizon: 10
            samples: 4
            """ + TestConfigs.TINY_PENDULUM_TASK + """
            %s
            """;
    private static final String POLICY = """
            policy:
              hidden: [8]
              train_iterations: 20
              eval_episodes: 5
              sample_on_policy: true
            """;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"trajopt_pi2", "trajopt_pilqr", "mdgps_pilqr", "mdgps_pi2"})
    void aTwoIterationRunKeepsItsPerStepStateAndReproducesItsBits(String algorithm) throws Exception {
        Path config = dir.resolve(algorithm + ".yaml");
        Files.writeString(config, CONFIG.formatted(algorithm, algorithm,
                algorithm.startsWith("mdgps") ? POLICY.replace("\n", "\n            ") : ""));
        String[] runs = {dir.resolve("a").toString(), dir.resolve("b").toString()};
        for (String r : runs) {
            CliTestSupport.Outcome o = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", r);
            assertEquals(0, o.exitCode(), o.err());
        }
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 2; i++) {
            JsonNode state = json.readTree(Path.of(runs[0], "iter=000" + i, "state.json").toFile());
            assertEquals(algorithm, state.get("algorithm").asText());
            for (JsonNode c : state.get("conditions")) {
                assertEquals(10, c.get("temperatures").size(), c.toString());
                for (JsonNode t : c.get("temperatures")) {
                    assertTrue(t.asDouble() > 0, "temperatures are positive: " + c);
                }
                if (algorithm.endsWith("_pi2")) {
                    assertNull(c.get("step_etas"), "PI2 keeps no LQR multipliers");
                } else {
                    assertEquals(10, c.get("step_etas").size(), c.toString());
                    assertEquals(10, c.get("step_mults").size(), c.toString());
                    if (i == 0) {
                        // The step rule runs from the second iteration on: the first uses step_mult 1 everywhere.
                        for (JsonNode m : c.get("step_mults")) {
                            assertEquals(1.0, m.asDouble(), 0.0);
                        }
                    }
                    assertNotNull(c.get("residual_ratio"), c.toString());
                }
            }
        }
        assertTrue(Files.exists(Path.of(runs[0], "iter=0002", "controllers.json")));
        Map<String, List<String>> a = RunValues.of(Path.of(runs[0]), SparkTestSession.get());
        Map<String, List<String>> b = RunValues.of(Path.of(runs[1]), SparkTestSession.get());
        for (String output : algorithm.startsWith("mdgps")
                ? new String[] {"iter=0000/state.json", "iter=0001/state.json", "iter=0002/controllers",
                        "iter=0001/policy.json"}
                : new String[] {"iter=0000/state.json", "iter=0001/state.json", "iter=0002/controllers"}) {
            assertTrue(a.containsKey(output), output + " in " + a.keySet());
            assertEquals(a.get(output), b.get(output), output + " differs between two runs of the same config");
        }
        assertFalse(a.get("iter=0002/controllers").equals(a.get("iter=0001/controllers")),
                "the C-step changed the controllers");
    }
}
