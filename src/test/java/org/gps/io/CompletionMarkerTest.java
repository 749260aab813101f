package org.gps.io;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionMarkerTest {
    @Test
    void aMarkerWrittenBeforeTheBuildKeysIsStillReadWithNoBuild() {
        // Exactly what markers held before they recorded the build.
        CompletionMarker old = CompletionMarker.fromJson(
                "{\"completedAt\":\"2026-12-01T10:15:30.123Z\",\"rows\":400,\"writtenBy\":\"init\"}\n");
        assertEquals("init", old.writtenBy());
        assertEquals(Instant.parse("2026-12-01T10:15:30.123Z"), old.completedAt());
        assertEquals(400, old.rows());
        assertNull(old.build());
        // Rewritten, it stays an old marker: no build is invented for it.
        assertFalse(old.toJson().contains("gpsVersion"), old.toJson());
    }

    @Test
    void aNewMarkerKeepsTheOldKeysAndAddsTheBuild() {
        BuildInfo build = new BuildInfo("1.2.3", "0123456789abcdef0123456789abcdef01234567", true);
        CompletionMarker m = new CompletionMarker("gps sample, iteration 2", Instant.parse("2026-12-06T13:00:00Z"), 7,
                build);
        String json = m.toJson();
        for (String key : new String[] {"\"completedAt\":", "\"rows\":7", "\"writtenBy\":", "\"gpsVersion\":\"1.2.3\"",
                "\"gpsCommit\":\"0123456789abcdef0123456789abcdef01234567\"", "\"gpsModified\":true"}) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        assertEquals(m, CompletionMarker.fromJson(json));
    }

    @Test
    void aMarkerMadeByThisBuildRecordsIt() {
        CompletionMarker m = new CompletionMarker("init", Instant.parse("2026-12-06T13:00:00Z"), -1);
        assertEquals(BuildInfo.current(), m.build());
        assertEquals(BuildInfo.current(), CompletionMarker.fromJson(m.toJson()).build());
    }
}
