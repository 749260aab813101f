package org.gps.io;

import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Contents of the {@value AtomicOutput#MARKER} file that {@link AtomicOutput} writes inside an
 * output folder once it is fully published.
 *
 * @param writtenBy   what produced the output (class or pipeline step)
 * @param completedAt when it was published
 * @param rows        number of rows written, or -1 when the output is not a table
 * @param build       the gps build that published it, or null for a marker written before markers
 *                    recorded it
 */
public record CompletionMarker(String writtenBy, Instant completedAt, long rows, BuildInfo build) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public CompletionMarker {
        Objects.requireNonNull(writtenBy, "writtenBy");
        Objects.requireNonNull(completedAt, "completedAt");
    }

    /** A marker published by the running build. */
    public CompletionMarker(String writtenBy, Instant completedAt, long rows) {
        this(writtenBy, completedAt, rows, BuildInfo.current());
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("completedAt", completedAt.toString());
        if (build != null) {
            n.put("gpsCommit", build.commit());
            n.put("gpsModified", build.modified());
            n.put("gpsVersion", build.version());
        }
        n.put("rows", rows);
        n.put("writtenBy", writtenBy);
        return n.toString() + "\n";
    }

    /**
     * Reads a marker; one without the build keys (written before they existed) has a null build.
     *
     * @throws IllegalArgumentException when the text is not a marker
     */
    public static CompletionMarker fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject() || !n.hasNonNull("completedAt") || !n.hasNonNull("writtenBy")) {
                throw new IllegalArgumentException("expected an object with completedAt, rows and writtenBy");
            }
            BuildInfo build = n.hasNonNull("gpsVersion") || n.hasNonNull("gpsCommit")
                    ? new BuildInfo(n.path("gpsVersion").asText(BuildInfo.UNKNOWN),
                            n.path("gpsCommit").asText(BuildInfo.UNKNOWN), n.path("gpsModified").asBoolean(false))
                    : null;
            return new CompletionMarker(n.get("writtenBy").asText(), Instant.parse(n.get("completedAt").asText()),
                    n.path("rows").asLong(-1), build);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a completion marker: " + e.getOriginalMessage(), e);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a completion marker: " + e.getMessage(), e);
        }
    }
}
