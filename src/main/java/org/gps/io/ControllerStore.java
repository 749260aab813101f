package org.gps.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.linalg.Mat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Linear-Gaussian controllers at rest: Parquet with one row per (condition, t) holding K (column
 * {@code gain}, dU x dX), k ({@code offset}) and the covariance (Spark column names are
 * case-insensitive, so K and k cannot both be columns), matrices flattened row-major with their sizes beside them; and a plain JSON
 * form for deployment to a robot (docs/formats.md).
 */
public final class ControllerStore {
    public static final StructType SCHEMA = new StructType()
            .add("condition", DataTypes.IntegerType, false)
            .add("t", DataTypes.IntegerType, false)
            .add("dX", DataTypes.IntegerType, false)
            .add("dU", DataTypes.IntegerType, false)
            .add("gain", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("offset", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("covariance", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    public static final String JSON_FORMAT = "gps-linear-gaussian-controllers";

    private ControllerStore() {
    }

    /**
     * Writes the controllers (M x T rows: small, built on the driver) as the table {@code folder},
     * from the driver ({@link SmallTableWriter}); returns the number of rows.
     */
    public static long write(Configuration conf, String folder, Map<Integer, LinearGaussianController> controllers) {
        return SmallTableWriter.write(conf, folder, SCHEMA, rows(controllers));
    }

    static List<Row> rows(Map<Integer, LinearGaussianController> controllers) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Integer, LinearGaussianController> e : new TreeMap<>(controllers).entrySet()) {
            LinearGaussianController c = e.getValue();
            for (int t = 0; t < c.horizon(); t++) {
                rows.add(RowFactory.create(e.getKey(), t, c.stateDim(), c.actionDim(), c.gain(t).toRowMajor(),
                        c.offset(t), c.covariance(t).toRowMajor()));
            }
        }
        return rows;
    }

    /**
     * Notes that {@code controllers} are now published at {@code path}, so that reading them back in
     * this process ({@link #read}) parses these rows rather than asking Spark for the files' rows.
     */
    public static void published(SparkSession spark, String path, Map<Integer, LinearGaussianController> controllers) {
        SmallTables.written(spark, path, spark.createDataFrame(rows(controllers), SCHEMA));
    }

    /**
     * Reads the controllers published at {@code path} (a Parquet folder; its completion marker is the
     * caller's to check), through {@link SmallTables}.
     *
     * @throws BadInputException as {@link #fromDataFrame} does
     */
    public static Map<Integer, LinearGaussianController> read(SparkSession spark, String path) {
        SmallTables.Table t = SmallTables.read(spark, path);
        return fromRows(t.schema(), t.rows(), path);
    }

    /**
     * Reads controllers back; {@code path} names the dataset in error messages.
     *
     * @throws BadInputException naming the path, condition and t when a column is missing or
     *                           mistyped, a time step is missing or repeated, a matrix has the wrong
     *                           number of values, or a covariance is not symmetric positive definite
     */
    public static Map<Integer, LinearGaussianController> fromDataFrame(Dataset<Row> df, String path) {
        requireColumns(df.schema(), path);
        return fromRows(df.schema(), df.collectAsList(), path);
    }

    private static Map<Integer, LinearGaussianController> fromRows(StructType schema, List<Row> rows, String path) {
        requireColumns(schema, path);
        Map<Integer, TreeMap<Integer, Row>> byCondition = new TreeMap<>();
        for (Row r : rows) {
            int condition = r.getInt(r.fieldIndex("condition"));
            int t = r.getInt(r.fieldIndex("t"));
            if (byCondition.computeIfAbsent(condition, k -> new TreeMap<>()).put(t, r) != null) {
                throw new BadInputException(path + ": condition " + condition + ", t=" + t
                        + " occurs on more than one row; expected one row per (condition, t)");
            }
        }
        Map<Integer, LinearGaussianController> out = new TreeMap<>();
        for (Map.Entry<Integer, TreeMap<Integer, Row>> e : byCondition.entrySet()) {
            TreeMap<Integer, Row> steps = e.getValue();
            int horizon = steps.size();
            // Distinct t values, so 0..T-1 are all present exactly when the least is 0 and the greatest T-1.
            if (steps.firstKey() != 0 || steps.lastKey() != horizon - 1) {
                throw new BadInputException(path + ": condition " + e.getKey() + " has time steps missing: expected t = 0.."
                        + (steps.lastKey()) + " (one row each), got " + horizon + " rows with t from "
                        + steps.firstKey() + " to " + steps.lastKey() + firstMissing(steps));
            }
            Mat[] gains = new Mat[horizon];
            double[][] offsets = new double[horizon][];
            Mat[] covs = new Mat[horizon];
            for (Row r : steps.values()) {
                int t = r.getInt(r.fieldIndex("t"));
                String where = path + ": condition " + e.getKey() + ", t=" + t;
                int dX = r.getInt(r.fieldIndex("dX"));
                int dU = r.getInt(r.fieldIndex("dU"));
                gains[t] = Mat.fromRowMajor(dU, dX, doubles(r, "gain", dU * dX, where, "dU*dX"));
                offsets[t] = doubles(r, "offset", dU, where, "dU");
                covs[t] = Mat.fromRowMajor(dU, dU, doubles(r, "covariance", dU * dU, where, "dU*dU"));
            }
            try {
                out.put(e.getKey(), LinearGaussianController.of(gains, offsets, covs));
            } catch (IllegalArgumentException ex) {
                throw new BadInputException(path + ": condition " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    private static void requireColumns(StructType schema, String path) {
        for (var f : SCHEMA.fields()) {
            var found = java.util.Arrays.stream(schema.fields()).filter(g -> g.name().equals(f.name())).findFirst();
            if (found.isEmpty()) {
                throw new BadInputException(path + ": column " + f.name() + " is missing; expected columns "
                        + java.util.Arrays.toString(SCHEMA.fieldNames()));
            }
            // Parquet reads every column back as nullable: compare the types only.
            if (!RolloutSchema.asNullable(found.get().dataType()).equals(RolloutSchema.asNullable(f.dataType()))) {
                throw new BadInputException(path + ": column " + f.name() + " has type "
                        + found.get().dataType().simpleString() + ", expected " + f.dataType().simpleString());
            }
        }
    }

    private static String firstMissing(TreeMap<Integer, Row> steps) {
        for (int t = 0; t <= steps.lastKey(); t++) {
            if (!steps.containsKey(t)) {
                return "; t=" + t + " is absent";
            }
        }
        return "";
    }

    /** Plain JSON: {format, version, conditions: [{condition, T, dX, dU, K: [t][dU][dX], k: [t][dU], covariance: [t][dU][dU]}]}. */
    public static String toJson(Map<Integer, LinearGaussianController> controllers) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("format", JSON_FORMAT);
        root.put("version", 1);
        root.put("convention", "u_t ~ N(K[t] x_t + k[t], covariance[t])");
        ArrayNode conds = root.putArray("conditions");
        for (Map.Entry<Integer, LinearGaussianController> e : new TreeMap<>(controllers).entrySet()) {
            LinearGaussianController c = e.getValue();
            ObjectNode n = conds.addObject();
            n.put("condition", e.getKey());
            n.put("T", c.horizon());
            n.put("dX", c.stateDim());
            n.put("dU", c.actionDim());
            ArrayNode ks = n.putArray("K");
            ArrayNode os = n.putArray("k");
            ArrayNode ss = n.putArray("covariance");
            for (int t = 0; t < c.horizon(); t++) {
                ks.add(m.valueToTree(c.gain(t).toRowArrays()));
                os.add(m.valueToTree(c.offset(t)));
                ss.add(m.valueToTree(c.covariance(t).toRowArrays()));
            }
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the JSON form back (the deployment format is also an input format).
     *
     * @throws BadInputException naming the file and the key (e.g. {@code conditions[0].K[3]}) and
     *                           what was expected, for malformed JSON, a wrong format or version, a
     *                           missing key, a list of the wrong length, or a non-SPD covariance
     */
    public static Map<Integer, LinearGaussianController> fromJson(String json, String file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(file + ": expected a JSON object with format, version and conditions");
        }
        if (!JSON_FORMAT.equals(root.path("format").asText(null))) {
            throw new BadInputException(file + ": format: expected '" + JSON_FORMAT + "', got " + root.path("format"));
        }
        if (!root.path("version").isInt() || root.path("version").intValue() != 1) {
            throw new BadInputException(file + ": version: expected 1, got " + root.path("version"));
        }
        JsonNode conds = root.path("conditions");
        if (!conds.isArray() || conds.isEmpty()) {
            throw new BadInputException(file + ": conditions: expected a non-empty list, got " + conds);
        }
        Map<Integer, LinearGaussianController> out = new TreeMap<>();
        for (int i = 0; i < conds.size(); i++) {
            JsonNode n = conds.get(i);
            String at = file + ": conditions[" + i + "]";
            int condition = intAt(n, "condition", 0, at);
            int horizon = intAt(n, "T", 1, at);
            int dX = intAt(n, "dX", 1, at);
            int dU = intAt(n, "dU", 1, at);
            JsonNode ks = listOf(n, "K", horizon, at);
            JsonNode os = listOf(n, "k", horizon, at);
            JsonNode ss = listOf(n, "covariance", horizon, at);
            Mat[] gains = new Mat[horizon];
            double[][] offsets = new double[horizon][];
            Mat[] covs = new Mat[horizon];
            for (int t = 0; t < horizon; t++) {
                gains[t] = matrix(ks.get(t), dU, dX, at + ".K[" + t + "]");
                offsets[t] = vector(os.get(t), dU, at + ".k[" + t + "]");
                covs[t] = matrix(ss.get(t), dU, dU, at + ".covariance[" + t + "]");
            }
            if (out.containsKey(condition)) {
                throw new BadInputException(at + ".condition: " + condition + " occurs twice; expected each condition once");
            }
            try {
                out.put(condition, LinearGaussianController.of(gains, offsets, covs));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(at + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static int intAt(JsonNode n, String key, int min, String at) {
        JsonNode v = n.path(key);
        if (!v.isInt() || v.intValue() < min) {
            throw new BadInputException(at + "." + key + ": expected an integer >= " + min + ", got "
                    + (v.isMissingNode() ? "nothing" : v.toString()));
        }
        return v.intValue();
    }

    private static JsonNode listOf(JsonNode n, String key, int horizon, String at) {
        JsonNode v = n.path(key);
        if (!v.isArray() || v.size() != horizon) {
            throw new BadInputException(at + "." + key + ": expected a list of T=" + horizon + " entries (one per t), got "
                    + (v.isMissingNode() ? "nothing" : v.isArray() ? v.size() + " entries" : v.toString()));
        }
        return v;
    }

    private static Mat matrix(JsonNode v, int rows, int cols, String at) {
        if (!v.isArray() || v.size() != rows) {
            throw new BadInputException(at + ": expected a " + rows + "x" + cols + " matrix (a list of " + rows
                    + " rows), got " + (v.isArray() ? v.size() + " rows" : v.toString()));
        }
        double[][] a = new double[rows][];
        for (int i = 0; i < rows; i++) {
            a[i] = vector(v.get(i), cols, at + "[" + i + "]");
        }
        return Mat.of(a);
    }

    private static double[] vector(JsonNode v, int n, String at) {
        if (!v.isArray() || v.size() != n) {
            throw new BadInputException(at + ": expected a list of " + n + " numbers, got "
                    + (v.isArray() ? v.size() + " values" : v.toString()));
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (!v.get(i).isNumber()) {
                throw new BadInputException(at + "[" + i + "]: expected a number, got " + v.get(i));
            }
            out[i] = v.get(i).doubleValue();
        }
        return out;
    }

    private static double[] doubles(Row r, String field, int expected, String where, String what) {
        int i = r.fieldIndex(field);
        if (r.isNullAt(i)) {
            throw new BadInputException(where + ": " + field + " is null; expected " + expected + " values (" + what + ")");
        }
        List<Double> l = r.getList(i);
        if (l.size() != expected) {
            throw new BadInputException(where + ": " + field + " has " + l.size() + " values; expected " + expected
                    + " (" + what + ", row-major)");
        }
        double[] out = new double[l.size()];
        for (int j = 0; j < out.length; j++) {
            Double v = l.get(j);
            if (v == null) {
                throw new BadInputException(where + ": " + field + "[" + j + "] is null; expected a number");
            }
            out[j] = v;
        }
        return out;
    }
}
