package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.gps.io.AtomicOutput;
import org.gps.io.BuildInfo;
import org.gps.io.CompletionMarker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outputs name the build that wrote them, as {@code gps --version} prints it. */
class ProvenanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Version and commit line of {@code gps --version}: what every output must repeat. */
    private static String[] printedVersion() {
        CliTestSupport.Outcome o = CliTestSupport.run("--version");
        assertEquals(0, o.exitCode(), o.err());
        String[] lines = o.out().strip().split("\\R");
        assertEquals(3, lines.length, o.out());
        assertTrue(lines[2].startsWith("kernels netlib "), lines[2]);
        return new String[] {lines[0].substring("gps ".length()), lines[1].substring("commit ".length())};
    }

    @Test
    void aFitOfLoggedRolloutsRecordsTheVersionInItsMarkerAndSummary(@TempDir Path dir) throws Exception {
        String[] printed = printedVersion();
        Path out = dir.resolve("dyn");
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", FitDynamicsCommandTest.LOGGED,
                "--out", out.toString(), "--no-held-out");
        assertEquals(0, o.exitCode(), o.err());

        CompletionMarker marker = CompletionMarker.fromJson(Files.readString(out.resolve(AtomicOutput.MARKER)));
        assertNotNull(marker.build(), "the marker records the build");
        assertEquals(printed[0], marker.build().version());
        assertEquals(printed[1], marker.build().describeCommit());

        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(printed[0], summary.path("gps_version").asText(null));
        BuildInfo inSummary = new BuildInfo(summary.path("gps_version").asText(), summary.path("gps_commit").asText(),
                summary.path("gps_modified").asBoolean());
        assertEquals(printed[1], inSummary.describeCommit());
        // The format's own version is unchanged beside it.
        assertEquals(1, summary.path("version").asInt());
        assertEquals("gps-dynamics", summary.path("format").asText());
    }

    @Test
    void initRecordsTheVersionInTheInitialControllersMarker(@TempDir Path dir) throws Exception {
        String[] printed = printedVersion();
        Path run = dir.resolve("run");
        CliTestSupport.Outcome o = CliTestSupport.run("init", "--config", TinyRun.config().toString(),
                "--run-dir", run.toString());
        assertEquals(0, o.exitCode(), o.err());
        CompletionMarker marker = CompletionMarker.fromJson(
                Files.readString(run.resolve("iter=0000").resolve("controllers").resolve(AtomicOutput.MARKER)));
        assertEquals("init", marker.writtenBy());
        assertNotNull(marker.build(), "the marker records the build");
        assertEquals(printed[0], marker.build().version());
        assertEquals(printed[1], marker.build().describeCommit());
    }
}
