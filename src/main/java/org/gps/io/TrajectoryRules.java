package org.gps.io;

import org.apache.spark.sql.Column;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

/**
 * The rollout schema's trajectory rules as Spark columns, in one place for the two that apply them
 * over a whole dataset: {@code gps validate} ({@link RolloutValidator}), which reports every breach,
 * and {@code gps ingest} ({@link RolloutIngest}), which rejects the rollouts that breach them. Both
 * group rows twice: by key (iteration, condition, trajectory, t) into {@link #KEY_ROWS} rows and
 * the least and greatest hash of their contents, then by trajectory into its first and last t and
 * its number of distinct t.
 */
final class TrajectoryRules {
    /** Rows sharing one key. */
    static final String KEY_ROWS = "n";
    static final String HASH_MIN = "hmin";
    static final String HASH_MAX = "hmax";
    static final String FIRST_T = "t0";
    static final String LAST_T = "tmax";
    static final String STEPS = "steps";

    private TrajectoryRules() {
    }

    /** The per-key aggregates: {@link #KEY_ROWS}, {@link #HASH_MIN}, {@link #HASH_MAX} of {@code contentHash}. */
    static Column[] keyAggregates(Column contentHash) {
        return new Column[] {count(lit(1)).as(KEY_ROWS), min(contentHash).as(HASH_MIN), max(contentHash).as(HASH_MAX)};
    }

    /** A key whose rows repeat with identical contents (a duplicate, {@link FaultKind#DUPLICATE_KEY}). */
    static Column exactRepeat() {
        return col(KEY_ROWS).gt(1).and(col(HASH_MIN).equalTo(col(HASH_MAX)));
    }

    /** A key whose rows repeat with different contents ({@link FaultKind#REPEATED_TIME_STEP}). */
    static Column conflictingRepeat() {
        return col(KEY_ROWS).gt(1).and(col(HASH_MIN).notEqual(col(HASH_MAX)));
    }

    /** The per-trajectory aggregates over its keys' t: {@link #FIRST_T}, {@link #LAST_T}, {@link #STEPS}. */
    static Column[] stepAggregates(String t) {
        return new Column[] {min(t).as(FIRST_T), max(t).as(LAST_T), count(t).as(STEPS)};
    }

    /** A trajectory without every t in 0..T-1, T = its last t + 1 ({@link FaultKind#MISSING_TIME_STEP}). */
    static Column missingStep() {
        return col(FIRST_T).notEqual(0).or(col(STEPS).notEqual(col(LAST_T).plus(1)));
    }
}
