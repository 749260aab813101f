package org.gps.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.gps.spark.SparkTestSession;

/**
 * Small rollout tables for the io tests: 2 conditions x 2 samples x 4 steps, dX = 2, dU = 1,
 * dO = 2, one iteration. Rows are mutable Object[] in schema column order so that a test can
 * break exactly one thing before writing them as plain Parquet (not through RolloutWriter, which
 * would refuse or fix some faults).
 */
final class RolloutFixtures {
    static final int CONDITIONS = 2;
    static final int SAMPLES = 2;
    static final int STEPS = 4;
    static final int ROWS = CONDITIONS * SAMPLES * STEPS;

    static final int I_ITERATION = 0;
    static final int I_CONDITION = 1;
    static final int I_SAMPLE = 2;
    static final int I_T = 3;
    static final int I_X = 4;
    static final int I_U = 5;
    static final int I_O = 6;
    static final int I_COST = 7;
    static final int I_SOURCE = 8;
    static final int I_U_APPLIED = 9;

    /** The schema with every column nullable: lets a test store nulls where the schema forbids them. */
    static final StructType NULLABLE = RolloutSchema.asNullable(RolloutSchema.STRUCT);

    private RolloutFixtures() {
    }

    static SparkSession spark() {
        return SparkTestSession.get();
    }

    /** A valid table; values are distinct per row so that no two rows are equal by accident. */
    static List<Object[]> validRows() {
        List<Object[]> rows = new ArrayList<>();
        for (int m = 0; m < CONDITIONS; m++) {
            for (int n = 0; n < SAMPLES; n++) {
                for (int t = 0; t < STEPS; t++) {
                    double base = 100 * m + 10 * n + t;
                    rows.add(new Object[] {0, m, n, t, List.of(base, base + 0.5), List.of(-base),
                            List.of(base, base + 0.5), base * base, RolloutSchema.SOURCE_CONTROLLER});
                }
            }
        }
        return rows;
    }

    static Object[] find(List<Object[]> rows, int condition, int sample, int t) {
        for (Object[] r : rows) {
            if ((int) r[I_CONDITION] == condition && (int) r[I_SAMPLE] == sample && (int) r[I_T] == t) {
                return r;
            }
        }
        throw new IllegalArgumentException("no row " + condition + "/" + sample + "/" + t);
    }

    /** The rows as a frame; rows shorter than the schema (version-1 rows) get nulls in its last columns. */
    static Dataset<Row> frame(List<Object[]> rows, StructType schema) {
        List<Row> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(RowFactory.create(r.length < schema.length() ? java.util.Arrays.copyOf(r, schema.length()) : r));
        }
        return spark().createDataFrame(out, schema);
    }

    /** Writes the rows as a single plain Parquet file in a new folder under dir; returns its path. */
    static String writeRaw(Path dir, String name, List<Object[]> rows, StructType schema) {
        String path = dir.resolve(name).toString();
        frame(rows, schema).coalesce(1).write().parquet(path);
        return path;
    }

    static String writeRaw(Path dir, String name, List<Object[]> rows) {
        return writeRaw(dir, name, rows, NULLABLE);
    }

    /** Removes one column from the rows and the schema. */
    static StructType without(StructType schema, String column) {
        StructType out = new StructType();
        for (var f : schema.fields()) {
            if (!f.name().equals(column)) {
                out = out.add(f);
            }
        }
        return out;
    }

    static List<Object[]> withoutColumn(List<Object[]> rows, int index) {
        List<Object[]> out = new ArrayList<>();
        for (Object[] r : rows) {
            Object[] c = new Object[r.length - 1];
            for (int i = 0, j = 0; i < r.length; i++) {
                if (i != index) {
                    c[j++] = r[i];
                }
            }
            out.add(c);
        }
        return out;
    }
}
