package org.gps.pipeline.config;

import org.gps.core.BadInputException;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.policy.PolicyOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReaderTest {
    private static final String MINIMAL = TestConfigs.MINIMAL;

    private static String messageOf(String yaml) {
        return assertThrows(BadInputException.class, () -> ConfigReader.parse("c.yaml", yaml)).getMessage();
    }

    @Test
    void minimalConfigGetsEveryDefault() {
        ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL);
        assertEquals(Algorithm.TRAJOPT, c.algorithm());
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

    /** Every experiment config in data/ is valid, so the commands in the docs that name them run. */
    @Test
    void everyExampleConfigParses() throws Exception {
        // data/logged holds logged rollouts and their ingest mappings, not experiment configs.
        try (java.util.stream.Stream<Path> files = Files.walk(Path.of("data"))) {
            List<Path> configs = files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.startsWith(Path.of("data", "logged"))).sorted().toList();
            assertTrue(configs.size() >= 7, configs.toString());
            for (Path f : configs) {
                ExperimentConfig c = ConfigReader.parse(f.toString(), Files.readString(f));
                assertTrue(c.conditionCount() > 0, f.toString());
            }
        }
    }

    @Test
    void actionLimitsAreOffByDefaultAndTheEnvironmentsBoxWhenAskedFor() {
        assertEquals(null, ConfigReader.parse("c.yaml", MINIMAL).actionLimits());
        ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL + "trajopt: {action_limits: environment}\n");
        assertArrayEquals(new double[] {-2}, c.actionLimits().lower(), 0.0);
        assertArrayEquals(new double[] {2}, c.actionLimits().upper(), 0.0);
        ExperimentConfig small = ConfigReader.parse("c.yaml", MINIMAL.replace("{type: pendulum}",
                "{type: pendulum, max_torque: 0.5}") + "trajopt: {action_limits: environment}\n");
        assertArrayEquals(new double[] {0.5}, small.actionLimits().upper(), 0.0);
    }

    @Test
    void mdgpsSharesOneStepSizeByDefaultAndTakesOnePerConditionWhenAskedFor() {
        assertEquals(StepSizeScope.SHARED, ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\n").stepSize());
        ExperimentConfig own = ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\ntrajopt: {step_size: "
                + "per_condition}\n");
        assertEquals(StepSizeScope.PER_CONDITION, own.stepSize());
        assertTrue(own.resolvedJson().replace(" ", "").contains("\"step_size\":\"per_condition\""),
                own.resolvedJson());
        // TrajOpt adjusts each condition's own multiplier anyway.
        assertEquals(StepSizeScope.PER_CONDITION, ConfigReader.parse("c.yaml", MINIMAL).stepSize());
    }

    @Test
    void stepSizeIsRefusedOutsideMdgpsAndForAnUnknownValueNamingTheKey() {
        String m = messageOf(MINIMAL + "trajopt: {step_size: shared}\n");
        assertTrue(m.startsWith("c.yaml: trajopt.step_size: "), m);
        assertTrue(m.contains("read by mdgps only; trajopt adjusts each condition's step multiplier on its own"), m);
        assertTrue(messageOf(MINIMAL + "algorithm: badmm\ntrajopt: {step_size: per_condition}\n")
                .contains("read by mdgps only; badmm"));
        String unknown = messageOf(MINIMAL + "algorithm: mdgps\ntrajopt: {step_size: each}\n");
        assertTrue(unknown.startsWith("c.yaml: trajopt.step_size: "), unknown);
        assertTrue(unknown.contains("expected one of shared, per_condition"), unknown);
    }

    @Test
    void actionLimitsOfAnEnvironmentWithoutLimitsAreRefusedNamingTheKey() {
        String linear = """
                horizon: 10
                environment: {type: linear, state_dim: 2, action_dim: 1}
                conditions: [[1.0, 0.0]]
                cost:
                  terms:
                    - {type: state, target: [0, 0]}
                    - {type: action, weights: 0.1}
                trajopt: {action_limits: environment}
                """;
        String m = messageOf(linear);
        assertTrue(m.startsWith("c.yaml: trajopt.action_limits: "), m);
        assertTrue(m.contains("no action limits"), m);
        assertTrue(messageOf(MINIMAL + "trajopt: {action_limits: clip}\n").contains("expected one of none, environment"));
    }

    @Test
    void dynamicsAreFittedOnTheCommandedActionUnlessTheConfigSaysApplied() throws Exception {
        ExperimentConfig plain = ConfigReader.parse("c.yaml", MINIMAL);
        assertEquals(DynamicsOptions.Action.COMMANDED, plain.dynamics().action());
        assertEquals("commanded", new com.fasterxml.jackson.databind.ObjectMapper().readTree(plain.resolvedJson())
                .at("/dynamics/action").asText(), "config.json records the default");
        ExperimentConfig applied = ConfigReader.parse("c.yaml", MINIMAL + "dynamics: {action: applied}\n");
        assertEquals(DynamicsOptions.Action.APPLIED, applied.dynamics().action());
        assertEquals(DynamicsOptions.Action.APPLIED,
                ConfigReader.parse("config.json", applied.resolvedJson()).dynamics().action());
        assertEquals("c.yaml: dynamics.action: expected one of commanded, applied, got 'clipped'",
                messageOf(MINIMAL + "dynamics: {action: clipped}\n"));
    }

    /** One EM start for every GMM of a run: the policy linearization's follows dynamics.em_init. */
    @Test
    void thePolicyLinearizationsGmmsTakeTheDynamicsSectionsEmStart() {
        ExperimentConfig plain = ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\n");
        assertEquals(GmmOptions.Initialization.AUTO, plain.dynamics().em().initialization());
        assertEquals(GmmOptions.Initialization.AUTO, plain.policy().prior().em().initialization());
        for (GmmOptions.Initialization start : GmmOptions.Initialization.values()) {
            ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\ndynamics: {em_init: "
                    + start.configName() + "}\n");
            assertEquals(start, c.dynamics().em().initialization());
            assertEquals(start, c.policy().prior().em().initialization(), start.configName());
            assertEquals(start, ConfigReader.parse("config.json", c.resolvedJson()).policy().prior().em()
                    .initialization(), "config.json, " + start.configName());
        }
    }

    @Test
    void pilqrSectionsGetTheOriginalsDefaultsAndRampsOfEitherForm() {
        ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL + "algorithm: trajopt_pilqr\n");
        assertEquals(Algorithm.TRAJOPT_PILQR, c.algorithm());
        assertEquals(org.gps.core.control.Pi2Options.defaults(), c.pi2());
        assertEquals(org.gps.core.control.PilqrOptions.defaults(), c.pilqr());
        assertTrue(c.trajopt().consPerStep(), "PILQR's LQR part has one KL bound per step");
        ExperimentConfig set = ConfigReader.parse("c.yaml", MINIMAL + """
                algorithm: mdgps_pilqr
                pi2: {kl_threshold: 0.5, covariance_damping: 10}
                pilqr: {kl_step: 0.3, max_step_mult: [4, 2], step_rule: const, replay_start: sample}
                """);
        assertTrue(set.trainsPolicy());
        assertEquals(0.5, set.pi2().klThreshold());
        assertEquals(10.0, set.pi2().covarianceDamping());
        assertEquals(new org.gps.core.control.Ramp(0.3, 0.3), set.pilqr().klStep());
        assertEquals(new org.gps.core.control.Ramp(4, 2), set.pilqr().maxStepMult());
        assertEquals(org.gps.core.control.PilqrOptions.StepRule.CONST, set.pilqr().stepRule());
        assertEquals(org.gps.core.control.PilqrOptions.ReplayStart.SAMPLE, set.pilqr().replayStart());
        assertEquals(set.resolvedJson(), ConfigReader.parse("config.json", set.resolvedJson()).resolvedJson());
        ExperimentConfig pi2 = ConfigReader.parse("c.yaml", MINIMAL + "algorithm: trajopt_pi2\n");
        assertEquals(org.gps.core.control.Pi2Options.defaults(), pi2.pi2());
        assertEquals(null, pi2.pilqr());
    }

    @Test
    void sampleBasedSectionsAreRefusedWhereTheyAreNotReadNamingTheKey() {
        assertTrue(messageOf(MINIMAL + "pi2: {kl_threshold: 2}\n").contains("c.yaml: pi2: only the PI2 and PILQR "
                + "algorithms (trajopt_pi2, trajopt_pilqr, mdgps_pilqr, mdgps_pi2) read this section"));
        assertTrue(messageOf(MINIMAL + "algorithm: trajopt_pi2\npilqr: {kl_step: 1}\n").contains("c.yaml: pilqr: "));
        assertTrue(messageOf(MINIMAL + "algorithm: trajopt_pilqr\ntrajopt: {kl_step: 1}\n")
                .contains("trajopt.kl_step: not read by trajopt_pilqr"), "set pilqr.kl_step instead");
        assertTrue(messageOf(MINIMAL + "algorithm: trajopt_pilqr\npilqr: {kl_step: [1, 2, 3]}\n")
                .contains("pilqr.kl_step: expected a number or [first, last]"));
        assertTrue(messageOf(MINIMAL + "algorithm: trajopt_pilqr\npilqr: {min_step_mult: 20}\n")
                .contains("pilqr.min_step_mult: expected at most max_step_mult"));
        assertTrue(messageOf(MINIMAL + "algorithm: trajopt_pi2\npi2: {kl_threshold: 0}\n")
                .contains("pi2.kl_threshold"));
        // Five samples (the default): their weights are at most log 5 = 1.609 nats from uniform.
        assertTrue(messageOf(MINIMAL + "algorithm: trajopt_pi2\npi2: {kl_threshold: 1.7}\n")
                .contains("c.yaml: pi2.kl_threshold: expected a bound below log(samples) = 1.609, got 1.7"));
        assertEquals(1.6, ConfigReader.parse("c.yaml", MINIMAL + "algorithm: trajopt_pi2\npi2: {kl_threshold: 1.6}\n")
                .pi2().klThreshold());
        assertTrue(messageOf(MINIMAL + "algorithm: mdgps_pilqr\nsamples: 2\n").contains("log(samples) = 0.693, got 1.0"));
        assertTrue(messageOf(MINIMAL + "algorithm: pilqr\n").contains("expected one of trajopt, mdgps, badmm, "
                + "trajopt_pi2, trajopt_pilqr, mdgps_pilqr, mdgps_pi2"));
    }

    @Test
    void policyReplayIsOffByDefaultAndRefusedForBadmmAndBelowZero() {
        assertEquals(0, ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\n").policy().replayIterations());
        assertEquals(2, ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\npolicy: {replay_iterations: 2}\n")
                .policy().replayIterations());
        assertTrue(messageOf(MINIMAL + "algorithm: mdgps\npolicy: {replay_iterations: -1}\n")
                .contains("c.yaml: policy.replay_iterations: "));
        assertTrue(messageOf(MINIMAL + "algorithm: badmm\npolicy: {replay_iterations: 1}\n")
                .contains("c.yaml: policy.replay_iterations: expected 0 for badmm"));
    }

    @Test
    void policyTrainingIsAutoByDefaultAndRefusesOtherValuesNamingTheKey() {
        assertEquals(PolicyOptions.Training.AUTO,
                ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\n").policy().training());
        for (PolicyOptions.Training t : PolicyOptions.Training.values()) {
            assertEquals(t, ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\npolicy: {training: "
                    + t.configName() + "}\n").policy().training());
        }
        assertEquals("c.yaml: policy.training: expected one of auto, local, distributed, got 'driver'",
                messageOf(MINIMAL + "algorithm: mdgps\npolicy: {training: driver}\n"));
    }

    @Test
    void policyTrainingLocalIsRefusedWhenThePlannedTargetsExceedTheCap() {
        // 1 condition x 10 samples x T = 100,000 x 3 iterations (replay 2) = 3,000,000 targets of
        // 3 + 1 + 1 + 1 = 6 numbers: 18,000,000, above 2^24 = 16,777,216; without replay 6,000,000 fit.
        String big = MINIMAL.replace("horizon: 10", "horizon: 100000") + "algorithm: mdgps\nsamples: 10\n";
        assertEquals("c.yaml: policy.training: local would gather up to 3000000 S-step targets (conditions x "
                        + "samples x horizon x (replay_iterations + 1)) of 6 numbers each into the driver, 137.3 MiB, "
                        + "above its cap of 16777216 numbers (128 MiB); use auto or distributed",
                messageOf(big + "policy: {training: local, replay_iterations: 2}\n"));
        assertEquals(PolicyOptions.Training.LOCAL,
                ConfigReader.parse("c.yaml", big + "policy: {training: local}\n").policy().training());
        assertEquals(PolicyOptions.Training.AUTO, ConfigReader.parse("c.yaml",
                big + "policy: {training: auto, replay_iterations: 2}\n").policy().training());
    }

    @Test
    void aMisspeltRequiredSectionIsNamedAsAnUnknownKeyWithTheLikelyName() {
        String m = messageOf(MINIMAL.replace("environment:", "enviroment:"));
        assertTrue(m.startsWith("c.yaml: enviroment: unknown key (a misspelling of 'environment'?); expected one of "),
                m);
        assertTrue(messageOf(MINIMAL.replace("horizon:", "horizn:")).startsWith(
                "c.yaml: horizn: unknown key (a misspelling of 'horizon'?)"));
        // Nothing close: no guess.
        assertTrue(messageOf(MINIMAL + "colour: red\n").startsWith("c.yaml: colour: unknown key; expected one of "));
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
        assertEquals("c.yaml: cost.terms: missing; expected a list of cost terms (type: state, action or energy)", m);
    }

    @Test
    void anEnergyTermIsReadWithItsCoefficientsAndLevelAndItsKeysChecked() {
        String energy = MINIMAL.replace("    - {type: action, weights: 0.1}\n", """
                    - {type: action, weights: 0.1}
                    - {type: energy, weight: 0.005, quadratic: [0, 0, 1], linear: [15, 0, 0], level: 15}
                """);
        ExperimentConfig c = ConfigReader.parse("c.yaml", energy);
        org.gps.core.cost.CostSum sum = (org.gps.core.cost.CostSum) c.costs().get(0);
        assertEquals(new org.gps.core.cost.EnergyCost(new double[]{0, 0, 1}, new double[]{15, 0, 0}, 15),
                sum.terms().get(2));
        assertEquals(0.005, sum.weights()[2]);
        assertEquals(c.resolvedJson(), ConfigReader.parse("config.json", c.resolvedJson()).resolvedJson());
        assertEquals("c.yaml: cost.terms[2].linear: expected 3 values, got 2",
                messageOf(energy.replace("linear: [15, 0, 0]", "linear: [15, 0]")));
        assertTrue(messageOf(energy.replace("level: 15", "level: 15, weights: [1, 1, 1]"))
                .startsWith("c.yaml: cost.terms[2].weights: "), "an energy term has no weights");
        assertEquals("c.yaml: cost.terms[2].level: expected a number, got the string 'high'",
                messageOf(energy.replace("level: 15", "level: high")));
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
    void malformedYamlGivesTheLineInOneLine() {
        String m = messageOf("horizon: 5\nenvironment: {type: pendulum\n");
        assertEquals("c.yaml: not valid YAML or JSON at line 2, column 29: while parsing a flow mapping: "
                + "expected ',' or '}', but got <stream end>", m);
    }

    @Test
    void initialControllerGainsMustMatchTheActionDimension() {
        String m = messageOf(MINIMAL + "initial_controller: {init_gains: [1, 2]}\n");
        assertEquals("c.yaml: initial_controller.init_gains: expected 1 value (one per action), got 2", m);
    }

    @Test
    void initialOffsetsAreReadForEitherTypeAndDefaultToNone() {
        assertTrue(ConfigReader.parse("c.yaml", MINIMAL).initialController().offsets().isNone());
        ExperimentConfig lqr = ConfigReader.parse("c.yaml",
                MINIMAL + "initial_controller: {offset_std: 2.5, offset_width: 10}\n");
        assertEquals(2.5, lqr.initialController().offsets().std());
        assertEquals(10.0, lqr.initialController().offsets().width());
        ExperimentConfig pd = ConfigReader.parse("c.yaml", MINIMAL + "initial_controller: {type: pd, offset_std: 1}\n");
        assertEquals(1.0, pd.initialController().offsets().std());
        assertEquals(5.0, pd.initialController().offsets().width());
        assertEquals("c.yaml: initial_controller.offset_std: expected a number >= 0, got -1.0",
                messageOf(MINIMAL + "initial_controller: {offset_std: -1}\n"));
    }

    @Test
    void duplicateKeyIsRefusedNamingTheKeyAndLine() {
        assertEquals("c.yaml: horizon: duplicate key at line 9; expected each key once per mapping",
                messageOf(MINIMAL + "horizon: 20\n"));
        assertEquals("c.yaml: trajopt.kl_step: duplicate key at line 9; expected each key once per mapping",
                messageOf(MINIMAL + "trajopt: {kl_step: 1.0, kl_step: 2.0}\n"));
        String json = "{\"horizon\": 10,\n \"environment\": {\"type\": \"pendulum\", \"type\": \"point_mass\"}}";
        assertEquals("c.json: environment.type: duplicate key at line 2; expected each key once per mapping",
                assertThrows(BadInputException.class, () -> ConfigReader.parse("c.json", json)).getMessage());
    }

    @Test
    void contentAfterTheDocumentIsRefused() {
        ExperimentConfig ok = ConfigReader.parse("c.yaml", MINIMAL);
        String json = ok.resolvedJson();
        String m = assertThrows(BadInputException.class,
                () -> ConfigReader.parse("config.json", json + "\n{\"horizon\": 20}\n")).getMessage();
        assertTrue(m.startsWith("config.json: unexpected content after the end of the config at line "), m);
        assertTrue(m.endsWith("; expected one YAML or JSON document"), m);
        for (String tail : new String[] {" garbage", "\n}", "\nhorizon: 20\n", "\n[1]"}) {
            String g = assertThrows(BadInputException.class, () -> ConfigReader.parse("config.json", json + tail),
                    tail).getMessage();
            assertTrue(g.startsWith("config.json: unexpected content after the end of the config at line "), g);
        }
        String second = messageOf(MINIMAL + "---\nhorizon: 20\n");
        assertTrue(second.startsWith("c.yaml: unexpected content after the end of the config"), second);
    }

    @Test
    void horizonBeyondWhatARunCanHoldIsRefusedNamingTheBound() {
        assertEquals("c.yaml: horizon: 2000000000 exceeds 1000000, the most time steps a run is planned for "
                + "(one task holds a condition's whole horizon)", messageOf(MINIMAL.replace("horizon: 10", "horizon: 2000000000")));
        String m = messageOf(MINIMAL.replace("horizon: 10", "horizon: 50000000"));
        assertTrue(m.startsWith("c.yaml: horizon: 50000000 exceeds 1000000"), m);
        ConfigReader.parse("c.yaml", MINIMAL.replace("horizon: 10", "horizon: 1000000"));
    }

    @Test
    void sizesWhoseModelsOrRolloutsExceedTheMemoryPlannedAreRefused() {
        String fiveConditions = MINIMAL.replace("horizon: 10", "horizon: 1000000")
                .replace("  - [3.141592653589793, 0.0]\n", "  - [3.141592653589793, 0.0]\n".repeat(5));
        String driver = messageOf(fiveConditions);
        assertTrue(driver.startsWith("c.yaml: horizon: 1000000 steps x 5 conditions (dX=3, dU=1) make one iteration's "
                + "controllers and dynamics 1.2 GiB, above the 1.0 GiB the driver is planned to hold"), driver);
        String task = messageOf(MINIMAL.replace("horizon: 10", "horizon: 300000") + "samples: 1000\n");
        assertTrue(task.startsWith("c.yaml: horizon: 300000 steps x 1000 samples (dX=3, dU=1) make one condition's "
                + "rollouts and C-step 11.4 GiB, above the 1.0 GiB one task is planned to hold"), task);
        assertEquals("c.yaml: samples: 100001 exceeds 100000, the most samples per condition a run is planned for "
                + "(one task fits a condition's samples together)", messageOf(MINIMAL + "samples: 100001\n"));
        assertEquals("c.yaml: iterations: 10000 exceeds 9999, the most the run directory's four-digit iter=NNNN "
                + "folders can name", messageOf(MINIMAL + "iterations: 10000\n"));
    }

    @Test
    void policyNetworkBeyondWhatTheDriverCanHoldIsRefused() {
        String mdgps = MINIMAL + "algorithm: mdgps\n";
        assertEquals("c.yaml: policy.hidden: 100000 exceeds 65536, the most units a hidden layer is planned for",
                messageOf(mdgps + "policy: {hidden: [100000]}\n"));
        String m = messageOf(mdgps + "policy: {hidden: [60000, 60000]}\n");
        assertTrue(m.startsWith("c.yaml: policy.hidden: the network has 3600360001 parameters"), m);
        // 2^27 doubles / 24 vectors = 5.59M parameters: [3000, 3000] has 9.02M at dO 3, dU 1; [2000, 2000] 4.01M.
        String edge = messageOf(mdgps + "policy: {hidden: [3000, 3000]}\n");
        assertTrue(edge.startsWith("c.yaml: policy.hidden: the network has 9018001 parameters; with the L-BFGS"), edge);
        ConfigReader.parse("c.yaml", mdgps + "policy: {hidden: [2000, 2000]}\n");
        ConfigReader.parse("c.yaml", mdgps + "policy: {hidden: [64, 64]}\n");
    }

    @Test
    void configPathThatIsNotAReadableFileIsNamedPlainly(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        assertEquals(dir + ": is a directory, expected a YAML or JSON file", assertThrows(BadInputException.class,
                () -> ConfigReader.readText(conf, dir.toString())).getMessage());
        Path missing = dir.resolve("missing.yaml");
        assertEquals(missing + ": config file not found", assertThrows(BadInputException.class,
                () -> ConfigReader.readText(conf, missing.toString())).getMessage());
        Path locked = Files.writeString(dir.resolve("locked.yaml"), MINIMAL);
        assertTrue(locked.toFile().setReadable(false, false));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(locked), "the superuser reads every file");
        assertEquals(locked + ": permission denied", assertThrows(BadInputException.class,
                () -> ConfigReader.readText(conf, locked.toString())).getMessage());
    }
}
