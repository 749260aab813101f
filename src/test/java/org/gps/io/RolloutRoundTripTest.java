package org.gps.io;

import static org.gps.io.RolloutFixtures.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutRoundTripTest {
    @TempDir
    Path dir;

    private static Column[] keys() {
        return RolloutSchema.KEY_COLUMNS.stream().map(functions::col).toArray(Column[]::new);
    }

    @Test
    void writeThenReadGivesIdenticalRowsIncludingNullCost() {
        List<Object[]> rows = RolloutFixtures.validRows();
        RolloutFixtures.find(rows, 1, 0, 2)[RolloutFixtures.I_COST] = null;
        Dataset<Row> in = RolloutFixtures.frame(rows, RolloutSchema.STRUCT);
        String path = dir.resolve("samples").toString();

        CompletionMarker marker = RolloutWriter.write(in, path);
        Dataset<Row> back = RolloutReader.readComplete(spark(), path);

        assertEquals(RolloutFixtures.ROWS, marker.rows());
        assertTrue(RolloutSchema.sameIgnoringNullability(RolloutSchema.STRUCT, back.schema()), back.schema().treeString());
        assertEquals(in.orderBy(keys()).collectAsList(), back.orderBy(keys()).collectAsList());
        assertEquals(1, back.filter(functions.col(RolloutSchema.COST).isNull()).count());
    }

    /**
     * A run opens each published dataset many times; once its footers were read and found in the
     * written schema, opening it again while no file of it has changed starts no Spark job (the
     * footers, read in a job, are what a dataset read otherwise costs: the first opening). The
     * dataset here is a copy of a published one, as another process would have left it.
     */
    @Test
    void openingAPublishedDatasetAgainStartsNoSparkJobAndGivesTheSameRows() throws Exception {
        String written = dir.resolve("published").toString();
        RolloutWriter.write(RolloutFixtures.frame(RolloutFixtures.validRows(), RolloutSchema.STRUCT), written);
        Path copy = dir.resolve("copied");
        Files.createDirectories(copy);
        try (var files = Files.list(Path.of(written))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        String path = copy.toString();
        AtomicReference<Dataset<Row>> firstRead = new AtomicReference<>();
        AtomicReference<Dataset<Row>> secondRead = new AtomicReference<>();

        int firstJobs = SparkJobCount.of(spark(), () -> firstRead.set(RolloutReader.readComplete(spark(), path)));
        int againJobs = SparkJobCount.of(spark(), () -> secondRead.set(RolloutReader.readComplete(spark(), path)));

        assertTrue(firstJobs > 0, "the first opening reads the footers");
        assertEquals(0, againJobs, "no job to open it again");
        assertEquals(firstRead.get().schema(), secondRead.get().schema());
        assertEquals(firstRead.get().orderBy(keys()).collectAsList(), secondRead.get().orderBy(keys()).collectAsList());
    }

    /**
     * A dataset this process has just published in the written schema: its footers hold that
     * schema, so even the first opening (the next step of {@code gps run}) starts no Spark job, and
     * it reads the rows a read of the footers would.
     */
    @Test
    void aDatasetThisProcessPublishedOpensWithoutReadingItsFooters() throws Exception {
        String path = dir.resolve("just-written").toString();
        Dataset<Row> in = RolloutFixtures.frame(RolloutFixtures.validRows(), RolloutSchema.STRUCT);
        RolloutWriter.write(in, path);
        AtomicReference<Dataset<Row>> openedRef = new AtomicReference<>();

        int jobs = SparkJobCount.of(spark(), () -> openedRef.set(RolloutReader.readComplete(spark(), path)));
        Dataset<Row> opened = openedRef.get();
        Dataset<Row> plain = RolloutReader.read(spark(), path);

        assertEquals(0, jobs, "no job to open what was just written");
        assertEquals(plain.schema(), opened.schema());
        assertEquals(plain.orderBy(keys()).collectAsList(), opened.orderBy(keys()).collectAsList());
        assertEquals(in.orderBy(keys()).collectAsList(), opened.orderBy(keys()).collectAsList());
    }

    /** A file of the dataset replaced after it was opened: the next opening reads the footers again and refuses it. */
    @Test
    void aDatasetDamagedAfterItWasOpenedIsCheckedAgain() throws Exception {
        String path = dir.resolve("damaged-later").toString();
        RolloutWriter.write(RolloutFixtures.frame(RolloutFixtures.validRows(), RolloutSchema.STRUCT), path);
        RolloutReader.readComplete(spark(), path);
        Path part;
        try (var files = Files.list(Path.of(path))) {
            part = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
        }
        Files.writeString(part, "not parquet");

        BadInputException e = assertThrows(BadInputException.class, () -> RolloutReader.readComplete(spark(), path));
        assertTrue(e.getMessage().contains("not a readable Parquet"), e.getMessage());
    }

    @Test
    void aVersion1DatasetReadsAsBeforeWithANullAppliedAction() {
        // Written without the column and without a sidecar, as a version-1 writer or pyarrow leaves logged data.
        StructType v1 = RolloutFixtures.without(RolloutFixtures.NULLABLE, RolloutSchema.U_APPLIED);
        String path = RolloutFixtures.writeRaw(dir, "v1", RolloutFixtures.validRows(), v1);

        Dataset<Row> back = RolloutReader.read(spark(), path);

        assertTrue(RolloutSchema.sameIgnoringNullability(RolloutSchema.STRUCT, back.schema()), back.schema().treeString());
        assertEquals(RolloutFixtures.ROWS, back.filter(functions.col(RolloutSchema.U_APPLIED).isNull()).count());
        Column[] v1Columns = java.util.Arrays.stream(v1.fieldNames()).map(functions::col).toArray(Column[]::new);
        assertEquals(RolloutFixtures.frame(RolloutFixtures.validRows(), v1).orderBy(keys()).collectAsList(),
                back.select(v1Columns).orderBy(keys()).collectAsList());
        assertTrue(!RolloutReader.storesAppliedActions(spark(), path));
    }

    @Test
    void aColumnNamedUAppliedInADatasetWhoseSidecarSaysVersion1IsNotReadAsTheAppliedAction() throws Exception {
        List<Object[]> rows = RolloutFixtures.validRows();
        for (int i = 0; i < rows.size(); i++) {
            rows.set(i, java.util.Arrays.copyOf(rows.get(i), RolloutSchema.ALL_COLUMNS.size()));
            rows.get(i)[RolloutFixtures.I_U_APPLIED] = List.of(7.0);
        }
        String path = dir.resolve("v1-extra").toString();
        RolloutWriter.write(RolloutFixtures.frame(rows, RolloutSchema.STRUCT), path);
        assertTrue(RolloutReader.storesAppliedActions(spark(), path));
        Files.writeString(dir.resolve("v1-extra").resolve(RolloutSchema.VERSION_FILE),
                "{\"format\":\"gps-rollouts\",\"version\":1}");

        Dataset<Row> back = RolloutReader.read(spark(), path);

        // A version-1 reader dropped it as an extra column; so does this one.
        assertEquals(RolloutFixtures.ROWS, back.filter(functions.col(RolloutSchema.U_APPLIED).isNull()).count());
        assertTrue(!RolloutReader.storesAppliedActions(spark(), path));
    }

    @Test
    void writerRecordsSchemaVersionInSidecar() {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(RolloutFixtures.frame(RolloutFixtures.validRows(), RolloutSchema.STRUCT), path);

        assertEquals(OptionalInt.of(RolloutSchema.VERSION), SchemaVersionFile.read(HadoopFiles.conf(spark()), path));
        assertTrue(Files.isRegularFile(dir.resolve("samples").resolve(RolloutSchema.VERSION_FILE)));
    }

    @Test
    void aSidecarThatIsNotJsonIsNamedOnOneLine() throws Exception {
        String path = dir.resolve("garbled").toString();
        RolloutWriter.write(RolloutFixtures.frame(RolloutFixtures.validRows(), RolloutSchema.STRUCT), path);
        Files.writeString(dir.resolve("garbled").resolve(RolloutSchema.VERSION_FILE), "not json at all\n");

        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SchemaVersionFile.read(HadoopFiles.conf(spark()), path));
        // The parser appends its location on a line of its own, which a console would show as a stack frame.
        assertTrue(e.getMessage().contains(RolloutSchema.VERSION_FILE + " is not JSON: Unrecognized token"), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }

    @Test
    void fromArraysBuildsOneRowPerSampleAndStepWithObservationDefaultingToState() {
        double[][][] x = {{{1, 2}, {3, 4}, {5, 6}}, {{7, 8}, {9, 10}, {11, 12}}};
        double[][][] u = {{{0.1}, {0.2}, {0.3}}, {{0.4}, {0.5}, {0.6}}};
        Dataset<Row> df = Rollouts.fromArrays(spark(), 3, 1, x, u, null, null, RolloutSchema.SOURCE_POLICY);

        List<Row> rows = df.orderBy(keys()).collectAsList();
        assertEquals(6, rows.size());
        Row last = rows.get(5);
        assertEquals(3, last.getInt(0));
        assertEquals(1, last.getInt(1));
        assertEquals(1, last.getInt(2));
        assertEquals(2, last.getInt(3));
        assertEquals(List.of(11.0, 12.0), last.getList(4));
        assertEquals(List.of(0.6), last.getList(5));
        assertEquals(List.of(11.0, 12.0), last.getList(6));
        assertTrue(last.isNullAt(7));
        assertEquals("policy", last.getString(8));
    }

    @Test
    void readerCastsFloatVectorsAndLongIndicesAndAddsMissingCost() {
        // What pandas / numpy float32 logs typically look like: int64 indices, float32 vectors, no cost.
        StructType stored = new StructType()
                .add("iteration", DataTypes.LongType).add("condition", DataTypes.LongType)
                .add("sample", DataTypes.LongType).add("t", DataTypes.LongType)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType))
                .add("u", DataTypes.createArrayType(DataTypes.FloatType))
                .add("o", DataTypes.createArrayType(DataTypes.FloatType))
                .add("source", DataTypes.StringType)
                .add("episode_return", DataTypes.DoubleType);
        List<Object[]> rows = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            rows.add(new Object[] {0L, 0L, 0L, (long) t, List.of(0.25f * t, 1f), List.of(-0.5f), List.of(1.5f),
                    "logged", 7.0});
        }
        String path = RolloutFixtures.writeRaw(dir, "logged", rows, stored);

        Dataset<Row> back = RolloutReader.read(spark(), path);

        assertTrue(RolloutSchema.sameIgnoringNullability(RolloutSchema.STRUCT, back.schema()), back.schema().treeString());
        Row r = back.orderBy(keys()).collectAsList().get(2);
        assertEquals(2, r.getInt(3));
        // 0.25 * 2, 1, -0.5 and 1.5 are exact in float, so the widened doubles are exact too.
        assertEquals(List.of(0.5, 1.0), r.getList(4));
        assertEquals(List.of(-0.5), r.getList(5));
        assertEquals(List.of(1.5), r.getList(6));
        assertNull(r.get(7));
    }

    @Test
    void readerRefusesMissingAndMistypedColumnsNamingPathAndColumns() {
        List<Object[]> rows = RolloutFixtures.withoutColumn(RolloutFixtures.validRows(), RolloutFixtures.I_U);
        StructType schema = RolloutFixtures.without(RolloutFixtures.NULLABLE, RolloutSchema.U);
        for (Object[] r : rows) {
            r[RolloutFixtures.I_T] = String.valueOf(r[RolloutFixtures.I_T]);
        }
        schema = new StructType(java.util.Arrays.stream(schema.fields())
                .map(f -> f.name().equals("t") ? DataTypes.createStructField("t", DataTypes.StringType, true) : f)
                .toArray(org.apache.spark.sql.types.StructField[]::new));
        String path = RolloutFixtures.writeRaw(dir, "bad", rows, schema);

        BadInputException e = assertThrows(BadInputException.class, () -> RolloutReader.read(spark(), path));

        assertTrue(e.getMessage().contains(path), e.getMessage());
        assertTrue(e.getMessage().contains("missing column u"), e.getMessage());
        assertTrue(e.getMessage().contains("column t has type string"), e.getMessage());
    }

    @Test
    void readerRefusesAbsentPathAndNonParquetFolder() throws Exception {
        String absent = dir.resolve("nothing-here").toString();
        BadInputException e1 = assertThrows(BadInputException.class, () -> RolloutReader.read(spark(), absent));
        assertTrue(e1.getMessage().contains(absent) && e1.getMessage().contains("does not exist"), e1.getMessage());

        Path text = dir.resolve("text");
        Files.createDirectories(text);
        Files.writeString(text.resolve("rollouts.parquet"), "iteration,condition\n0,0\n");
        BadInputException e2 = assertThrows(BadInputException.class, () -> RolloutReader.read(spark(), text.toString()));
        assertTrue(e2.getMessage().contains(text.toString()) && e2.getMessage().contains("not a readable Parquet"),
                e2.getMessage());
    }

    @Test
    void readerRefusesAnotherSchemaVersion() throws Exception {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(RolloutFixtures.frame(RolloutFixtures.validRows(), RolloutSchema.STRUCT), path);
        Files.writeString(dir.resolve("samples").resolve(RolloutSchema.VERSION_FILE),
                "{\"format\":\"gps-rollouts\",\"version\":3}");

        BadInputException e = assertThrows(BadInputException.class, () -> RolloutReader.read(spark(), path));
        assertTrue(e.getMessage().contains("version 3"), e.getMessage());
    }

    @Test
    void writerRefusesRowsWithoutRequiredColumns() {
        Dataset<Row> noSource = RolloutFixtures.frame(RolloutFixtures.validRows(), RolloutSchema.STRUCT).drop("source");
        String path = dir.resolve("samples").toString();

        BadInputException e = assertThrows(BadInputException.class, () -> RolloutWriter.write(noSource, path));
        assertTrue(e.getMessage().contains("missing column source"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("samples")));
    }
}
