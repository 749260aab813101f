package org.gps.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalInt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The sidecar {@value RolloutSchema#VERSION_FILE} that carries the schema version of a rollout
 * dataset folder. Its name starts with an underscore, so Spark, pyarrow and pandas skip it when
 * they read the folder as Parquet. Example:
 * <pre>{"format":"gps-rollouts","version":2,"schema":{...Spark schema JSON...}}</pre>
 */
public final class SchemaVersionFile {
    public static final String FORMAT = "gps-rollouts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaVersionFile() {
    }

    /** Writes the sidecar for schema {@link RolloutSchema#VERSION} into the dataset folder. */
    public static void write(Configuration conf, String datasetPath) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("version", RolloutSchema.VERSION);
        try {
            n.set("schema", JSON.readTree(RolloutSchema.STRUCT.json()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HadoopFiles.writeUtf8(conf, new Path(datasetPath, RolloutSchema.VERSION_FILE), n.toString() + "\n");
    }

    /**
     * @return the recorded version, or empty when the folder has no sidecar (data not written by us)
     * @throws IllegalArgumentException when the sidecar exists but is not one
     */
    public static OptionalInt read(Configuration conf, String datasetPath) {
        Path p = new Path(datasetPath, RolloutSchema.VERSION_FILE);
        if (!HadoopFiles.isFile(conf, p)) {
            return OptionalInt.empty();
        }
        JsonNode n;
        try {
            n = JSON.readTree(HadoopFiles.readUtf8(conf, p));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // The parser's own words without the location block it appends on a line of its own.
            throw new IllegalArgumentException(p + " is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(p + " is not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.path("version").canConvertToInt() || !n.path("version").isIntegralNumber()) {
            throw new IllegalArgumentException(p + " has no integer \"version\"");
        }
        return OptionalInt.of(n.get("version").intValue());
    }

    /**
     * Checks the sidecar of a dataset this code is about to read.
     *
     * @return a description of the problem, or null when the version is absent or supported
     */
    static String problem(Configuration conf, String datasetPath) {
        OptionalInt v;
        try {
            v = read(conf, datasetPath);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (v.isPresent() && (v.getAsInt() < RolloutSchema.OLDEST_VERSION || v.getAsInt() > RolloutSchema.VERSION)) {
            return datasetPath + " is rollout schema version " + v.getAsInt() + " (in " + RolloutSchema.VERSION_FILE
                    + "); this code reads versions " + RolloutSchema.OLDEST_VERSION + " to " + RolloutSchema.VERSION;
        }
        return null;
    }

    /**
     * Whether the dataset's sidecar says version 1, whose datasets have no {@link RolloutSchema#U_APPLIED}
     * column: a stray column of that name there is not the applied action (version 1 readers dropped
     * it as an extra column), and is dropped again. False when there is no readable sidecar.
     */
    static boolean isVersion1(Configuration conf, String datasetPath) {
        try {
            OptionalInt v = read(conf, datasetPath);
            return v.isPresent() && v.getAsInt() == 1;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
