package org.gps.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;

/** The condition labels file: a label keeps its index; new labels come after the largest one. */
class ConditionLabelsTest {

    @Test
    void knownLabelsKeepTheirIndicesAndNewOnesAreAppendedInTextOrder() {
        // A hand-edited file may leave gaps: new labels go after the largest index, not into the gap.
        ConditionLabels before = new ConditionLabels(Map.of("reach", 0, "place", 3));
        ConditionLabels after = before.with(List.of("push", "reach", "grasp", "push"));

        assertEquals(Map.of("reach", 0, "place", 3, "grasp", 4, "push", 5), after.indices());
        assertEquals(List.of("reach", "place", "grasp", "push"), List.copyOf(after.indices().keySet()), "index order");
        assertEquals(List.of("grasp", "push"), after.addedSince(before));
        assertEquals("place", after.labelOf(3));
        assertEquals(null, after.labelOf(1));
        // The order the labels are met in does not matter: the same set gives the same numbers.
        assertEquals(after, before.with(List.of("grasp", "push")));
        assertEquals(Map.of("a", 0, "b", 1), ConditionLabels.none().with(List.of("b", "a")).indices());
    }

    @Test
    void theFileReadsBackAsWritten() {
        ConditionLabels l = ConditionLabels.none().with(List.of("reach_left", "reach_right")).with(List.of("place"));
        String json = l.toJson();
        assertTrue(json.contains("\"format\" : \"gps-condition-labels\""), json);
        assertEquals(l, ConditionLabels.parse("labels.json", json));
        assertEquals(2, ConditionLabels.parse("labels.json", json).indices().get("place"));
    }

    @Test
    void aDamagedFileIsRefusedNamingTheFileAndTheKey() {
        String[][] cases = {
                {"{\"format\": \"gps-condition-labels\", \"version\": 1, \"labels\": [{\"label\": \"a\", \"condition\": 0},"
                        + " {\"label\": \"a\", \"condition\": 1}]}", "labels[1].label: 'a' is listed twice"},
                {"{\"format\": \"gps-condition-labels\", \"version\": 1, \"labels\": [{\"label\": \"a\", \"condition\": 0},"
                        + " {\"label\": \"b\", \"condition\": 0}]}", "labels[1].condition: 0 is also the index of 'a'"},
                {"{\"format\": \"gps-condition-labels\", \"version\": 1, \"labels\": [{\"label\": \"a\", \"condition\": -1}]}",
                        "labels[0].condition: expected an integer >= 0"},
                {"{\"format\": \"gps-condition-labels\", \"version\": 1, \"labels\": [{\"label\": \"\", \"condition\": 0}]}",
                        "labels[0].label: expected a non-empty text"},
                {"{\"format\": \"gps-condition-labels\", \"version\": 1}", "labels: expected a list"},
                {"{\"version\": 1, \"labels\": []}", "format: expected \"gps-condition-labels\""},
                {"{\"format\": \"gps-condition-labels\", \"version\": 2, \"labels\": []}", "version: expected 1"},
                {"{\"format\": ", "not valid JSON"},
        };
        for (String[] c : cases) {
            String m = assertThrows(BadInputException.class, () -> ConditionLabels.parse("/data/labels.json", c[0]))
                    .getMessage();
            assertTrue(m.startsWith("/data/labels.json: ") && m.contains(c[1]), c[1] + " not in: " + m);
        }
    }
}
