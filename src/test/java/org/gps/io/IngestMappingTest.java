package org.gps.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;

/** The mapping keys that say where t and the condition come from, without Spark. */
class IngestMappingTest {
    private static final String VECTORS = "rollout: ep\nx: [p, v]\nu: [f]\n";

    private static IngestMapping parse(String text) {
        return IngestMapping.parse("/logs/map.yaml", VECTORS + text);
    }

    private static String refusal(String text) {
        return assertThrows(BadInputException.class, () -> parse(text)).getMessage();
    }

    @Test
    void theTimeStepComesFromAStepColumnWithOffsetATimestampOrTheRowOrder() {
        assertEquals(new IngestMapping.TimeStep(IngestMapping.TimeStep.Kind.STEP, "k", 0), parse("t: k\n").t());
        assertEquals(new IngestMapping.TimeStep(IngestMapping.TimeStep.Kind.STEP, "k", -1),
                parse("t: k\nt_offset: -1\n").t());
        assertEquals(new IngestMapping.TimeStep(IngestMapping.TimeStep.Kind.TIMESTAMP, "when", 0),
                parse("t_timestamp: when\n").t());
        IngestMapping byOrder = parse("t_row_order: true\n");
        assertEquals(new IngestMapping.TimeStep(IngestMapping.TimeStep.Kind.ROW_ORDER, null, 0), byOrder.t());
        assertTrue(!byOrder.columns().contains(null), "no column for the row order");
        assertTrue(parse("t_timestamp: when\n").columns().contains("when"));
    }

    @Test
    void aTimeStepGivenTwiceOrNotAtAllOrAWrongOffsetIsRefusedNamingTheKey() {
        assertTrue(refusal("").contains("/logs/map.yaml: t: missing; expected the name of the source column"));
        assertTrue(refusal("t_row_order: false\n").contains("t: missing"));
        assertTrue(refusal("t: k\nt_timestamp: when\n").contains(
                "t_timestamp: give one of t, t_timestamp and t_row_order, not several"));
        assertTrue(refusal("t: k\nt_row_order: true\n").contains("t_row_order: give one of"));
        assertTrue(refusal("t_row_order: yes please\n").contains("t_row_order: expected true"));
        assertTrue(refusal("t: k\nt_offset: 0.5\n").contains("t_offset: expected a whole number"));
        assertTrue(refusal("t: k\nt_offset: one\n").contains("t_offset: expected a whole number"));
        assertTrue(refusal("t_timestamp: when\nt_offset: -1\n").contains("t_offset: only with t"));
    }

    @Test
    void theLabelsFileIsFoundBesideTheMappingAndNeedsAConditionColumn() {
        IngestMapping m = parse("t: k\ncondition: task\ncondition_labels: labels.json\n");
        assertEquals("/logs/labels.json", m.conditionLabels());
        assertEquals("/elsewhere/l.json", parse("t: k\ncondition: task\ncondition_labels: /elsewhere/l.json\n")
                .conditionLabels());
        assertEquals("hdfs://nn/l.json", parse("t: k\ncondition: task\ncondition_labels: hdfs://nn/l.json\n")
                .conditionLabels());
        assertEquals("labels.json", IngestMapping.parse("map.yaml", VECTORS
                + "t: k\ncondition: task\ncondition_labels: labels.json\n").conditionLabels());
        assertNull(parse("t: k\ncondition: task\n").conditionLabels());
        assertTrue(refusal("t: k\ncondition_labels: labels.json\n").contains("condition_labels: needs condition"));
    }
}
