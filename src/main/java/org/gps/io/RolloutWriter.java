package org.gps.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.Map;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.gps.core.BadInputException;

/**
 * Writes rollouts as a Parquet dataset folder of the newest schema version
 * ({@value RolloutSchema#VERSION}), published atomically by {@link AtomicOutput}. The folder holds the Parquet part files, the version sidecar
 * {@value RolloutSchema#VERSION_FILE} and, last, the marker {@value AtomicOutput#MARKER}.
 * Rows are sorted by (iteration, condition, sample, t) within each file, which makes files
 * readable in order and compresses the slowly changing key columns well; the number of files is
 * the number of partitions of the input (coalesce first for a small dataset).
 */
public final class RolloutWriter {
    private RolloutWriter() {
    }

    /** {@link #write(Dataset, String, String)} recording this class as the writer. */
    public static CompletionMarker write(Dataset<Row> rows, String path) {
        return write(rows, path, RolloutWriter.class.getName());
    }

    /**
     * Replaces whatever is at {@code path} with {@code rows}.
     *
     * @param rows      any DataFrame with the schema's columns (compatible types are cast, extra
     *                  columns dropped, a missing cost or u_applied column written as null)
     * @param writtenBy recorded in the completion marker, e.g. the pipeline step
     * @return the completion marker, with the number of rows written
     * @throws BadInputException when a required column is missing or has an incompatible type
     */
    public static CompletionMarker write(Dataset<Row> rows, String path, String writtenBy) {
        return write(rows, path, writtenBy, tmp -> { });
    }

    /** Writes extra files into the dataset's temporary folder, so that they are published with it. */
    @FunctionalInterface
    public interface SideFiles {
        void writeInto(String tempPath) throws java.io.IOException;
    }

    /**
     * {@link #write(Dataset, String, String)} that also writes side files (names starting with
     * {@code _}, which Parquet readers skip) into the folder before it is published, e.g. the
     * report of {@code gps ingest}.
     */
    public static CompletionMarker write(Dataset<Row> rows, String path, String writtenBy, SideFiles side) {
        Dataset<Row> conformed = RolloutReader.conform(rows, "rollouts to write to " + path)
                .sortWithinPartitions(RolloutSchema.KEY_COLUMNS.stream().map(c -> col(c)).toArray(Column[]::new));
        CompletionMarker marker = AtomicOutput.publish(rows.sparkSession(), path, writtenBy, tmp -> {
            // Count while writing rather than in a second pass over the input.
            Observation observed = new Observation("rollout_write");
            conformed.observe(observed, count(lit(1)).as("rows"))
                    .write().mode(SaveMode.ErrorIfExists).parquet(tmp);
            SchemaVersionFile.write(HadoopFiles.conf(rows.sparkSession()), tmp);
            side.writeInto(tmp);
            try {
                Map<String, Object> m = observed.getAsJava();
                return ((Number) m.get("rows")).longValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while counting the rows written to " + path, e);
            }
        });
        if (marker.rows() > 0) {
            // An empty dataset is left to the footers' read, which is where its refusal comes from.
            RolloutReader.written(HadoopFiles.conf(rows.sparkSession()), path, conformed.schema());
        }
        return marker;
    }
}
