package org.gps.io;

import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The rows of the small Parquet tables the driver reads whole (controllers, policy linearizations,
 * fitted dynamics, GMMs), kept in this process by folder with the folder's listing
 * ({@link HadoopFiles#listing}: file names, sizes, modification times). A run reads each such table
 * several times (the step that uses it, the next iteration's step size, the S-step, the evaluation),
 * and on a small table every read costs two Spark jobs (the footers for the schema, then the rows)
 * for a few kilobytes. A table whose files changed in any way since is read again; a folder that
 * cannot be listed is read and not kept. Only what a read returns is kept: the schema and the rows,
 * which are immutable, so every caller parses its own objects from them as from a fresh read.
 *
 * <p>Bounded: at most {@link #MAX_TABLES} tables of at most {@link #MAX_ROWS} rows each, the least
 * recently used dropped first. The cache lives as long as the JVM, whether it runs one step or the
 * whole loop of {@code gps run}; in a JVM per step it simply starts empty.
 */
public final class SmallTables {
    /** Tables kept at once: more than a run reads in the span of its longest window. */
    static final int MAX_TABLES = 64;
    /** A larger table is read each time, not kept. */
    static final int MAX_ROWS = 100_000;

    /** A table's columns as read from its Parquet files, and its rows. */
    public record Table(StructType schema, List<Row> rows) {
        public Table {
            rows = List.copyOf(rows);
        }
    }

    private static final FolderCache<Table> CACHE = new FolderCache<>(MAX_TABLES);

    private SmallTables() {
    }

    /**
     * The schema and every row of the Parquet folder {@code path}, from this process's copy when the
     * folder's files are those it was read (or written) with, else read by Spark.
     */
    public static Table read(SparkSession spark, String path) {
        Configuration conf = HadoopFiles.conf(spark);
        // Listed before the read: a file replaced in between leaves a stale key, never a stale table.
        String listing = HadoopFiles.listing(conf, path);
        Table kept = lookup(path, listing);
        if (kept != null) {
            return kept;
        }
        Dataset<Row> df = spark.read().parquet(path);
        Table table = new Table(df.schema(), df.collectAsList());
        keep(path, listing, table);
        return table;
    }

    /**
     * Keeps what this process has just published at {@code path} from {@code rows}, a DataFrame of
     * rows held by the driver (no Spark job is run to collect it), as a later read of the folder
     * would return it: the same values, rows that carry their schema (callers look fields up by
     * name, which rows built by {@code RowFactory} cannot answer), and the columns nullable as
     * Parquet reads them back.
     */
    public static void written(SparkSession spark, String path, Dataset<Row> rows) {
        Table table = new Table(RolloutSchema.asNullable(rows.schema()), rows.collectAsList());
        keep(path, HadoopFiles.listing(HadoopFiles.conf(spark), path), table);
    }

    private static Table lookup(String path, String listing) {
        return CACHE.get(path, listing);
    }

    private static void keep(String path, String listing, Table table) {
        CACHE.put(path, table.rows().size() > MAX_ROWS ? null : listing, table);
    }
}
