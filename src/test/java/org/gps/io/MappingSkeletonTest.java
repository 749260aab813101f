package org.gps.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.gps.io.MappingSkeleton.Field;
import org.gps.io.MappingSkeleton.Kind;
import org.junit.jupiter.api.Test;

/** The mapping guessed from a log's column names and types, without Spark. */
class MappingSkeletonTest {

    private static List<Field> fields(Object... nameKind) {
        List<Field> out = new ArrayList<>();
        for (int i = 0; i < nameKind.length; i += 2) {
            out.add(new Field((String) nameKind[i], (Kind) nameKind[i + 1]));
        }
        return out;
    }

    /** The mapping lines without their comments, as the parser reads them. */
    private static List<String> keys(String yaml) {
        return yaml.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll("\\s+#.*$", "")).toList();
    }

    @Test
    void aRobotLogGetsEveryRoleFromItsNamesAndTheMappingParses() {
        String yaml = MappingSkeleton.build(fields("task", Kind.INTEGER, "episode", Kind.INTEGER, "step", Kind.INTEGER,
                "pos", Kind.NUMBER, "vel", Kind.NUMBER, "force", Kind.NUMBER, "reward", Kind.NUMBER), 0);

        assertEquals(List.of("condition: task", "rollout: episode", "t: step", "x: [pos, vel]", "u: [force]",
                "reward: reward"), keys(yaml));
        IngestMapping m = IngestMapping.parse("map.yaml", yaml);
        assertEquals("task", m.condition());
        assertEquals(List.of("pos", "vel"), m.x().columns());
        assertEquals(List.of("pos", "vel"), m.o().columns(), "o left out: o = x");
    }

    @Test
    void textTasksGetALabelsFileStepsFromOneAnOffsetAndAStampIsOfferedInAComment() {
        String yaml = MappingSkeleton.build(fields("Task", Kind.TEXT, "episode_id", Kind.TEXT, "stamp", Kind.DATETIME,
                "step", Kind.INTEGER, "jointPos0", Kind.NUMBER, "jointPos1", Kind.NUMBER, "tau0", Kind.NUMBER,
                "cost", Kind.NUMBER, "reward", Kind.NUMBER), 1);

        assertEquals(List.of("condition: Task", "condition_labels: condition-labels.json", "rollout: episode_id",
                "t: step", "t_offset: -1", "x: [jointPos0, jointPos1]", "u: [tau0]", "cost: cost"), keys(yaml));
        assertTrue(yaml.contains("# t_timestamp: stamp"), yaml);
        assertTrue(yaml.contains("# not placed: reward"), "cost wins over reward: " + yaml);
        IngestMapping m = IngestMapping.parse("/logs/map.yaml", yaml);
        assertEquals(-1, m.t().offset());
        assertEquals("/logs/condition-labels.json", m.conditionLabels());
    }

    @Test
    void withoutAStepATimestampOrFractionalTimeGivesTheRankAndWithoutEitherTheRowOrder() {
        String stamped = MappingSkeleton.build(fields("run", Kind.INTEGER, "time", Kind.NUMBER, "state", Kind.NUMBER_ARRAY,
                "action", Kind.NUMBER_ARRAY, "u_applied", Kind.NUMBER_ARRAY), null);
        assertEquals(List.of("rollout: run", "t_timestamp: time", "x: state", "u: action", "u_applied: u_applied"),
                keys(stamped));
        IngestMapping m = IngestMapping.parse("map.yaml", stamped);
        assertEquals(IngestMapping.TimeStep.Kind.TIMESTAMP, m.t().kind());
        assertFalse(m.x().listed(), "one array column");
        // "t" holding 0.05, 0.10, ... is a time in seconds, not a step count.
        assertTrue(keys(MappingSkeleton.build(fields("run", Kind.TEXT, "t", Kind.NUMBER, "x0", Kind.NUMBER,
                "u0", Kind.NUMBER), null)).contains("t_timestamp: t"));

        String unordered = MappingSkeleton.build(fields("episode", Kind.TEXT, "q0", Kind.NUMBER, "q1", Kind.NUMBER,
                "a0", Kind.NUMBER), null);
        assertEquals(List.of("rollout: episode", "t_row_order: true", "x: [q0, q1]", "u: [a0]"), keys(unordered));
        assertEquals(IngestMapping.TimeStep.Kind.ROW_ORDER, IngestMapping.parse("map.yaml", unordered).t().kind());
    }

    @Test
    void whatCannotBeGuessedIsLeftEmptySoTheMappingIsRefusedUntilFilledIn() {
        String yaml = MappingSkeleton.build(fields("id", Kind.TEXT, "k", Kind.INTEGER, "alpha", Kind.NUMBER,
                "beta", Kind.NUMBER, "note", Kind.TEXT), null);
        // No rollout id, no action; the unclaimed numbers are the state, said to be a guess.
        assertTrue(keys(yaml).contains("rollout:"), yaml);
        assertTrue(keys(yaml).contains("u:"), yaml);
        assertTrue(keys(yaml).contains("x: [alpha, beta]"), yaml);
        assertTrue(yaml.contains("a guess"), yaml);
        assertTrue(yaml.contains("# not placed: id, note"), yaml);
        String refusal = org.junit.jupiter.api.Assertions.assertThrows(org.gps.core.BadInputException.class,
                () -> IngestMapping.parse("map.yaml", yaml)).getMessage();
        assertTrue(refusal.contains("rollout: missing") || refusal.contains("u: missing"), refusal);
    }

    @Test
    void namesYamlWouldReadAsSomethingElseAreQuoted() {
        assertEquals("pos", MappingSkeleton.yaml("pos"));
        assertEquals("'on'", MappingSkeleton.yaml("on"));
        assertEquals("'joint pos'", MappingSkeleton.yaml("joint pos"));
        assertEquals("'it''s'", MappingSkeleton.yaml("it's"));
        assertEquals("'1st'", MappingSkeleton.yaml("1st"));
        String yaml = MappingSkeleton.build(fields("episode", Kind.INTEGER, "step", Kind.INTEGER, "x: 1", Kind.NUMBER,
                "u", Kind.NUMBER), null);
        assertEquals(List.of("x: 1"), IngestMapping.parse("map.yaml", yaml).x().columns());
        assertEquals("joint_pos_3", MappingSkeleton.normal("jointPos3"));
        assertEquals("joint_pos_3", MappingSkeleton.normal("joint-pos 3"));
    }

    @Test
    void theSeparatorIsTheHeadersMostFrequentOne() {
        assertEquals('\t', MappingSkeleton.delimiterOf(List.of("a\tb\tc,d")));
        assertEquals(';', MappingSkeleton.delimiterOf(List.of("a;b;c")));
        assertEquals(',', MappingSkeleton.delimiterOf(List.of("abc")));
    }
}
