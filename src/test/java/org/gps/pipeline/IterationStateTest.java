package org.gps.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.io.BuildInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IterationStateTest {
    private static final IterationState STATE = new IterationState(3, "trajopt", List.of(
            new IterationState.ConditionState(0, 203.5, 1.75, 1.0, 0.125, 20.5, 20.0, 5, true, null, null)));

    @Test
    void stateJsonRecordsTheBuildThatWroteIt() throws Exception {
        JsonNode n = new ObjectMapper().readTree(STATE.toJson());
        BuildInfo build = BuildInfo.current();
        assertEquals(build.version(), n.path("gps_version").asText(null));
        assertEquals(build.commit(), n.path("gps_commit").asText(null));
        assertEquals(build.modified(), n.path("gps_modified").asBoolean(!build.modified()));
        assertEquals(org.gps.core.linalg.Mat.kernels(), n.path("gps_kernels").asText(null));
        assertTrue(n.path("gps_kernels").asText().startsWith("netlib "), n.toString());
        assertEquals(3, n.path("iteration").asInt());
    }

    @Test
    void aStateWrittenBeforeTheBuildKeysReadsAsTheSameState() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode old = (ObjectNode) m.readTree(STATE.toJson());
        old.remove(List.of("gps_version", "gps_commit", "gps_modified", "gps_kernels"));
        assertTrue(old.path("gps_version").isMissingNode());
        assertEquals(STATE, IterationState.fromJson(m.writeValueAsString(old), "old/state.json"));
        assertEquals(STATE, IterationState.fromJson(STATE.toJson(), "new/state.json"));
    }
}
