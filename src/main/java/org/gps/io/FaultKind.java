package org.gps.io;

/**
 * What {@link RolloutValidator} and the steps ({@link RolloutRules}) can find wrong with a rollout dataset. Definitions (also in
 * docs/rollout-schema.md, "Validation faults"): a <em>key</em> is (iteration, condition, sample,
 * t); a <em>trajectory</em> is the rows sharing (iteration, condition, sample); its length T is
 * max(t) + 1.
 */
public enum FaultKind {
    /** The path does not exist, or holds no readable Parquet (empty folder, other file format). */
    UNREADABLE_PATH,
    /** The version sidecar names a schema version this code does not read, or is not valid JSON. */
    UNSUPPORTED_VERSION,
    /** A required column is absent (cost is optional). */
    MISSING_COLUMN,
    /** A column is stored with a type that cannot be cast to the schema type (e.g. t as double, x as string). */
    WRONG_TYPE,
    /** The dataset has no rows. */
    EMPTY_DATASET,
    /** A required column is null in some rows, or a vector has a null element. */
    NULL_VALUE,
    /** Rows disagree on the length of x, u or o (dX, dU, dO are fixed for a dataset). */
    INCONSISTENT_VECTOR_LENGTH,
    /** NaN or +-infinity in x, u, o or cost. */
    NON_FINITE,
    /** A finite value of x, u, o or cost whose magnitude exceeds {@link RolloutRules#MAX_MAGNITUDE} (its square would overflow). */
    VALUE_TOO_LARGE,
    /** iteration, condition, sample or t is negative, or beyond {@link RolloutRules#MAX_INDEX} (a 32-bit index). */
    INDEX_OUT_OF_RANGE,
    /** A trajectory's distinct t values are not exactly 0..max(t): a step is absent, or t starts elsewhere than 0. */
    MISSING_TIME_STEP,
    /** A key occurs on several rows whose contents differ: one trajectory has two different rows for the same t. */
    REPEATED_TIME_STEP,
    /** A key occurs on several rows that are identical in every column: the same row stored twice. */
    DUPLICATE_KEY,
    /** The trajectories of one condition (across all iterations) do not all have the same length T. */
    UNEQUAL_TRAJECTORY_LENGTHS,
    /**
     * A published dataset holds another number of rows than its completion marker records (a part
     * file deleted or added afterwards). Checked by the steps that read a run's rollouts, which
     * count rows anyway; {@code gps validate} reads logged data, which need not carry a marker.
     */
    MARKER_ROW_COUNT
}
