package org.gps.io;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.types.StructField;
import java.util.HashMap;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.dense_rank;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.BadInputException;

/**
 * Converts logs that do not follow the rollout schema (CSV, JSON lines, Parquet with other column
 * names) into a rollout dataset, through an {@link IngestMapping} (docs/ingest.md). It applies
 * the rules of {@link RolloutValidator} as it goes and keeps only what passes:
 * <ul>
 * <li>a <em>row</em> is rejected for its first fault: an unreadable JSON line, an empty cell
 *     ({@link FaultKind#NULL_VALUE}), a value that is not a number or an index that is not an
 *     integer ({@link FaultKind#WRONG_TYPE}), an array of another length than the dataset's
 *     ({@link FaultKind#INCONSISTENT_VECTOR_LENGTH}), NaN or infinity ({@link FaultKind#NON_FINITE}), a
 *     magnitude above 1e150 ({@link FaultKind#VALUE_TOO_LARGE});</li>
 * <li>a <em>rollout</em> (the rows sharing iteration, condition and rollout id) is rejected whole
 *     when one of its rows is, when a time step occurs twice ({@link FaultKind#REPEATED_TIME_STEP},
 *     {@link FaultKind#DUPLICATE_KEY}), when its steps are not exactly 0..T-1
 *     ({@link FaultKind#MISSING_TIME_STEP}), or when its T differs from the most common T of its
 *     condition ({@link FaultKind#UNEQUAL_TRAJECTORY_LENGTHS}); dropping rows from a rollout
 *     would leave a gap in it.</li>
 * </ul>
 * A text condition is numbered through the mapping's labels file ({@link ConditionLabels}), which
 * this ingest extends. A time step taken from a timestamp is its dense rank within the rollout,
 * so rows sharing a timestamp share a t and reject their rollout as a repeated step; a time step
 * taken from the row order is the row's position in (file path, split start, position within the
 * split), which is the order of the rows in their files whatever the partitioning.
 *
 * <p>The accepted rollouts are numbered 0.. within (iteration, condition) in the order of their ids
 * (numerically when the ids are numbers) and written with {@link RolloutWriter} (atomic, with
 * marker), together with the report {@value IngestReport#FILE} and the table
 * {@value #ROLLOUT_IDS} that maps each sample back to its source rollout id and file.
 *
 * <p>Everything is a Spark job: the rows are never collected; only per-reason counts, per-condition
 * lengths and a few examples come back to the driver.
 */
public final class RolloutIngest {
    /** Examples quoted per reason. */
    public static final int MAX_EXAMPLES = 5;
    /** Side table in the output: iteration, condition, sample, rollout_id, file, rows. */
    public static final String ROLLOUT_IDS = "_rollout_ids";
    /** How the completion marker of an ingested dataset begins: tells ingest's own earlier output. */
    public static final String WRITER = "gps ingest ";

    /** Most distinct condition labels taken: more are most likely a mapping that names the wrong column. */
    public static final int MAX_LABELS = 1000;

    /**
     * What to read.
     *
     * @param path      a file, a folder of files or a glob
     * @param format    the files' format
     * @param delimiter the CSV field separator (',' for a comma, '\t' for TSV); ignored by the other formats
     */
    public record Source(String path, Format format, char delimiter) {
        /** A source with the default CSV delimiter, the comma. */
        public Source(String path, Format format) {
            this(path, format, ',');
        }
    }

    /** Source formats. */
    public enum Format {
        CSV, JSONL, PARQUET;

        public static Format parse(String s) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(s)) {
                    return f;
                }
            }
            throw new BadInputException("--format: expected csv, jsonl or parquet, got '" + s + "'");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    // Internal column names; a source column is renamed to SRC + index before any expression, so
    // that names with dots, spaces or backticks never reach SQL text.
    private static final String SRC = "_gps_s";
    private static final String FILE = "_gps_file";
    private static final String CORRUPT = "_gps_corrupt";
    private static final String RID = "_gps_rid";
    private static final String RORDER = "_gps_rorder";
    private static final String T_RAW = "_gps_traw";
    private static final String FAULT = "_gps_fault";
    private static final String KIND = "_gps_kind";
    private static final String DETAIL = "_gps_detail";
    private static final String ATTR = "_gps_attr";
    private static final String BLOCK = "_gps_block";
    private static final String MONO = "_gps_mono";
    private static final String STAMP = "_gps_stamp";

    private RolloutIngest() {
    }

    /**
     * Reads {@code input}, converts and validates it, and writes what passes to {@code out}
     * (replacing it). When no rollout passes, nothing is written and the report says so
     * ({@link IngestReport#output()} is null).
     *
     * @throws BadInputException when the input cannot be read, the mapping names a missing
     *                           column or a column of the wrong type, or the input has no rows
     */
    public static IngestReport ingest(SparkSession spark, Source source, IngestMapping mapping, String out) {
        Dataset<Row> src = read(spark, source);
        checkDelimiter(source, src.schema());
        mapping.checkAgainst(src.schema(), source.path());
        Run run = new Run(spark, source, mapping, src);
        try {
            return run.execute(out);
        } finally {
            run.release();
        }
    }

    /**
     * A header that reads as one column holding another separator is a delimiter mismatch, which
     * the mapping's "column does not exist" would only hint at.
     */
    private static void checkDelimiter(Source source, StructType schema) {
        if (source.format() != Format.CSV || schema.fields().length != 1) {
            return;
        }
        String header = schema.fields()[0].name();
        char other = MappingSkeleton.delimiterOf(List.of(header));
        long n = header.chars().filter(c -> c == other).count();
        if (other != source.delimiter() && n > 0) {
            String shown = other == '\t' ? "\\t" : String.valueOf(other);
            throw new BadInputException("--delimiter: " + source.path() + " reads as one column when split at '"
                    + (source.delimiter() == '\t' ? "\\t" : String.valueOf(source.delimiter())) + "'; its header holds "
                    + n + " '" + shown + "': expected --delimiter '" + shown + "'");
        }
    }

    static Dataset<Row> read(SparkSession spark, Source source) {
        String input = source.path();
        Format format = source.format();
        if (!input.contains("*") && !input.contains("?") && !HadoopFiles.exists(HadoopFiles.conf(spark), input)) {
            throw new BadInputException("--input: " + input + " does not exist");
        }
        try {
            return switch (format) {
                // Every CSV cell stays text: the conversion below tells an empty cell from a
                // non-number per cell, which schema inference would blur for the whole column.
                case CSV -> spark.read().option("header", "true").option("mode", "PERMISSIVE")
                        .option("sep", String.valueOf(source.delimiter())).csv(input);
                case JSONL -> spark.read().option("mode", "PERMISSIVE")
                        .option("columnNameOfCorruptRecord", "_corrupt_record").json(input);
                // mergeSchema: every file's footer is read, so files that disagree on a column's type are
                // refused here, naming the column, instead of failing a task halfway through the conversion.
                case PARQUET -> spark.read().option("mergeSchema", "true").parquet(input);
            };
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            if (format == Format.PARQUET && why.contains("CANNOT_MERGE_SCHEMAS")) {
                String conflict = typeConflict(spark, input);
                if (conflict != null) {
                    throw new BadInputException("--input: " + input + ": " + conflict, e);
                }
            }
            if (format == Format.PARQUET) {
                // The same plain words as every other step's reader ("FILE: permission denied", "not a
                // readable Parquet file"), not Spark's error class.
                throw new BadInputException("--input: " + RolloutReader.notParquet(input, e), e);
            }
            throw new BadInputException("--input: " + input + " is not readable as " + format.label() + ": " + why, e);
        }
    }

    /** Most files compared when naming a type conflict between the input's files (only on that failure). */
    private static final int MAX_FILES_COMPARED = 64;

    /**
     * Which column the input's Parquet files disagree on, with the two types and files, or null
     * when it cannot be told. Spark's merge error lists whole schemas; this names the column.
     */
    private static String typeConflict(SparkSession spark, String input) {
        try {
            Path root = new Path(input);
            FileSystem fs = HadoopFiles.fileSystem(HadoopFiles.conf(spark), root);
            List<Path> files = new ArrayList<>();
            FileStatus[] found = fs.globStatus(root);
            for (FileStatus st : found == null ? new FileStatus[0] : found) {
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
                while (it.hasNext() && files.size() < MAX_FILES_COMPARED) {
                    Path f = it.next().getPath();
                    String name = f.getName();
                    if (!name.startsWith("_") && !name.startsWith(".")) {
                        files.add(f);
                    }
                }
            }
            files.sort(null);
            Map<String, DataType> first = new LinkedHashMap<>();
            Map<String, Path> firstFile = new HashMap<>();
            for (Path f : files) {
                for (StructField field : spark.read().parquet(f.toString()).schema().fields()) {
                    DataType seen = first.putIfAbsent(field.name(), field.dataType());
                    firstFile.putIfAbsent(field.name(), f);
                    if (seen != null && !seen.equals(field.dataType())) {
                        return "its files disagree on the type of column '" + field.name() + "': "
                                + seen.simpleString() + " in " + firstFile.get(field.name()) + ", "
                                + field.dataType().simpleString() + " in " + f
                                + "; expected one type per column in every file (" + FaultKind.WRONG_TYPE + ")";
                    }
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    /** One check on a staged row: when {@code when} holds, the row has fault {@code kind}, described by {@code detail}. */
    private record Check(FaultKind kind, Column when, Column detail) {
    }

    /** A vector of the schema, parsed, with its checks and size. */
    private record Parsed(Column value, List<Check> checks, int size) {
    }

    private static final class Run {
        private final SparkSession spark;
        private final Source source;
        private final String input;
        private final IngestMapping mapping;
        /** The labels file read before this ingest (none when it did not exist); null without condition_labels. */
        private ConditionLabels labelsBefore;
        /** Those labels extended with the ones found in the input. */
        private ConditionLabels labels;
        private final Dataset<Row> renamed;
        private final Map<String, String> alias = new LinkedHashMap<>();
        private final StructType srcSchema;
        private Dataset<Row> staged;
        private Dataset<Row> rollouts;

        Run(SparkSession spark, Source source, IngestMapping mapping, Dataset<Row> src) {
            this.spark = spark;
            this.source = source;
            this.input = source.path();
            this.mapping = mapping;
            this.srcSchema = src.schema();
            List<Column> sel = new ArrayList<>();
            int i = 0;
            for (String c : mapping.columns()) {
                String a = SRC + i++;
                alias.put(c, a);
                sel.add(src.col(quote(c)).as(a));
            }
            sel.add(col("_metadata.file_path").as(FILE));
            // Where each row sits in its file: the split's start, then the scan's own counter, which
            // rises in file order within a split. Taken here, straight over the scan, before any shuffle.
            sel.add(col("_metadata.file_block_start").as(BLOCK));
            sel.add(monotonically_increasing_id().as(MONO));
            boolean corrupt = source.format() == Format.JSONL
                    && ColumnTypes.typeIn(srcSchema, "_corrupt_record").isPresent();
            sel.add(corrupt ? col("_corrupt_record").as(CORRUPT) : lit(null).cast(DataTypes.StringType).as(CORRUPT));
            this.renamed = src.select(sel.toArray(Column[]::new));
        }

        void release() {
            if (rollouts != null) {
                rollouts.unpersist();
            }
            if (staged != null) {
                staged.unpersist();
            }
        }

        private DataType typeOf(String column) {
            return ColumnTypes.typeIn(srcSchema, column).orElseThrow();
        }

        private Column src(String column) {
            return col(alias.get(column));
        }

        IngestReport execute(String out) {
            numberLabels();
            stage();
            // Rows per first fault (null: a good row): one row per reason comes back.
            long rowsRead = 0;
            long withoutRollout = 0;
            Map<Integer, Long> rowsByKind = new TreeMap<>();
            for (Row r : staged.groupBy(col(KIND), col(ATTR)).count().collectAsList()) {
                rowsRead += r.getLong(2);
                if (!r.isNullAt(0)) {
                    rowsByKind.merge(r.getInt(0), r.getLong(2), Long::sum);
                }
                if (!r.getBoolean(1)) {
                    withoutRollout += r.getLong(2);
                }
            }
            if (rowsRead == 0) {
                throw new BadInputException("--input: " + input + " has no rows (" + FaultKind.EMPTY_DATASET + ")");
            }
            List<IngestReport.Fault> rowFaults = new ArrayList<>();
            rowsByKind.forEach((k, n) -> rowFaults.add(new IngestReport.Fault(FaultKind.values()[k].name(), n, n,
                    rowExamples(k))));

            rollouts = rolloutTable().persist(StorageLevel.MEMORY_AND_DISK());
            // One row per (reason, condition): the rejections and the accepted rollouts per condition at once.
            long rolloutsRead = 0;
            long rolloutsAccepted = 0;
            long rowsAccepted = 0;
            Map<Integer, long[]> byReason = new TreeMap<>();
            List<IngestReport.ConditionCount> conditions = new ArrayList<>();
            for (Row r : rollouts.groupBy(col("reason"), col(RolloutSchema.CONDITION))
                    .agg(count(lit(1)), sum("rows"), max("tmax")).orderBy(RolloutSchema.CONDITION).collectAsList()) {
                rolloutsRead += r.getLong(2);
                if (!r.isNullAt(0)) {
                    long[] n = byReason.computeIfAbsent(r.getInt(0), k -> new long[2]);
                    n[0] += r.getLong(2);
                    n[1] += r.getLong(3);
                } else {
                    conditions.add(new IngestReport.ConditionCount(r.getInt(1), labels == null ? null
                            : labels.labelOf(r.getInt(1)), r.getLong(2), r.getInt(4) + 1, r.getLong(3)));
                    rolloutsAccepted += r.getLong(2);
                    rowsAccepted += r.getLong(3);
                }
            }
            List<IngestReport.Fault> rolloutFaults = new ArrayList<>();
            byReason.forEach((k, n) -> rolloutFaults.add(new IngestReport.Fault(FaultKind.values()[k].name(), n[0], n[1],
                    rolloutExamples(k))));
            Dataset<Row> accepted = rollouts.filter(col("reason").isNull());
            String delimiter = source.format() == Format.CSV ? String.valueOf(source.delimiter()) : null;
            IngestReport report = new IngestReport(input, source.format().label(), delimiter, mapping.file(), null,
                    rowsRead, rowsAccepted, rolloutsRead, rolloutsAccepted, withoutRollout, xSize, uSize, oSize,
                    mapping.cost() != null || mapping.reward() != null, conditions, rowFaults, rolloutFaults,
                    mapping.conditionLabels(), labels == null ? List.of() : labels.addedSince(labelsBefore));
            if (rolloutsAccepted == 0) {
                return report;
            }
            IngestReport written = report.withOutput(out);
            write(accepted, out, written);
            return written;
        }

        private int xSize;
        private int uSize;
        private int oSize;

        /** The source rows as schema columns plus the first fault of each row. */
        private void stage() {
            List<Check> checks = new ArrayList<>();
            checks.add(new Check(FaultKind.WRONG_TYPE, col(CORRUPT).isNotNull(),
                    concat(lit("the line is not valid JSON: "), expr("substring(" + CORRUPT + ", 1, 80)"))));
            Column iteration = index("iteration", mapping.iteration(), 0, checks, true);
            Column condition = labels != null ? labelledCondition(checks)
                    : index("condition", mapping.condition(), 0, checks, true);
            Column rid = src(mapping.rollout()).cast(DataTypes.StringType);
            checks.add(new Check(FaultKind.NULL_VALUE, rid.isNull().or(rid.equalTo(lit(""))),
                    lit("rollout: column '" + mapping.rollout() + "' is empty")));
            IngestMapping.TimeStep ts = mapping.t();
            Column t = ts.kind() == IngestMapping.TimeStep.Kind.STEP ? index("t", ts.column(), ts.offset(), checks, false)
                    : lit(null).cast(DataTypes.IntegerType);
            Column stamp = ts.kind() == IngestMapping.TimeStep.Kind.TIMESTAMP ? timestamp(ts.column(), checks)
                    : lit(null).cast(DataTypes.DoubleType);
            Parsed x = vector(mapping.x(), -1);
            Parsed u = vector(mapping.u(), -1);
            Parsed o = vector(mapping.o(), -1);
            xSize = x.size();
            uSize = u.size();
            oSize = o.size();
            checks.addAll(x.checks());
            checks.addAll(u.checks());
            checks.addAll(o.checks());
            Column applied = lit(null).cast(RolloutSchema.typeOf(RolloutSchema.U_APPLIED));
            if (mapping.uApplied() != null) {
                Parsed a = vector(mapping.uApplied(), uSize);
                if (a.size() != uSize) {
                    throw new BadInputException(mapping.file() + ": u_applied: " + a.size() + " element(s); expected "
                            + uSize + ", one per element of u (the applied action has u's length)");
                }
                checks.addAll(a.checks());
                applied = a.value();
            }
            Column cost = lit(null).cast(DataTypes.DoubleType);
            String costColumn = mapping.cost() != null ? mapping.cost() : mapping.reward();
            if (costColumn != null) {
                String key = mapping.cost() != null ? "cost" : "reward";
                Column d = scalar(costColumn, key, checks);
                checks.add(new Check(FaultKind.NON_FINITE, RolloutRules.nonFinite(d),
                        concat(lit(key + ": column '" + costColumn + "' is "), d.cast(DataTypes.StringType))));
                checks.add(new Check(FaultKind.VALUE_TOO_LARGE, RolloutRules.tooLarge(d),
                        concat(lit(key + ": column '" + costColumn + "' is "), d.cast(DataTypes.StringType),
                                lit("; " + RolloutRules.VALUE_EXPECTATION))));
                cost = mapping.cost() != null ? d : d.multiply(-1.0);
            }
            Column fault = null;
            for (Check c : checks) {
                Column v = struct(lit(c.kind().ordinal()).as("k"), c.detail().as("d"));
                fault = fault == null ? when(c.when(), v) : fault.when(c.when(), v);
            }
            Dataset<Row> s = renamed.select(
                    col(FILE), col(BLOCK), col(MONO), rid.as(RID),
                    // Ids that are numbers (also in CSV, where every cell is text) are numbered in numeric order.
                    rid.try_cast(DataTypes.DoubleType).as(RORDER),
                    iteration.as(RolloutSchema.ITERATION), condition.as(RolloutSchema.CONDITION),
                    t.as(RolloutSchema.T), stepText(ts, t).as(T_RAW), stamp.as(STAMP),
                    x.value().as(RolloutSchema.X), u.value().as(RolloutSchema.U), o.value().as(RolloutSchema.O),
                    cost.as(RolloutSchema.COST), applied.as(RolloutSchema.U_APPLIED), fault.as(FAULT),
                    iteration.isNotNull().and(condition.isNotNull()).and(rid.isNotNull()).and(rid.notEqual(lit("")))
                            .and(col(CORRUPT).isNull()).as(ATTR));
            s = s.select(col("*"), col(FAULT + ".k").as(KIND), col(FAULT + ".d").as(DETAIL)).drop(FAULT);
            if (ts.kind() != IngestMapping.TimeStep.Kind.STEP) {
                s = derivedSteps(s, ts);
            }
            staged = s.persist(StorageLevel.MEMORY_AND_DISK());
        }

        /**
         * t from the rows' order within each rollout: a timestamp's dense rank (rows sharing a
         * timestamp share a t, so the rollout is rejected as a repeated step instead of being
         * ordered by chance), or the row's position in file order.
         */
        private Dataset<Row> derivedSteps(Dataset<Row> s, IngestMapping.TimeStep ts) {
            WindowSpec rollout = Window.partitionBy(col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION), col(RID));
            Column t = ts.kind() == IngestMapping.TimeStep.Kind.TIMESTAMP
                    ? dense_rank().over(rollout.orderBy(col(STAMP).asc_nulls_first()))
                    : row_number().over(rollout.orderBy(col(FILE), col(BLOCK), col(MONO)));
            s = s.withColumn(RolloutSchema.T, t.minus(1));
            Column shown = col(RolloutSchema.T).cast(DataTypes.StringType);
            if (ts.kind() == IngestMapping.TimeStep.Kind.TIMESTAMP) {
                shown = concat(shown, lit(" (" + ts.column() + " "), coalesce(col(T_RAW), lit("empty")), lit(")"));
            }
            return s.withColumn(T_RAW, shown);
        }

        /** How a row's t is quoted in examples: the step as the log wrote it, with the t it became when they differ. */
        private Column stepText(IngestMapping.TimeStep ts, Column t) {
            if (ts.kind() == IngestMapping.TimeStep.Kind.ROW_ORDER) {
                return lit(null).cast(DataTypes.StringType);
            }
            Column raw = src(ts.column()).cast(DataTypes.StringType);
            if (ts.kind() == IngestMapping.TimeStep.Kind.TIMESTAMP || ts.offset() == 0) {
                return raw;
            }
            return when(t.isNotNull(), concat(t.cast(DataTypes.StringType), lit(" (" + ts.column() + " "), raw, lit(")")))
                    .otherwise(raw);
        }

        /**
         * Reads the labels file (when it exists) and numbers the input's labels not in it: the
         * distinct labels come to the driver, at most {@link #MAX_LABELS} of them.
         */
        private void numberLabels() {
            String file = mapping.conditionLabels();
            if (file == null) {
                return;
            }
            Path path = new Path(file);
            labelsBefore = HadoopFiles.isFile(HadoopFiles.conf(spark), path)
                    ? ConditionLabels.parse(file, HadoopFiles.readUtf8(HadoopFiles.conf(spark), path))
                    : ConditionLabels.none();
            Column text = labelText();
            List<String> seen = new ArrayList<>();
            for (Row r : renamed.select(text.as("l")).filter(col("l").isNotNull().and(col("l").notEqual(lit(""))))
                    .distinct().limit(MAX_LABELS + 1).collectAsList()) {
                seen.add(r.getString(0));
            }
            if (seen.size() > MAX_LABELS) {
                throw new BadInputException(mapping.file() + ": condition: column '" + mapping.condition() + "' of "
                        + input + " holds more than " + MAX_LABELS + " distinct labels; expected a few task labels "
                        + "(is it the rollout id?)");
            }
            labels = labelsBefore.with(seen);
        }

        private Column labelText() {
            return src(mapping.condition()).cast(DataTypes.StringType);
        }

        /** The condition index of each row's label; the labels are all numbered by now. */
        private Column labelledCondition(List<Check> checks) {
            Column text = labelText();
            checks.add(new Check(FaultKind.NULL_VALUE, text.isNull().or(text.equalTo(lit(""))),
                    lit("condition: column '" + mapping.condition() + "' is empty")));
            if (labels.indices().isEmpty()) {
                return lit(null).cast(DataTypes.IntegerType);
            }
            List<Column> pairs = new ArrayList<>();
            labels.indices().forEach((label, index) -> {
                pairs.add(lit(label));
                pairs.add(lit(index));
            });
            return try_element_at(functions.map(pairs.toArray(Column[]::new)), text);
        }

        /**
         * A timestamp as a number that orders like it: numbers as they are, date-times in
         * microseconds, dates in days; text is read as a number when it is one, else as a date-time.
         */
        private Column timestamp(String column, List<Check> checks) {
            Column raw = src(column);
            DataType type = typeOf(column);
            Column key;
            if (type instanceof NumericType) {
                key = raw.cast(DataTypes.DoubleType);
            } else if (type instanceof TimestampType || type instanceof TimestampNTZType) {
                key = unix_micros(raw.cast(DataTypes.TimestampType)).cast(DataTypes.DoubleType);
            } else if (type instanceof DateType) {
                key = unix_date(raw).cast(DataTypes.DoubleType);
            } else {
                key = coalesce(raw.try_cast(DataTypes.DoubleType),
                        unix_micros(raw.try_cast(DataTypes.TimestampType)).cast(DataTypes.DoubleType));
            }
            String what = "t_timestamp: column '" + column + "'";
            checks.add(new Check(FaultKind.NULL_VALUE, raw.isNull(), lit(what + " is empty")));
            checks.add(new Check(FaultKind.WRONG_TYPE, raw.isNotNull().and(key.isNull()),
                    concat(lit(what + " holds '"), raw.cast(DataTypes.StringType),
                            lit("', not a number or a date-time"))));
            checks.add(new Check(FaultKind.NON_FINITE, RolloutRules.nonFinite(key),
                    concat(lit(what + " is "), key.cast(DataTypes.StringType))));
            return key;
        }

        /** A column as a double: numbers are cast, text is parsed (null when it is not a number). */
        private Column asDouble(String column) {
            Column c = src(column);
            return typeOf(column) instanceof NumericType ? c.cast(DataTypes.DoubleType) : c.try_cast(DataTypes.DoubleType);
        }

        /** A scalar number column with its empty / not-a-number checks. */
        private Column scalar(String column, String key, List<Check> checks) {
            Column raw = src(column);
            Column d = asDouble(column);
            checks.add(new Check(FaultKind.NULL_VALUE, raw.isNull(), lit(key + ": column '" + column + "' is empty")));
            // A text condition is most likely a task name: say how such a log is read.
            String hint = key.equals("condition") ? "; text labels are numbered with condition_labels: FILE in the mapping"
                    : "";
            checks.add(new Check(FaultKind.WRONG_TYPE, raw.isNotNull().and(d.isNull()),
                    concat(lit(key + ": column '" + column + "' holds '"), raw.cast(DataTypes.StringType),
                            lit("', not a number" + hint))));
            return d;
        }

        /**
         * An integer index column (iteration, condition, t); 0 for every row when not mapped.
         *
         * @param offset added to every value (t_offset), before the range check
         */
        private Column index(String key, String column, int offset, List<Check> checks, boolean nonNegative) {
            if (column == null) {
                return lit(0);
            }
            Column cell = scalar(column, key, checks);
            Column integral = cell.equalTo(floor(cell)).and(abs(cell.plus(offset)).leq(Integer.MAX_VALUE));
            checks.add(new Check(FaultKind.WRONG_TYPE, cell.isNotNull().and(integral.isNull().or(functions.not(integral))),
                    concat(lit(key + ": column '" + column + "' holds "), cell.cast(DataTypes.StringType),
                            lit(", not an integer"))));
            Column d = offset == 0 ? cell : cell.plus(offset);
            if (nonNegative) {
                checks.add(new Check(FaultKind.WRONG_TYPE, d.lt(0),
                        concat(lit(key + ": column '" + column + "' holds "), d.cast(DataTypes.StringType),
                                lit("; expected an integer >= 0"))));
            }
            return when(nonNegative ? integral.and(d.geq(0)) : integral, d.cast(DataTypes.IntegerType));
        }

        /** @param length the length an array column must have, or -1 for its most common length */
        private Parsed vector(IngestMapping.Vector v, int length) {
            List<Check> checks = new ArrayList<>();
            String first = v.columns().get(0);
            if (!v.listed() && typeOf(first) instanceof ArrayType at) {
                return arrayVector(v.key(), first, at, checks, length);
            }
            List<Column> elements = new ArrayList<>();
            for (int i = 0; i < v.columns().size(); i++) {
                String c = v.columns().get(i);
                String key = v.listed() ? v.key() + "[" + i + "]" : v.key();
                Column d = scalar(c, key, checks);
                checks.add(new Check(FaultKind.NON_FINITE, RolloutRules.nonFinite(d),
                        concat(lit(key + ": column '" + c + "' is "), d.cast(DataTypes.StringType))));
                checks.add(new Check(FaultKind.VALUE_TOO_LARGE, RolloutRules.tooLarge(d),
                        concat(lit(key + ": column '" + c + "' is "), d.cast(DataTypes.StringType),
                                lit("; " + RolloutRules.VALUE_EXPECTATION))));
                elements.add(d);
            }
            return new Parsed(array(elements.toArray(Column[]::new)), checks, elements.size());
        }

        private Parsed arrayVector(String key, String column, ArrayType type, List<Check> checks, int length) {
            String a = alias.get(column);
            Column raw = col(a);
            int dim = length >= 0 ? length : mostCommonSize(raw);
            boolean text = !(type.elementType() instanceof NumericType);
            // Columns and lambdas rather than SQL text: the SQL parser's first use costs a good part of a second.
            Column parsed = text ? transform(raw, e -> e.try_cast(DataTypes.DoubleType)) : raw;
            Column value = text ? parsed : raw.cast(DataTypes.createArrayType(DataTypes.DoubleType, true));
            String what = key + ": column '" + column + "'";
            checks.add(new Check(FaultKind.NULL_VALUE, raw.isNull(), lit(what + " is empty")));
            checks.add(new Check(FaultKind.NULL_VALUE, exists(raw, Column::isNull), lit(what + " has an empty element")));
            if (text) {
                checks.add(new Check(FaultKind.WRONG_TYPE,
                        exists(raw, e -> e.isNotNull().and(e.try_cast(DataTypes.DoubleType).isNull())),
                        lit(what + " has an element that is not a number")));
            }
            checks.add(new Check(FaultKind.INCONSISTENT_VECTOR_LENGTH, size(raw).notEqual(dim),
                    concat(lit(what + " has "), size(raw).cast(DataTypes.StringType),
                            lit(" elements; expected " + dim + (length >= 0 ? " (the length of u)" : " (the most common length)")))));
            checks.add(new Check(FaultKind.NON_FINITE, exists(parsed, RolloutRules::nonFinite),
                    lit(what + " has a NaN or infinite element")));
            checks.add(new Check(FaultKind.VALUE_TOO_LARGE, exists(parsed, RolloutRules::tooLarge),
                    lit(what + " has an element of magnitude above 1e150; " + RolloutRules.VALUE_EXPECTATION)));
            return new Parsed(value, checks, dim);
        }

        /** The most common length of an array column ({@link RolloutRules#mostCommon}); -1 when all are null. */
        private int mostCommonSize(Column raw) {
            TreeMap<Integer, Long> byLength = new TreeMap<>();
            for (Row r : renamed.filter(raw.isNotNull()).groupBy(size(raw)).count().collectAsList()) {
                byLength.put(r.getInt(0), r.getLong(1));
            }
            return RolloutRules.mostCommon(byLength);
        }


        /** Rows whose iteration, condition and rollout id are readable: they belong to a rollout. */
        private static Column attributable() {
            return col(ATTR);
        }

        /**
         * One row per rollout (iteration, condition, rollout id) with its length, bad rows, repeated
         * steps and the reason it is rejected (a FaultKind ordinal; null when it is accepted).
         */
        private Dataset<Row> rolloutTable() {
            Column hash = xxhash64(col(RolloutSchema.X), col(RolloutSchema.U), col(RolloutSchema.O), col(RolloutSchema.COST),
                    col(RolloutSchema.U_APPLIED));
            Column bad = col(KIND).isNotNull();
            Column[] perKey = TrajectoryRules.keyAggregates(hash);
            Dataset<Row> keyed = staged.filter(attributable())
                    .groupBy(col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION), col(RID), col(RolloutSchema.T))
                    .agg(perKey[0], perKey[1], perKey[2],
                            sum(when(bad, 1L).otherwise(0L)).as("bad"),
                            min(when(bad, struct(col(KIND).as("k"), col(T_RAW).as("t"), col(DETAIL).as("d")))).as("firstBad"),
                            min(FILE).as("file"), min(RORDER).as("rorder"));
            Column exact = TrajectoryRules.exactRepeat();
            Column conflict = TrajectoryRules.conflictingRepeat();
            Column[] steps = TrajectoryRules.stepAggregates(RolloutSchema.T);
            Dataset<Row> traj = keyed.groupBy(col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION), col(RID))
                    .agg(steps[0], steps[1], steps[2], sum(TrajectoryRules.KEY_ROWS).as("rows"), sum("bad").as("bad"),
                            min("firstBad").as("firstBad"),
                            sum(when(exact, 1L).otherwise(0L)).as("dup"),
                            sum(when(conflict, 1L).otherwise(0L)).as("conflict"),
                            min("file").as("file"), min("rorder").as("rorder"));
            Column reason = when(col("bad").gt(0), col("firstBad.k"))
                    .when(col("conflict").gt(0), lit(FaultKind.REPEATED_TIME_STEP.ordinal()))
                    .when(col("dup").gt(0), lit(FaultKind.DUPLICATE_KEY.ordinal()))
                    .when(TrajectoryRules.missingStep(), lit(FaultKind.MISSING_TIME_STEP.ordinal()));
            traj = traj.withColumn("reason", reason);
            // The most common T of each condition among the rollouts that passed so far: a few rows.
            Map<Integer, TreeMap<Integer, Long>> lengths = new TreeMap<>();
            for (Row r : traj.filter(col("reason").isNull())
                    .groupBy(col(RolloutSchema.CONDITION), col("tmax").plus(1).as("T")).count().collectAsList()) {
                lengths.computeIfAbsent(r.getInt(0), k -> new TreeMap<>()).put(r.getInt(1), r.getLong(2));
            }
            List<Row> common = new ArrayList<>();
            lengths.forEach((c, byT) -> common.add(RowFactory.create(c, RolloutRules.mostCommon(byT))));
            StructType commonSchema = new StructType().add(RolloutSchema.CONDITION, DataTypes.IntegerType, false)
                    .add("commonT", DataTypes.IntegerType, false);
            Dataset<Row> out = traj.join(spark.createDataFrame(common, commonSchema), List.of(RolloutSchema.CONDITION)
                            .stream().collect(scalaSeq()), "left")
                    .withColumn("reason", coalesce(col("reason"), when(col("tmax").plus(1).notEqual(col("commonT")),
                            lit(FaultKind.UNEQUAL_TRAJECTORY_LENGTHS.ordinal()))));
            return out;
        }

        private List<String> rowExamples(int kind) {
            return staged.filter(col(KIND).equalTo(kind)).select(FILE, RID, T_RAW, DETAIL).limit(MAX_EXAMPLES)
                    .collectAsList().stream()
                    .map(r -> r.getString(0) + ": rollout " + quoteId(r.getString(1)) + ", t " + r.getString(2)
                            + ": " + r.getString(3))
                    .toList();
        }

        private List<String> rolloutExamples(int kind) {
            return rollouts.filter(col("reason").equalTo(kind))
                    .orderBy(col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION), col("rorder").asc_nulls_last(), col(RID))
                    .limit(MAX_EXAMPLES).collectAsList().stream().map(r -> describeRollout(r, kind)).toList();
        }

        private String describeRollout(Row r, int kind) {
            String key = "rollout " + quoteId(r.getAs(RID)) + " (iteration " + r.getAs(RolloutSchema.ITERATION)
                    + ", condition " + r.getAs(RolloutSchema.CONDITION) + ") in " + r.getAs("file") + ": ";
            long rows = r.getAs("rows");
            FaultKind k = FaultKind.values()[kind];
            long badRows = r.getAs("bad");
            if (badRows > 0) {
                Row first = r.getAs("firstBad");
                return key + badRows + " of its " + rows + " rows rejected, the first at t " + first.getString(1)
                        + ": " + first.getString(2);
            }
            boolean stamped = mapping.t().kind() == IngestMapping.TimeStep.Kind.TIMESTAMP;
            return key + switch (k) {
                case REPEATED_TIME_STEP -> r.<Long>getAs("conflict") + " time step(s) occur on several rows with "
                        + "different contents" + (stamped ? sharedTimestamp(r) : "");
                case DUPLICATE_KEY -> r.<Long>getAs("dup") + " time step(s) stored more than once as identical rows"
                        + (stamped ? sharedTimestamp(r) : "");
                case MISSING_TIME_STEP -> "has " + r.<Long>getAs("steps") + " distinct t in " + r.<Integer>getAs("t0")
                        + ".." + r.<Integer>getAs("tmax") + missingSteps(r) + "; expected every t in 0..T-1"
                        + offsetHint(r.<Integer>getAs("t0"));
                case UNEQUAL_TRAJECTORY_LENGTHS -> "T = " + (r.<Integer>getAs("tmax") + 1) + ", while the most common T"
                        + " of condition " + r.getAs(RolloutSchema.CONDITION) + " is " + r.getAs("commonT");
                default -> k.name();
            };
        }

        /** For a step column whose rollout starts above 0 with no offset yet: the offset that would fix it. */
        private String offsetHint(int t0) {
            IngestMapping.TimeStep ts = mapping.t();
            if (ts.kind() != IngestMapping.TimeStep.Kind.STEP || ts.offset() != 0 || t0 <= 0) {
                return "";
            }
            return " (its steps start at " + t0 + ": t_offset: -" + t0 + " in the mapping, if every rollout's do)";
        }

        /**
         * "; rows 8 and 9 of FILE share t 3 (stamp 0.35)": the first timestamp of an example
         * rollout that several rows share, and where those rows are in their files.
         */
        private String sharedTimestamp(Row r) {
            Dataset<Row> mine = staged.filter(col(RolloutSchema.ITERATION).equalTo(r.<Integer>getAs(RolloutSchema.ITERATION))
                    .and(col(RolloutSchema.CONDITION).equalTo(r.<Integer>getAs(RolloutSchema.CONDITION)))
                    .and(col(RID).equalTo(r.<String>getAs(RID))));
            List<Row> shared = mine.groupBy(RolloutSchema.T).count().filter(col("count").gt(1))
                    .orderBy(RolloutSchema.T).limit(1).collectAsList();
            if (shared.isEmpty()) {
                return "";
            }
            List<Row> rows = mine.filter(col(RolloutSchema.T).equalTo(shared.get(0).getInt(0)))
                    .orderBy(col(FILE), col(BLOCK), col(MONO)).select(FILE, BLOCK, MONO, T_RAW)
                    .limit(MAX_EXAMPLES).collectAsList();
            Map<String, List<Long>> byFile = new LinkedHashMap<>();
            for (Row row : rows) {
                // Its position: the rows of its file before it, in the order the scan met them.
                long before = staged.filter(col(FILE).equalTo(row.getString(0)).and(col(BLOCK).lt(row.getLong(1))
                        .or(col(BLOCK).equalTo(row.getLong(1)).and(col(MONO).lt(row.getLong(2)))))).count();
                byFile.computeIfAbsent(row.getString(0), f -> new ArrayList<>()).add(before + 1);
            }
            List<String> where = new ArrayList<>();
            byFile.forEach((file, numbers) -> where.add((numbers.size() == 1 ? "data row " : "data rows ")
                    + numbers.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                    + " of " + file));
            long count = shared.get(0).getLong(1);
            return "; " + (count > rows.size() ? count + " rows, among them " : "") + String.join(", ", where)
                    + " share t " + rows.get(0).getString(3) + "; expected one row per timestamp";
        }

        /** ", lacks t=3, 7" for an example rollout: its distinct t values (at most T of them) come to the driver. */
        private String missingSteps(Row r) {
            int tmax = r.getAs("tmax");
            java.util.Set<Integer> present = new java.util.TreeSet<>();
            for (Row p : staged.filter(col(RolloutSchema.ITERATION).equalTo(r.<Integer>getAs(RolloutSchema.ITERATION))
                            .and(col(RolloutSchema.CONDITION).equalTo(r.<Integer>getAs(RolloutSchema.CONDITION)))
                            .and(col(RID).equalTo(r.<String>getAs(RID))).and(col(RolloutSchema.T).isNotNull()))
                    .select(RolloutSchema.T).distinct().collectAsList()) {
                present.add(p.getInt(0));
            }
            List<String> missing = new ArrayList<>();
            long more = 0;
            for (int t = 0; t <= tmax; t++) {
                if (!present.contains(t)) {
                    if (missing.size() < MAX_EXAMPLES) {
                        missing.add(Integer.toString(t));
                    } else {
                        more++;
                    }
                }
            }
            String neg = r.<Integer>getAs("t0") < 0 ? ", has negative t" : "";
            return neg + (missing.isEmpty() ? "" : ", lacks t=" + String.join(", ", missing) + (more > 0 ? " and " + more + " more" : ""));
        }

        private void write(Dataset<Row> accepted, String out, IngestReport report) {
            Dataset<Row> numbered = accepted.withColumn(RolloutSchema.SAMPLE, row_number().over(
                            Window.partitionBy(RolloutSchema.ITERATION, RolloutSchema.CONDITION)
                                    .orderBy(col("rorder").asc_nulls_last(), col(RID))).minus(1))
                    .select(col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION), col(RID),
                            col(RolloutSchema.SAMPLE), col("file"), col("rows"));
            Dataset<Row> rows = staged.filter(col(KIND).isNull())
                    .join(numbered.select(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RID, RolloutSchema.SAMPLE),
                            List.of(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RID).stream().collect(scalaSeq()))
                    .select(col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION), col(RolloutSchema.SAMPLE),
                            col(RolloutSchema.T), col(RolloutSchema.X), col(RolloutSchema.U), col(RolloutSchema.O),
                            col(RolloutSchema.COST), lit(mapping.source()).as(RolloutSchema.SOURCE),
                            col(RolloutSchema.U_APPLIED));
            if (labels != null) {
                // Before the data: should publishing fail, the new labels have kept their indices for the next try.
                AtomicOutput.writeFile(HadoopFiles.conf(spark), mapping.conditionLabels(),
                        labels.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            CompletionMarker m = RolloutWriter.write(rows, out, WRITER + input, tmp -> {
                if (labels != null) {
                    HadoopFiles.writeUtf8(HadoopFiles.conf(spark), new Path(tmp, ConditionLabels.FILE), labels.toJson());
                }
                numbered.select(col(RolloutSchema.ITERATION), col(RolloutSchema.CONDITION), col(RolloutSchema.SAMPLE),
                                col(RID).as("rollout_id"), col("file"), col("rows"))
                        .coalesce(1).write().parquet(new Path(tmp, ROLLOUT_IDS).toString());
                HadoopFiles.writeUtf8(HadoopFiles.conf(spark), new Path(tmp, IngestReport.FILE), report.toJson());
            });
            if (m.rows() != report.rowsAccepted()) {
                throw new IllegalStateException("ingest wrote " + m.rows() + " rows to " + out + ", expected "
                        + report.rowsAccepted());
            }
        }
    }

    private static String quoteId(String id) {
        return id == null ? "(none)" : "'" + id + "'";
    }

    /** A column name as Spark's col() reads it literally, whatever dots or spaces it holds. */
    static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    private static java.util.stream.Collector<String, ?, scala.collection.immutable.Seq<String>> scalaSeq() {
        return java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(),
                l -> scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq());
    }
}
