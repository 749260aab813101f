package org.gps.io;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.gps.core.BadInputException;
import org.gps.io.PhaseProfile;

/**
 * Reads a rollout dataset (schema v1 or v2, docs/rollout-schema.md) as a DataFrame with exactly the
 * columns of {@link RolloutSchema#STRUCT}, in order: compatible stored types are cast (float
 * vectors to double, long indices to int), an absent {@code cost} or {@code u_applied} column
 * becomes null (a version-1 dataset reads as before, with a null {@code u_applied}), extra
 * columns are dropped. Only the schema is checked here; the row-level rules (nulls, NaN, missing
 * time steps...) are {@link RolloutRules}', applied by the steps as they parse the rows and by
 * {@link RolloutValidator} across a whole dataset.
 */
public final class RolloutReader {
    private RolloutReader() {
    }

    /**
     * Reads any rollout dataset, including logged data written by other tools (no completion
     * marker needed).
     *
     * @param path a folder of Parquet files or one Parquet file; local path or Hadoop URI
     * @throws BadInputException naming the path when it does not exist, is not Parquet, has an
     *                           unsupported schema version, or lacks / mistypes a required column
     */
    public static Dataset<Row> read(SparkSession spark, String path) {
        Dataset<Row> raw = loadRaw(spark, path);
        return conform(raw, path);
    }

    /**
     * Reads a rollout dataset that a step of this run published, refusing it unless it carries the
     * {@value AtomicOutput#MARKER} marker (docs/architecture.md, job contract: a half-written output is never read).
     */
    public static Dataset<Row> readComplete(SparkSession spark, String path) {
        // The marker, the Parquet footers for the schema; the rows are read by whoever consumes the dataset.
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.requireComplete(spark, path);
            Configuration conf = HadoopFiles.conf(spark);
            String listing = HadoopFiles.listing(conf, path);
            if (listing != null && listing.equals(CHECKED.get(path))) {
                // Its footers were read and found in the written schema, and no file has changed since:
                // reading them again (a Spark job per dataset) would learn nothing.
                return conform(spark.read().schema(RolloutSchema.STRUCT).parquet(path), path);
            }
            Dataset<Row> raw = loadRaw(spark, path);
            if (listing != null && RolloutSchema.sameIgnoringNullability(RolloutSchema.STRUCT, raw.schema())) {
                CHECKED.put(path, listing);
            }
            return conform(raw, path);
        }
    }

    /**
     * Published datasets whose Parquet footers this JVM has read and found in exactly the schema
     * its writers use, by path, with the listing they had then ({@link HadoopFiles#listing}): a run opens each
     * iteration's rollouts many times (the prior's window, the policy's, replay).
     */
    private static final Map<String, String> CHECKED = new ConcurrentHashMap<>();

    /**
     * Notes a dataset {@link RolloutWriter} has just published from rows in {@code schema}: its footers
     * hold that schema and its sidecar the current version, so when that is exactly the written
     * schema, the first opening in this process needs no footer read either.
     */
    static void written(Configuration conf, String path, StructType schema) {
        String listing = HadoopFiles.listing(conf, path);
        if (listing != null && RolloutSchema.sameIgnoringNullability(RolloutSchema.STRUCT, schema)) {
            CHECKED.put(path, listing);
        }
    }

    /**
     * The row count recorded by the dataset's completion marker, or -1 when it has none (logged
     * data need not) or its marker counts nothing. A step that counts the rows it reads anyway
     * holds the two against each other ({@link RolloutRules#requireMarkerRows}).
     */
    public static long markedRows(SparkSession spark, String path) {
        if (!AtomicOutput.isComplete(HadoopFiles.conf(spark), path)) {
            return -1;
        }
        return AtomicOutput.requireComplete(spark, path).rows();
    }

    /**
     * Brings a DataFrame to the schema, as {@link #read} does.
     *
     * @param what names the data in the error message (a path, or "rows to write")
     */
    public static Dataset<Row> conform(Dataset<Row> raw, String what) {
        List<ColumnTypes.Mismatch> bad = ColumnTypes.mismatches(raw.schema());
        if (!bad.isEmpty()) {
            throw new BadInputException(what + " does not match the rollout schema (v" + RolloutSchema.VERSION + "): "
                    + bad.stream().map(ColumnTypes.Mismatch::describe).collect(Collectors.joining("; ")));
        }
        return raw.select(ColumnTypes.conformedColumns(raw.schema()));
    }

    /** The stored rows as they are, after the checks that need no data: existence, version, Parquet footers. */
    static Dataset<Row> loadRaw(SparkSession spark, String path) {
        String problem = unreadable(spark, path);
        if (problem != null) {
            throw new BadInputException(problem);
        }
        try {
            return readParquet(spark, path);
        } catch (Exception e) {
            throw new BadInputException(notParquet(path, e), e);
        }
    }

    /** Why the path cannot be read as a rollout dataset before opening any Parquet file, or null. */
    static String unreadable(SparkSession spark, String path) {
        Configuration conf = HadoopFiles.conf(spark);
        if (!HadoopFiles.exists(conf, path)) {
            return "rollout dataset " + path + " does not exist";
        }
        return SchemaVersionFile.problem(conf, path);
    }

    static Dataset<Row> readParquet(SparkSession spark, String path) {
        // mergeSchema: logged data may have been appended in several files, and a column missing
        // from some of them must show up (as nulls) rather than depend on which footer Spark samples.
        Dataset<Row> raw = spark.read().option("mergeSchema", "true").parquet(path);
        if (SchemaVersionFile.isVersion1(HadoopFiles.conf(spark), path)) {
            // A version-1 dataset has no applied action: a column of that name is someone's extra
            // column, which version-1 readers dropped.
            raw = raw.drop(RolloutSchema.U_APPLIED);
        }
        return raw;
    }

    /**
     * Whether the dataset stores the applied actions ({@link RolloutSchema#U_APPLIED}, schema v2):
     * false for a version-1 dataset and for logged data without the column. Reads the Parquet
     * footers, not the rows; rows may still hold nulls in the column.
     *
     * @throws BadInputException as {@link #read} does when the dataset cannot be read
     */
    public static boolean storesAppliedActions(SparkSession spark, String path) {
        return ColumnTypes.typeIn(loadRaw(spark, path).schema(), RolloutSchema.U_APPLIED).isPresent();
    }

    static String notParquet(String path, Exception e) {
        BadInputException plain = ReadFailures.plain(e);
        String why = plain != null ? plain.getMessage()
                : e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
        if (why.contains("UNABLE_TO_INFER_SCHEMA") || why.contains("Unable to infer schema")) {
            why = "it contains no Parquet files";
        }
        return path + " is not a readable Parquet dataset: " + why;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
