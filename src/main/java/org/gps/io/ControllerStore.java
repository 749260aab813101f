package org.gps.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /** The controllers as a DataFrame (M x T rows: small, built on the driver). */
    public static Dataset<Row> toDataFrame(SparkSession spark, Map<Integer, LinearGaussianController> controllers) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Integer, LinearGaussianController> e : new TreeMap<>(controllers).entrySet()) {
            LinearGaussianController c = e.getValue();
            for (int t = 0; t < c.horizon(); t++) {
                rows.add(RowFactory.create(e.getKey(), t, c.stateDim(), c.actionDim(), c.gain(t).toRowMajor(),
                        c.offset(t), c.covariance(t).toRowMajor()));
            }
        }
        return spark.createDataFrame(rows, SCHEMA).coalesce(1);
    }

    /** Reads controllers back; {@code path} names the dataset in error messages. */
    public static Map<Integer, LinearGaussianController> fromDataFrame(Dataset<Row> df, String path) {
        Map<Integer, TreeMap<Integer, Row>> byCondition = new TreeMap<>();
        for (Row r : df.collectAsList()) {
            byCondition.computeIfAbsent(r.getInt(r.fieldIndex("condition")), k -> new TreeMap<>())
                    .put(r.getInt(r.fieldIndex("t")), r);
        }
        Map<Integer, LinearGaussianController> out = new TreeMap<>();
        for (Map.Entry<Integer, TreeMap<Integer, Row>> e : byCondition.entrySet()) {
            TreeMap<Integer, Row> steps = e.getValue();
            int horizon = steps.size();
            if (steps.lastKey() != horizon - 1) {
                throw new BadInputException(path + ": condition " + e.getKey() + " has time steps missing (expected 0.."
                        + (horizon - 1) + ", last is " + steps.lastKey() + ")");
            }
            Mat[] gains = new Mat[horizon];
            double[][] offsets = new double[horizon][];
            Mat[] covs = new Mat[horizon];
            for (Row r : steps.values()) {
                int t = r.getInt(r.fieldIndex("t"));
                int dX = r.getInt(r.fieldIndex("dX"));
                int dU = r.getInt(r.fieldIndex("dU"));
                gains[t] = Mat.fromRowMajor(dU, dX, doubles(r, "gain"));
                offsets[t] = doubles(r, "offset");
                covs[t] = Mat.fromRowMajor(dU, dU, doubles(r, "covariance"));
            }
            try {
                out.put(e.getKey(), LinearGaussianController.of(gains, offsets, covs));
            } catch (IllegalArgumentException ex) {
                throw new BadInputException(path + ": condition " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        return out;
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

    /** Reads the JSON form back (the deployment format is also an input format). */
    public static Map<Integer, LinearGaussianController> fromJson(String json, String file) {
        ObjectMapper m = new ObjectMapper();
        try {
            com.fasterxml.jackson.databind.JsonNode root = m.readTree(json);
            if (!JSON_FORMAT.equals(root.path("format").asText())) {
                throw new BadInputException(file + ": format: expected '" + JSON_FORMAT + "'");
            }
            Map<Integer, LinearGaussianController> out = new TreeMap<>();
            for (com.fasterxml.jackson.databind.JsonNode n : root.path("conditions")) {
                int horizon = n.path("T").asInt();
                Mat[] gains = new Mat[horizon];
                double[][] offsets = new double[horizon][];
                Mat[] covs = new Mat[horizon];
                for (int t = 0; t < horizon; t++) {
                    gains[t] = Mat.of(m.treeToValue(n.path("K").get(t), double[][].class));
                    offsets[t] = m.treeToValue(n.path("k").get(t), double[].class);
                    covs[t] = Mat.of(m.treeToValue(n.path("covariance").get(t), double[][].class));
                }
                out.put(n.path("condition").asInt(), LinearGaussianController.of(gains, offsets, covs));
            }
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new BadInputException(file + ": not a valid controller JSON file: " + e.getMessage(), e);
        }
    }

    private static double[] doubles(Row r, String field) {
        List<Double> l = r.getList(r.fieldIndex(field));
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.get(i);
        }
        return out;
    }
}
