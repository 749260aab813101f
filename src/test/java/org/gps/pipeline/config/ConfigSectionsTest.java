package org.gps.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gps.core.BadInputException;
import org.gps.core.control.Pi2Options;
import org.gps.core.control.PilqrOptions;
import org.gps.core.control.TrajOptOptions;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.policy.PolicyOptions;
import org.gps.core.sample.ExplorationNoise;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The declared config keys are what the reader reads and what docs/formats.md documents. With
 * {@code -Dgps.regenerateDocs=true} the docs test rewrites the generated tables instead of failing.
 */
class ConfigSectionsTest {
    private static final Path FORMATS = Path.of("docs/formats.md");
    private static final String REGENERATE = "gps.regenerateDocs";
    private static final String REGENERATE_COMMAND = "mvn -B -ntp test -Dtest=ConfigSectionsTest -D" + REGENERATE
            + "=true";
    private static final String END = "<!-- end generated -->";

    private static final String MINIMAL = TestConfigs.MINIMAL;

    private static String begin(String section) {
        return "<!-- generated: " + section + " (from ConfigSections; do not edit by hand) -->";
    }

    /** {@code markdown} with the table between each documented section's markers replaced by the declared one. */
    static String withGeneratedTables(String markdown, List<String> problems) {
        String out = markdown;
        for (ConfigSections.Section s : ConfigSections.documented()) {
            int b = out.indexOf(begin(s.name()));
            int e = b < 0 ? -1 : out.indexOf(END, b);
            if (b < 0 || e < 0) {
                problems.add("no '" + begin(s.name()) + "' ... '" + END + "' markers for section " + s.name()
                        + " (add them where its table belongs)");
                continue;
            }
            int from = b + begin(s.name()).length();
            String table = "\n" + s.table();
            if (!out.substring(from, e).equals(table)) {
                problems.add("the table of `" + s.name() + "` differs from its declarations in ConfigSections");
            }
            out = out.substring(0, from) + table + out.substring(e);
        }
        return out;
    }

    @Test
    void docsTablesAreTheOnesRenderedFromTheDeclarations() throws Exception {
        String text = Files.readString(FORMATS, StandardCharsets.UTF_8);
        List<String> problems = new ArrayList<>();
        String regenerated = withGeneratedTables(text, problems);
        if (Boolean.getBoolean(REGENERATE)) {
            if (!regenerated.equals(text)) {
                Files.writeString(FORMATS, regenerated, StandardCharsets.UTF_8);
            }
            problems.removeIf(p -> p.contains("differs"));
        }
        if (!problems.isEmpty()) {
            fail(FORMATS + ": " + String.join("; ", problems) + ". Regenerate the tables with: " + REGENERATE_COMMAND);
        }
    }

    @Test
    void aDriftedTableIsFoundAndReplacedByTheRenderedOne() {
        String table = ConfigSections.TrajOpt.SECTION.table();
        String stale = table.replace("| `0.2` |", "| `0.3` |");
        assertTrue(!stale.equals(table), "the rendered trajopt table shows kl_step's default 0.2");
        StringBuilder doc = new StringBuilder("intro\n");
        for (ConfigSections.Section s : ConfigSections.documented()) {
            doc.append(begin(s.name())).append('\n').append(s == ConfigSections.TrajOpt.SECTION ? stale : s.table())
                    .append(END).append("\nprose\n");
        }
        List<String> problems = new ArrayList<>();
        String fixed = withGeneratedTables(doc.toString(), problems);
        assertEquals(List.of("the table of `trajopt` differs from its declarations in ConfigSections"), problems);
        assertEquals(doc.toString().replace(stale, table), fixed);
        List<String> none = new ArrayList<>();
        assertEquals(fixed, withGeneratedTables(fixed, none));
        assertEquals(List.of(), none);
    }

    @Test
    void tableRowsShowDefaultsAsTheDocsWriteThemWithTheBoundTheReaderEnforces() {
        assertEquals("| `min_eta` | `1e-8` | > 0; lower end of the eta bracket |",
                ConfigSections.TrajOpt.MIN_ETA.tableRow());
        assertEquals("| `max_rounds` | `50` | >= 1; rounds of the scalar dual search |",
                ConfigSections.TrajOpt.MAX_ROUNDS.tableRow());
        assertEquals("| `max_eta` | `1e16` | > min_eta; upper end of the eta bracket |",
                ConfigSections.TrajOpt.MAX_ETA.tableRow());
        String prior = ConfigSections.Dynamics.PRIOR.tableRow();
        assertTrue(prior.startsWith("| `prior` | `per_condition` | `per_condition` or `shared`; "), prior);
        assertEquals("2e-6", ConfigKey.format(2e-6));
        assertEquals("0.001", ConfigKey.format(0.001));
        assertEquals("[0.4, 0.2]", ConfigKey.format(new org.gps.core.control.Ramp(0.4, 0.2)));
    }

    /** A config without the sections resolves each declared key to its declared default, under its name. */
    @Test
    void anEmptySectionResolvesEveryDeclaredKeyToItsDefault() throws Exception {
        ExperimentConfig c = ConfigReader.parse("c.yaml", MINIMAL);
        assertEquals(TrajOptOptions.defaults(), c.trajopt());
        assertEquals(DynamicsOptions.defaults(c.seed()), c.dynamics());
        // The sample-based sections are read only by their algorithms.
        ExperimentConfig pilqr = ConfigReader.parse("c.yaml", MINIMAL + "algorithm: trajopt_pilqr\n");
        assertEquals(Pi2Options.defaults(), pilqr.pi2());
        assertEquals(PilqrOptions.defaults(), pilqr.pilqr());
        // On Pendulum the policy's evaluation horizon is Gym's, the declared default.
        ExperimentConfig mdgps = ConfigReader.parse("c.yaml", MINIMAL + "algorithm: mdgps\n");
        List<JsonNode> resolved = new ArrayList<>();
        // MDGPS first: it reads every key of trajopt (step_size is MDGPS's alone).
        for (ExperimentConfig r : List.of(mdgps, c, pilqr)) {
            resolved.add(new ObjectMapper().readTree(r.resolvedJson()));
        }
        for (ConfigSections.Section s : ConfigSections.documented()) {
            if (s == ConfigSections.CostTerm.SECTION || s == ConfigSections.TopLevel.SECTION) {
                continue;
            }
            JsonNode section = resolved.stream().filter(r -> r.has(s.name())).findFirst().orElseThrow().get(s.name());
            // A section with variants resolves its default type's keys (the first variant's).
            List<ConfigKey> keys = new ArrayList<>(s.keys());
            s.variants().stream().limit(1).forEach(v -> keys.addAll(v.keys()));
            assertEquals(keys.stream().map(ConfigKey::name).toList(), iterable(section), s.name());
            for (ConfigKey k : keys) {
                assertEquals(ConfigKey.format(k.defaultValue()), section.get(k.name()).isTextual()
                        ? section.get(k.name()).asText() : ConfigKey.format(plain(section.get(k.name()))),
                        s.name() + "." + k.name());
            }
        }
    }

    /** The top level's own keys resolve to their defaults; a required one is refused when absent. */
    @Test
    void topLevelKeysResolveToTheirDefaults() throws Exception {
        JsonNode resolved = new ObjectMapper().readTree(ConfigReader.parse("c.yaml", MINIMAL).resolvedJson());
        assertEquals(List.of("name", "seed", "algorithm", "iterations", "horizon", "samples", "noise_smoothing",
                "environment", "conditions", "initial_controller", "cost", "trajopt", "dynamics"), iterable(resolved));
        assertTrue(ConfigSections.TopLevel.SECTION.names().containsAll(iterable(resolved)));
        assertEquals("experiment", resolved.get("name").asText());
        for (ConfigKey k : List.of(ConfigSections.TopLevel.SEED, ConfigSections.TopLevel.ALGORITHM,
                ConfigSections.TopLevel.ITERATIONS, ConfigSections.TopLevel.SAMPLES,
                ConfigSections.TopLevel.NOISE_SMOOTHING)) {
            assertEquals(String.valueOf(k.defaultValue()), resolved.get(k.name()).asText(), k.name());
        }
        BadInputException missing = assertThrows(BadInputException.class,
                () -> ConfigReader.parse("c.yaml", MINIMAL.replace("horizon: 10\n", "")));
        assertEquals("c.yaml: horizon: missing; expected an integer >= 2", missing.getMessage());
    }

    @Test
    void noiseSmoothingIsReadIntoTheRunsExplorationNoiseAndANegativeOneIsRefused() {
        assertEquals(new ExplorationNoise(2.5),
                ConfigReader.parse("c.yaml", MINIMAL + "noise_smoothing: 2.5\n").noise());
        assertEquals(ExplorationNoise.WHITE, ConfigReader.parse("c.yaml", MINIMAL).noise());
        BadInputException negative = assertThrows(BadInputException.class,
                () -> ConfigReader.parse("c.yaml", MINIMAL + "noise_smoothing: -1\n"));
        assertEquals("c.yaml: noise_smoothing: expected a number >= 0, got -1.0", negative.getMessage());
    }

    @Test
    void evalStartsIsReadEvenByDefaultAndAnUnknownPlacementIsRefusedWithTheKeyNamed() {
        String mdgps = MINIMAL + "algorithm: mdgps\nsamples: 2\n";
        assertEquals(PolicyOptions.EvalStarts.EVEN, ConfigReader.parse("c.yaml", mdgps).policy().evalStarts());
        assertEquals(PolicyOptions.EvalStarts.RANDOM,
                ConfigReader.parse("c.yaml", mdgps + "policy: {eval_starts: random}\n").policy().evalStarts());
        BadInputException bad = assertThrows(BadInputException.class,
                () -> ConfigReader.parse("c.yaml", mdgps + "policy: {eval_starts: grid}\n"));
        assertTrue(bad.getMessage().startsWith("c.yaml: policy.eval_starts: "), bad.getMessage());
        assertTrue(bad.getMessage().contains("even") && bad.getMessage().contains("random"), bad.getMessage());
    }

    /** Cost terms of either type resolve every declared key; a per-dimension default stands for each dimension. */
    @Test
    void costTermsResolveEveryDeclaredKeyToItsDefault() throws Exception {
        String yaml = MINIMAL.substring(0, MINIMAL.indexOf("cost:"))
                + "cost: {terms: [{type: state}, {type: action}]}\n";
        JsonNode terms = new ObjectMapper().readTree(ConfigReader.parse("c.yaml", yaml).resolvedJson()).get("cost")
                .get("terms");
        ConfigSections.Section s = ConfigSections.CostTerm.SECTION;
        for (int i = 0; i < 2; i++) {
            ConfigSections.Variant v = s.variants().get(i);
            JsonNode term = terms.get(i);
            assertEquals(List.copyOf(s.names(v)), iterable(term), v.type());
            assertEquals(v.type(), term.get("type").asText());
            for (ConfigKey k : v.keys()) {
                JsonNode value = term.get(k.name());
                if (k.kind() == ConfigKey.Kind.LIST) {
                    // Pendulum: three state dimensions, one action.
                    assertEquals(i == 0 ? 3 : 1, value.size(), k.name());
                    for (JsonNode x : value) {
                        assertEquals(((List<?>) k.defaultValue()).get(0), x.asDouble(), k.name());
                    }
                } else {
                    assertEquals(ConfigKey.format(k.defaultValue()), value.isTextual() ? value.asText()
                            : ConfigKey.format(plain(value)), v.type() + "." + k.name());
                }
            }
            assertEquals(1.0, term.get("weight").asDouble(), 0.0);
        }
    }

    @Test
    void aMisspeltKeyOfASectionIsRefusedOfferingTheDeclaredNames() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> ConfigReader.parse("c.yaml", MINIMAL + "dynamics: {strenght: 2}\n"));
        assertEquals("c.yaml: dynamics.strenght: unknown key (a misspelling of 'strength'?); expected one of "
                + ConfigSections.Dynamics.SECTION.names(), e.getMessage());
        // PILQR refuses the per-step keys itself, so they are not offered.
        BadInputException p = assertThrows(BadInputException.class, () -> ConfigReader.parse("c.yaml",
                MINIMAL + "algorithm: trajopt_pilqr\ntrajopt: {max_round: 3}\n"));
        assertEquals("c.yaml: trajopt.max_round: unknown key (a misspelling of 'max_rounds'?); expected one of "
                + "[action_limits, min_eta, max_eta, del0, max_ent_traj, use_prev_distr, max_rounds]", p.getMessage());
    }

    @Test
    void aMinTemperatureAtTheHighestTemperatureIsRefusedNamingTheKey() {
        BadInputException e = assertThrows(BadInputException.class, () -> ConfigReader.parse("c.yaml",
                MINIMAL + "algorithm: trajopt_pi2\npi2: {min_temperature: 1e17}\n"));
        assertEquals("c.yaml: pi2.min_temperature: expected a number below 1.0E16, got 1.0E17", e.getMessage());
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Object plain(JsonNode v) {
        if (v.isArray()) {
            List<Object> out = new ArrayList<>();
            v.forEach(e -> out.add(plain(e)));
            return out;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return v.isIntegralNumber() ? (Object) v.asInt() : (Object) v.asDouble();
    }

    @Test
    void configKeysHelpListsEveryDeclaredKeyWithItsDefaultAsPlainText() {
        String help = ConfigReader.keysHelp();
        for (ConfigSections.Section s : ConfigSections.documented()) {
            List<ConfigKey> keys = new ArrayList<>(s.keys());
            s.variants().forEach(v -> keys.addAll(v.keys()));
            for (ConfigKey k : keys) {
                assertTrue(help.contains("  " + k.name() + " = "), s.name() + "." + k.name() + " missing from:\n" + help);
            }
        }
        assertTrue(help.contains("\n  kl_step = 0.2  [> 0]  base KL step per time step"), help);
        assertTrue(help.contains("\n  em_init = auto"), help);
        // Terminal text: the docs' Markdown (code ticks, bold, links) does not leak into it.
        assertFalse(help.contains("`") || help.contains("**") || help.contains("]("), help);
    }
}
