package org.gps.pipeline.cli;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.io.RolloutSchema;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps validate} on a log in its own shape: it says to use gps ingest and prints a mapping to start from. */
class ValidateRawLogTest {

    private static String lastLine(String s) {
        return s.strip().lines().reduce((a, b) -> b).orElse("");
    }

    private static CliTestSupport.Outcome ingest(Path input, Path mapping, String out, String... more) {
        List<String> args = new ArrayList<>(List.of("ingest", "--input", input.toString(), "--format", "csv",
                "--mapping", mapping.toString(), "--out", out));
        args.addAll(List.of(more));
        return CliTestSupport.run(args.toArray(String[]::new));
    }

    @Test
    void validateOnARawLogPointsToIngestWithAMappingThatIngestsIt(@TempDir Path dir) throws Exception {
        Path tsv = Files.copy(IngestLogShapesTest.TASKS.resolve("day1.tsv"), dir.resolve("day1.tsv"));
        CliTestSupport.Outcome v = CliTestSupport.run("validate", tsv.toString());
        assertEquals(2, v.exitCode());
        String last = lastLine(v.err());
        assertTrue(last.startsWith("gps validate: error: " + tsv + " is not a rollout dataset but looks like a raw log"
                + " (csv); convert it with gps ingest"), last);
        assertTrue(last.contains("jobs/gps ingest --input " + tsv + " --format csv --delimiter '\\t' --mapping MAP.yaml"),
                last);
        // Standard output is the mapping alone: saved as it is, it ingests the log.
        assertTrue(v.out().contains("condition: task") && v.out().contains("condition_labels: condition-labels.json")
                && v.out().contains("t_offset: -1") && v.out().contains("x: [pos, vel]"), v.out());
        Path map = dir.resolve("MAP.yaml");
        Files.writeString(map, v.out());
        String out = dir.resolve("out").toString();
        CliTestSupport.Outcome o = ingest(tsv, map, out, "--delimiter", "\\t");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("accepted: 6 rollouts (90 rows) in 2 condition(s); dX 2, dU 1, dO 2, cost yes"),
                o.out());

        // Parquet in its own shape: array columns and a float time.
        StructType schema = new StructType().add("run", DataTypes.StringType).add("time", DataTypes.DoubleType)
                .add("state", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("action", DataTypes.createArrayType(DataTypes.DoubleType));
        List<Row> prow = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            prow.add(RowFactory.create("r1", 0.1 * t, List.of(1.0 * t, 2.0), List.of(0.5)));
        }
        String parquet = dir.resolve("log.parquet").toString();
        SparkTestSession.get().createDataFrame(prow, schema).coalesce(1).write().parquet(parquet);
        CliTestSupport.Outcome p = CliTestSupport.run("validate", parquet);
        assertEquals(2, p.exitCode());
        assertTrue(lastLine(p.err()).contains("looks like a raw log (parquet)"), p.err());
        assertTrue(p.out().contains("rollout: run") && p.out().contains("t_timestamp: time")
                && p.out().contains("x: state") && p.out().contains("u: action"), p.out());
        Path pmap = dir.resolve("P.yaml");
        Files.writeString(pmap, p.out());
        CliTestSupport.Outcome pi = CliTestSupport.run("ingest", "--input", parquet, "--format", "parquet", "--mapping",
                pmap.toString(), "--out", dir.resolve("pout").toString());
        assertEquals(0, pi.exitCode(), pi.err());

        // A rollout dataset that lost one column is damaged, not a raw log: no suggestion.
        Dataset<Row> ingested = SparkTestSession.get().read().parquet(out).drop(RolloutSchema.SOURCE);
        String damaged = dir.resolve("damaged").toString();
        ingested.coalesce(1).write().parquet(damaged);
        CliTestSupport.Outcome d = CliTestSupport.run("validate", damaged);
        assertEquals(2, d.exitCode());
        assertTrue(d.err().contains("MISSING_COLUMN: missing column source"), d.err());
        assertFalse(d.err().contains("gps ingest"), d.err());
        assertEquals("", d.out());
        assertEquals(java.util.Optional.empty(), org.gps.io.MappingSkeleton.suggest(SparkTestSession.get(), out),
                "a rollout dataset gets no mapping");
        // So is one with a text file among its parts: unreadable, but its Parquet files have the schema's columns.
        Files.writeString(Path.of(out, "part-99998-text.snappy.parquet"), "task,episode,step,pos\nreach,e1,1,0.5\n");
        CliTestSupport.Outcome t = CliTestSupport.run("validate", out);
        assertEquals(2, t.exitCode());
        assertTrue(t.err().contains("UNREADABLE_PATH"), t.err());
        assertFalse(t.err().contains("gps ingest"), t.err());
        assertEquals("", t.out());
    }
}
