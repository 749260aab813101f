package org.gps.pipeline.config;

import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReaderTest {
    private static final String MINIMAL = """
            horizon: 10
            environment: {type: pendulum}
            conditions:
              - [3.141592653589793, 0.0]
            cost:
              terms:
                - {type: state, target: [1, 0, 0]}
                - {type: action, weights: 0.1}
            """;

    private static String messageOf(String yaml) {
        return assertThrows(BadInputException.class, () -> ConfigReader.parse("c.yaml", yaml)).getMessage();
    }

    @Test
    void minimalConfigGetsEveryDefault() {
        ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL);
        assertEquals("trajopt", c.algorithm());
        assertEquals(5, c.samples());
        assertEquals(10, c.horizon());
        assertEquals("lqr", c.initialController().type());
        assertEquals(1.0, c.initialController().lqr().initVar());
        // [th, thdot] = [pi, 0] becomes x = [cos, sin, thdot]; sin(pi) is 1.2e-16 in double.
        assertArrayEquals(new double[] {-1, 0, 0}, c.conditions().get(0), 1e-15);
    }

    @Test
    void resolvedJsonParsesBackToTheSameConfig() {
        ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL + "seed: 7\nenvironment_unused: null\n".replace(
                "environment_unused: null\n", ""));
        String json = c.resolvedJson();
        ExperimentConfig back = ConfigReader.parse("config.json", json);
        assertEquals(json, back.resolvedJson());
        assertEquals(7, back.seed());
    }

    @Test
    void pendulumExampleParses() throws Exception {
        String text = Files.readString(Path.of("data/pendulum/trajopt.yaml"));
        ExperimentConfig c = ConfigReader.parse("data/pendulum/trajopt.yaml", text);
        assertEquals(4, c.conditionCount());
        assertEquals(100, c.horizon());
        assertEquals(5, c.samples());
        assertArrayEquals(new double[] {-1, 0, 0}, c.conditions().get(0), 1e-15);
    }

    @Test
    void unknownKeyIsNamedWithTheKeysExpected() {
        String m = messageOf(MINIMAL + "iteratons: 3\n");
        assertTrue(m.startsWith("c.yaml: iteratons: unknown key"), m);
        assertTrue(m.contains("iterations"), m);
    }

    @Test
    void wrongTypeNamesTheKeyAndWhatWasExpected() {
        assertEquals("c.yaml: samples: expected an integer, got the string 'five'", messageOf(MINIMAL + "samples: five\n"));
        assertEquals("c.yaml: samples: expected an integer >= 2, got 1", messageOf(MINIMAL + "samples: 1\n"));
    }

    @Test
    void missingHorizonIsReported() {
        String m = messageOf("environment: {type: pendulum}\nconditions: [[0, 0]]\n");
        assertEquals("c.yaml: horizon: missing; expected an integer >= 2", m);
    }

    @Test
    void badConditionNamesItsIndex() {
        String m = messageOf("horizon: 5\nenvironment: {type: pendulum}\nconditions: [[0, 0], [1, 2, 3, 4]]\n");
        assertTrue(m.startsWith("c.yaml: conditions[1]"), m);
    }

    @Test
    void unknownEnvironmentTypeListsTheKnownOnes() {
        String m = messageOf("horizon: 5\nenvironment: {type: cartpole}\nconditions: [[0, 0]]\n");
        assertTrue(m.contains("cartpole") && m.contains("pendulum"), m);
    }

    @Test
    void missingCostTermsAreReported() {
        String m = messageOf("horizon: 5\nenvironment: {type: pendulum}\nconditions: [[0, 0]]\n");
        assertEquals("c.yaml: cost.terms: missing; expected a list of cost terms (type: state or action)", m);
    }

    @Test
    void costWeightsOfTheWrongLengthAreNamed() {
        String m = messageOf(MINIMAL.replace("target: [1, 0, 0]", "target: [1, 0, 0], weights: [1, 2]"));
        assertEquals("c.yaml: cost.terms[0].weights: expected 3 values, got 2", m);
    }

    @Test
    void trajoptDefaultsAreTheAlgorithmsAndCanBeSet() {
        ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL + "trajopt: {kl_step: 1.0}\n");
        assertEquals(1.0, c.trajopt().klStep());
        assertEquals(1e-8, c.trajopt().minEta());
        assertEquals(0.01, c.trajopt().minStepMult());
        assertEquals(10.0, c.trajopt().maxStepMult());
        assertEquals("c.yaml: trajopt.kl_step: expected a positive number, got -1.0",
                messageOf(MINIMAL + "trajopt: {kl_step: -1}\n"));
    }

    @Test
    void malformedYamlGivesTheLine() {
        String m = messageOf("horizon: 5\nenvironment: {type: pendulum\n");
        assertTrue(m.startsWith("c.yaml: not valid YAML or JSON at line"), m);
    }

    @Test
    void initialControllerGainsMustMatchTheActionDimension() {
        String m = messageOf(MINIMAL + "initial_controller: {init_gains: [1, 2]}\n");
        assertEquals("c.yaml: initial_controller.init_gains: expected 1 value (one per action), got 2", m);
    }
}
