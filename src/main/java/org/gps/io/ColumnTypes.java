package org.gps.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Which stored types each rollout column accepts, and the cast that brings them to the schema.
 * Widening is allowed (float vectors from pyarrow or numpy, long indices from pandas); anything
 * that would change meaning (a fractional time step, a string vector) is a wrong type.
 */
final class ColumnTypes {
    private ColumnTypes() {
    }

    /** A column that is missing or has a type that cannot be cast to the schema. */
    record Mismatch(String column, Optional<DataType> found) {
        boolean missing() {
            return found.isEmpty();
        }

        String describe() {
            return found.map(t -> "column " + column + " has type " + t.simpleString() + ", expected "
                            + expected(column))
                    .orElse("missing column " + column + " (" + expected(column) + ")");
        }
    }

    static String expected(String column) {
        return switch (column) {
            case RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE, RolloutSchema.T ->
                    "int (any integer type is accepted)";
            case RolloutSchema.X, RolloutSchema.U, RolloutSchema.O -> "array<double> (any numeric element type is accepted)";
            case RolloutSchema.COST -> "double (any numeric type is accepted; the column is optional)";
            case RolloutSchema.SOURCE -> "string";
            case RolloutSchema.U_APPLIED ->
                    "array<double> (any numeric element type is accepted; the column is optional)";
            default -> throw new IllegalArgumentException("not a rollout column: " + column);
        };
    }

    static boolean compatible(String column, DataType found) {
        return switch (column) {
            case RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE, RolloutSchema.T ->
                    isInteger(found);
            case RolloutSchema.X, RolloutSchema.U, RolloutSchema.O, RolloutSchema.U_APPLIED ->
                    found instanceof ArrayType a && a.elementType() instanceof NumericType;
            case RolloutSchema.COST -> found instanceof NumericType;
            case RolloutSchema.SOURCE -> found instanceof StringType;
            default -> throw new IllegalArgumentException("not a rollout column: " + column);
        };
    }

    private static boolean isInteger(DataType t) {
        return t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType || t instanceof LongType;
    }

    static Optional<DataType> typeIn(StructType raw, String column) {
        for (StructField f : raw.fields()) {
            if (f.name().equals(column)) {
                return Optional.of(f.dataType());
            }
        }
        return Optional.empty();
    }

    /** Every schema problem of a stored schema, in column order; an absent optional column is not one. */
    static List<Mismatch> mismatches(StructType raw) {
        List<Mismatch> out = new ArrayList<>();
        for (String c : RolloutSchema.ALL_COLUMNS) {
            Optional<DataType> t = typeIn(raw, c);
            if (t.isEmpty() && !RolloutSchema.OPTIONAL_COLUMNS.contains(c)) {
                out.add(new Mismatch(c, t));
            } else if (t.isPresent() && !compatible(c, t.get())) {
                out.add(new Mismatch(c, t));
            }
        }
        return out;
    }

    /** The expression that reads {@code column} as its schema type; nulls when an optional column is absent. */
    static Column conformed(StructType raw, String column) {
        DataType target = RolloutSchema.asNullable(RolloutSchema.typeOf(column));
        Optional<DataType> found = typeIn(raw, column);
        if (found.isEmpty()) {
            return lit(null).cast(target).as(column);
        }
        Column c = col(column);
        if (found.get() instanceof LongType && RolloutSchema.KEY_COLUMNS.contains(column)) {
            // A 64-bit index beyond int32 would fail the cast (ANSI) or wrap into another valid
            // index; it is read as Integer.MAX_VALUE (or MIN_VALUE), which RolloutRules refuses
            // as out of range, naming the row.
            return when(c.gt(Integer.MAX_VALUE), lit(Integer.MAX_VALUE))
                    .when(c.lt(Integer.MIN_VALUE), lit(Integer.MIN_VALUE))
                    .otherwise(c.cast(target)).as(column);
        }
        if (!RolloutSchema.asNullable(found.get()).equals(target)) {
            c = c.cast(target);
        }
        return c.as(column);
    }

    /** The schema columns in order, each conformed; callers check {@link #mismatches} first. */
    static Column[] conformedColumns(StructType raw) {
        return RolloutSchema.ALL_COLUMNS.stream().map(c -> conformed(raw, c)).toArray(Column[]::new);
    }
}
