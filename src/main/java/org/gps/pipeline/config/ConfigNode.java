package org.gps.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.core.BadInputException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A read cursor over one mapping of a config file that knows its own path (for messages such as
 * "trajopt.kl_step: expected a positive number, got -1") and which keys were read, so that
 * {@link #finish()} can refuse unknown (usually misspelt) keys instead of silently ignoring them.
 */
public final class ConfigNode {
    private final String file;
    private final String path;
    private final JsonNode node;
    private final Set<String> read = new LinkedHashSet<>();
    /** What was read, with every default filled in: the frozen form of the config. */
    private final ObjectNode resolved = JsonNodeFactory.instance.objectNode();

    ConfigNode(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
        if (node != null && !node.isObject()) {
            throw error(path, "expected a mapping of keys, got " + describe(node));
        }
    }

    public String path() {
        return path;
    }

    /** The keys read so far with their effective values (given or default). */
    public ObjectNode resolved() {
        return resolved;
    }

    private static JsonNode tree(Object v) {
        return v == null ? JsonNodeFactory.instance.nullNode()
                : new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(v);
    }

    private <T> T record(String key, T value) {
        resolved.set(key, tree(value));
        return value;
    }

    public boolean has(String key) {
        return node != null && node.has(key) && !node.get(key).isNull();
    }

    private JsonNode raw(String key) {
        read.add(key);
        return node == null ? null : node.get(key);
    }

    public String key(String k) {
        return path.isEmpty() ? k : path + "." + k;
    }

    public BadInputException error(String key, String what) {
        return new BadInputException(file + ": " + (key.isEmpty() ? "" : key + ": ") + what);
    }

    public double getDouble(String key, double def) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return record(key, def);
        }
        if (!v.isNumber()) {
            throw error(key(key), "expected a number, got " + describe(v));
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw error(key(key), "expected a finite number, got " + d);
        }
        return record(key, d);
    }

    public double getPositive(String key, double def) {
        double d = getDouble(key, def);
        if (!(d > 0)) {
            throw error(key(key), "expected a positive number, got " + d);
        }
        return d;
    }

    public double getNonNegative(String key, double def) {
        double d = getDouble(key, def);
        if (d < 0) {
            throw error(key(key), "expected a number >= 0, got " + d);
        }
        return d;
    }

    public double requireDouble(String key) {
        requirePresent(key, "a number");
        return getDouble(key, Double.NaN);
    }

    public int getInt(String key, int def, int min) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return record(key, def);
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(key(key), "expected an integer, got " + describe(v));
        }
        int i = v.asInt();
        if (i < min) {
            throw error(key(key), "expected an integer >= " + min + ", got " + i);
        }
        return record(key, i);
    }

    public int requireInt(String key, int min) {
        requirePresent(key, "an integer >= " + min);
        return getInt(key, 0, min);
    }

    public long getLong(String key, long def) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return record(key, def);
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw error(key(key), "expected an integer, got " + describe(v));
        }
        return record(key, v.asLong());
    }

    public boolean getBoolean(String key, boolean def) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return record(key, def);
        }
        if (!v.isBoolean()) {
            throw error(key(key), "expected true or false, got " + describe(v));
        }
        return record(key, v.asBoolean());
    }

    public String getString(String key, String def) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return record(key, def);
        }
        if (!v.isTextual()) {
            throw error(key(key), "expected a string, got " + describe(v));
        }
        return record(key, v.asText());
    }

    /** A string restricted to {@code allowed}; the message lists them. */
    public String getChoice(String key, String def, String... allowed) {
        String s = getString(key, def);
        for (String a : allowed) {
            if (a.equals(s)) {
                return s;
            }
        }
        throw error(key(key), "expected one of " + String.join(", ", allowed) + ", got '" + s + "'");
    }

    public double[] getDoubleArray(String key, double[] def) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return record(key, def == null ? null : def.clone());
        }
        return record(key, toDoubleArray(key(key), v));
    }

    /** Overrides what the frozen form holds for {@code key} (e.g. a list broadcast to its full length). */
    public void setResolved(String key, Object value) {
        record(key, value);
    }

    public double[] requireDoubleArray(String key) {
        requirePresent(key, "a list of numbers");
        return getDoubleArray(key, null);
    }

    /** A list of lists of numbers (e.g. the conditions' initial states). */
    public List<double[]> getDoubleArrays(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw error(key(key), "expected a list of lists of numbers, got " + describe(v));
        }
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(toDoubleArray(key(key) + "[" + i + "]", v.get(i)));
        }
        return record(key, out);
    }

    /** A nested mapping; an absent key gives an empty node so defaults apply. */
    public ConfigNode child(String key) {
        ConfigNode c = new ConfigNode(file, key(key), raw(key));
        resolved.set(key, c.resolved);
        return c;
    }

    /** A list of mappings (e.g. cost terms). */
    public List<ConfigNode> children(String key) {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw error(key(key), "expected a list, got " + describe(v));
        }
        List<ConfigNode> out = new ArrayList<>();
        ArrayNode arr = resolved.putArray(key);
        for (int i = 0; i < v.size(); i++) {
            ConfigNode c = new ConfigNode(file, key(key) + "[" + i + "]", v.get(i));
            arr.add(c.resolved);
            out.add(c);
        }
        return out;
    }

    /** The subtree as plain Java values (maps, lists, numbers, strings), for environment parameters. */
    public Map<String, Object> asPlainMap(String key) {
        JsonNode v = raw(key);
        Map<String, Object> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw error(key(key), "expected a mapping of keys, got " + describe(v));
        }
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), plain(e.getValue()));
        }
        resolved.set(key, v.deepCopy());
        return out;
    }

    /** Refuses keys that were never read: a misspelt option must not fall back to its default unnoticed. */
    public void finish() {
        if (node == null) {
            return;
        }
        Set<String> unknown = new TreeSet<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!read.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw unknownKey(unknown, read);
        }
    }

    /**
     * Refuses, before anything is read, keys outside {@code known}: a misspelt required section
     * ("enviroment") is then named as the unknown key it is, not reported as the section missing.
     */
    public void refuseUnknownKeys(Set<String> known) {
        if (node == null) {
            return;
        }
        Set<String> unknown = new TreeSet<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw unknownKey(unknown, known);
        }
    }

    private BadInputException unknownKey(Set<String> unknown, Set<String> known) {
        String k = unknown.iterator().next();
        String guess = known.stream().filter(x -> editDistance(k, x) <= 2).findFirst().orElse(null);
        return error(key(k), "unknown key" + (guess != null ? " (a misspelling of '" + guess + "'?)" : "")
                + (unknown.size() > 1 ? " (also unknown: " + unknown + ")" : "") + "; expected one of " + known);
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each count 1. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private void requirePresent(String key, String what) {
        if (!has(key)) {
            read.add(key);
            throw error(key(key), "missing; expected " + what);
        }
    }

    private double[] toDoubleArray(String where, JsonNode v) {
        if (v.isNumber()) {
            return new double[] {v.asDouble()};
        }
        if (!v.isArray()) {
            throw error(where, "expected a list of numbers, got " + describe(v));
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber() || !Double.isFinite(e.asDouble())) {
                throw error(where + "[" + i + "]", "expected a finite number, got " + describe(e));
            }
            out[i] = e.asDouble();
        }
        return out;
    }

    static Object plain(JsonNode v) {
        if (v.isNumber()) {
            return v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : (Object) v.asDouble();
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(e -> l.add(plain(e)));
            return l;
        }
        if (v.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            v.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        return null;
    }

    static String describe(JsonNode v) {
        JsonNodeType t = v.getNodeType();
        return switch (t) {
            case STRING -> "the string '" + v.asText() + "'";
            case ARRAY -> "a list";
            case OBJECT -> "a mapping";
            case NULL, MISSING -> "nothing";
            default -> v.toString();
        };
    }
}
