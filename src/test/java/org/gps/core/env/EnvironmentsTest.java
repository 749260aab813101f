package org.gps.core.env;

import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvironmentsTest {

    @Test
    void buildsEveryTypeWithDefaults() {
        assertEquals(List.of("pendulum", "linear", "point_mass", "two_link_arm"), Environments.types());
        int[][] dims = {{3, 1, 3}, {2, 1, 2}, {4, 2, 4}, {4, 2, 6}};
        for (int i = 0; i < dims.length; i++) {
            String type = Environments.types().get(i);
            Environment env = Environments.create(type, Map.of());
            assertEquals(type, env.name());
            assertArrayEquals(dims[i], new int[] {env.stateDim(), env.actionDim(), env.observationDim()}, type);
            env.reset(new double[env.stateDim()], 1L);
            env.step(new double[env.actionDim()]);
            assertEquals(env.observationDim(), env.observation().length);
            // Built environments survive Java serialization (Spark ships them to executors).
            assertEquals(type, SerializationRoundTrip.copy(env).name());
        }
    }

    @Test
    void buildsFromParsedConfigValues() {
        // What a YAML/JSON parser hands over: Integers, Doubles, nested lists.
        Map<String, Object> linear = Map.of(
                "A", List.of(List.of(1, 0, 0), List.of(0, 1, 0), List.of(0, 0, 1)),
                "B", List.of(List.of(1), List.of(0.5), List.of(0)),
                "noise_std", List.of(0, 0.1, 0.2));
        LinearSystem sys = (LinearSystem) Environments.create("linear", linear);
        assertEquals(3, sys.stateDim());
        assertEquals(1, sys.actionDim());
        assertArrayEquals(new double[] {0, 0.1, 0.2}, sys.noiseStd(), 0.0);

        LinearSystem big = (LinearSystem) Environments.create("linear",
                Map.of("state_dim", 26, "action_dim", 7, "system_seed", 3, "noise_std", 0.01));
        assertEquals(LinearSystem.randomStable(26, 7, 3L).a(), big.a());

        Pendulum p = (Pendulum) Environments.create("pendulum", Map.of("type", "pendulum", "dt", 0.02));
        assertEquals(0.02, p.dt(), 0.0);
        assertEquals(2.0, p.maxTorque(), 0.0);

        PointMass pm = (PointMass) Environments.create("point_mass", Map.of("target", List.of(3, 4)));
        assertArrayEquals(new double[] {3, 4}, pm.target(), 0.0);

        TwoLinkArm arm = (TwoLinkArm) Environments.create("two_link_arm",
                Map.of("link_lengths", List.of(1.0, 0.5), "gravity", 9.81));
        assertArrayEquals(new double[] {1.5, 0.0}, arm.endEffector(0, 0), 1e-15);
    }

    @Test
    void unknownTypeIsABadInputNamingTheTypeKey() {
        BadInputException e = assertThrows(BadInputException.class, () -> Environments.create("cartpole", Map.of()));
        assertEquals("environment.type: unknown environment 'cartpole'; expected one of pendulum, linear, point_mass,"
                + " two_link_arm", e.getMessage());
        assertThrows(BadInputException.class, () -> Environments.create(null, Map.of()));
        assertThrows(BadInputException.class, () -> Environments.describeParams("cartpole"));
    }

    @Test
    void malformedMatricesAreBadInputsNamingTheKey() {
        List<List<Integer>> a3 = List.of(List.of(1, 0, 0), List.of(0, 1, 0), List.of(0, 0, 1));
        assertMessage("environment.B: expected a 3xC matrix, got 2 rows",
                Map.of("A", a3, "B", List.of(List.of(1), List.of(1))));
        assertMessage("environment.A: expected a square dX x dX matrix, got 2x3",
                Map.of("A", List.of(List.of(1, 0, 0), List.of(0, 1, 0)), "B", List.of(List.of(1), List.of(1))));
        assertMessage("environment.A: expected a RxC matrix, row 1 has 2 values (expected 3)",
                Map.of("A", List.of(List.of(1, 0, 0), List.of(0, 1), List.of(0, 0, 1)), "B", List.of()));
        assertMessage("environment.A: expected a number at row 0, column 1, got the text \"x\"",
                Map.of("A", List.of(List.of(1, "x"), List.of(0, 1)), "B", List.of(List.of(1), List.of(1))));
        assertMessage("environment.A: expected a RxC matrix (a list of rows), got the number 3",
                Map.of("A", 3, "B", List.of(List.of(1))));
        assertMessage("environment.A: missing; expected a RxC matrix (a list of rows)",
                Map.of("B", List.of(List.of(1))));
        assertMessage("environment.noise_std: expected a number or a list of 3 numbers, got a list of 2",
                Map.of("A", a3, "B", List.of(List.of(1), List.of(1), List.of(1)), "noise_std", List.of(1, 2)));
        assertMessage("environment.state_dim: only used for a random stable system; remove it or remove A and B",
                Map.of("A", a3, "B", List.of(List.of(1), List.of(1), List.of(1)), "state_dim", 3));
    }

    @Test
    void unknownKeysAndBadScalarsAreBadInputsNamingTheKey() {
        BadInputException unknown = assertThrows(BadInputException.class,
                () -> Environments.create("pendulum", Map.of("max_sped", 8)));
        assertEquals("environment.max_sped: unknown parameter for environment 'pendulum'; known: g, m, l, dt,"
                + " max_speed, max_torque, state", unknown.getMessage());
        BadInputException negative = assertThrows(BadInputException.class,
                () -> Environments.create("pendulum", Map.of("dt", -0.1)));
        assertEquals("environment.dt: expected a number > 0, got -0.1", negative.getMessage());
        BadInputException text = assertThrows(BadInputException.class,
                () -> Environments.create("point_mass", Map.of("mass", "heavy")));
        assertEquals("environment.mass: expected a number, got the text \"heavy\"", text.getMessage());
        BadInputException target = assertThrows(BadInputException.class,
                () -> Environments.create("two_link_arm", Map.of("target", List.of(1, 2, 3))));
        assertEquals("environment.target: expected a list of 2 numbers, got 3", target.getMessage());
        BadInputException typeClash = assertThrows(BadInputException.class,
                () -> Environments.create("pendulum", Map.of("type", "linear")));
        assertTrue(typeClash.getMessage().startsWith("environment.type: "), typeClash.getMessage());
        BadInputException prefixed = assertThrows(BadInputException.class,
                () -> Environments.create("linear", Map.of("state_dim", 2.5), "experiment.env."));
        assertEquals("experiment.env.state_dim: expected an integer, got the number 2.5", prefixed.getMessage());
    }

    @Test
    void describedDefaultsAreTheOnesTheEnvironmentsUse() {
        List<EnvParam> pendulum = Environments.describeParams("pendulum");
        assertEquals(List.of("g", "m", "l", "dt", "max_speed", "max_torque", "state"),
                pendulum.stream().map(EnvParam::name).toList());
        assertEquals("trig", pendulum.get(6).defaultValue());
        assertEquals(3, ((Pendulum) Environments.create("pendulum", Map.of())).stateDim());
        assertEquals(8.0, pendulum.get(4).defaultValue());
        assertEquals(List.of(1.0, 1.0), Environments.describeParams("two_link_arm").get(0).defaultValue());
        // A pendulum built from no params behaves like Gym's defaults.
        Pendulum fromConfig = (Pendulum) Environments.create("pendulum", Map.of());
        assertEquals(0.05, fromConfig.dt(), 0.0);
        assertEquals(8.0, fromConfig.maxSpeed(), 0.0);
        String help = Environments.help();
        for (String type : Environments.types()) {
            for (EnvParam p : Environments.describeParams(type)) {
                assertTrue(help.contains("  " + p.name() + " "), p.name());
            }
        }
    }

    private static void assertMessage(String expected, Map<String, ?> linearParams) {
        BadInputException e = assertThrows(BadInputException.class, () -> Environments.create("linear", linearParams));
        assertEquals(expected, e.getMessage());
    }
}
