package org.gps.io;

import static org.gps.io.RolloutFixtures.I_COST;
import static org.gps.io.RolloutFixtures.I_SOURCE;
import static org.gps.io.RolloutFixtures.I_T;
import static org.gps.io.RolloutFixtures.I_U;
import static org.gps.io.RolloutFixtures.I_U_APPLIED;
import static org.gps.io.RolloutFixtures.I_X;
import static org.gps.io.RolloutFixtures.find;
import static org.gps.io.RolloutFixtures.spark;
import static org.gps.io.RolloutFixtures.validRows;
import static org.gps.io.RolloutFixtures.writeRaw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One Parquet file per fault kind, each holding exactly that fault. */
class RolloutValidatorTest {
    @TempDir
    Path dir;

    /** Asserts the report has exactly the given kinds and returns the problems of the first one. */
    private static List<ValidationProblem> assertOnly(ValidationReport report, FaultKind... kinds) {
        assertEquals(EnumSet.copyOf(Arrays.asList(kinds)), report.kinds(), report.format());
        assertFalse(report.isValid());
        return report.problemsOf(kinds[0]);
    }

    private static void assertMentions(ValidationProblem p, String... parts) {
        for (String part : parts) {
            assertTrue(p.message().contains(part), "'" + part + "' not in: " + p.message());
        }
    }

    private ValidationReport validate(String path) {
        return RolloutValidator.validate(spark(), path);
    }

    @Test
    void datasetWrittenByTheWriterIsValidAndItsDimensionsAreReported() {
        String path = dir.resolve("samples").toString();
        RolloutWriter.write(RolloutFixtures.frame(validRows(), RolloutSchema.STRUCT), path);

        ValidationReport r = validate(path);

        assertTrue(r.isValid(), r.format());
        DatasetSummary s = r.summary().orElseThrow();
        assertEquals(RolloutFixtures.ROWS, s.rows());
        assertEquals(4, s.trajectories());
        assertEquals(2, s.dX());
        assertEquals(1, s.dU());
        assertEquals(2, s.dO());
        assertTrue(s.hasCost());
        assertTrue(s.complete());
        assertEquals(Map.of("controller", 16L), s.sources());
        assertEquals(List.of(new DatasetSummary.ConditionSummary(0, 4, 2, 1, 8),
                new DatasetSummary.ConditionSummary(1, 4, 2, 1, 8)), s.conditions());
        assertTrue(r.format().contains("valid"), r.format());
    }

    @Test
    void committedExampleLoggedDataIsValid() {
        ValidationReport r = validate(ExampleLoggedData.DEFAULT_PATH);

        assertTrue(r.isValid(), r.format());
        DatasetSummary s = r.summary().orElseThrow();
        assertEquals(ExampleLoggedData.CONDITIONS * ExampleLoggedData.SAMPLES * ExampleLoggedData.STEPS, s.rows());
        assertEquals(Map.of("logged", s.rows()), s.sources());
        assertEquals(ExampleLoggedData.STEPS, s.conditions().get(1).T());
    }

    @Test
    void aVersion2DatasetWithAppliedActionsIsValidAndSaysSo() {
        List<Object[]> rows = appliedRows();
        String path = dir.resolve("v2").toString();
        RolloutWriter.write(RolloutFixtures.frame(rows, RolloutSchema.STRUCT), path);

        ValidationReport r = validate(path);

        assertTrue(r.isValid(), r.format());
        assertEquals(2, r.version());
        assertEquals(RolloutFixtures.ROWS, r.summary().orElseThrow().appliedRows());
        assertTrue(r.format().contains("(schema v2): valid") && r.format().contains("u_applied yes"), r.format());
    }

    @Test
    void aVersion1DatasetWithoutTheColumnStillValidatesAsVersion1() {
        // Plain Parquet without u_applied and without a sidecar, as logged data or a version-1 writer left it.
        String path = writeRaw(dir, "v1", validRows(), RolloutFixtures.without(RolloutFixtures.NULLABLE,
                RolloutSchema.U_APPLIED));

        ValidationReport r = validate(path);

        assertTrue(r.isValid(), r.format());
        assertEquals(1, r.version());
        assertEquals(0, r.summary().orElseThrow().appliedRows());
        assertTrue(r.format().contains("(schema v1): valid") && r.format().contains("u_applied no"), r.format());
        ValidationReport committed = validate(ExampleLoggedData.DEFAULT_PATH);
        assertEquals(1, committed.version(), "its sidecar says 1");
    }

    @Test
    void appliedActionOfAnotherLengthThanUIsReported() {
        List<Object[]> rows = appliedRows();
        find(rows, 1, 0, 2)[I_U_APPLIED] = List.of(1.0, 2.0);
        String path = writeRaw(dir, "applied-length", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.INCONSISTENT_VECTOR_LENGTH).get(0);

        assertEquals(RolloutSchema.U_APPLIED, p.column());
        assertEquals(1, p.count());
        assertEquals(List.of("(iteration=0, condition=1, sample=0, t=2)"), p.examples());
        assertMentions(p, "column u_applied has another length than u", "expected dU");
    }

    @Test
    void nanInTheAppliedActionIsReported() {
        List<Object[]> rows = appliedRows();
        find(rows, 0, 1, 3)[I_U_APPLIED] = List.of(Double.NaN);
        String path = writeRaw(dir, "applied-nan", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.NON_FINITE).get(0);

        assertEquals(RolloutSchema.U_APPLIED, p.column());
        assertEquals(List.of("(iteration=0, condition=0, sample=1, t=3)"), p.examples());
        assertMentions(p, "column u_applied has NaN or infinite elements in 1 row");
    }

    @Test
    void appliedActionsMissingInSomeRowsAreNotAFault() {
        List<Object[]> rows = appliedRows();
        find(rows, 0, 1, 3)[I_U_APPLIED] = null;
        String path = writeRaw(dir, "applied-partly", rows);

        ValidationReport r = validate(path);

        assertTrue(r.isValid(), r.format());
        assertTrue(r.format().contains("u_applied in " + (RolloutFixtures.ROWS - 1) + " rows"), r.format());
    }

    /** The valid rows with u_applied = u clipped to [-20, 20]: some rows clipped, as a plant with limits would. */
    private static List<Object[]> appliedRows() {
        List<Object[]> rows = new ArrayList<>();
        for (Object[] r : validRows()) {
            Object[] v = Arrays.copyOf(r, RolloutSchema.ALL_COLUMNS.size());
            double u = ((List<?>) r[I_U]).stream().mapToDouble(e -> (Double) e).sum();
            v[I_U_APPLIED] = List.of(Math.max(-20.0, u));
            rows.add(v);
        }
        return rows;
    }

    @Test
    void missingColumnIsReported() {
        String path = writeRaw(dir, "no-u", RolloutFixtures.withoutColumn(validRows(), I_U),
                RolloutFixtures.without(RolloutFixtures.NULLABLE, RolloutSchema.U));

        ValidationProblem p = assertOnly(validate(path), FaultKind.MISSING_COLUMN).get(0);

        assertEquals(RolloutSchema.U, p.column());
        assertMentions(p, "missing column u");
    }

    @Test
    void absentCostColumnIsNotAFault() {
        String path = writeRaw(dir, "no-cost", RolloutFixtures.withoutColumn(validRows(), I_COST),
                RolloutFixtures.without(RolloutFixtures.NULLABLE, RolloutSchema.COST));

        ValidationReport r = validate(path);

        assertTrue(r.isValid(), r.format());
        assertFalse(r.summary().orElseThrow().hasCost());
    }

    @Test
    void wrongTypeIsReported() {
        List<Object[]> rows = validRows();
        for (Object[] r : rows) {
            r[I_T] = ((Integer) r[I_T]).doubleValue();
        }
        StructType schema = new StructType(Arrays.stream(RolloutFixtures.NULLABLE.fields())
                .map(f -> f.name().equals("t") ? DataTypes.createStructField("t", DataTypes.DoubleType, true) : f)
                .toArray(StructField[]::new));
        String path = writeRaw(dir, "t-double", rows, schema);

        ValidationProblem p = assertOnly(validate(path), FaultKind.WRONG_TYPE).get(0);

        assertEquals(RolloutSchema.T, p.column());
        assertMentions(p, "column t has type double", "expected int");
    }

    @Test
    void nullValuesAreReportedPerColumnWithTheirKeys() {
        List<Object[]> rows = validRows();
        find(rows, 1, 0, 2)[I_U] = null;
        find(rows, 0, 1, 3)[I_SOURCE] = null;
        find(rows, 0, 0, 1)[I_X] = Arrays.asList(1.0, null);
        String path = writeRaw(dir, "nulls", rows);

        List<ValidationProblem> ps = assertOnly(validate(path), FaultKind.NULL_VALUE);

        assertEquals(3, ps.size(), ps.toString());
        ValidationProblem u = ps.stream().filter(p -> "u".equals(p.column())).findFirst().orElseThrow();
        assertEquals(1, u.count());
        assertMentions(u, "column u is null in 1 row", "(iteration=0, condition=1, sample=0, t=2)");
        ValidationProblem source = ps.stream().filter(p -> "source".equals(p.column())).findFirst().orElseThrow();
        assertMentions(source, "column source is null", "(iteration=0, condition=0, sample=1, t=3)");
        ValidationProblem x = ps.stream().filter(p -> "x".equals(p.column())).findFirst().orElseThrow();
        assertMentions(x, "column x has null elements", "(iteration=0, condition=0, sample=0, t=1)");
    }

    @Test
    void inconsistentVectorLengthIsReported() {
        List<Object[]> rows = validRows();
        find(rows, 1, 1, 0)[I_U] = List.of(1.0, 2.0);
        String path = writeRaw(dir, "u-length", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.INCONSISTENT_VECTOR_LENGTH).get(0);

        assertEquals(RolloutSchema.U, p.column());
        assertEquals(1, p.count());
        assertMentions(p, "column u", "length 1 in 15 rows", "length 2 in 1 row",
                "(iteration=0, condition=1, sample=1, t=0)");
    }

    @Test
    void nonFiniteValuesAreReportedInVectorsAndCost() {
        List<Object[]> rows = validRows();
        find(rows, 0, 1, 2)[I_X] = List.of(Double.NaN, 1.0);
        find(rows, 1, 0, 3)[I_COST] = Double.POSITIVE_INFINITY;
        String path = writeRaw(dir, "nan", rows);

        List<ValidationProblem> ps = assertOnly(validate(path), FaultKind.NON_FINITE);

        assertEquals(2, ps.size(), ps.toString());
        assertEquals("x", ps.get(0).column());
        assertMentions(ps.get(0), "column x has NaN or infinite", "(iteration=0, condition=0, sample=1, t=2)");
        assertEquals("cost", ps.get(1).column());
        assertMentions(ps.get(1), "column cost is NaN or infinite", "(iteration=0, condition=1, sample=0, t=3)");
    }

    @Test
    void missingTimeStepIsReportedWithTheAbsentT() {
        List<Object[]> rows = validRows();
        rows.remove(find(rows, 1, 1, 2));
        String path = writeRaw(dir, "gap", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.MISSING_TIME_STEP).get(0);

        assertEquals(1, p.count());
        assertMentions(p, "1 trajectory", "(iteration=0, condition=1, sample=1) lacks t=2 of 0..3");
    }

    /**
     * A row whose t is null is a NULL_VALUE of its own; the trajectory it belongs to is still
     * checked for gaps on its other rows, and the report keeps both faults (the null row once made
     * the gap's examples fail to read, and the report ended as an unreadable path).
     */
    @Test
    void aNullTAndAGapInTheSameTrajectoryAreBothReported() {
        List<Object[]> rows = validRows();
        rows.remove(find(rows, 1, 1, 1));
        find(rows, 1, 1, 2)[I_T] = null;
        String path = writeRaw(dir, "null-t-gap", rows);

        ValidationReport r = validate(path);

        assertEquals(Set.of(FaultKind.NULL_VALUE, FaultKind.MISSING_TIME_STEP), r.kinds(), r.format());
        ValidationProblem gap = r.problems().stream().filter(p -> p.kind() == FaultKind.MISSING_TIME_STEP)
                .findFirst().orElseThrow();
        assertMentions(gap, "(iteration=0, condition=1, sample=1) lacks t=1, 2 of 0..3");
    }

    @Test
    void trajectoryStartingAfterZeroIsAMissingTimeStep() {
        List<Object[]> rows = validRows();
        rows.remove(find(rows, 0, 0, 0));
        String path = writeRaw(dir, "late-start", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.MISSING_TIME_STEP).get(0);

        assertMentions(p, "(iteration=0, condition=0, sample=0) lacks t=0");
    }

    @Test
    void repeatedTimeStepWithDifferentContentsIsReported() {
        List<Object[]> rows = validRows();
        Object[] extra = find(rows, 0, 1, 2).clone();
        extra[I_X] = List.of(-1.0, -2.0);
        rows.add(extra);
        String path = writeRaw(dir, "repeat", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.REPEATED_TIME_STEP).get(0);

        assertEquals(1, p.count());
        assertEquals(RolloutSchema.T, p.column());
        assertMentions(p, "1 time step", "occurs", "(iteration=0, condition=0, sample=1, t=2) on 2 different rows");
    }

    @Test
    void identicalRowStoredTwiceIsADuplicateKey() {
        List<Object[]> rows = validRows();
        rows.add(find(rows, 1, 0, 1).clone());
        String path = writeRaw(dir, "dup", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.DUPLICATE_KEY).get(0);

        assertEquals(1, p.count());
        assertMentions(p, "1 key", "1 extra copy", "(iteration=0, condition=1, sample=0, t=1) stored 2 times");
    }

    @Test
    void unequalTrajectoryLengthsInOneConditionAreReported() {
        List<Object[]> rows = validRows();
        rows.remove(find(rows, 1, 0, 3));
        String path = writeRaw(dir, "short", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.UNEQUAL_TRAJECTORY_LENGTHS).get(0);

        assertEquals(1, p.count());
        assertMentions(p, "condition 1", "T=3 for 1 trajectory", "T=4 for 1 trajectory",
                "(iteration=0, condition=1, sample=0) has T=3");
    }

    @Test
    void differentLengthsAcrossConditionsAreAllowed() {
        List<Object[]> rows = validRows();
        rows.removeIf(r -> (int) r[RolloutFixtures.I_CONDITION] == 1 && (int) r[I_T] == 3);
        String path = writeRaw(dir, "per-condition-T", rows);

        ValidationReport r = validate(path);

        assertTrue(r.isValid(), r.format());
        assertEquals(3, r.summary().orElseThrow().conditions().get(1).T());
    }

    @Test
    void emptyDatasetIsReported() {
        String path = writeRaw(dir, "empty", new ArrayList<>());

        assertOnly(validate(path), FaultKind.EMPTY_DATASET);
    }

    @Test
    void absentPathIsUnreadable() {
        String path = dir.resolve("absent").toString();

        ValidationProblem p = assertOnly(validate(path), FaultKind.UNREADABLE_PATH).get(0);

        assertMentions(p, path, "does not exist");
    }

    @Test
    void folderOfNonParquetFilesIsUnreadable() throws Exception {
        Path csv = dir.resolve("csv");
        Files.createDirectories(csv);
        Files.writeString(csv.resolve("part-0.parquet"), "iteration,condition,sample,t\n0,0,0,0\n");

        ValidationProblem p = assertOnly(validate(csv.toString()), FaultKind.UNREADABLE_PATH).get(0);

        assertMentions(p, csv.toString(), "not a readable Parquet dataset");
    }

    @Test
    void emptyFolderIsUnreadable() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("nothing"));

        ValidationProblem p = assertOnly(validate(empty.toString()), FaultKind.UNREADABLE_PATH).get(0);

        assertMentions(p, "contains no Parquet files");
    }

    @Test
    void unsupportedSchemaVersionIsReported() throws Exception {
        String path = writeRaw(dir, "v3", validRows());
        Files.writeString(Path.of(path, RolloutSchema.VERSION_FILE), "{\"format\":\"gps-rollouts\",\"version\":3}");

        ValidationProblem p = assertOnly(validate(path), FaultKind.UNSUPPORTED_VERSION).get(0);

        assertMentions(p, "version 3");
    }

    @Test
    void everyFaultIsReportedNotJustTheFirst() {
        List<Object[]> rows = validRows();
        find(rows, 0, 0, 0)[I_X] = List.of(Double.NEGATIVE_INFINITY, 0.0);
        rows.add(find(rows, 1, 1, 1).clone());
        rows.remove(find(rows, 0, 1, 1));
        find(rows, 1, 0, 0)[I_U] = null;
        String path = writeRaw(dir, "many", rows);

        ValidationReport r = validate(path);

        assertEquals(Set.of(FaultKind.NON_FINITE, FaultKind.DUPLICATE_KEY, FaultKind.MISSING_TIME_STEP,
                FaultKind.NULL_VALUE), r.kinds(), r.format());
        String text = r.format();
        for (FaultKind k : r.kinds()) {
            assertTrue(text.contains(k.name()), text);
        }
    }

    @Test
    void examplesAreCappedButCountsAreExact() {
        List<Object[]> rows = validRows();
        for (Object[] r : rows) {
            r[I_COST] = Double.NaN;
        }
        String path = writeRaw(dir, "all-nan", rows);

        ValidationProblem p = assertOnly(validate(path), FaultKind.NON_FINITE).get(0);

        assertEquals(RolloutFixtures.ROWS, p.count());
        assertEquals(RolloutValidator.MAX_EXAMPLES, p.examples().size());
    }
}
