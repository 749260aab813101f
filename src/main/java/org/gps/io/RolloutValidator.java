package org.gps.io;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Checks a rollout dataset against the rollout schema and reports every fault it finds (the kinds and their
 * definitions: {@link FaultKind} and docs/rollout-schema.md). It never brings the dataset to the
 * driver: the checks are Spark aggregations that return counts, and only for a failing check a
 * second query fetches up to {@value #MAX_EXAMPLES} offending keys. On a small dataset each Spark
 * query costs far more (planning, job start) than its rows, so a valid dataset takes two besides
 * reading the Parquet footers: one pass over the rows (the per-row checks such as nulls and
 * non-finite values, the vector lengths, the rows per source) and one shuffle by key (repeated /
 * duplicate keys), then per trajectory and per condition and length on those small results
 * (missing steps, lengths).
 *
 * <p>Logged data need not carry the completion marker; the summary says whether it does.
 */
public final class RolloutValidator {
    /** Offending keys quoted per fault. */
    public static final int MAX_EXAMPLES = 5;
    /** Sources the summary lists, the most frequent first. */
    private static final int MAX_SOURCES = 20;
    /** The row count of the pass over the rows. */
    private static final String ROWS = "rows";

    private RolloutValidator() {
    }

    /** Validates the dataset at {@code path} (folder or file; local path or Hadoop URI). Never throws for bad data. */
    public static ValidationReport validate(SparkSession spark, String path) {
        return new Run(spark, path).run();
    }

    /** The state of one validation: what has been found so far and which columns can be checked. */
    private static final class Run {
        private final SparkSession spark;
        private final String path;
        private final List<ValidationProblem> problems = new ArrayList<>();
        private final Set<String> usable = new LinkedHashSet<>();
        private final List<String> keyColumns = new ArrayList<>();
        private Dataset<Row> df;
        /** The trajectory table once an example needed it; unpersisted when the run ends. */
        private Dataset<Row> traj;
        /** The version the dataset is read as; the newest until its sidecar or columns say otherwise. */
        private int version = RolloutSchema.VERSION;

        Run(SparkSession spark, String path) {
            this.spark = spark;
            this.path = path;
        }

        ValidationReport run() {
            Dataset<Row> raw = open();
            if (raw == null) {
                return report(null);
            }
            checkSchema(raw);
            for (String k : RolloutSchema.KEY_COLUMNS) {
                if (usable.contains(k)) {
                    keyColumns.add(k);
                }
            }
            df = raw.select(usable.stream().map(c -> ColumnTypes.conformed(raw.schema(), c)).toArray(Column[]::new));
            if (usable.isEmpty()) {
                return report(null);
            }
            try {
                return report(checkRows());
            } catch (RuntimeException e) {
                add(FaultKind.UNREADABLE_PATH, null, 0, List.of(),
                        "reading the rows of " + path + " failed: " + firstLine(e.getMessage()));
                return report(null);
            }
        }

        private ValidationReport report(DatasetSummary summary) {
            return new ValidationReport(path, version, problems, summary);
        }

        /** The stored rows, or null after reporting why they cannot be read. */
        private Dataset<Row> open() {
            if (!HadoopFiles.exists(HadoopFiles.conf(spark), path)) {
                add(FaultKind.UNREADABLE_PATH, null, 0, List.of(), "rollout dataset " + path + " does not exist");
                return null;
            }
            String versionProblem = SchemaVersionFile.problem(HadoopFiles.conf(spark), path);
            if (versionProblem != null) {
                add(FaultKind.UNSUPPORTED_VERSION, null, 0, List.of(), versionProblem);
                return null;
            }
            try {
                Dataset<Row> raw = RolloutReader.readParquet(spark, path);
                // Without a sidecar the columns tell: a dataset without u_applied is what version 1 described.
                version = SchemaVersionFile.read(HadoopFiles.conf(spark), path).orElse(
                        ColumnTypes.typeIn(raw.schema(), RolloutSchema.U_APPLIED).isPresent() ? RolloutSchema.VERSION : 1);
                return raw;
            } catch (Exception e) {
                add(FaultKind.UNREADABLE_PATH, null, 0, List.of(), RolloutReader.notParquet(path, e));
                return null;
            }
        }

        private void checkSchema(Dataset<Row> raw) {
            Set<String> bad = new LinkedHashSet<>();
            for (ColumnTypes.Mismatch m : ColumnTypes.mismatches(raw.schema())) {
                bad.add(m.column());
                add(m.missing() ? FaultKind.MISSING_COLUMN : FaultKind.WRONG_TYPE, m.column(), 0, List.of(), m.describe());
            }
            for (String c : RolloutSchema.ALL_COLUMNS) {
                if (!bad.contains(c) && ColumnTypes.typeIn(raw.schema(), c).isPresent()) {
                    usable.add(c);
                }
            }
        }

        /** All data checks; returns the summary, or null when the dataset is empty or has unusable keys. */
        private DatasetSummary checkRows() {
            List<RowCheck> checks = rowChecks();
            // u_applied's length is held against u's in each row (a row check), not across rows.
            List<String> vectors = RolloutSchema.VECTOR_COLUMNS.stream()
                    .filter(c -> usable.contains(c) && !c.equals(RolloutSchema.U_APPLIED)).toList();
            List<Column> aggs = new ArrayList<>();
            List<Merge> merges = new ArrayList<>();
            aggs.add(count(lit(1)).as(ROWS));
            merges.add(Merge.SUM);
            for (RowCheck c : checks) {
                aggs.add(sum(when(c.condition, 1L).otherwise(0L)));
                merges.add(Merge.SUM);
            }
            // Least and greatest vector lengths ride along; the length histogram is only needed when they differ.
            for (String v : vectors) {
                Column len = when(col(v).isNotNull(), size(col(v)));
                aggs.add(min(len));
                merges.add(Merge.LEAST);
                aggs.add(max(len));
                merges.add(Merge.GREATEST);
            }
            boolean applied = usable.contains(RolloutSchema.U_APPLIED);
            if (applied) {
                aggs.add(count(col(RolloutSchema.U_APPLIED)));
                merges.add(Merge.SUM);
            }
            Map<String, Long> sources = new LinkedHashMap<>();
            Row totals = rowTotals(aggs, merges, sources);
            long rows = totals.getLong(0);
            if (rows == 0) {
                add(FaultKind.EMPTY_DATASET, null, 0, List.of(), path + " has no rows");
                return null;
            }
            long marked = RolloutReader.markedRows(spark, path);
            if (marked >= 0 && rows != marked) {
                add(FaultKind.MARKER_ROW_COUNT, null, Math.abs(rows - marked), List.of(), path + " has " + rows
                        + " rows, but its " + AtomicOutput.MARKER + " marker records " + marked
                        + " (a part file was " + (rows < marked ? "deleted" : "added") + " after publishing)");
            }
            for (int i = 0; i < checks.size(); i++) {
                long n = totals.getLong(i + 1);
                if (n > 0) {
                    RowCheck c = checks.get(i);
                    List<String> ex = exampleKeys(df.filter(c.condition));
                    add(c.kind, c.column, n, ex, c.what + " in " + plural(n, "row") + exampleText(ex));
                }
            }
            long appliedRows = applied ? totals.getLong(1 + checks.size() + 2 * vectors.size()) : 0;
            Map<String, Integer> dims = new LinkedHashMap<>();
            for (int j = 0; j < vectors.size(); j++) {
                int at = 1 + checks.size() + 2 * j;
                if (totals.isNullAt(at)) {
                    continue; // every value null: reported above
                }
                int least = totals.getInt(at);
                int greatest = totals.getInt(at + 1);
                dims.put(vectors.get(j), least == greatest ? least : checkVectorLength(vectors.get(j)));
            }
            if (keyColumns.size() < RolloutSchema.KEY_COLUMNS.size()) {
                return null;
            }
            try {
                List<Row> perLength = lengthsAndFaults();
                checkTrajectories(perLength);
                List<DatasetSummary.ConditionSummary> conditions = checkLengths(perLength);
                long trajectories = conditions.stream().mapToLong(DatasetSummary.ConditionSummary::trajectories).sum();
                return new DatasetSummary(rows, trajectories, dims.getOrDefault(RolloutSchema.X, -1),
                        dims.getOrDefault(RolloutSchema.U, -1), dims.getOrDefault(RolloutSchema.O, -1),
                        usable.contains(RolloutSchema.COST), appliedRows, conditions, sources,
                        AtomicOutput.isComplete(HadoopFiles.conf(spark), path));
            } finally {
                if (traj != null) {
                    traj.unpersist();
                }
            }
        }

        /**
         * The pass over the rows: the aggregates over all rows, in order, and the rows per source into
         * {@code sources}. The pass groups by source, so the summary's sources come with the counts, and
         * the groups are added up here by {@code merges}; with more sources than the summary lists, or
         * no source column, the rows are aggregated as one group and the sources counted on their own.
         */
        private Row rowTotals(List<Column> aggs, List<Merge> merges, Map<String, Long> sources) {
            Column first = aggs.get(0);
            Column[] rest = aggs.subList(1, aggs.size()).toArray(Column[]::new);
            if (usable.contains(RolloutSchema.SOURCE)) {
                // Ordered, so that the limit is one job over every group rather than a scan that may take several.
                List<Row> groups = df.groupBy(col(RolloutSchema.SOURCE)).agg(first, rest).orderBy(desc(ROWS))
                        .limit(MAX_SOURCES + 1).collectAsList();
                if (groups.size() <= MAX_SOURCES) {
                    for (Row g : groups) {
                        if (!g.isNullAt(0)) {
                            sources.put(g.getString(0), g.getLong(1));
                        }
                    }
                    return merge(groups, 1, merges);
                }
                sources.putAll(sources());
            }
            return merge(List.of(df.agg(first, rest).first()), 0, merges);
        }

        /**
         * One row per condition and trajectory length T (few rows): the trajectories, their rows and
         * iterations, and the counters of the trajectory rules, which {@link #checkTrajectories} adds up.
         */
        private List<Row> lengthsAndFaults() {
            Column incomplete = TrajectoryRules.missingStep();
            return trajectories().groupBy(col(RolloutSchema.CONDITION), col("tmax").plus(1).as("T"))
                    .agg(count(lit(1)), sum("rows"), collect_set(RolloutSchema.ITERATION), sum("dupKeys"),
                            sum("dupCopies"), sum("conflictKeys"), sum("conflictRows"),
                            sum(when(incomplete, 1L).otherwise(0L)))
                    .collectAsList();
        }

        /**
         * The trajectory table for the examples of the failing trajectory rules, built and kept on first
         * use: the rules' counts come from {@link #lengthsAndFaults}, so a dataset that breaks none never
         * stores it, and one that breaks several builds it once.
         */
        private Dataset<Row> persistedTrajectories() {
            if (traj == null) {
                traj = trajectories().persist(StorageLevel.MEMORY_AND_DISK());
            }
            return traj;
        }

        private record RowCheck(FaultKind kind, String column, Column condition, String what) {
        }

        /**
         * The per-row checks, built from columns and lambdas rather than SQL text: text would start
         * Spark's SQL parser, whose first parse in a JVM takes a good part of a second of the command.
         */
        private List<RowCheck> rowChecks() {
            List<RowCheck> checks = new ArrayList<>();
            for (String c : RolloutSchema.REQUIRED_COLUMNS) {
                if (usable.contains(c)) {
                    checks.add(new RowCheck(FaultKind.NULL_VALUE, c, col(c).isNull(), "column " + c + " is null"));
                }
            }
            for (String v : RolloutSchema.VECTOR_COLUMNS) {
                if (usable.contains(v)) {
                    checks.add(new RowCheck(FaultKind.NULL_VALUE, v, exists(col(v), Column::isNull),
                            "column " + v + " has null elements"));
                }
            }
            for (String v : RolloutSchema.VECTOR_COLUMNS) {
                if (usable.contains(v)) {
                    checks.add(new RowCheck(FaultKind.NON_FINITE, v,
                            exists(col(v), RolloutRules::nonFinite),
                            "column " + v + " has NaN or infinite elements"));
                }
            }
            if (usable.contains(RolloutSchema.COST)) {
                checks.add(new RowCheck(FaultKind.NON_FINITE, RolloutSchema.COST, RolloutRules.nonFinite(col(RolloutSchema.COST)),
                        "column " + RolloutSchema.COST + " is NaN or infinite"));
            }
            for (String v : RolloutSchema.VECTOR_COLUMNS) {
                if (usable.contains(v)) {
                    checks.add(new RowCheck(FaultKind.VALUE_TOO_LARGE, v, exists(col(v), RolloutRules::tooLarge),
                            "column " + v + " has elements of magnitude above 1e150 (" + RolloutRules.VALUE_EXPECTATION + ")"));
                }
            }
            if (usable.contains(RolloutSchema.COST)) {
                checks.add(new RowCheck(FaultKind.VALUE_TOO_LARGE, RolloutSchema.COST, RolloutRules.tooLarge(col(RolloutSchema.COST)),
                        "column " + RolloutSchema.COST + " has magnitude above 1e150 (" + RolloutRules.VALUE_EXPECTATION + ")"));
            }
            if (usable.contains(RolloutSchema.U_APPLIED) && usable.contains(RolloutSchema.U)) {
                Column applied = col(RolloutSchema.U_APPLIED);
                checks.add(new RowCheck(FaultKind.INCONSISTENT_VECTOR_LENGTH, RolloutSchema.U_APPLIED,
                        applied.isNotNull().and(col(RolloutSchema.U).isNotNull())
                                .and(size(applied).notEqual(size(col(RolloutSchema.U)))),
                        "column " + RolloutSchema.U_APPLIED + " has another length than u in its row (expected dU, "
                                + "one element per action, or null)"));
            }
            for (String k : RolloutSchema.KEY_COLUMNS) {
                if (usable.contains(k)) {
                    checks.add(new RowCheck(FaultKind.INDEX_OUT_OF_RANGE, k,
                            col(k).lt(0).or(col(k).gt(RolloutRules.MAX_INDEX)),
                            "column " + k + " is negative or beyond " + RolloutRules.MAX_INDEX + " ("
                                    + RolloutRules.INDEX_EXPECTATION + ")"));
                }
            }
            return checks;
        }

        /** Reports a vector column whose length differs between rows; returns its most common length. */
        private int checkVectorLength(String v) {
            Column len = size(col(v));
            // length -> rows, sorted by length for the message; as many entries as distinct lengths
            TreeMap<Integer, Long> byLength = new TreeMap<>();
            for (Row r : df.filter(col(v).isNotNull()).groupBy(len.as("len")).count().collectAsList()) {
                byLength.put(r.getInt(0), r.getLong(1));
            }
            int common = RolloutRules.mostCommon(byLength);
            long total = byLength.values().stream().mapToLong(Long::longValue).sum();
            long off = total - byLength.get(common);
            List<String> ex = exampleKeys(df.filter(col(v).isNotNull().and(len.notEqual(common))));
            String spread = byLength.entrySet().stream()
                    .map(e -> "length " + e.getKey() + " in " + plural(e.getValue(), "row"))
                    .collect(Collectors.joining(", "));
            add(FaultKind.INCONSISTENT_VECTOR_LENGTH, v, off, ex, "column " + v
                    + " has different lengths in different rows (" + spread + "); " + plural(off, "row")
                    + (off == 1 ? " differs" : " differ") + " from the most common length " + common + exampleText(ex));
            return common;
        }

        /**
         * One row per trajectory (iteration, condition, sample), built from one row per key: t0, tmax,
         * steps (distinct t), rows, and the keys that occur more than once with identical contents
         * (duplicates) or different contents (repeated time steps). Contents are compared through a
         * 64-bit hash of every non-key column, so a false "identical" needs a hash collision.
         */
        private Dataset<Row> trajectories() {
            Dataset<Row> keyed = keyed();
            Column exact = TrajectoryRules.exactRepeat();
            Column conflict = TrajectoryRules.conflictingRepeat();
            Column[] steps = TrajectoryRules.stepAggregates(RolloutSchema.T);
            return keyed.groupBy(keyCols(RolloutSchema.TRAJECTORY_COLUMNS)).agg(
                    steps[0], steps[1], steps[2],
                    sum(TrajectoryRules.KEY_ROWS).as("rows"),
                    sum(when(exact, 1L).otherwise(0L)).as("dupKeys"),
                    sum(when(exact, col(TrajectoryRules.KEY_ROWS).minus(1)).otherwise(0L)).as("dupCopies"),
                    sum(when(conflict, 1L).otherwise(0L)).as("conflictKeys"),
                    sum(when(conflict, col(TrajectoryRules.KEY_ROWS)).otherwise(0L)).as("conflictRows"));
        }

        /** One row per key with rows n and the least and greatest hash of the rows' contents. */
        private Dataset<Row> keyed() {
            List<Column> content = new ArrayList<>();
            for (String c : List.of(RolloutSchema.X, RolloutSchema.U, RolloutSchema.O, RolloutSchema.COST,
                    RolloutSchema.SOURCE, RolloutSchema.U_APPLIED)) {
                if (usable.contains(c)) {
                    content.add(col(c));
                }
            }
            Column hash = content.isEmpty() ? lit(0L) : xxhash64(content.toArray(Column[]::new));
            // Rows with a null key are reported as NULL_VALUE, rows with an index beyond int32 (read as
            // Integer.MAX_VALUE) as INDEX_OUT_OF_RANGE; both are left out of the key checks, where T = max t + 1
            // would overflow.
            Column keysPresent = lit(true);
            for (String k : RolloutSchema.KEY_COLUMNS) {
                keysPresent = keysPresent.and(col(k).isNotNull()).and(col(k).leq(RolloutRules.MAX_INDEX));
            }
            Column[] aggregates = TrajectoryRules.keyAggregates(hash);
            return df.filter(keysPresent).groupBy(keyCols(RolloutSchema.KEY_COLUMNS))
                    .agg(aggregates[0], aggregates[1], aggregates[2]);
        }

        private void checkTrajectories(List<Row> perLength) {
            long dupKeys = 0;
            long dupCopies = 0;
            long conflictKeys = 0;
            long conflictRows = 0;
            long incompleteTraj = 0;
            for (Row r : perLength) {
                dupKeys += r.getLong(5);
                dupCopies += r.getLong(6);
                conflictKeys += r.getLong(7);
                conflictRows += r.getLong(8);
                incompleteTraj += r.getLong(9);
            }
            if (conflictKeys > 0 || dupKeys > 0) {
                reportRepeatedKeys(conflictKeys, conflictRows, dupKeys, dupCopies);
            }
            if (incompleteTraj > 0) {
                reportMissingSteps(persistedTrajectories().filter(TrajectoryRules.missingStep()), incompleteTraj);
            }
        }

        private void reportRepeatedKeys(long conflictKeys, long conflictRows, long dupKeys, long dupCopies) {
            // The per-key table is recomputed here rather than cached: it is only needed when a fault exists.
            Dataset<Row> keyed = keyed().filter(col("n").gt(1));
            if (conflictKeys > 0) {
                List<String> ex = keyed.filter(col("hmin").notEqual(col("hmax")))
                        .limit(MAX_EXAMPLES).collectAsList().stream()
                        .map(r -> formatKey(r, RolloutSchema.KEY_COLUMNS) + " on " + r.getLong(4) + " different rows")
                        .toList();
                add(FaultKind.REPEATED_TIME_STEP, RolloutSchema.T, conflictKeys, ex, plural(conflictKeys, "time step")
                        + " of a trajectory (iteration, condition, sample) " + (conflictKeys == 1 ? "occurs" : "occur")
                        + " on several rows with different contents ("
                        + plural(conflictRows, "row") + " in all)" + exampleText(ex));
            }
            if (dupKeys > 0) {
                List<String> ex = keyed.filter(col("hmin").equalTo(col("hmax")))
                        .limit(MAX_EXAMPLES).collectAsList().stream()
                        .map(r -> formatKey(r, RolloutSchema.KEY_COLUMNS) + " stored " + r.getLong(4) + " times")
                        .toList();
                add(FaultKind.DUPLICATE_KEY, null, dupKeys, ex, plural(dupKeys, "key")
                        + " (iteration, condition, sample, t) " + (dupKeys == 1 ? "is" : "are") + " stored more than once as identical rows ("
                        + plural(dupCopies, "extra copy", "extra copies") + ")" + exampleText(ex));
            }
        }

        private void reportMissingSteps(Dataset<Row> incomplete, long n) {
            List<Row> examples = incomplete.limit(MAX_EXAMPLES).collectAsList();
            // The t values of at most MAX_EXAMPLES trajectories: at most a few T values each.
            Column which = lit(false);
            for (Row r : examples) {
                which = which.or(col(RolloutSchema.ITERATION).equalTo(r.getInt(0))
                        .and(col(RolloutSchema.CONDITION).equalTo(r.getInt(1)))
                        .and(col(RolloutSchema.SAMPLE).equalTo(r.getInt(2))));
            }
            Map<String, TreeSet<Integer>> present = new LinkedHashMap<>();
            // A row without t is a NULL_VALUE of its own and holds no step of the trajectory.
            Column withT = which.and(col(RolloutSchema.T).isNotNull());
            for (Row r : df.filter(withT).select(keyCols(RolloutSchema.KEY_COLUMNS)).distinct().collectAsList()) {
                present.computeIfAbsent(formatKey(r, RolloutSchema.TRAJECTORY_COLUMNS), k -> new TreeSet<>()).add(r.getInt(3));
            }
            List<String> ex = new ArrayList<>();
            for (Row r : examples) {
                String key = formatKey(r, RolloutSchema.TRAJECTORY_COLUMNS);
                int t0 = r.getInt(3);
                int tmax = r.getInt(4);
                TreeSet<Integer> ts = present.getOrDefault(key, new TreeSet<>());
                List<String> parts = new ArrayList<>();
                if (t0 < 0) {
                    parts.add("has negative t (down to " + t0 + ")");
                }
                List<Integer> missing = new ArrayList<>();
                long missingCount = 0;
                for (int s = 0; s <= tmax; s++) {
                    if (!ts.contains(s)) {
                        missingCount++;
                        if (missing.size() < MAX_EXAMPLES) {
                            missing.add(s);
                        }
                    }
                }
                if (missingCount > 0) {
                    parts.add("lacks t=" + missing.stream().map(String::valueOf).collect(Collectors.joining(", "))
                            + (missingCount > missing.size() ? " and " + (missingCount - missing.size()) + " more" : "")
                            + " of 0.." + tmax);
                }
                ex.add(key + " " + String.join(" and ", parts));
            }
            add(FaultKind.MISSING_TIME_STEP, RolloutSchema.T, n, ex, plural(n, "trajectory", "trajectories")
                    + " (iteration, condition, sample) " + (n == 1 ? "does" : "do") + " not have every t in 0..T-1 (T = max t + 1)" + exampleText(ex));
        }

        /** Reports conditions whose trajectories differ in length; returns the per-condition summary. */
        private List<DatasetSummary.ConditionSummary> checkLengths(List<Row> perLength) {
            Column length = col("tmax").plus(1);
            Map<Integer, TreeMap<Integer, Long>> lengths = new TreeMap<>();
            Map<Integer, Long> rowsPerCondition = new TreeMap<>();
            Map<Integer, Set<Integer>> iterations = new TreeMap<>();
            // One row per (condition, T): a few rows, each with the set of iterations (a few numbers).
            for (Row r : perLength) {
                lengths.computeIfAbsent(r.getInt(0), k -> new TreeMap<>()).put(r.getInt(1), r.getLong(2));
                rowsPerCondition.merge(r.getInt(0), r.getLong(3), Long::sum);
                iterations.computeIfAbsent(r.getInt(0), k -> new TreeSet<>()).addAll(r.<Integer>getList(4));
            }
            List<DatasetSummary.ConditionSummary> out = new ArrayList<>();
            for (Map.Entry<Integer, TreeMap<Integer, Long>> e : lengths.entrySet()) {
                int condition = e.getKey();
                TreeMap<Integer, Long> byLength = e.getValue();
                int common = RolloutRules.mostCommon(byLength);
                long total = byLength.values().stream().mapToLong(Long::longValue).sum();
                out.add(new DatasetSummary.ConditionSummary(condition, common, total,
                        iterations.get(condition).size(), rowsPerCondition.get(condition)));
                if (byLength.size() > 1) {
                    long off = total - byLength.get(common);
                    List<String> ex = persistedTrajectories().filter(col(RolloutSchema.CONDITION).equalTo(condition)
                                    .and(length.notEqual(common)))
                            .limit(MAX_EXAMPLES).collectAsList().stream()
                            .map(r -> formatKey(r, RolloutSchema.TRAJECTORY_COLUMNS) + " has T=" + (r.getInt(4) + 1))
                            .toList();
                    String spread = byLength.entrySet().stream()
                            .map(x -> "T=" + x.getKey() + " for " + plural(x.getValue(), "trajectory", "trajectories"))
                            .collect(Collectors.joining(", "));
                    add(FaultKind.UNEQUAL_TRAJECTORY_LENGTHS, null, off, ex, "condition " + condition
                            + ": trajectories have different lengths T = max t + 1 (" + spread + "); " + off
                            + " differ from the most common T=" + common + exampleText(ex));
                }
            }
            return out;
        }

        private Map<String, Long> sources() {
            if (!usable.contains(RolloutSchema.SOURCE)) {
                return Map.of();
            }
            Map<String, Long> out = new LinkedHashMap<>();
            for (Row r : df.filter(col(RolloutSchema.SOURCE).isNotNull()).groupBy(RolloutSchema.SOURCE).count()
                    .orderBy(desc("count")).limit(MAX_SOURCES).collectAsList()) {
                out.put(r.getString(0), r.getLong(1));
            }
            return out;
        }

        /** Up to MAX_EXAMPLES keys of the given rows, formatted with the key columns that can be read. */
        private List<String> exampleKeys(Dataset<Row> rows) {
            if (keyColumns.isEmpty()) {
                return List.of();
            }
            return rows.select(keyCols(keyColumns)).limit(MAX_EXAMPLES).collectAsList().stream()
                    .map(r -> formatKey(r, keyColumns)).toList();
        }

        private void add(FaultKind kind, String column, long count, List<String> examples, String message) {
            problems.add(new ValidationProblem(kind, column, message, count, examples));
        }
    }

    private static Column[] keyCols(List<String> names) {
        return names.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    }

    /** "(iteration=0, condition=1, sample=2, t=5)" from the first names.size() fields of the row. */
    static String formatKey(Row r, List<String> names) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(names.get(i)).append('=').append(r.isNullAt(i) ? "null" : r.get(i));
        }
        return b.append(')').toString();
    }

    /** How the groups' values of one aggregate add up to the value over all rows. */
    private enum Merge {
        SUM, LEAST, GREATEST
    }

    /**
     * The aggregates over all rows from their values per group: the fields of each group from
     * {@code from} on, merged by {@code merges}; nulls (a group without values) are left out.
     */
    private static Row merge(List<Row> groups, int from, List<Merge> merges) {
        Object[] out = new Object[merges.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = merges.get(i) == Merge.SUM ? (Object) 0L : null;
        }
        for (Row g : groups) {
            for (int i = 0; i < out.length; i++) {
                if (g.isNullAt(from + i)) {
                    continue;
                }
                out[i] = switch (merges.get(i)) {
                    case SUM -> (Long) out[i] + g.getLong(from + i);
                    case LEAST -> out[i] == null ? g.getInt(from + i) : Math.min((Integer) out[i], g.getInt(from + i));
                    case GREATEST -> out[i] == null ? g.getInt(from + i) : Math.max((Integer) out[i], g.getInt(from + i));
                };
            }
        }
        return RowFactory.create(out);
    }

    private static String exampleText(List<String> examples) {
        return examples.isEmpty() ? "" : "; e.g. " + String.join("; ", examples);
    }

    private static String plural(long n, String one) {
        return plural(n, one, one + "s");
    }

    private static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
