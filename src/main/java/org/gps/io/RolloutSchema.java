package org.gps.io;

import java.util.List;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Rollout schema v2: one row per (iteration, condition, sample, t) with the state {@code x} (dX),
 * the commanded action {@code u} (dU) and the observation {@code o} (dO) of that time step, and
 * optionally the action the plant applied, {@code u_applied} (dU). Described for users, with the
 * offline-RL name mapping and the validation faults, in docs/rollout-schema.md.
 *
 * <p>Version 2 adds the column {@link #U_APPLIED} and nothing else, so a version-1 dataset is a
 * version-2 dataset without it: the readers give it a null {@code u_applied}. The version travels
 * with the dataset in the sidecar file {@value #VERSION_FILE} (see {@link SchemaVersionFile}); a
 * dataset without one (for example logged data written by pyarrow) is read by its columns, with
 * {@code u_applied} when it has that column.
 *
 * <p>{@link #STRUCT} states the contract, including which columns may be null. Spark reports every
 * column of a Parquet file as nullable when reading it back, so a dataset returned by
 * {@link RolloutReader} has these names, order and types with nullable flags set; use
 * {@link #sameIgnoringNullability} to compare.
 */
public final class RolloutSchema {
    /** The schema version this code writes; it reads this one and every earlier one. */
    public static final int VERSION = 2;

    /** The oldest schema version this code reads. */
    public static final int OLDEST_VERSION = 1;

    /** Sidecar file inside the dataset folder that records the schema version. */
    public static final String VERSION_FILE = "_gps_schema.json";

    /** Which GPS iteration produced the rollout (0-based); logged data usually uses 0. */
    public static final String ITERATION = "iteration";
    /** Index of the condition (initial state / task instance), 0-based. */
    public static final String CONDITION = "condition";
    /** Index of the rollout within (iteration, condition), 0-based. */
    public static final String SAMPLE = "sample";
    /** Time step, 0..T-1. */
    public static final String T = "t";
    /** State x_t, length dX. */
    public static final String X = "x";
    /** Action u_t as commanded (what the policy or controller returned), length dU. */
    public static final String U = "u";
    /** Observation o_t, length dO (what the policy sees). */
    public static final String O = "o";
    /** Cost l_t of the step; optional column, nullable. */
    public static final String COST = "cost";
    /** Where the rollout came from: {@link #SOURCE_CONTROLLER}, {@link #SOURCE_POLICY}, {@link #SOURCE_LOGGED}... */
    public static final String SOURCE = "source";
    /**
     * Action the plant applied at t (u_t clipped to the environment's limits), length dU; optional
     * column (version 2), nullable: logged data may not know it.
     */
    public static final String U_APPLIED = "u_applied";

    public static final String SOURCE_CONTROLLER = "controller";
    public static final String SOURCE_POLICY = "policy";
    public static final String SOURCE_LOGGED = "logged";

    /** The columns that identify a row, in sort order. */
    public static final List<String> KEY_COLUMNS = List.of(ITERATION, CONDITION, SAMPLE, T);
    /** The columns that identify one trajectory (rollout). */
    public static final List<String> TRAJECTORY_COLUMNS = List.of(ITERATION, CONDITION, SAMPLE);
    /** The vector columns. */
    public static final List<String> VECTOR_COLUMNS = List.of(X, U, O, U_APPLIED);
    /**
     * Every column, in the order the writer stores them; version 2's column comes last, so the
     * first nine keep their positions of version 1.
     */
    public static final List<String> ALL_COLUMNS = List.of(ITERATION, CONDITION, SAMPLE, T, X, U, O, COST, SOURCE,
            U_APPLIED);
    /** Columns that must be present and non-null ({@link #COST} and {@link #U_APPLIED} are optional). */
    public static final List<String> REQUIRED_COLUMNS = List.of(ITERATION, CONDITION, SAMPLE, T, X, U, O, SOURCE);
    /** Columns that may be absent or null. */
    public static final List<String> OPTIONAL_COLUMNS = List.of(COST, U_APPLIED);

    /** Element type of x, u, o, u_applied: a list of non-null doubles. */
    public static final ArrayType VECTOR_TYPE = DataTypes.createArrayType(DataTypes.DoubleType, false);

    /** Schema v2, in column order. */
    public static final StructType STRUCT = new StructType(new StructField[] {
            DataTypes.createStructField(ITERATION, DataTypes.IntegerType, false),
            DataTypes.createStructField(CONDITION, DataTypes.IntegerType, false),
            DataTypes.createStructField(SAMPLE, DataTypes.IntegerType, false),
            DataTypes.createStructField(T, DataTypes.IntegerType, false),
            DataTypes.createStructField(X, VECTOR_TYPE, false),
            DataTypes.createStructField(U, VECTOR_TYPE, false),
            DataTypes.createStructField(O, VECTOR_TYPE, false),
            DataTypes.createStructField(COST, DataTypes.DoubleType, true),
            DataTypes.createStructField(SOURCE, DataTypes.StringType, false),
            DataTypes.createStructField(U_APPLIED, VECTOR_TYPE, true),
    });

    private RolloutSchema() {
    }

    /** The declared type of a column of {@link #STRUCT}. */
    public static DataType typeOf(String column) {
        return STRUCT.apply(column).dataType();
    }

    /** True when both schemas have the same column names, order and types, whatever their nullable flags. */
    public static boolean sameIgnoringNullability(StructType a, StructType b) {
        return asNullable(a).equals(asNullable(b));
    }

    /** The same schema with every column and array element marked nullable: what Spark reads back from Parquet. */
    public static StructType asNullable(StructType s) {
        StructField[] fields = s.fields();
        StructField[] out = new StructField[fields.length];
        for (int i = 0; i < fields.length; i++) {
            out[i] = DataTypes.createStructField(fields[i].name(), asNullable(fields[i].dataType()), true);
        }
        return new StructType(out);
    }

    static DataType asNullable(DataType t) {
        if (t instanceof ArrayType a) {
            return DataTypes.createArrayType(asNullable(a.elementType()), true);
        }
        if (t instanceof StructType s) {
            return asNullable(s);
        }
        return t;
    }
}
