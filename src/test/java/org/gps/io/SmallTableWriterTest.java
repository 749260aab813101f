package org.gps.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table written from the driver reads back through Spark exactly as the same rows written by
 * Spark do: the same schema, the same values to the bit (doubles compared by their raw bits,
 * including -0.0, NaN, infinities and subnormals), nulls where the schema allows them, and no
 * Spark job to write it.
 */
class SmallTableWriterTest {
    private static final StructType SCHEMA = new StructType()
            .add("condition", DataTypes.IntegerType, false)
            .add("points", DataTypes.LongType, false)
            .add("value", DataTypes.DoubleType, false)
            .add("label", DataTypes.StringType, true)
            .add("flag", DataTypes.BooleanType, true)
            .add("vector", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("maybe", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
            .add("counts", DataTypes.createArrayType(DataTypes.IntegerType, false), true);

    private static final double[] AWKWARD = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MAX_VALUE, 1.0 / 3.0, Math.nextUp(1.0)};

    @TempDir
    Path dir;

    private static SparkSession spark() {
        return SparkTestSession.get();
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < AWKWARD.length; i++) {
            double[] v = Arrays.copyOfRange(AWKWARD, 0, i + 1);
            rows.add(RowFactory.create(i, 1L << (40 + i % 20), AWKWARD[i], i % 3 == 0 ? null : "label " + i,
                    i % 2 == 0 ? null : i % 4 == 1, v, i % 2 == 0 ? null : new Double[] {1.5, null, AWKWARD[i]},
                    i % 3 == 1 ? null : new int[] {i, -i, Integer.MAX_VALUE}));
        }
        rows.add(RowFactory.create(-1, -7L, 2.0, "", true, new double[0], new Double[0], new int[0]));
        return rows;
    }

    @Test
    void rowsReadBackAsSparkWritesThemToTheBit() {
        String bySpark = dir.resolve("by-spark").toString();
        String byDriver = dir.resolve("by-driver").toString();
        spark().createDataFrame(rows(), SCHEMA).coalesce(1).write().parquet(bySpark);

        int jobs = SparkJobCount.of(spark(), () ->
                assertEquals(rows().size(), SmallTableWriter.write(HadoopFiles.conf(spark()), byDriver, SCHEMA, rows())));

        assertEquals(0, jobs, "Spark jobs to write a table from the driver");
        assertTrue(java.nio.file.Files.exists(dir.resolve("by-driver").resolve("_SUCCESS")), "Spark's _SUCCESS marker");
        Dataset<Row> a = spark().read().parquet(bySpark);
        Dataset<Row> b = spark().read().parquet(byDriver);
        assertEquals(a.schema(), b.schema());
        List<Row> expected = a.orderBy("condition").collectAsList();
        List<Row> actual = b.orderBy("condition").collectAsList();
        assertEquals(expected.size(), actual.size());
        for (int r = 0; r < expected.size(); r++) {
            assertEquals(describe(expected.get(r)), describe(actual.get(r)), "row " + r);
        }
    }

    @Test
    void emptyTableReadsBackWithItsSchema() {
        String path = dir.resolve("empty").toString();

        assertEquals(0, SmallTableWriter.write(HadoopFiles.conf(spark()), path, SCHEMA, List.of()));

        Dataset<Row> df = spark().read().parquet(path);
        assertEquals(RolloutSchema.asNullable(SCHEMA), RolloutSchema.asNullable(df.schema()));
        assertEquals(0, df.count());
    }

    @Test
    void nullInANonNullableColumnIsRefusedNamingTheColumn() {
        String path = dir.resolve("null").toString();
        List<Row> bad = List.of(RowFactory.create(0, 1L, null, null, null, new double[] {1}, null, null));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmallTableWriter.write(HadoopFiles.conf(spark()), path, SCHEMA, bad));

        assertTrue(e.getMessage().contains("column value"), e.getMessage());
    }

    @Test
    void unsupportedColumnTypeIsRefusedBeforeAnythingIsWritten() {
        String path = dir.resolve("map").toString();
        StructType schema = new StructType().add("m",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), true);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmallTableWriter.write(HadoopFiles.conf(spark()), path, schema, List.of()));

        assertTrue(e.getMessage().contains("column m"), e.getMessage());
        assertTrue(!java.nio.file.Files.exists(dir.resolve("map")), "nothing written");
    }

    /** A row as text with every double as its raw bits, so -0.0 and NaN payloads count. */
    private static String describe(Row row) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < row.length(); i++) {
            b.append(describeValue(row.get(i))).append('|');
        }
        return b.toString();
    }

    private static String describeValue(Object v) {
        if (v instanceof Double d) {
            return "d" + Long.toHexString(Double.doubleToRawLongBits(d));
        }
        if (v instanceof scala.collection.Seq<?> s) {
            StringBuilder b = new StringBuilder("[");
            for (Object e : scala.jdk.javaapi.CollectionConverters.asJava(s)) {
                b.append(describeValue(e)).append(',');
            }
            return b.append(']').toString();
        }
        return String.valueOf(v) + (v == null ? "" : ":" + v.getClass().getSimpleName());
    }
}
