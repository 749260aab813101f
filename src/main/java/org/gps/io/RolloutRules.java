package org.gps.io;

import java.util.Map;
import java.util.NavigableMap;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.rdd.InputFileBlockHolder;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.gps.core.BadInputException;

/**
 * The data rules of the rollout schema in one place: {@code gps validate} ({@link RolloutValidator})
 * reports every breach of them across a dataset, and every step that reads rollouts applies them
 * to each row as it parses it ({@link RowCheck}), refusing the first breach it meets. The fault
 * kinds are {@link FaultKind}'s; docs/rollout-schema.md lists them and where each is checked.
 *
 * <p>A step's check costs a few comparisons per value and runs inside the task that already
 * parses the row, so it adds neither a job nor a pass over the data. Trajectory rules (t runs
 * 0..T-1 once each) are checked where a step assembles trajectories, and rules across
 * trajectories (equal T per condition, one dX/dU/dO per dataset, the marker's row count) where a
 * step already gathers per-trajectory facts on the driver.
 */
public final class RolloutRules {
    /**
     * Largest magnitude accepted in x, u, o and cost. The fits square and sum values (second
     * moments, cost expansions), and a square above about 1e308 is infinite; 1e150 leaves room for
     * sums over many rows and products of two values, and no physical state or action comes near.
     */
    public static final double MAX_MAGNITUDE = 1e150;

    /** The value rule NON_FINITE as a Spark column over one number: NaN or infinite. */
    public static org.apache.spark.sql.Column nonFinite(org.apache.spark.sql.Column v) {
        return org.apache.spark.sql.functions.isnan(v)
                .or(org.apache.spark.sql.functions.abs(v).equalTo(org.apache.spark.sql.functions.lit(Double.POSITIVE_INFINITY)));
    }

    /**
     * The value rule VALUE_TOO_LARGE as a Spark column over one number: finite but beyond
     * {@link #MAX_MAGNITUDE} (NaN, which Spark orders above every number, and infinity are {@link #nonFinite}).
     */
    public static org.apache.spark.sql.Column tooLarge(org.apache.spark.sql.Column v) {
        return org.apache.spark.sql.functions.abs(v).gt(org.apache.spark.sql.functions.lit(MAX_MAGNITUDE))
                .and(org.apache.spark.sql.functions.not(nonFinite(v)));
    }

    /**
     * Largest index accepted in iteration, condition, sample and t. One below the int32 maximum so
     * that T = t + 1 and "index + 1" loops cannot overflow; indices stored as 64-bit integers beyond
     * it are read as {@link Integer#MAX_VALUE} (see {@link ColumnTypes}), which this bound refuses.
     */
    public static final int MAX_INDEX = Integer.MAX_VALUE - 1;

    /**
     * The most common of the lengths counted in {@code counts} (a vector column's length, a
     * condition's T), which a dataset's rules take as the expected one; ties go to the larger value
     * (a truncated trajectory is a likelier fault than an extended one) and never depend on Spark's
     * row order. -1 when nothing was counted.
     */
    public static int mostCommon(NavigableMap<Integer, Long> counts) {
        int best = -1;
        long bestCount = -1;
        for (Map.Entry<Integer, Long> e : counts.descendingMap().entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    /** What an index must be, for messages. */
    public static final String INDEX_EXPECTATION = "expected an integer in 0.." + MAX_INDEX;

    /** What a value must be, for messages. */
    public static final String VALUE_EXPECTATION = "expected finite numbers with magnitude at most 1e150";

    private RolloutRules() {
    }

    /**
     * One time step of a trajectory, as a step that passed the checks uses it.
     *
     * @param uApplied the applied action, or null when the row does not record it
     */
    public record CheckedRow(int iteration, int condition, int sample, int t, double[] x, double[] u, double[] o,
                             double[] uApplied) implements Serializable {
        /** A row that does not record the applied action. */
        public CheckedRow(int iteration, int condition, int sample, int t, double[] x, double[] u, double[] o) {
            this(iteration, condition, sample, t, x, u, o, null);
        }
    }

    /** Position of {@link RolloutSchema#U_APPLIED} in rows of {@link RolloutSchema#ALL_COLUMNS}. */
    private static final int APPLIED = 9;

    /**
     * Applies the per-row rules to rows in {@link RolloutSchema#ALL_COLUMNS} order (as
     * {@link RolloutReader} returns them). Serializable: it travels to the executors inside the
     * task that parses the rows.
     */
    public static final class RowCheck implements Serializable {
        private static final long serialVersionUID = 1L;
        private static final double[] NONE = new double[0];
        private final String dataset;
        private final int[] lengths;
        private final boolean observations;

        /** @param dataset names the data in messages when the file a row came from is not known (a path) */
        public RowCheck(String dataset) {
            this(dataset, -1, -1, -1);
        }

        /**
         * Also requires x, u, o of the given lengths, as a run's environment fixes them (-1: any
         * length, as long as the trajectory's and the dataset's rows agree).
         */
        public RowCheck(String dataset, int dX, int dU, int dO) {
            this(dataset, new int[] {dX, dU, dO}, true);
        }

        private RowCheck(String dataset, int[] lengths, boolean observations) {
            this.dataset = dataset;
            this.lengths = lengths;
            this.observations = observations;
        }

        /**
         * The same check for a step that does not read the observations (the cost expansion): o,
         * a vector as long as x or longer, is neither read nor checked, so it need not travel with
         * the rows; the steps that read it check it. The parsed row's o is empty.
         */
        public RowCheck withoutObservations() {
            return new RowCheck(dataset, lengths, false);
        }

        public String dataset() {
            return dataset;
        }

        /**
         * The checked row: keys, x, u, o, cost, source and u_applied (all but o after
         * {@link #withoutObservations}). A u_applied that is present must have u's length; a row
         * without that column (nine fields, as a version-1 row) reads as one that does not record it.
         *
         * @throws BadInputException naming the file, the row's key, the column and what was expected
         */
        public CheckedRow check(Row r) {
            int iteration = index(r.isNullAt(0), r.isNullAt(0) ? 0 : r.getInt(0), 0, r);
            int condition = index(r.isNullAt(1), r.isNullAt(1) ? 0 : r.getInt(1), 1, r);
            int sample = index(r.isNullAt(2), r.isNullAt(2) ? 0 : r.getInt(2), 2, r);
            int t = index(r.isNullAt(3), r.isNullAt(3) ? 0 : r.getInt(3), 3, r);
            double[] x = vector(r.isNullAt(4) ? null : r.getList(4), 4, r);
            double[] u = vector(r.isNullAt(5) ? null : r.getList(5), 5, r);
            double[] o = observations ? vector(r.isNullAt(6) ? null : r.getList(6), 6, r) : NONE;
            if (!r.isNullAt(7)) {
                scalar(r.getDouble(7), 7, r);
            }
            if (r.isNullAt(8)) {
                throw fault(FaultKind.NULL_VALUE, 8, r, "is null; expected a string");
            }
            double[] applied = r.length() <= APPLIED || r.isNullAt(APPLIED) ? null
                    : vector(r.getList(APPLIED), APPLIED, r, u.length);
            return new CheckedRow(iteration, condition, sample, t, x, u, o, applied);
        }

        /** {@link #check(Row)} for Spark's internal rows, with the same rules and messages. */
        public CheckedRow check(InternalRow r) {
            int iteration = index(r.isNullAt(0), r.isNullAt(0) ? 0 : r.getInt(0), 0, r);
            int condition = index(r.isNullAt(1), r.isNullAt(1) ? 0 : r.getInt(1), 1, r);
            int sample = index(r.isNullAt(2), r.isNullAt(2) ? 0 : r.getInt(2), 2, r);
            int t = index(r.isNullAt(3), r.isNullAt(3) ? 0 : r.getInt(3), 3, r);
            double[] x = vector(r.isNullAt(4) ? null : r.getArray(4), 4, r);
            double[] u = vector(r.isNullAt(5) ? null : r.getArray(5), 5, r);
            double[] o = observations ? vector(r.isNullAt(6) ? null : r.getArray(6), 6, r) : NONE;
            if (!r.isNullAt(7)) {
                scalar(r.getDouble(7), 7, r);
            }
            if (r.isNullAt(8)) {
                throw fault(FaultKind.NULL_VALUE, 8, r, "is null; expected a string");
            }
            double[] applied = r.numFields() <= APPLIED || r.isNullAt(APPLIED) ? null
                    : vector(r.getArray(APPLIED), APPLIED, r, u.length);
            return new CheckedRow(iteration, condition, sample, t, x, u, o, applied);
        }

        private int index(boolean isNull, int v, int field, Object key) {
            if (isNull) {
                throw fault(FaultKind.NULL_VALUE, field, key, "is null; " + INDEX_EXPECTATION);
            }
            if (v < 0 || v > MAX_INDEX) {
                throw fault(FaultKind.INDEX_OUT_OF_RANGE, field, key, "is "
                        + (v > MAX_INDEX ? v + " or more" : Integer.toString(v)) + "; " + INDEX_EXPECTATION);
            }
            return v;
        }

        private double[] vector(List<Object> l, int field, Object key) {
            return vector(l, field, key, -1);
        }

        /** @param uLength the row's dU, which u_applied must match; -1 for x, u and o */
        private double[] vector(List<Object> l, int field, Object key, int uLength) {
            if (l == null) {
                throw fault(FaultKind.NULL_VALUE, field, key, "is null; " + VALUE_EXPECTATION);
            }
            requireLength(l.size(), field, key, uLength);
            double[] out = new double[l.size()];
            for (int i = 0; i < out.length; i++) {
                Object e = l.get(i);
                if (e == null) {
                    throw nullElement(field, key, i);
                }
                out[i] = element(((Number) e).doubleValue(), field, key, i);
            }
            return out;
        }

        private double[] vector(ArrayData a, int field, Object key) {
            return vector(a, field, key, -1);
        }

        private double[] vector(ArrayData a, int field, Object key, int uLength) {
            if (a == null) {
                throw fault(FaultKind.NULL_VALUE, field, key, "is null; " + VALUE_EXPECTATION);
            }
            requireLength(a.numElements(), field, key, uLength);
            double[] out = new double[a.numElements()];
            for (int i = 0; i < out.length; i++) {
                if (a.isNullAt(i)) {
                    throw nullElement(field, key, i);
                }
                out[i] = element(a.getDouble(i), field, key, i);
            }
            return out;
        }

        private void requireLength(int length, int field, Object key, int uLength) {
            if (field == APPLIED) {
                if (length != uLength) {
                    throw fault(FaultKind.INCONSISTENT_VECTOR_LENGTH, field, key, "has length " + length + "; expected "
                            + uLength + ", the length of u (dU): the applied action has one element per action");
                }
                return;
            }
            int expected = lengths[field - 4];
            if (expected >= 0 && length != expected) {
                throw fault(FaultKind.INCONSISTENT_VECTOR_LENGTH, field, key, "has length " + length + "; expected "
                        + expected + ", the run's " + (field == 4 ? "dX" : field == 5 ? "dU" : "dO"));
            }
        }

        private double element(double v, int field, Object key, int i) {
            // One comparison for the common case; the fault is told apart only once found.
            if (!(Math.abs(v) <= MAX_MAGNITUDE)) {
                throw fault(valueFault(v), field, key, "element " + i + " is " + v + "; " + VALUE_EXPECTATION);
            }
            return v;
        }

        private void scalar(double v, int field, Object key) {
            if (!(Math.abs(v) <= MAX_MAGNITUDE)) {
                throw fault(valueFault(v), field, key, "is " + v + "; " + VALUE_EXPECTATION + " or null");
            }
        }

        private BadInputException nullElement(int field, Object key, int i) {
            return fault(FaultKind.NULL_VALUE, field, key, "element " + i + " is null; " + VALUE_EXPECTATION);
        }

        private BadInputException fault(FaultKind kind, int field, Object key, String what) {
            return new BadInputException(where() + ": row " + formatKey(key) + ": column "
                    + RolloutSchema.ALL_COLUMNS.get(field) + " " + what + " (" + kind + ")");
        }

        /** The file the current task is reading, when the rows come straight from one. */
        private String where() {
            String file = InputFileBlockHolder.getInputFilePath().toString();
            return file.isEmpty() ? dataset : file;
        }
    }

    /** The fault kind of a value outside the accepted range. */
    static FaultKind valueFault(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? FaultKind.NON_FINITE : FaultKind.VALUE_TOO_LARGE;
    }

    /** A trajectory-level fault: names the dataset, the trajectory and what was expected. */
    public static BadInputException trajectoryFault(String dataset, FaultKind kind, int iteration, int condition,
                                                    int sample, String what) {
        return new BadInputException(dataset + ": trajectory (iteration=" + iteration + ", condition=" + condition
                + ", sample=" + sample + ") " + what + " (" + kind + ")");
    }

    /**
     * Assembles one trajectory's checked rows, in any order, into arrays indexed by t, refusing a
     * trajectory whose t values are not exactly 0..T-1 or whose rows disagree on dX, dU or dO.
     *
     * @return {x, u, o, uApplied}, each [T][d]; uApplied is null unless every row records it
     */
    public static double[][][] assemble(String dataset, List<CheckedRow> rows) {
        int horizon = rows.size();
        CheckedRow first = rows.get(0);
        double[][] x = new double[horizon][];
        double[][] u = new double[horizon][];
        double[][] o = new double[horizon][];
        double[][] applied = new double[horizon][];
        boolean allApplied = true;
        for (CheckedRow r : rows) {
            int t = r.t();
            if (t >= horizon) {
                throw trajectoryFault(dataset, FaultKind.MISSING_TIME_STEP, r.iteration(), r.condition(), r.sample(),
                        "has " + horizon + " rows but a row with t=" + t + "; expected t = 0.." + (horizon - 1)
                                + ", each once (a time step is missing)");
            }
            if (x[t] != null) {
                boolean same = java.util.Arrays.equals(x[t], r.x()) && java.util.Arrays.equals(u[t], r.u())
                        && java.util.Arrays.equals(o[t], r.o()) && java.util.Arrays.equals(applied[t], r.uApplied());
                throw repeated(dataset, r, same);
            }
            requireLength(dataset, RolloutSchema.X, r, r.x().length, first.x().length);
            requireLength(dataset, RolloutSchema.U, r, r.u().length, first.u().length);
            requireLength(dataset, RolloutSchema.O, r, r.o().length, first.o().length);
            x[t] = r.x();
            u[t] = r.u();
            o[t] = r.o();
            applied[t] = r.uApplied();
            allApplied &= r.uApplied() != null;
        }
        return new double[][][] {x, u, o, allApplied ? applied : null};
    }

    /**
     * A key met twice: {@link FaultKind#DUPLICATE_KEY} when the rows' values agree (the same row
     * stored twice), {@link FaultKind#REPEATED_TIME_STEP} when they differ.
     */
    public static BadInputException repeated(String dataset, CheckedRow r, boolean identical) {
        return trajectoryFault(dataset, identical ? FaultKind.DUPLICATE_KEY : FaultKind.REPEATED_TIME_STEP,
                r.iteration(), r.condition(), r.sample(), "has t=" + r.t() + " on more than one row"
                        + (identical ? " with the same values" : " with different values") + "; expected each t once");
    }

    private static void requireLength(String dataset, String column, CheckedRow r, int length, int expected) {
        if (length != expected) {
            throw new BadInputException(dataset + ": row (iteration=" + r.iteration() + ", condition="
                    + r.condition() + ", sample=" + r.sample() + ", t=" + r.t() + "): column " + column + " has length "
                    + length + "; expected " + expected + " as in the trajectory's other rows ("
                    + FaultKind.INCONSISTENT_VECTOR_LENGTH + ")");
        }
    }

    /**
     * Refuses rows read that do not add up to what the dataset's completion marker states (a part
     * file deleted or added after the dataset was published).
     *
     * @param markerRows the marker's count, or a negative number when the dataset has no marker or it counts nothing
     */
    public static void requireMarkerRows(String dataset, long rowsRead, long markerRows) {
        if (markerRows >= 0 && rowsRead != markerRows) {
            throw new BadInputException(dataset + ": " + rowsRead + " rows read, but its " + AtomicOutput.MARKER
                    + " marker records " + markerRows + "; expected the rows it was published with (a part file is "
                    + (rowsRead < markerRows ? "missing" : "extra") + ") (" + FaultKind.MARKER_ROW_COUNT + ")");
        }
    }

    /**
     * "(iteration=0, condition=1, sample=2, t=5)" from the key fields of a {@link Row} or an
     * {@link InternalRow}, nulls shown as null; built only for a message, never per row.
     */
    static String formatKey(Object row) {
        if (row instanceof Row r) {
            return RolloutValidator.formatKey(r, RolloutSchema.KEY_COLUMNS);
        }
        InternalRow r = (InternalRow) row;
        Object[] key = new Object[RolloutSchema.KEY_COLUMNS.size()];
        for (int i = 0; i < key.length; i++) {
            key[i] = r.isNullAt(i) ? null : r.getInt(i);
        }
        return RolloutValidator.formatKey(org.apache.spark.sql.RowFactory.create(key), RolloutSchema.KEY_COLUMNS);
    }
}
