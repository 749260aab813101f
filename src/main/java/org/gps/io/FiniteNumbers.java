package org.gps.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Set;

/**
 * The one rule for NaN and infinity in what users read: JSON has no such numbers, so they are written
 * as null, and text shows {@link #NOT_AVAILABLE} in their place. Parquet tables keep the double.
 */
public final class FiniteNumbers {
    /** What text output shows for a non-finite number. */
    public static final String NOT_AVAILABLE = "n/a";
    /** Said once under a table with a relative error shown as n/a: the error is divided by the outputs' spread. */
    public static final String RELATIVE_NOTE = "n/a: relative rmse undefined (outputs do not vary at some step)";

    // Files written before null was the rule hold Jackson's quoted names for these values.
    private static final Set<String> QUOTED = Set.of("NaN", "Infinity", "-Infinity");

    private FiniteNumbers() {
    }

    public static ObjectNode put(ObjectNode n, String key, double v) {
        return Double.isFinite(v) ? n.put(key, v) : n.putNull(key);
    }

    public static ArrayNode add(ArrayNode a, double v) {
        return Double.isFinite(v) ? a.add(v) : a.addNull();
    }

    /** {@code format} applied to {@code v}, or {@link #NOT_AVAILABLE} when it is not finite. */
    public static String text(String format, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : NOT_AVAILABLE;
    }

    /** A JSON value written by {@link #put}: null reads back as NaN, an older quoted name as its value. */
    public static double read(JsonNode v) {
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (isQuotedNonFinite(v)) {
            return Double.parseDouble(v.textValue());
        }
        return v.asDouble();
    }

    /** Whether {@code v} is JSON null or a quoted non-finite name: a number that {@link #read} can give. */
    public static boolean isNonFinite(JsonNode v) {
        return v != null && (v.isNull() || isQuotedNonFinite(v));
    }

    private static boolean isQuotedNonFinite(JsonNode v) {
        return v.isTextual() && QUOTED.contains(v.textValue());
    }
}
