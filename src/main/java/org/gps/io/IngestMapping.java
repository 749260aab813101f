package org.gps.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.gps.core.BadInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which columns of a log that does not follow the rollout schema hold what (docs/ingest.md):
 * the condition (an index, or a text label numbered through a labels file), the rollout
 * (episode) id, the time step (a step column with an offset, a timestamp's rank, or the row's
 * position), and the state, action and observation vectors, each either a list of scalar
 * columns or one array column; optionally a cost or a reward column, an iteration column and
 * the action the plant applied. Every problem is a
 * {@link BadInputException} naming the mapping file and the key.
 *
 * @param file      the mapping file, for messages
 * @param iteration column holding the GPS iteration, or null (every row is iteration 0)
 * @param condition column holding the condition index, or null (every row is condition 0)
 * @param rollout   column holding the rollout (episode) id, any scalar type
 * @param conditionLabels the file that numbers the condition column's text labels (resolved against
 *                  the mapping's folder), or null when the condition column holds indices
 * @param t         where the time step comes from
 * @param x         state columns
 * @param u         action columns
 * @param o         observation columns; the same as {@code x} when the mapping leaves it out
 * @param cost      column holding the cost, or null
 * @param reward    column holding the reward (cost = -reward), or null; at most one of cost and reward
 * @param source    value written to the {@code source} column
 * @param uApplied  columns of the action the plant applied (u clipped to its limits), as many
 *                  elements as u; null when the log does not record it (u_applied is then null)
 */
public record IngestMapping(String file, String iteration, String condition, String conditionLabels, String rollout,
                            TimeStep t, Vector x, Vector u, Vector o, String cost, String reward, String source,
                            Vector uApplied) {

    /** The keys a mapping may have; any other is refused (most likely a misspelling). */
    public static final List<String> KEYS = List.of("iteration", "condition", "condition_labels", "rollout", "t",
            "t_offset", "t_timestamp", "t_row_order", "x", "u", "o", "cost", "reward", "source", "u_applied");

    /**
     * Where each row's time step comes from.
     *
     * @param kind   a step column, the rank of a timestamp within the rollout, or the row's position in it
     * @param column the step or timestamp column; null for {@link Kind#ROW_ORDER}
     * @param offset added to every step of a {@link Kind#STEP} column (-1 when the log counts from 1); 0 otherwise
     */
    public record TimeStep(Kind kind, String column, int offset) {
        public enum Kind {
            /** {@code t: COLUMN} (with {@code t_offset}): the column holds the step. */
            STEP,
            /** {@code t_timestamp: COLUMN}: t is the rank of the row's timestamp among its rollout's. */
            TIMESTAMP,
            /** {@code t_row_order: true}: t is the row's position among its rollout's rows, in file order. */
            ROW_ORDER
        }

        /** The mapping key the source column was named under, for messages. */
        public String key() {
            return switch (kind) {
                case STEP -> "t";
                case TIMESTAMP -> "t_timestamp";
                case ROW_ORDER -> "t_row_order";
            };
        }
    }

    /**
     * One vector of the schema (x, u, o or u_applied) in the source.
     *
     * @param key     the mapping key (x, u, o, u_applied), for messages
     * @param columns the scalar columns in element order, or the one column when {@code listed} is false
     * @param listed  true when the mapping gave a YAML list (always scalar columns); false for a single
     *                name, which is an array column when the source stores an array there and a
     *                one-element vector otherwise
     */
    public record Vector(String key, List<String> columns, boolean listed) {
        public Vector {
            columns = List.copyOf(columns);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Parses a mapping; {@code file} names it in messages. */
    public static IngestMapping parse(String file, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String loc = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new BadInputException(file + ": not valid YAML" + loc + ": " + YamlErrors.oneLine(e));
        }
        if (root == null || root.isMissingNode() || root.isNull() || !root.isObject()) {
            throw new BadInputException(file + ": expected a mapping with at least the keys rollout, t, x, u "
                    + "(see docs/ingest.md), got " + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType()));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new BadInputException(file + ": " + k + ": unknown key; expected one of " + String.join(", ", KEYS));
            }
        }
        String cost = optionalName(file, root, "cost");
        String reward = optionalName(file, root, "reward");
        if (cost != null && reward != null) {
            throw new BadInputException(file + ": reward: give either cost or reward, not both");
        }
        Vector x = vector(file, root, "x", true);
        Vector o = vector(file, root, "o", false);
        Vector u = vector(file, root, "u", true);
        Vector applied = vector(file, root, "u_applied", false);
        String source = SOURCE_DEFAULT;
        if (root.has("source") && !root.get("source").isNull()) {
            JsonNode s = root.get("source");
            if (!s.isTextual() || s.asText().isBlank()) {
                throw new BadInputException(file + ": source: expected a text label such as 'logged', got " + s);
            }
            source = s.asText();
        }
        String condition = optionalName(file, root, "condition");
        String labels = optionalName(file, root, "condition_labels");
        if (labels != null && condition == null) {
            throw new BadInputException(file + ": condition_labels: needs condition, the column that holds the labels "
                    + "it numbers");
        }
        return new IngestMapping(file, optionalName(file, root, "iteration"), condition,
                labels == null ? null : besideMapping(file, labels), requiredName(file, root, "rollout"),
                timeStep(file, root), x, u, o == null ? new Vector("o", x.columns(), x.listed()) : o, cost, reward,
                source, applied);
    }

    /** A relative path in the mapping is taken from the mapping's folder, so the mapping works from any directory. */
    private static String besideMapping(String file, String path) {
        Path p = new Path(path);
        if (p.isAbsolute() || p.toUri().getScheme() != null) {
            return path;
        }
        Path parent = new Path(file).getParent();
        return parent == null ? path : new Path(parent, p).toString();
    }

    private static TimeStep timeStep(String file, JsonNode root) {
        String step = optionalName(file, root, "t");
        String stamp = optionalName(file, root, "t_timestamp");
        JsonNode order = root.get("t_row_order");
        if (order != null && !order.isNull() && !order.isBoolean()) {
            throw new BadInputException(file + ": t_row_order: expected true (t is each row's position in its "
                    + "rollout, in file order) or false, got " + order);
        }
        boolean byOrder = order != null && order.asBoolean(false);
        int given = (step != null ? 1 : 0) + (stamp != null ? 1 : 0) + (byOrder ? 1 : 0);
        if (given == 0) {
            throw new BadInputException(file + ": t: missing; expected the name of the source column that holds "
                    + what("t") + " (t), or t_timestamp: COLUMN (t = rank of the timestamp within its rollout), "
                    + "or t_row_order: true (t = position of the row within its rollout)");
        }
        if (given > 1) {
            throw new BadInputException(file + ": " + (stamp != null ? "t_timestamp" : "t_row_order")
                    + ": give one of t, t_timestamp and t_row_order, not several");
        }
        JsonNode off = root.get("t_offset");
        int offset = 0;
        if (off != null && !off.isNull()) {
            if (step == null) {
                throw new BadInputException(file + ": t_offset: only with t (a step column); "
                        + (stamp != null ? "t_timestamp" : "t_row_order") + " numbers the steps from 0 itself");
            }
            if (!off.isIntegralNumber() || !off.canConvertToInt()) {
                throw new BadInputException(file + ": t_offset: expected a whole number added to every step "
                        + "(-1 when the log numbers its steps from 1), got " + off);
            }
            offset = off.asInt();
        }
        if (step != null) {
            return new TimeStep(TimeStep.Kind.STEP, step, offset);
        }
        return stamp != null ? new TimeStep(TimeStep.Kind.TIMESTAMP, stamp, 0)
                : new TimeStep(TimeStep.Kind.ROW_ORDER, null, 0);
    }

    static final String SOURCE_DEFAULT = RolloutSchema.SOURCE_LOGGED;

    private static String requiredName(String file, JsonNode root, String key) {
        String n = optionalName(file, root, key);
        if (n == null) {
            throw new BadInputException(file + ": " + key + ": missing; expected the name of the source column that holds "
                    + what(key));
        }
        return n;
    }

    private static String optionalName(String file, JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new BadInputException(file + ": " + key + ": expected one column name (text), got " + v);
        }
        return v.asText();
    }

    private static Vector vector(String file, JsonNode root, String key, boolean required) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new BadInputException(file + ": " + key + ": missing; expected a list of scalar columns "
                        + "(e.g. [" + key + "0, " + key + "1]) or one array column holding " + what(key));
            }
            return null;
        }
        if (v.isTextual() && !v.asText().isEmpty()) {
            return new Vector(key, List.of(v.asText()), false);
        }
        if (v.isArray() && !v.isEmpty()) {
            List<String> cols = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isTextual() || e.asText().isEmpty()) {
                    throw new BadInputException(file + ": " + key + "[" + i + "]: expected a column name, got " + e);
                }
                cols.add(e.asText());
            }
            return new Vector(key, cols, true);
        }
        throw new BadInputException(file + ": " + key + ": expected a non-empty list of column names or one array "
                + "column name, got " + v);
    }

    private static String what(String key) {
        return switch (key) {
            case "rollout" -> "the rollout (episode) id";
            case "t" -> "the time step 0..T-1";
            case "x" -> "the state";
            case "u" -> "the action";
            case "o" -> "the observation";
            case "u_applied" -> "the action the plant applied";
            default -> key;
        };
    }

    /** Every source column the mapping names. */
    public Set<String> columns() {
        Set<String> s = new LinkedHashSet<>();
        for (String c : Arrays.asList(iteration, condition, rollout, t.column())) {
            if (c != null) {
                s.add(c);
            }
        }
        s.addAll(x.columns());
        s.addAll(u.columns());
        s.addAll(o.columns());
        if (uApplied != null) {
            s.addAll(uApplied.columns());
        }
        if (cost != null) {
            s.add(cost);
        }
        if (reward != null) {
            s.add(reward);
        }
        return s;
    }

    /** The mapping's scalar keys with their columns, null ones left out, in a fixed order. */
    List<String[]> scalarKeys() {
        List<String[]> out = new ArrayList<>();
        String[][] all = {{"iteration", iteration}, {"condition", condition}, {"rollout", rollout},
                {t.key(), t.column()}, {"cost", cost}, {"reward", reward}};
        for (String[] kv : all) {
            if (kv[1] != null) {
                out.add(kv);
            }
        }
        return out;
    }

    /**
     * Refuses a mapping that names a column the source lacks, or a column whose type cannot hold
     * what the key needs (a struct for t, an array inside a listed vector).
     *
     * @param input the source, for messages
     */
    public void checkAgainst(StructType schema, String input) {
        String available = Arrays.stream(schema.fields()).map(StructField::name)
                .filter(n -> !n.startsWith("_gps_")).collect(Collectors.joining(", "));
        for (String[] kv : scalarKeys()) {
            DataType type = require(schema, kv[0], kv[1], input, available);
            boolean labelled = kv[0].equals("condition") && conditionLabels != null;
            boolean ok = switch (kv[0]) {
                case "rollout" -> !(type instanceof ArrayType || type instanceof StructType);
                case "t_timestamp" -> type instanceof NumericType || type instanceof StringType
                        || type instanceof TimestampType || type instanceof TimestampNTZType || type instanceof DateType;
                default -> type instanceof NumericType || type instanceof StringType;
            };
            if (!ok) {
                String expected = switch (kv[0]) {
                    case "rollout" -> "a scalar (number or text)";
                    case "t_timestamp" -> "numbers, date-times or text holding either";
                    default -> labelled ? "text labels or numbers" : "numbers";
                };
                throw new BadInputException(file + ": " + kv[0] + ": column '" + kv[1] + "' of " + input + " has type "
                        + type.simpleString() + "; expected " + expected);
            }
        }
        for (Vector v : vectors()) {
            for (int i = 0; i < v.columns().size(); i++) {
                String key = v.listed() ? v.key() + "[" + i + "]" : v.key();
                DataType type = require(schema, key, v.columns().get(i), input, available);
                boolean scalar = type instanceof NumericType || type instanceof StringType;
                boolean array = !v.listed() && type instanceof ArrayType a
                        && (a.elementType() instanceof NumericType || a.elementType() instanceof StringType);
                if (!scalar && !array) {
                    throw new BadInputException(file + ": " + key + ": column '" + v.columns().get(i) + "' of " + input
                            + " has type " + type.simpleString() + "; expected " + (v.listed()
                            ? "numbers (a listed column is one element of the vector)" : "numbers or an array of numbers"));
                }
            }
        }
    }

    /** The mapped vectors: x, u, o, and u_applied when mapped. */
    private List<Vector> vectors() {
        return uApplied == null ? List.of(x, u, o) : List.of(x, u, o, uApplied);
    }

    private DataType require(StructType schema, String key, String column, String input, String available) {
        Optional<DataType> t = ColumnTypes.typeIn(schema, column);
        if (t.isEmpty()) {
            throw new BadInputException(file + ": " + key + ": column '" + column + "' does not exist in " + input
                    + " (its columns: " + available + ")");
        }
        return t.get();
    }
}
