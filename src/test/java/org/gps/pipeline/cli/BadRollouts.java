package org.gps.pipeline.cli;

import static org.apache.spark.sql.functions.array_append;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.io.AtomicOutput;
import org.gps.io.CompletionMarker;
import org.gps.io.FaultKind;
import org.gps.io.RolloutSchema;
import org.gps.io.RolloutWriter;
import org.gps.spark.SparkTestSession;

/**
 * The bad-input corpus: every data fault a rollout dataset can have, each made from the valid
 * rollouts of {@link TinyRun} (2 conditions x 3 samples x T = 20, dX = dO = 3, dU = 1) by test
 * code, never stored as a binary file. A {@link Fault} either rewrites the rows (breaking one
 * thing in otherwise valid data) or damages the Parquet files of a written dataset.
 */
final class BadRollouts {
    private BadRollouts() {
    }

    /** What a damaged dataset is made of: rows to write, and what to do to the files afterwards. */
    enum Fault {
        NAN_IN_X(FaultKind.NON_FINITE, "column x", rows -> rows.withColumn(RolloutSchema.X,
                at(0, 1, 5, expr("array(double('NaN'), x[1], x[2])"), RolloutSchema.X))),
        INFINITY_IN_U(FaultKind.NON_FINITE, "column u", rows -> rows.withColumn(RolloutSchema.U,
                at(1, 0, 3, expr("array(double('Infinity'))"), RolloutSchema.U))),
        NULL_ELEMENT_IN_X(FaultKind.NULL_VALUE, "column x", rows -> rows.withColumn(RolloutSchema.X,
                at(0, 2, 7, expr("array(x[0], CAST(NULL AS double), x[2])"), RolloutSchema.X))),
        NULL_CONDITION(FaultKind.NULL_VALUE, "column condition", rows -> rows.withColumn(RolloutSchema.CONDITION,
                when(key(1, 1, 4), lit(null).cast("int")).otherwise(col(RolloutSchema.CONDITION)))),
        SHORT_VECTOR(FaultKind.INCONSISTENT_VECTOR_LENGTH, "column x", rows -> rows.withColumn(RolloutSchema.X,
                at(0, 1, 2, expr("slice(x, 1, 2)"), RolloutSchema.X))),
        HUGE_VALUE(FaultKind.VALUE_TOO_LARGE, "column x", rows -> rows.withColumn(RolloutSchema.X,
                at(1, 2, 9, expr("array(x[0], 1e300D, x[2])"), RolloutSchema.X))),
        NEGATIVE_CONDITION(FaultKind.INDEX_OUT_OF_RANGE, "column condition", rows -> rows.withColumn(
                RolloutSchema.CONDITION, when(col(RolloutSchema.CONDITION).equalTo(1).and(col(RolloutSchema.SAMPLE)
                        .equalTo(2)), lit(-1)).otherwise(col(RolloutSchema.CONDITION)))),
        T_BEYOND_INT32(FaultKind.INDEX_OUT_OF_RANGE, "column t", rows -> rows.withColumn(RolloutSchema.T,
                when(key(0, 0, 19), lit(3_000_000_000L)).otherwise(col(RolloutSchema.T).cast("bigint")))),
        SAMPLE_BEYOND_INT32(FaultKind.INDEX_OUT_OF_RANGE, "column sample", rows -> rows.withColumn(RolloutSchema.SAMPLE,
                when(col(RolloutSchema.CONDITION).equalTo(0).and(col(RolloutSchema.SAMPLE).equalTo(1)),
                        lit(5_000_000_000L)).otherwise(col(RolloutSchema.SAMPLE).cast("bigint")))),
        MISSING_COLUMN_X(FaultKind.MISSING_COLUMN, "missing column x", rows -> rows.drop(RolloutSchema.X)),
        X_AS_TEXT(FaultKind.WRONG_TYPE, "column x has type string", rows -> rows.withColumn(RolloutSchema.X,
                to_json(col(RolloutSchema.X)))),
        /** Condition 0 with dX = 3, condition 1 with dX = 4, in separate files. */
        MIXED_STATE_DIMENSIONS(FaultKind.INCONSISTENT_VECTOR_LENGTH, "dX", rows -> rows.withColumn(RolloutSchema.X,
                when(col(RolloutSchema.CONDITION).equalTo(1), array_append(col(RolloutSchema.X), lit(0.5)))
                        .otherwise(col(RolloutSchema.X))).repartitionByRange(2, col(RolloutSchema.CONDITION))),
        SHORTER_TRAJECTORY(FaultKind.UNEQUAL_TRAJECTORY_LENGTHS, "T=19", rows -> rows.filter(key(1, 1, 19).unary_$bang())),
        NEGATIVE_INFINITE_COST(FaultKind.NON_FINITE, "column cost", rows -> rows.withColumn(RolloutSchema.COST,
                when(key(0, 0, 11), lit(Double.NEGATIVE_INFINITY)).otherwise(col(RolloutSchema.COST)))),
        MISSING_TIME_STEP(FaultKind.MISSING_TIME_STEP, "condition=0, sample=2", rows -> rows.filter(key(0, 2, 7).unary_$bang())),
        DUPLICATED_TIME_STEP(FaultKind.DUPLICATE_KEY, "t=4", rows -> rows.union(rows.filter(key(0, 0, 4)))),
        REPEATED_TIME_STEP(FaultKind.REPEATED_TIME_STEP, "t=2", rows -> rows.union(rows.filter(key(1, 0, 3))
                .withColumn(RolloutSchema.T, lit(2)))),
        EMPTY(FaultKind.EMPTY_DATASET, "", rows -> rows.filter(lit(false))),
        /** A dataset published with its marker, then one of its two part files deleted. */
        PART_FILE_DELETED(FaultKind.MARKER_ROW_COUNT, "marker records", rows -> rows),
        TRUNCATED_FILE(FaultKind.UNREADABLE_PATH, "", rows -> rows),
        ZERO_BYTE_FILE(FaultKind.UNREADABLE_PATH, "", rows -> rows),
        NOT_PARQUET(FaultKind.UNREADABLE_PATH, "", rows -> rows),
        UNSUPPORTED_VERSION(FaultKind.UNSUPPORTED_VERSION, "version 3", rows -> rows),
        NAN_IN_APPLIED_ACTION(FaultKind.NON_FINITE, "column u_applied", rows -> rows.withColumn(RolloutSchema.U_APPLIED,
                at(1, 1, 6, expr("array(double('NaN'))"), RolloutSchema.U_APPLIED))),
        APPLIED_ACTION_LONGER_THAN_U(FaultKind.INCONSISTENT_VECTOR_LENGTH, "column u_applied", rows -> rows.withColumn(
                RolloutSchema.U_APPLIED, at(0, 2, 4, expr("array(u_applied[0], 0.0D)"), RolloutSchema.U_APPLIED)));

        final FaultKind kind;
        /** A part of the message that names the offending column, key or expectation (empty: the kind says it all). */
        final String names;
        private final UnaryOperator<Dataset<Row>> damage;

        Fault(FaultKind kind, String names, UnaryOperator<Dataset<Row>> damage) {
            this.kind = kind;
            this.names = names;
            this.damage = damage;
        }

        /** Whether the rows are fine and the damage is to the files. */
        boolean damagesFiles() {
            return this == PART_FILE_DELETED || this == TRUNCATED_FILE || this == ZERO_BYTE_FILE || this == NOT_PARQUET
                    || this == UNSUPPORTED_VERSION;
        }

        /** Whether the dataset's rows break a rule that a step's row and trajectory checks see. */
        boolean inRows() {
            return !damagesFiles() && this != MISSING_COLUMN_X && this != X_AS_TEXT && this != EMPTY;
        }

        Dataset<Row> apply(Dataset<Row> valid) {
            return damage.apply(valid);
        }
    }

    static SparkSession spark() {
        return SparkTestSession.get();
    }

    private static Dataset<Row> valid;
    private static final java.util.Map<Fault, Path> DAMAGED_RUN_ROLLOUTS = new java.util.EnumMap<>(Fault.class);

    private static Path mdgpsOptimised;

    /**
     * An MDGPS run taken through trajopt of iteration 0 (what train-policy of iteration 0 needs),
     * with TinyRun's shape (2 conditions x 3 samples x T = 20, Pendulum), so that the damaged
     * rollouts of {@link #damageRun} fit it.
     */
    static synchronized Path mdgpsOptimised() {
        if (mdgpsOptimised == null) {
            try {
                Path root = TinyRun.config().getParent().resolve("mdgps");
                Files.createDirectories(root);
                Path config = root.resolve("config.yaml");
                Files.writeString(config, MdgpsRunTest.CONFIG.replace("horizon: 10", "horizon: 20"));
                Path run = root.resolve("optimised");
                TinyRun.ok("init", "--config", config.toString(), "--run-dir", run.toString());
                for (String step : new String[] {"sample", "fit-dynamics", "trajopt"}) {
                    TinyRun.ok(step, "--run-dir", run.toString(), "--iteration", "0");
                }
                mdgpsOptimised = run;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mdgpsOptimised;
    }

    /** The valid rows the faults start from: TinyRun's rollouts of iteration 0, in memory. */
    static synchronized Dataset<Row> validRows() {
        if (valid == null) {
            Path rollouts = TinyRun.sampled().resolve("iter=0000/rollouts");
            Dataset<Row> stored = spark().read().parquet(rollouts.toString());
            valid = spark().createDataFrame(stored.collectAsList(), stored.schema());
        }
        return valid;
    }

    /**
     * Writes the fault's dataset as logged data would come (no sidecar; a marker only for
     * {@link Fault#PART_FILE_DELETED}) into a new folder {@code dir/name}; returns it.
     */
    static Path write(Fault fault, Path dir) {
        Path path = dir.resolve(fault.name().toLowerCase());
        Dataset<Row> valid = validRows();
        if (fault == Fault.PART_FILE_DELETED) {
            // Range partitioning by condition: one file per condition, neither empty.
            RolloutWriter.write(valid.repartitionByRange(2, col(RolloutSchema.CONDITION)), path.toString(), "test corpus");
            deleteOnePart(path);
            return path;
        }
        Dataset<Row> rows = fault.apply(valid);
        (fault == Fault.MIXED_STATE_DIMENSIONS ? rows : rows.coalesce(1)).write().parquet(path.toString());
        damageFiles(fault, path);
        return path;
    }

    /**
     * Damages iteration 0's rollouts inside a run directory, leaving them published: the
     * damaged rows replace the part files and the marker is rewritten to count them, so that
     * only the fault itself is wrong ({@link Fault#PART_FILE_DELETED} keeps the old marker).
     */
    static void damageRun(Fault fault, Path run) {
        Path rollouts = run.resolve("iter=0000/rollouts");
        try {
            deleteTree(rollouts);
            RunDirectoryAssertions.copyTree(damagedRunRollouts(fault), rollouts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The damaged published rollouts of {@link #damageRun}, made once per fault and copied into each run. */
    private static synchronized Path damagedRunRollouts(Fault fault) {
        Path done = DAMAGED_RUN_ROLLOUTS.get(fault);
        if (done == null) {
            done = TinyRun.copy(TinyRun.sampled().resolve("iter=0000/rollouts"),
                    TinyRun.config().getParent().resolve("damaged-rollouts/" + fault.name().toLowerCase()));
            damagePublished(fault, done);
            DAMAGED_RUN_ROLLOUTS.put(fault, done);
        }
        return done;
    }

    private static void damagePublished(Fault fault, Path rollouts) {
        Dataset<Row> rows = fault == Fault.PART_FILE_DELETED
                ? validRows().filter(col(RolloutSchema.CONDITION).equalTo(0).and(col(RolloutSchema.SAMPLE).equalTo(2)).unary_$bang())
                : fault.apply(validRows());
        Path staged = rollouts.resolveSibling("staged-" + fault.name().toLowerCase());
        (fault == Fault.MIXED_STATE_DIMENSIONS ? rows : rows.coalesce(1)).write().parquet(staged.toString());
        long count = spark().read().parquet(staged.toString()).count();
        try {
            for (Path p : parts(rollouts)) {
                Files.delete(p);
                Files.deleteIfExists(p.resolveSibling("." + p.getFileName() + ".crc"));
            }
            for (Path p : parts(staged)) {
                Files.move(p, rollouts.resolve(p.getFileName()));
            }
            deleteTree(staged);
            damageFiles(fault, rollouts);
            if (fault != Fault.PART_FILE_DELETED) {
                Path marker = rollouts.resolve(AtomicOutput.MARKER);
                CompletionMarker old = CompletionMarker.fromJson(Files.readString(marker));
                Files.writeString(marker, new CompletionMarker(old.writtenBy(), old.completedAt(), count, old.build()).toJson());
                Files.deleteIfExists(rollouts.resolve("." + AtomicOutput.MARKER + ".crc"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void damageFiles(Fault fault, Path dataset) {
        try {
            Path first = parts(dataset).get(0);
            switch (fault) {
                case TRUNCATED_FILE -> {
                    byte[] all = Files.readAllBytes(first);
                    Files.write(first, java.util.Arrays.copyOf(all, all.length / 2));
                    Files.deleteIfExists(first.resolveSibling("." + first.getFileName() + ".crc"));
                }
                case ZERO_BYTE_FILE -> Files.write(dataset.resolve("part-99999-empty.snappy.parquet"), new byte[0]);
                case NOT_PARQUET -> Files.writeString(dataset.resolve("part-99998-text.snappy.parquet"),
                        "iteration,condition,sample,t\n0,0,0,0\n");
                case UNSUPPORTED_VERSION -> {
                    Files.writeString(dataset.resolve(RolloutSchema.VERSION_FILE), "{\"version\":3}\n");
                    Files.deleteIfExists(dataset.resolve("." + RolloutSchema.VERSION_FILE + ".crc"));
                }
                default -> {
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteOnePart(Path dataset) {
        try {
            List<Path> parts = parts(dataset);
            if (parts.size() < 2) {
                throw new IllegalStateException("expected two part files in " + dataset + ", found " + parts);
            }
            Files.delete(parts.get(0));
            Files.deleteIfExists(parts.get(0).resolveSibling("." + parts.get(0).getFileName() + ".crc"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> parts(Path dataset) throws IOException {
        try (Stream<Path> s = Files.list(dataset)) {
            return s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
    }

    /** Rows of dX = 5000 (2 conditions x 2 samples x T = 3): valid data whose fit cannot be held in memory. */
    static Path writeWideState(Path dir) {
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            for (int s = 0; s < 2; s++) {
                for (int t = 0; t < 3; t++) {
                    List<Double> x = new ArrayList<>(5000);
                    for (int i = 0; i < 5000; i++) {
                        x.add(0.001 * (i % 97) + c + s + t);
                    }
                    rows.add(RowFactory.create(0, c, s, t, x, List.of(0.1 * t), List.of(1.0), 0.0,
                            RolloutSchema.SOURCE_LOGGED, null));
                }
            }
        }
        Path path = dir.resolve("wide-state");
        spark().createDataFrame(rows, RolloutSchema.STRUCT).coalesce(1).write().parquet(path.toString());
        return path;
    }

    /** Rows of T = 1: valid data, too short to fit dynamics on. */
    static Path writeSingleStep(Path dir) {
        Path path = dir.resolve("single-step");
        validRows().filter(col(RolloutSchema.T).equalTo(0)).coalesce(1).write().parquet(path.toString());
        return path;
    }

    /** Every file and folder under {@code root}, as relative paths: to show that a refusal wrote nothing. */
    static List<String> listing(Path root) {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static Column key(int condition, int sample, int t) {
        return col(RolloutSchema.CONDITION).equalTo(condition).and(col(RolloutSchema.SAMPLE).equalTo(sample))
                .and(col(RolloutSchema.T).equalTo(t));
    }

    private static Column at(int condition, int sample, int t, Column value, String column) {
        return when(key(condition, sample, t), value).otherwise(col(column));
    }
}
