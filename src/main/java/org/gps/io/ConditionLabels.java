package org.gps.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.core.BadInputException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which condition index each text label of a log's condition column stands for (docs/formats.md,
 * "Condition labels"). Kept in a file that every ingest with the same mapping reads and extends,
 * so that a label keeps its index across ingests: labels already there keep theirs, new ones
 * are appended after the largest index, in the order of their text.
 *
 * @param indices label to condition index, in index order
 */
public record ConditionLabels(Map<String, Integer> indices) {
    /** The value of the file's {@code format} key. */
    public static final String FORMAT = "gps-condition-labels";
    /** The copy written into an ingest's output, beside the rows it numbered. */
    public static final String FILE = "_condition_labels.json";

    public ConditionLabels {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(indices.entrySet());
        sorted.sort(Map.Entry.comparingByValue());
        Map<String, Integer> copy = new LinkedHashMap<>();
        sorted.forEach(e -> copy.put(e.getKey(), e.getValue()));
        indices = Collections.unmodifiableMap(copy);
    }

    /** No label yet: the state before the first ingest. */
    public static ConditionLabels none() {
        return new ConditionLabels(Map.of());
    }

    /** These labels plus those of {@code seen} not among them, appended with the next free indices. */
    public ConditionLabels with(Collection<String> seen) {
        Map<String, Integer> m = new HashMap<>(indices);
        int next = indices.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        for (String label : new TreeSet<>(seen)) {
            if (!m.containsKey(label)) {
                m.put(label, next++);
            }
        }
        return new ConditionLabels(m);
    }

    /** The labels of {@code this} that {@code before} lacks, in index order. */
    public List<String> addedSince(ConditionLabels before) {
        return indices.keySet().stream().filter(l -> !before.indices.containsKey(l)).toList();
    }

    /** The label of a condition index, or null. */
    public String labelOf(int condition) {
        for (Map.Entry<String, Integer> e : indices.entrySet()) {
            if (e.getValue() == condition) {
                return e.getKey();
            }
        }
        return null;
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        ArrayNode list = root.putArray("labels");
        indices.forEach((label, index) -> {
            ObjectNode n = list.addObject();
            n.put("label", label);
            n.put("condition", index);
        });
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a labels file; every problem names {@code file} and the key. */
    public static ConditionLabels parse(String file, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String loc = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new BadInputException(file + ": not valid JSON" + loc + ": " + YamlErrors.oneLine(e)
                    + "; expected the condition labels written by gps ingest");
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new BadInputException(file + ": format: expected \"" + FORMAT + "\" (a condition labels file "
                    + "written by gps ingest), got " + (root == null || !root.isObject() ? "no JSON object"
                    : root.path("format").isMissingNode() ? "no format key" : root.get("format").toString()));
        }
        if (root.path("version").asInt(-1) != 1) {
            throw new BadInputException(file + ": version: expected 1, got " + root.path("version"));
        }
        JsonNode list = root.get("labels");
        if (list == null || !list.isArray()) {
            throw new BadInputException(file + ": labels: expected a list of {label, condition}, got "
                    + (list == null ? "nothing" : list.getNodeType()));
        }
        Map<String, Integer> m = new HashMap<>();
        Map<Integer, String> byIndex = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String key = "labels[" + i + "]";
            JsonNode label = e.get("label");
            JsonNode index = e.get("condition");
            if (label == null || !label.isTextual() || label.asText().isEmpty()) {
                throw new BadInputException(file + ": " + key + ".label: expected a non-empty text, got " + label);
            }
            if (index == null || !index.isIntegralNumber() || !index.canConvertToInt() || index.asInt() < 0) {
                throw new BadInputException(file + ": " + key + ".condition: expected an integer >= 0, got " + index);
            }
            if (m.put(label.asText(), index.asInt()) != null) {
                throw new BadInputException(file + ": " + key + ".label: '" + label.asText()
                        + "' is listed twice; expected each label once");
            }
            String other = byIndex.put(index.asInt(), label.asText());
            if (other != null) {
                throw new BadInputException(file + ": " + key + ".condition: " + index.asInt() + " is also the index of '"
                        + other + "'; expected one label per condition");
            }
        }
        return new ConditionLabels(m);
    }
}
