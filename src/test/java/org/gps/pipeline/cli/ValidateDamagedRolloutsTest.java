package org.gps.pipeline.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.io.FaultKind;
import org.gps.io.RolloutSchema;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validator against real rollouts: those written by {@code init} + {@code sample} are accepted, and a
 * damaged copy of them, one per fault kind, is rejected by {@code gps validate} with exit code 2
 * and a report that names exactly that fault. Each copy breaks one thing in an otherwise valid
 * dataset (2 conditions x 2 samples x T = 5 Pendulum steps, dX = dO = 3, dU = 1).
 */
class ValidateDamagedRolloutsTest {
    private static final String CONFIG = """
            name: damaged
            seed: 11
            horizon: 5
            samples: 2
            environment: {type: pendulum}
            conditions: [[3.141592653589793, 0.0], [1.0, 0.5]]
            cost:
              terms:
                - {type: state, target: [1, 0, 0]}
                - {type: action, weights: 0.05}
            """;
    /** A fault line of the report: two spaces, the kind, a colon (see ValidationReport.format). */
    private static final Pattern FAULT_LINE = Pattern.compile("(?m)^  ([A-Z_]+): ");

    @TempDir
    static Path shared;
    static String valid;

    @TempDir
    Path dir;

    @BeforeAll
    static void sampleValidRollouts() throws Exception {
        Path config = shared.resolve("config.yaml");
        Files.writeString(config, CONFIG);
        String run = shared.resolve("run").toString();
        assertEquals(0, CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run).exitCode());
        assertEquals(0, CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0").exitCode());
        valid = shared.resolve("run/iter=0000/rollouts").toString();
    }

    private static Dataset<Row> rows() {
        return SparkTestSession.get().read().parquet(valid);
    }

    private static Column key(int condition, int sample, int t) {
        return col("condition").equalTo(condition).and(col("sample").equalTo(sample)).and(col("t").equalTo(t));
    }

    /** Writes the damaged rows as plain Parquet (no sidecar, no marker: as logged data would come). */
    private String writeDamaged(String name, Dataset<Row> rows) {
        String path = dir.resolve(name).toString();
        rows.coalesce(1).write().parquet(path);
        return path;
    }

    private static Set<FaultKind> reportedKinds(String report) {
        Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        Matcher m = FAULT_LINE.matcher(report);
        while (m.find()) {
            kinds.add(FaultKind.valueOf(m.group(1)));
        }
        return kinds;
    }

    /** Runs validate, asserts exit code 2 and that the report names exactly {@code kind}; returns the report. */
    private static String assertRejectedFor(String path, FaultKind kind) {
        CliTestSupport.Outcome o = CliTestSupport.run("validate", path);
        String report = o.out() + o.err();
        assertEquals(2, o.exitCode(), report);
        assertEquals(EnumSet.of(kind), reportedKinds(o.err()), report);
        assertFalse(report.contains("\tat "), "no stack trace for bad data: " + report);
        return o.err();
    }

    private static void assertMentions(String report, String... parts) {
        for (String p : parts) {
            assertTrue(report.contains(p), "'" + p + "' not in: " + report);
        }
    }

    @Test
    void undamagedRolloutsAreValid() {
        CliTestSupport.Outcome o = CliTestSupport.run("validate", valid);
        assertEquals(0, o.exitCode(), o.err());
        assertMentions(o.out(), "valid", "rows 20, trajectories 4, dX 3, dU 1, dO 3");
    }

    @Test
    void missingColumnIsRejected() {
        String path = writeDamaged("no-u", rows().drop(RolloutSchema.U));
        assertMentions(assertRejectedFor(path, FaultKind.MISSING_COLUMN), "u");
    }

    @Test
    void wrongTypeIsRejected() {
        String path = writeDamaged("x-as-text", rows().withColumn(RolloutSchema.X, to_json(col(RolloutSchema.X))));
        assertMentions(assertRejectedFor(path, FaultKind.WRONG_TYPE), "x");
    }

    @Test
    void nullValueIsRejected() {
        String path = writeDamaged("null-source", rows().withColumn(RolloutSchema.SOURCE,
                when(key(1, 0, 3), lit(null).cast("string")).otherwise(col(RolloutSchema.SOURCE))));
        assertMentions(assertRejectedFor(path, FaultKind.NULL_VALUE), "(iteration=0, condition=1, sample=0, t=3)");
    }

    @Test
    void inconsistentVectorLengthIsRejected() {
        String path = writeDamaged("short-x", rows().withColumn(RolloutSchema.X,
                when(key(0, 1, 2), expr("slice(x, 1, 2)")).otherwise(col(RolloutSchema.X))));
        assertMentions(assertRejectedFor(path, FaultKind.INCONSISTENT_VECTOR_LENGTH),
                "length 2 in 1 row", "length 3 in 19 rows", "(iteration=0, condition=0, sample=1, t=2)");
    }

    @Test
    void nanAndInfinityAreRejected() {
        String path = writeDamaged("non-finite", rows()
                .withColumn(RolloutSchema.X, when(key(0, 0, 1), expr("array(double('NaN'), x[1], x[2])"))
                        .otherwise(col(RolloutSchema.X)))
                .withColumn(RolloutSchema.COST, when(key(1, 1, 4), lit(Double.POSITIVE_INFINITY))
                        .otherwise(col(RolloutSchema.COST))));
        String report = assertRejectedFor(path, FaultKind.NON_FINITE);
        assertMentions(report, "column x has NaN or infinite elements", "(iteration=0, condition=0, sample=0, t=1)",
                "column cost is NaN or infinite", "(iteration=0, condition=1, sample=1, t=4)");
    }

    @Test
    void missingTimeStepIsRejected() {
        String path = writeDamaged("missing-t", rows().filter(key(0, 1, 2).unary_$bang()));
        assertMentions(assertRejectedFor(path, FaultKind.MISSING_TIME_STEP), "lacks t=2 of 0..4");
    }

    @Test
    void repeatedTimeStepIsRejected() {
        // A second row for t = 2 holding the contents of t = 3: same key, different contents.
        Dataset<Row> all = rows();
        Dataset<Row> copy = all.filter(key(1, 0, 3)).withColumn(RolloutSchema.T, lit(2));
        String path = writeDamaged("repeated-t", all.unionByName(copy));
        assertMentions(assertRejectedFor(path, FaultKind.REPEATED_TIME_STEP),
                "(iteration=0, condition=1, sample=0, t=2) on 2 different rows");
    }

    @Test
    void duplicateKeyIsRejected() {
        Dataset<Row> all = rows();
        String path = writeDamaged("duplicate", all.union(all.filter(key(0, 0, 4))));
        assertMentions(assertRejectedFor(path, FaultKind.DUPLICATE_KEY),
                "(iteration=0, condition=0, sample=0, t=4) stored 2 times");
    }

    @Test
    void unequalTrajectoryLengthsAreRejected() {
        // Dropping the last step leaves a complete but shorter trajectory (t = 0..3).
        String path = writeDamaged("short-trajectory", rows().filter(key(1, 1, 4).unary_$bang()));
        assertMentions(assertRejectedFor(path, FaultKind.UNEQUAL_TRAJECTORY_LENGTHS),
                "condition 1", "T=4 for 1 trajectory", "T=5 for 1 trajectory");
    }

    @Test
    void emptyDatasetIsRejected() {
        String path = writeDamaged("empty", rows().filter(lit(false)));
        assertMentions(assertRejectedFor(path, FaultKind.EMPTY_DATASET), "has no rows");
    }

    @Test
    void unsupportedVersionIsRejected() throws Exception {
        Path copy = dir.resolve("version-3");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(Path.of(valid))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Path sidecar = copy.resolve(RolloutSchema.VERSION_FILE);
        Files.writeString(sidecar, Files.readString(sidecar).replaceFirst("\"version\":[0-9]+", "\"version\":3"));
        Files.deleteIfExists(copy.resolve("." + RolloutSchema.VERSION_FILE + ".crc"));
        assertMentions(assertRejectedFor(copy.toString(), FaultKind.UNSUPPORTED_VERSION),
                "rollout schema version 3", "this code reads versions 1 to 2");
    }

    @Test
    void absentPathIsRejectedAsUnreadable() {
        String path = dir.resolve("nothing-here").toString();
        assertMentions(assertRejectedFor(path, FaultKind.UNREADABLE_PATH), path, "does not exist");
    }

    @Test
    void folderWithoutParquetIsRejectedAsUnreadable() throws Exception {
        Path folder = dir.resolve("csv");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("rollouts.csv"), "iteration,condition,sample,t\n0,0,0,0\n");
        assertMentions(assertRejectedFor(folder.toString(), FaultKind.UNREADABLE_PATH), "not a readable Parquet dataset");
    }
}
