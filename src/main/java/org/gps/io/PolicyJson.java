package org.gps.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.core.BadInputException;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.ObservationNormalizer;
import org.gps.core.policy.Policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The policy as plain JSON, for deployment to a robot and for reading back: layer sizes, per
 * layer the weight matrix (out x in, as rows) and the bias, the observation normalisation and the
 * action variance. Evaluating it needs nothing but this file: u = W_L relu(... relu(W_1 o' + b_1)
 * ...) + b_L with o' = o * scale + bias.
 */
public final class PolicyJson {
    public static final String FORMAT = "gps-mlp-policy";

    private PolicyJson() {
    }

    public static String toJson(Policy policy) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        root.put("convention", "u ~ N(f(o * scale + bias), diag(variance)); f: ReLU hidden layers, linear output; "
                + "each layer y = W x + b with W given as rows");
        int[] sizes = policy.network().sizes();
        root.set("sizes", m.valueToTree(sizes));
        ObjectNode norm = root.putObject("normalization");
        norm.set("scale", m.valueToTree(policy.normalizer().scale()));
        norm.set("bias", m.valueToTree(policy.normalizer().bias()));
        root.set("variance", m.valueToTree(policy.variance()));
        ArrayNode layers = root.putArray("layers");
        double[] theta = policy.network().parameters();
        int o = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[][] w = new double[out][in];
            for (int r = 0; r < out; r++) {
                System.arraycopy(theta, o + r * in, w[r], 0, in);
            }
            double[] b = new double[out];
            System.arraycopy(theta, o + out * in, b, 0, out);
            o += out * in + out;
            ObjectNode layer = layers.addObject();
            layer.set("W", m.valueToTree(w));
            layer.set("b", m.valueToTree(b));
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the JSON form back; {@code file} names it in error messages. */
    public static Policy fromJson(String json, String file) {
        ObjectMapper m = new ObjectMapper();
        try {
            JsonNode root = m.readTree(json);
            if (root == null || !FORMAT.equals(root.path("format").asText())) {
                throw new BadInputException(file + ": format: expected '" + FORMAT + "'");
            }
            int[] sizes = m.treeToValue(require(root, "sizes", file), int[].class);
            List<Double> theta = new ArrayList<>();
            JsonNode layers = require(root, "layers", file);
            if (layers.size() != sizes.length - 1) {
                throw new BadInputException(file + ": layers: expected " + (sizes.length - 1) + " layers for sizes "
                        + java.util.Arrays.toString(sizes) + ", got " + layers.size());
            }
            for (int l = 0; l < layers.size(); l++) {
                double[][] w = m.treeToValue(require(layers.get(l), "W", file + ": layers[" + l + "]"), double[][].class);
                double[] b = m.treeToValue(require(layers.get(l), "b", file + ": layers[" + l + "]"), double[].class);
                if (w.length != sizes[l + 1] || b.length != sizes[l + 1]) {
                    throw new BadInputException(file + ": layers[" + l + "]: expected " + sizes[l + 1] + " rows and biases");
                }
                for (double[] row : w) {
                    if (row.length != sizes[l]) {
                        throw new BadInputException(file + ": layers[" + l + "].W: expected rows of " + sizes[l] + " values");
                    }
                    for (double v : row) {
                        theta.add(v);
                    }
                }
                for (double v : b) {
                    theta.add(v);
                }
            }
            JsonNode norm = require(root, "normalization", file);
            ObservationNormalizer n = new ObservationNormalizer(
                    m.treeToValue(require(norm, "scale", file + ": normalization"), double[].class),
                    m.treeToValue(require(norm, "bias", file + ": normalization"), double[].class));
            double[] variance = m.treeToValue(require(root, "variance", file), double[].class);
            double[] t = theta.stream().mapToDouble(Double::doubleValue).toArray();
            return new Policy(Mlp.of(sizes, t), n, variance);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(file + ": not valid policy JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode require(JsonNode n, String key, String where) {
        JsonNode v = n == null ? null : n.get(key);
        if (v == null || v.isNull()) {
            throw new BadInputException(where + ": " + key + " is missing");
        }
        return v;
    }
}
