package org.gps.pipeline.config;

import org.gps.core.control.Ramp;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One key of a config section, declared once: its name, its default, the kind of value it takes
 * with the bound the reader enforces, and what it means. {@link ConfigReader} reads the key through
 * its declaration, and the section's table in docs/formats.md is rendered from the declarations
 * ({@link ConfigSections}), so a default or a bound cannot drift between the code and the docs.
 *
 * @param name         the key inside its section, e.g. {@code "kl_step"}
 * @param kind         the kind of value and the bound the reader enforces
 * @param defaultValue a {@link Double}, {@link Integer}, {@link Long}, {@link Boolean}, {@link String}
 *                     (a choice or text), {@link Ramp}, or an unmodifiable list of numbers (a
 *                     {@link Kind#LIST} key); null for a key the config must give or a nested one
 * @param min          the least value of an {@link Kind#INTEGER} key (0 for the other kinds)
 * @param choices      the values a {@link Kind#CHOICE} key takes (empty for the other kinds)
 * @param constraint   the bound as the docs state it, where the kind's own ("> 0", ">= 1", the choices)
 *                     does not say it all (a bound against another key, a choice each value of which the
 *                     description explains); null for the kind's own
 * @param shownDefault the default as the docs state it where it depends on the rest of the config;
 *                     null to show {@code defaultValue}
 * @param description  what the key means, one line of Markdown
 */
record ConfigKey(String name, Kind kind, Object defaultValue, int min, List<String> choices, String constraint,
                 String shownDefault, String description) {

    /** The kind of value a key takes; each numeric kind carries the bound its reader enforces. */
    enum Kind {
        POSITIVE, NON_NEGATIVE, INTEGER, FLAG, CHOICE, TEXT,
        /** Any finite number. */
        NUMBER,
        /** Any whole number (a long), e.g. a seed. */
        ANY_INTEGER,
        /** One positive number for every step or [first, last], a linear ramp over the horizon. */
        RAMP,
        /** A list whose checks depend on the rest of the config; the reader reads it by hand with this default. */
        LIST,
        /** A mapping or list with keys of its own, read by its own reader. */
        NESTED
    }

    ConfigKey {
        choices = List.copyOf(choices);
    }

    static ConfigKey positive(String name, double defaultValue, String description) {
        return new ConfigKey(name, Kind.POSITIVE, defaultValue, 0, List.of(), null, null, description);
    }

    static ConfigKey nonNegative(String name, double defaultValue, String description) {
        return new ConfigKey(name, Kind.NON_NEGATIVE, defaultValue, 0, List.of(), null, null, description);
    }

    static ConfigKey number(String name, double defaultValue, String description) {
        return new ConfigKey(name, Kind.NUMBER, defaultValue, 0, List.of(), null, null, description);
    }

    static ConfigKey integer(String name, int defaultValue, int min, String description) {
        return new ConfigKey(name, Kind.INTEGER, defaultValue, min, List.of(), null, null, description);
    }

    /** An integer the config must give. */
    static ConfigKey requiredInteger(String name, int min, String description) {
        return new ConfigKey(name, Kind.INTEGER, null, min, List.of(), null, "**required**", description);
    }

    static ConfigKey anyInteger(String name, long defaultValue, String description) {
        return new ConfigKey(name, Kind.ANY_INTEGER, defaultValue, 0, List.of(), "integer", null, description);
    }

    static ConfigKey text(String name, String defaultValue, String description) {
        return new ConfigKey(name, Kind.TEXT, defaultValue, 0, List.of(), "", null, description);
    }

    /** A section or list with its own keys; {@code shownDefault} says what its absence means. */
    static ConfigKey nested(String name, String shownDefault, String description) {
        return new ConfigKey(name, Kind.NESTED, null, 0, List.of(), "", shownDefault, description);
    }

    static ConfigKey flag(String name, boolean defaultValue, String description) {
        return new ConfigKey(name, Kind.FLAG, defaultValue, 0, List.of(), null, null, description);
    }

    static ConfigKey choice(String name, String defaultValue, List<String> choices, String description) {
        if (!choices.contains(defaultValue)) {
            throw new IllegalArgumentException(name + ": default '" + defaultValue + "' is not among " + choices);
        }
        return new ConfigKey(name, Kind.CHOICE, defaultValue, 0, choices, null, null, description);
    }

    /** A choice the config must make: it has no default. */
    static ConfigKey requiredChoice(String name, List<String> choices, String description) {
        return new ConfigKey(name, Kind.CHOICE, null, 0, choices, null, "**required**", description);
    }

    /** A choice among an enum's constants, written in lower case ({@code RES_PERCENT} is {@code res_percent}). */
    static <E extends Enum<E>> ConfigKey choice(String name, E defaultValue, String description) {
        return choice(name, configName(defaultValue), Arrays.stream(defaultValue.getDeclaringClass().getEnumConstants())
                .map(ConfigKey::configName).toList(), description);
    }

    private static String configName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static ConfigKey ramp(String name, Ramp defaultValue, String description) {
        return new ConfigKey(name, Kind.RAMP, defaultValue, 0, List.of(), null, null, description);
    }

    static ConfigKey list(String name, List<? extends Number> defaultValue, String description) {
        return new ConfigKey(name, Kind.LIST, List.copyOf(defaultValue), 0, List.of(), "", null, description);
    }

    /** This key with its bound stated as {@code text} in the docs ("" for none beyond the description). */
    ConfigKey documentedBound(String text) {
        return new ConfigKey(name, kind, defaultValue, min, choices, text, shownDefault, description);
    }

    /** This key with its default stated as {@code text} in the docs (Markdown), for a default the config decides. */
    ConfigKey documentedDefault(String text) {
        return new ConfigKey(name, kind, defaultValue, min, choices, constraint, text, description);
    }

    /** The key's value in {@code n}, or its default; refused unless it is a number within the kind's bound. */
    double number(ConfigNode n) {
        return switch (kind) {
            case POSITIVE -> n.getPositive(name, (Double) defaultValue);
            case NON_NEGATIVE -> n.getNonNegative(name, (Double) defaultValue);
            case NUMBER -> n.getDouble(name, (Double) defaultValue);
            default -> throw wrongKind("a number");
        };
    }

    /** The key's value in {@code n}, or its default; a key without a default is refused when absent. */
    int integer(ConfigNode n) {
        if (kind != Kind.INTEGER) {
            throw wrongKind("an integer");
        }
        return defaultValue == null ? n.requireInt(name, min) : n.getInt(name, (Integer) defaultValue, min);
    }

    long anyInteger(ConfigNode n) {
        if (kind != Kind.ANY_INTEGER) {
            throw wrongKind("a whole number");
        }
        return n.getLong(name, (Long) defaultValue);
    }

    String text(ConfigNode n) {
        if (kind != Kind.TEXT) {
            throw wrongKind("a string");
        }
        return n.getString(name, (String) defaultValue);
    }

    /** The key's value in {@code n}, or {@code defaultValue} where the rest of the config decides the default. */
    int integer(ConfigNode n, int defaultValue) {
        if (kind != Kind.INTEGER) {
            throw wrongKind("an integer");
        }
        return n.getInt(name, defaultValue, min);
    }

    boolean flag(ConfigNode n) {
        if (kind != Kind.FLAG) {
            throw wrongKind("true or false");
        }
        return n.getBoolean(name, (Boolean) defaultValue);
    }

    String choice(ConfigNode n) {
        if (kind != Kind.CHOICE) {
            throw wrongKind("a choice");
        }
        return n.getChoice(name, (String) defaultValue, choices.toArray(String[]::new));
    }

    /** The constant of {@code type} a choice declared from that enum names. */
    <E extends Enum<E>> E choice(ConfigNode n, Class<E> type) {
        return Enum.valueOf(type, choice(n).toUpperCase(Locale.ROOT));
    }

    private IllegalStateException wrongKind(String asked) {
        return new IllegalStateException(name + " is declared " + kind + ", read as " + asked);
    }

    /** The key's row of its section's table in docs/formats.md. */
    String tableRow() {
        String bound = bound();
        String shown = shownDefault != null ? shownDefault : "`" + format(defaultValue) + "`";
        return "| `" + name + "` | " + shown + " | " + (bound.isEmpty() ? "" : bound + "; ") + description + " |";
    }

    /** The key as {@code gps config-keys} prints it: name, default, bound, meaning, as plain text. */
    String helpLine() {
        String bound = bound();
        String shown = shownDefault != null ? shownDefault : format(defaultValue);
        return plain("  " + name + " = " + shown + (bound.isEmpty() ? "" : "  [" + bound + "]") + "  " + description);
    }

    private String bound() {
        return constraint != null ? constraint : switch (kind) {
            case POSITIVE, RAMP -> "> 0";
            case NON_NEGATIVE -> ">= 0";
            case INTEGER -> ">= " + min;
            case CHOICE -> alternatives(choices);
            case NUMBER -> "finite";
            case FLAG, LIST, TEXT, ANY_INTEGER, NESTED -> "";
        };
    }

    /** Markdown made terminal text: no code ticks or bold, links as the files they point to under docs/. */
    static String plain(String markdown) {
        return markdown.replaceAll("\\[([^\\]]*)\\]\\(#[^)]*\\)", "$1 (docs/formats.md)")
                .replaceAll("\\[([^\\]]*)\\]\\(([^)#]*)(#[^)]*)?\\)", "docs/$2")
                .replace("`", "").replace("**", "");
    }

    private static String alternatives(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            String separator = i == 0 ? "" : i == values.size() - 1 ? " or " : ", ";
            sb.append(separator).append('`').append(values.get(i)).append('`');
        }
        return sb.toString();
    }

    /** A default as the docs write it: 1e-8 rather than Java's 1.0E-8, ramps and lists in brackets. */
    static String format(Object v) {
        if (v instanceof Double d) {
            String s = Double.toString(d);
            int e = s.indexOf('E');
            if (e < 0) {
                return s;
            }
            String mantissa = s.substring(0, e);
            return (mantissa.endsWith(".0") ? mantissa.substring(0, mantissa.length() - 2) : mantissa) + "e"
                    + s.substring(e + 1);
        }
        if (v instanceof Ramp r) {
            return "[" + format(r.start()) + ", " + format(r.end()) + "]";
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ConfigKey::format).toList().toString();
        }
        return String.valueOf(v);
    }
}
