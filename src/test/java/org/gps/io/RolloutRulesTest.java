package org.gps.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;

/** The per-row and per-trajectory rules the steps apply ({@link RolloutRules}), without Spark. */
class RolloutRulesTest {
    private static final RolloutRules.RowCheck ANY = new RolloutRules.RowCheck("data/log");

    /** A row in schema column order, vectors stored as Spark stores them in a Row (Scala sequences). */
    private static Row row(Integer condition, int t, Object[] x, Object[] u, Double cost) {
        return RowFactory.create(0, condition, 1, t, seq(x), seq(u), seq(x), cost, RolloutSchema.SOURCE_LOGGED);
    }

    private static Object seq(Object[] v) {
        return v == null ? null : scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(v)).toSeq();
    }

    private static String refusal(RolloutRules.RowCheck check, Row r) {
        return assertThrows(BadInputException.class, () -> check.check(r)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' not in: " + message);
        }
    }

    /** A version-2 row: the same with an applied action. */
    private static Row row(int t, Object[] u, Object[] applied) {
        return RowFactory.create(0, 1, 1, t, seq(new Object[] {1.0}), seq(u), seq(new Object[] {1.0}), null,
                RolloutSchema.SOURCE_LOGGED, seq(applied));
    }

    @Test
    void anAppliedActionIsParsedBesideTheCommandedOneAndAnAbsentOneIsNull() {
        RolloutRules.CheckedRow r = ANY.check(row(4, new Object[] {3.0}, new Object[] {2.0}));
        assertArrayEquals(new double[] {3.0}, r.u());
        assertArrayEquals(new double[] {2.0}, r.uApplied());
        assertEquals(null, ANY.check(row(4, new Object[] {3.0}, null)).uApplied());
        // A version-1 row has no tenth field at all.
        assertEquals(null, ANY.check(row(1, 4, new Object[] {1.0}, new Object[] {3.0}, null)).uApplied());
    }

    @Test
    void anAppliedActionOfAnotherLengthThanUIsRefusedNamingTheColumn() {
        String m = refusal(ANY, row(4, new Object[] {3.0}, new Object[] {2.0, 0.0}));
        assertMentions(m, "data/log", "(iteration=0, condition=1, sample=1, t=4)", "column u_applied has length 2",
                "expected 1, the length of u (dU)", "(INCONSISTENT_VECTOR_LENGTH)");
    }

    @Test
    void nanInTheAppliedActionIsRefusedNamingTheColumnAndElement() {
        String m = refusal(ANY, row(4, new Object[] {3.0}, new Object[] {Double.NaN}));
        assertMentions(m, "data/log", "(iteration=0, condition=1, sample=1, t=4)", "column u_applied element 0 is NaN",
                "(NON_FINITE)");
    }

    @Test
    void aTrajectoryCarriesAppliedActionsOnlyWhenEveryRowRecordsThem() {
        List<RolloutRules.CheckedRow> all = new ArrayList<>();
        List<RolloutRules.CheckedRow> some = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            double[] u = {3.0 * t};
            double[] applied = {Math.min(2.0, u[0])};
            all.add(new RolloutRules.CheckedRow(0, 1, 2, t, new double[] {t}, u, new double[] {t}, applied));
            some.add(new RolloutRules.CheckedRow(0, 1, 2, t, new double[] {t}, u, new double[] {t}, t == 1 ? null : applied));
        }
        double[][][] full = RolloutRules.assemble("data/log", all);
        assertArrayEquals(new double[] {2.0}, full[3][2]);
        assertArrayEquals(new double[] {6.0}, full[1][2]);
        assertEquals(null, RolloutRules.assemble("data/log", some)[3]);
    }

    @Test
    void aValidRowIsParsedAsIs() {
        RolloutRules.CheckedRow r = ANY.check(row(2, 5, new Object[] {1.0, -2.5}, new Object[] {0.5}, null));
        assertEquals(2, r.condition());
        assertEquals(5, r.t());
        assertArrayEquals(new double[] {1.0, -2.5}, r.x());
        assertArrayEquals(new double[] {0.5}, r.u());
    }

    @Test
    void nanInXIsRefusedNamingTheDatasetKeyColumnAndElement() {
        String m = refusal(ANY, row(1, 3, new Object[] {1.0, Double.NaN}, new Object[] {0.5}, 1.0));
        assertMentions(m, "data/log", "(iteration=0, condition=1, sample=1, t=3)", "column x element 1 is NaN",
                "expected finite numbers", "(NON_FINITE)");
    }

    @Test
    void negativeInfiniteCostIsNonFinite() {
        assertMentions(refusal(ANY, row(1, 3, new Object[] {1.0}, new Object[] {0.5}, Double.NEGATIVE_INFINITY)),
                "column cost is -Infinity", "(NON_FINITE)");
    }

    @Test
    void valuesWhoseSquaresOverflowAreTooLargeAndTheBoundItselfIsAccepted() {
        assertMentions(refusal(ANY, row(0, 0, new Object[] {1e300}, new Object[] {0.5}, null)),
                "column x element 0 is 1.0E300", "(VALUE_TOO_LARGE)");
        assertDoesNotThrow(() -> ANY.check(row(0, 0, new Object[] {-1e150}, new Object[] {1e150}, 1e150)));
    }

    @Test
    void negativeAndTooLargeIndicesAreOutOfRange() {
        assertMentions(refusal(ANY, row(-1, 0, new Object[] {1.0}, new Object[] {0.5}, null)),
                "column condition is -1", "expected an integer in 0..2147483646", "(INDEX_OUT_OF_RANGE)");
        assertMentions(refusal(ANY, row(0, Integer.MAX_VALUE, new Object[] {1.0}, new Object[] {0.5}, null)),
                "column t is 2147483647 or more", "(INDEX_OUT_OF_RANGE)");
    }

    @Test
    void nullsAreRefusedWhereverTheyAre() {
        assertMentions(refusal(ANY, row(null, 0, new Object[] {1.0}, new Object[] {0.5}, null)),
                "column condition is null", "(NULL_VALUE)");
        assertMentions(refusal(ANY, row(0, 0, new Object[] {1.0, null}, new Object[] {0.5}, null)),
                "column x element 1 is null", "(NULL_VALUE)");
        assertMentions(refusal(ANY, row(0, 0, new Object[] {1.0}, null, null)), "column u is null", "(NULL_VALUE)");
    }

    @Test
    void aRunsCheckHoldsVectorsToTheEnvironmentsDimensions() {
        RolloutRules.RowCheck run = new RolloutRules.RowCheck("run/iter=0000/rollouts", 2, 1, 2);
        assertDoesNotThrow(() -> run.check(row(0, 0, new Object[] {1.0, 2.0}, new Object[] {0.5}, null)));
        assertMentions(refusal(run, row(0, 0, new Object[] {1.0, 2.0, 3.0}, new Object[] {0.5}, null)),
                "column x has length 3; expected 2, the run's dX", "(INCONSISTENT_VECTOR_LENGTH)");
    }

    private static List<RolloutRules.CheckedRow> trajectory(int... ts) {
        List<RolloutRules.CheckedRow> rows = new ArrayList<>();
        for (int t : ts) {
            rows.add(new RolloutRules.CheckedRow(0, 1, 2, t, new double[] {t}, new double[] {0}, new double[] {t}));
        }
        return rows;
    }

    @Test
    void aTrajectoryIsAssembledByTWhateverTheRowOrder() {
        double[][][] xuo = RolloutRules.assemble("d", trajectory(2, 0, 1));
        assertArrayEquals(new double[] {1}, xuo[0][1]);
        assertArrayEquals(new double[] {2}, xuo[0][2]);
    }

    @Test
    void aMissingStepAndARepeatedOneAreNamedApart() {
        assertMentions(assertThrows(BadInputException.class, () -> RolloutRules.assemble("d", trajectory(0, 1, 3)))
                .getMessage(), "(iteration=0, condition=1, sample=2)", "t=3", "(MISSING_TIME_STEP)");
        assertMentions(assertThrows(BadInputException.class, () -> RolloutRules.assemble("d", trajectory(0, 1, 1)))
                .getMessage(), "t=1 on more than one row with the same values", "(DUPLICATE_KEY)");
        List<RolloutRules.CheckedRow> differing = trajectory(0, 1);
        differing.add(new RolloutRules.CheckedRow(0, 1, 2, 1, new double[] {9}, new double[] {0}, new double[] {9}));
        assertMentions(assertThrows(BadInputException.class, () -> RolloutRules.assemble("d", differing)).getMessage(),
                "with different values", "(REPEATED_TIME_STEP)");
    }

    @Test
    void rowsReadMustMatchTheMarkerWhenThereIsOne() {
        assertDoesNotThrow(() -> RolloutRules.requireMarkerRows("d", 120, 120));
        assertDoesNotThrow(() -> RolloutRules.requireMarkerRows("d", 120, -1));
        assertMentions(assertThrows(BadInputException.class, () -> RolloutRules.requireMarkerRows("d", 100, 120))
                .getMessage(), "100 rows read", "records 120", "missing", "(MARKER_ROW_COUNT)");
    }

    @Test
    void theMostCommonLengthWinsTiesGoToTheLargerAndNothingCountedIsMinusOne() {
        assertEquals(100, RolloutRules.mostCommon(new java.util.TreeMap<>(java.util.Map.of(99, 2L, 100, 5L, 101, 1L))));
        // A tie between 99 and 100 goes to 100, whatever order the counts were added in.
        assertEquals(100, RolloutRules.mostCommon(new java.util.TreeMap<>(java.util.Map.of(100, 3L, 99, 3L, 7, 1L))));
        assertEquals(7, RolloutRules.mostCommon(new java.util.TreeMap<>(java.util.Map.of(100, 3L, 99, 3L, 7, 4L))));
        assertEquals(-1, RolloutRules.mostCommon(new java.util.TreeMap<>()));
    }
}
