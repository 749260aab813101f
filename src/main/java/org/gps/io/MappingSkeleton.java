package org.gps.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A first {@code gps ingest} mapping for a log that is not a rollout dataset, guessed from its
 * column names and types (docs/ingest.md, "A mapping to start from"): which column looks like
 * the condition, the rollout id, the step or a timestamp, the state, the action, the cost. Only
 * the schema and a few leading lines are read. The guess is a starting point: every line is
 * meant to be checked, and what could not be placed is left empty or listed in a comment.
 */
public final class MappingSkeleton {
    /** Leading lines of a text log read to tell its format and column types. */
    private static final int SAMPLE_LINES = 200;
    private static final int SAMPLE_BYTES = 1 << 16;

    private MappingSkeleton() {
    }

    /**
     * A suggested mapping.
     *
     * @param path      the log
     * @param format    its format as {@code gps ingest --format} names it
     * @param delimiter its CSV separator, or 0 for the other formats
     * @param yaml      the mapping, with comments
     */
    public record Suggestion(String path, RolloutIngest.Format format, char delimiter, String yaml) {
        /** The command that ingests the log with the mapping saved as MAP.yaml. */
        public String command() {
            String sep = format == RolloutIngest.Format.CSV && delimiter != ',' ? " --delimiter '"
                    + (delimiter == '\t' ? "\\t" : String.valueOf(delimiter)) + "'" : "";
            return "jobs/gps ingest --input " + path + " --format " + format.label() + sep
                    + " --mapping MAP.yaml --out DIR";
        }
    }

    /** What a column holds, as far as the role guess cares. */
    enum Kind { INTEGER, NUMBER, TEXT, DATETIME, NUMBER_ARRAY, OTHER }

    /** A column of the log. */
    record Field(String name, Kind kind) {
    }

    /**
     * A mapping for the log at {@code path} (a file, a folder of files or a glob), or empty when it
     * is not a table this can read (missing, binary, a single column).
     */
    public static Optional<Suggestion> suggest(SparkSession spark, String path) {
        try {
            Configuration conf = HadoopFiles.conf(spark);
            Path first = firstFile(conf, path);
            if (first == null) {
                return Optional.empty();
            }
            byte[] head = head(conf, first);
            if (head.length >= 4 && new String(head, 0, 4, StandardCharsets.US_ASCII).equals("PAR1")) {
                Dataset<Row> sample = spark.read().parquet(path).limit(SAMPLE_LINES);
                // Most of the schema's columns: a rollout dataset with a damaged file, not a log in another shape.
                long missing = ColumnTypes.mismatches(sample.schema()).stream()
                        .filter(ColumnTypes.Mismatch::missing).count();
                if (missing * 2 < RolloutSchema.REQUIRED_COLUMNS.size()) {
                    return Optional.empty();
                }
                return suggestion(path, RolloutIngest.Format.PARQUET, (char) 0, sample);
            }
            for (byte b : head) {
                if (b == 0) {
                    return Optional.empty();
                }
            }
            List<String> lines = lines(head);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            if (lines.get(0).strip().startsWith("{")) {
                return suggestion(path, RolloutIngest.Format.JSONL, (char) 0, spark.read().option("inferTimestamp", "true")
                        .json(spark.createDataset(lines, Encoders.STRING())));
            }
            char sep = delimiterOf(lines);
            return suggestion(path, RolloutIngest.Format.CSV, sep, spark.read().option("header", "true")
                    .option("inferSchema", "true").option("sep", String.valueOf(sep))
                    .csv(spark.createDataset(lines, Encoders.STRING())));
        } catch (Exception e) {
            // Spark's read failures arrive as checked SparkExceptions; any of them means no suggestion, and
            // the validator's report already says why the path cannot be read.
            return Optional.empty();
        }
    }

    /** @param sample the log's leading rows, with its column types */
    private static Optional<Suggestion> suggestion(String path, RolloutIngest.Format format, char sep,
                                                   Dataset<Row> sample) {
        List<Field> fields = fields(sample.schema());
        if (fields.size() < 2) {
            return Optional.empty();
        }
        // Whether the log counts its steps from 1 shows in its first rows, which are at hand.
        Integer firstStep = null;
        for (Field f : fields) {
            if (roleOf(f) == Role.STEP) {
                Row least = sample.agg(min(col(RolloutIngest.quote(f.name())))).first();
                firstStep = least.isNullAt(0) ? null : ((Number) least.get(0)).intValue();
                break;
            }
        }
        String shown = format.label() + (format == RolloutIngest.Format.CSV && sep != ',' ? ", "
                + (sep == '\t' ? "tab" : "'" + sep + "'") + "-separated" : "");
        Suggestion probe = new Suggestion(path, format, sep, "");
        String header = "# A gps ingest mapping for " + path + " (" + shown + "), guessed from its column names and\n"
                + "# types: check every line and fill in what is empty (keys: docs/ingest.md), save it as MAP.yaml, then\n"
                + "#   " + probe.command() + "\n";
        return Optional.of(new Suggestion(path, format, sep, header + build(fields, firstStep)));
    }

    /** The first data file of a file, folder or glob, in name order; null when there is none. */
    private static Path firstFile(Configuration conf, String path) throws IOException {
        Path root = new Path(path);
        FileSystem fs = HadoopFiles.fileSystem(conf, root);
        FileStatus[] found = fs.globStatus(root);
        List<Path> files = new ArrayList<>();
        for (FileStatus st : found == null ? new FileStatus[0] : found) {
            if (st.isFile()) {
                files.add(st.getPath());
                continue;
            }
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
            while (it.hasNext()) {
                Path f = it.next().getPath();
                if (!f.getName().startsWith("_") && !f.getName().startsWith(".")) {
                    files.add(f);
                }
            }
        }
        return files.stream().sorted().findFirst().orElse(null);
    }

    private static byte[] head(Configuration conf, Path file) throws IOException {
        try (InputStream in = HadoopFiles.fileSystem(conf, file).open(file)) {
            return in.readNBytes(SAMPLE_BYTES);
        }
    }

    /** The first non-blank lines, without a last one the byte limit may have cut. */
    private static List<String> lines(byte[] head) {
        String text = new String(head, StandardCharsets.UTF_8);
        boolean cut = head.length == SAMPLE_BYTES && !text.endsWith("\n");
        List<String> all = new ArrayList<>(text.lines().filter(l -> !l.isBlank()).toList());
        if (cut && all.size() > 1) {
            all.remove(all.size() - 1);
        }
        return all.size() > SAMPLE_LINES ? all.subList(0, SAMPLE_LINES) : all;
    }

    /** The separator the header line uses most among tab, comma, semicolon and bar (a comma when none). */
    static char delimiterOf(List<String> lines) {
        char best = ',';
        long most = 0;
        for (char c : new char[] {'\t', ',', ';', '|'}) {
            long n = lines.get(0).chars().filter(ch -> ch == c).count();
            if (n > most) {
                best = c;
                most = n;
            }
        }
        return best;
    }

    static List<Field> fields(StructType schema) {
        List<Field> out = new ArrayList<>();
        for (StructField f : schema.fields()) {
            out.add(new Field(f.name(), kindOf(f.dataType())));
        }
        return out;
    }

    private static Kind kindOf(DataType t) {
        if (t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType || t instanceof LongType) {
            return Kind.INTEGER;
        }
        if (t instanceof NumericType) {
            return Kind.NUMBER;
        }
        if (t instanceof StringType) {
            return Kind.TEXT;
        }
        if (t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof DateType) {
            return Kind.DATETIME;
        }
        if (t instanceof ArrayType a && a.elementType() instanceof NumericType) {
            return Kind.NUMBER_ARRAY;
        }
        return Kind.OTHER;
    }

    /** The roles a column can take, in the order they are tried. */
    private enum Role { ITERATION, CONDITION, ROLLOUT, STEP, TIMESTAMP, U_APPLIED, COST, REWARD, U, O, X }

    private static final Set<String> ITERATION_NAMES = Set.of("iteration", "iter", "itr", "gps_iteration");
    private static final Set<String> CONDITION_NAMES = Set.of("condition", "cond", "condition_id", "condition_index",
            "task", "task_id", "task_name", "task_label", "task_index", "goal", "goal_id", "scenario", "scenario_id",
            "env_id", "environment", "setting");
    private static final Set<String> ROLLOUT_NAMES = Set.of("rollout", "rollout_id", "episode", "episode_id",
            "episode_index", "episode_num", "ep", "ep_id", "trajectory", "trajectory_id", "traj", "traj_id", "trial",
            "trial_id", "run", "run_id", "demo", "demo_id", "sample", "sample_id", "sequence", "sequence_id", "seq",
            "seq_id");
    private static final Set<String> STEP_NAMES = Set.of("t", "step", "steps", "step_id", "step_index", "step_idx",
            "step_num", "timestep", "time_step", "time_index", "tstep", "k", "frame", "frame_id", "frame_index", "tick");
    private static final Set<String> TIMESTAMP_NAMES = Set.of("time", "timestamp", "ts", "stamp", "datetime",
            "date_time", "wall_time", "walltime", "clock", "t_s", "time_s", "time_sec", "unix_time", "epoch_time");
    private static final Set<String> APPLIED_TOKENS = Set.of("applied", "clipped", "executed");
    private static final Set<String> COST_TOKENS = Set.of("cost", "loss", "penalty");
    private static final Set<String> REWARD_TOKENS = Set.of("reward", "rew", "rwd");
    private static final Set<String> U_TOKENS = Set.of("action", "actions", "act", "force", "forces", "torque",
            "torques", "tau", "cmd", "command", "commands", "control", "controls", "ctrl", "effort", "efforts",
            "throttle", "steer", "steering", "motor");
    private static final Set<String> U_FIRST = Set.of("u", "a");
    private static final Set<String> O_FIRST = Set.of("o", "obs", "observation", "observations", "sensor", "sensors",
            "image", "pixels", "camera", "lidar", "meas", "measurement", "measurements");
    private static final Set<String> X_TOKENS = Set.of("state", "states", "qpos", "qvel", "qd", "dq", "pos",
            "position", "positions", "vel", "velocity", "velocities", "angle", "angles", "theta", "omega", "joint",
            "joints", "speed", "ang", "angvel", "acc", "accel", "height", "quat", "orientation", "yaw", "pitch",
            "roll", "xdot", "xd", "dx");
    private static final Set<String> X_FIRST = Set.of("x", "s", "q", "y", "z");

    /**
     * The mapping, with a comment on each guess; the header comment is the caller's.
     *
     * @param firstStep the least step in the log's first rows, or null when unknown
     */
    static String build(List<Field> fields, Integer firstStep) {
        Map<Role, List<Field>> byRole = new EnumMap<>(Role.class);
        List<Field> unplaced = new ArrayList<>();
        for (Field f : fields) {
            Role r = roleOf(f);
            if (r == null) {
                unplaced.add(f);
            } else {
                byRole.computeIfAbsent(r, k -> new ArrayList<>()).add(f);
            }
        }
        List<String> spare = new ArrayList<>();
        Lines out = new Lines();
        Field iteration = one(byRole, Role.ITERATION, spare);
        if (iteration != null) {
            out.add("iteration: " + yaml(iteration.name()), "the GPS iteration (integer >= 0)");
        }
        Field condition = one(byRole, Role.CONDITION, spare);
        if (condition == null) {
            out.add("# condition:", "no task or condition column found: every row is condition 0");
        } else if (condition.kind() == Kind.TEXT) {
            out.add("condition: " + yaml(condition.name()), "text labels, numbered in the file below");
            out.add("condition_labels: condition-labels.json", "label -> condition index, kept beside this mapping");
        } else {
            out.add("condition: " + yaml(condition.name()), "the condition index (integer >= 0)");
        }
        Field rollout = one(byRole, Role.ROLLOUT, spare);
        out.add("rollout:" + (rollout == null ? "" : " " + yaml(rollout.name())), rollout == null
                ? "which column holds the episode (rollout) id?" : "the episode id: one rollout per (condition, id)");
        Field step = one(byRole, Role.STEP, spare);
        Field stamp = one(byRole, Role.TIMESTAMP, spare);
        if (step != null) {
            out.add("t: " + yaml(step.name()), "the step within the episode");
            if (firstStep != null && firstStep == 1) {
                out.add("t_offset: -1", "the first rows number their steps from 1: t = " + step.name() + " - 1");
            } else {
                out.add("# t_offset: -1", "when the log numbers its steps from 1");
            }
            if (stamp != null) {
                out.add("# t_timestamp: " + yaml(stamp.name()), "instead of t: t = rank of the timestamp within "
                        + "its episode");
            }
        } else if (stamp != null) {
            out.add("t_timestamp: " + yaml(stamp.name()), "t = rank of the timestamp within its episode");
        } else {
            out.add("t_row_order: true", "no step or timestamp column found: t = the row's position in its episode, "
                    + "in file order");
        }
        List<Field> x = new ArrayList<>(byRole.getOrDefault(Role.X, List.of()));
        List<Field> leftover = unplaced.stream().filter(f -> f.kind() == Kind.NUMBER || f.kind() == Kind.INTEGER
                || f.kind() == Kind.NUMBER_ARRAY).toList();
        boolean guessedX = x.isEmpty() && !leftover.isEmpty();
        if (guessedX) {
            x.addAll(leftover);
            unplaced.removeAll(leftover);
        }
        vector(out, "x", x, guessedX ? "the state: the numeric columns nothing else claimed, a guess"
                : "the state", true, spare);
        vector(out, "u", byRole.getOrDefault(Role.U, List.of()), "the action", true, spare);
        List<Field> o = byRole.getOrDefault(Role.O, List.of());
        if (o.isEmpty()) {
            out.add("# o: []", "the observation; without it o = x");
        } else {
            vector(out, "o", o, "the observation", false, spare);
        }
        Field cost = one(byRole, Role.COST, spare);
        Field reward = one(byRole, Role.REWARD, spare);
        if (cost != null) {
            out.add("cost: " + yaml(cost.name()), "the cost of the step");
            if (reward != null) {
                spare.add(reward.name());
            }
        } else if (reward != null) {
            out.add("reward: " + yaml(reward.name()), "cost = -reward");
        } else {
            out.add("# cost:", "no cost or reward column found");
        }
        List<Field> applied = byRole.getOrDefault(Role.U_APPLIED, List.of());
        if (!applied.isEmpty()) {
            vector(out, "u_applied", applied, "the action the plant applied, as many elements as u", false, spare);
        }
        unplaced.forEach(f -> spare.add(f.name()));
        if (!spare.isEmpty()) {
            out.add("# not placed: " + String.join(", ", spare), null);
        }
        return out.toString();
    }

    /** The first column of a role; the others go to {@code spare}. */
    private static Field one(Map<Role, List<Field>> byRole, Role role, List<String> spare) {
        List<Field> fs = byRole.getOrDefault(role, List.of());
        for (int i = 1; i < fs.size(); i++) {
            spare.add(fs.get(i).name());
        }
        return fs.isEmpty() ? null : fs.get(0);
    }

    /** A vector key: one array column alone, else the scalar columns as a list; empty when there is none. */
    private static void vector(Lines out, String key, List<Field> fs, String what, boolean required, List<String> spare) {
        Field array = fs.stream().filter(f -> f.kind() == Kind.NUMBER_ARRAY).findFirst().orElse(null);
        if (array != null) {
            out.add(key + ": " + yaml(array.name()), what + " (one array column)");
            fs.stream().filter(f -> f != array).forEach(f -> spare.add(f.name()));
            return;
        }
        if (fs.isEmpty()) {
            out.add((required ? "" : "# ") + key + ":", "which columns hold " + what + "? e.g. [a, b]");
            return;
        }
        out.add(key + ": [" + String.join(", ", fs.stream().map(f -> yaml(f.name())).toList()) + "]", what);
    }

    private static Role roleOf(Field f) {
        String n = normal(f.name());
        List<String> tokens = List.of(n.split("_"));
        boolean scalar = f.kind() == Kind.INTEGER || f.kind() == Kind.NUMBER || f.kind() == Kind.TEXT;
        boolean number = f.kind() == Kind.INTEGER || f.kind() == Kind.NUMBER;
        if (ITERATION_NAMES.contains(n) && number) {
            return Role.ITERATION;
        }
        if (CONDITION_NAMES.contains(n) && (f.kind() == Kind.INTEGER || f.kind() == Kind.TEXT)) {
            return Role.CONDITION;
        }
        if (ROLLOUT_NAMES.contains(n) && scalar) {
            return Role.ROLLOUT;
        }
        if (STEP_NAMES.contains(n) && f.kind() == Kind.INTEGER) {
            return Role.STEP;
        }
        if (STEP_NAMES.contains(n) && f.kind() == Kind.NUMBER) {
            return Role.TIMESTAMP; // a fractional "t" is a time, not a step count
        }
        if (f.kind() == Kind.DATETIME || (TIMESTAMP_NAMES.contains(n) || tokens.contains("timestamp")) && scalar) {
            return Role.TIMESTAMP;
        }
        boolean vector = number || f.kind() == Kind.NUMBER_ARRAY;
        if (!vector) {
            return null;
        }
        String first = tokens.get(0);
        if (tokens.stream().anyMatch(APPLIED_TOKENS::contains)) {
            return Role.U_APPLIED;
        }
        if (tokens.stream().anyMatch(COST_TOKENS::contains)) {
            return Role.COST;
        }
        if (tokens.stream().anyMatch(REWARD_TOKENS::contains) || n.equals("r")) {
            return Role.REWARD;
        }
        if (U_FIRST.contains(first) || tokens.stream().anyMatch(U_TOKENS::contains)) {
            return Role.U;
        }
        if (O_FIRST.contains(first)) {
            return Role.O;
        }
        if (X_FIRST.contains(first) || tokens.stream().anyMatch(X_TOKENS::contains)) {
            return Role.X;
        }
        return null;
    }

    private static final Pattern CAMEL = Pattern.compile("([a-z])([A-Z])");
    private static final Pattern DIGITS = Pattern.compile("([a-zA-Z])([0-9])|([0-9])([a-zA-Z])");

    /** Lower case, words and numbers apart: "jointPos3" and "joint-pos 3" are both "joint_pos_3". */
    static String normal(String name) {
        String s = CAMEL.matcher(name).replaceAll("$1_$2");
        s = DIGITS.matcher(s).replaceAll(r -> r.group(1) != null ? r.group(1) + "_" + r.group(2)
                : r.group(3) + "_" + r.group(4));
        s = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return s.isEmpty() ? "_" : s;
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Set<String> YAML_WORDS = Set.of("true", "false", "yes", "no", "on", "off", "null", "y", "n");

    /** A column name as YAML reads it back as that text: quoted when it would read as something else. */
    static String yaml(String name) {
        if (PLAIN.matcher(name).matches() && !YAML_WORDS.contains(name.toLowerCase(Locale.ROOT))) {
            return name;
        }
        return "'" + name.replace("'", "''") + "'";
    }

    /** Mapping lines with their comments aligned. */
    private static final class Lines {
        private final List<String[]> lines = new ArrayList<>();

        void add(String line, String comment) {
            lines.add(new String[] {line, comment});
        }

        @Override
        public String toString() {
            int width = lines.stream().filter(l -> l[1] != null).mapToInt(l -> l[0].length()).max().orElse(0);
            StringBuilder b = new StringBuilder();
            for (String[] l : lines) {
                b.append(l[0]);
                if (l[1] != null) {
                    b.append(" ".repeat(width - l[0].length() + 2)).append("# ").append(l[1]);
                }
                b.append('\n');
            }
            return b.toString();
        }
    }
}
