package org.gps.core.env;

import org.gps.core.BadInputException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads environment parameters from a config map (numbers, lists of numbers, lists of lists for
 * matrices, as YAML and JSON parsers produce them) and turns every problem into a
 * {@link BadInputException} whose message starts with the full key, e.g.
 * {@code "environment.A: expected a 3x3 matrix, got 2 rows"}. It remembers which keys were read
 * so that {@link #rejectUnknown} can name a misspelt key instead of silently ignoring it.
 */
final class ParamReader {
    private final String prefix;
    private final Map<String, Object> values;
    private final Set<String> read = new TreeSet<>();

    ParamReader(String prefix, Map<String, ?> values) {
        this.prefix = prefix == null ? "" : prefix;
        this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
    }

    String key(String name) {
        return prefix + name;
    }

    BadInputException error(String name, String message) {
        return new BadInputException(key(name) + ": " + message);
    }

    boolean has(EnvParam p) {
        return values.get(p.name()) != null;
    }

    /** Marks a key as understood without reading it (e.g. {@code type}, checked by the caller). */
    void accept(String name) {
        read.add(name);
    }

    Object raw(String name) {
        read.add(name);
        return values.get(name);
    }

    // ---------------------------------------------------------------- scalars

    /** A string that must be one of {@code allowed}; the default is the parameter's. */
    String choice(EnvParam p, String... allowed) {
        Object v = raw(p.name());
        String s = v == null ? (String) p.defaultValue() : String.valueOf(v);
        for (String a : allowed) {
            if (a.equals(s)) {
                return s;
            }
        }
        throw error(p.name(), "expected one of " + String.join(", ", allowed) + ", got '" + s + "'");
    }

    double number(EnvParam p) {
        Object v = raw(p.name());
        return v == null ? p.defaultNumber() : toNumber(p.name(), v, "a number");
    }

    double positive(EnvParam p) {
        double v = number(p);
        if (!(v > 0)) {
            throw error(p.name(), "expected a number > 0, got " + v);
        }
        return v;
    }

    double nonNegative(EnvParam p) {
        double v = number(p);
        if (!(v >= 0)) {
            throw error(p.name(), "expected a number >= 0, got " + v);
        }
        return v;
    }

    long integer(EnvParam p, long min) {
        Object v = raw(p.name());
        long out;
        if (v == null) {
            out = ((Number) p.defaultValue()).longValue();
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            out = ((Number) v).longValue();
        } else if (v instanceof BigInteger b && b.bitLength() < 64) {
            out = b.longValue();
        } else if (v instanceof Number n && isIntegral(n.doubleValue())) {
            out = (long) n.doubleValue();
        } else {
            throw error(p.name(), "expected an integer, got " + describe(v));
        }
        if (out < min) {
            throw error(p.name(), "expected an integer >= " + min + ", got " + out);
        }
        return out;
    }

    // ---------------------------------------------------------------- vectors and matrices

    /** A list of exactly {@code length} numbers. */
    double[] vector(EnvParam p, int length) {
        Object v = raw(p.name());
        if (v == null) {
            return p.defaultVector();
        }
        double[] out = toVector(p.name(), v, "a list of " + length + " numbers");
        if (out.length != length) {
            throw error(p.name(), "expected a list of " + length + " numbers, got " + out.length);
        }
        return out;
    }

    /**
     * Either one number used for every dimension, or a list of {@code length} numbers; all must be
     * &gt;= 0 (standard deviations).
     */
    double[] nonNegativeNumberOrVector(EnvParam p, int length) {
        Object v = raw(p.name());
        double[] out;
        if (v == null) {
            out = filled(length, p.defaultNumber());
        } else if (v instanceof List<?> || v instanceof double[]) {
            out = toVector(p.name(), v, "a number or a list of " + length + " numbers");
            if (out.length != length) {
                throw error(p.name(), "expected a number or a list of " + length + " numbers, got a list of "
                        + out.length);
            }
        } else {
            out = filled(length, toNumber(p.name(), v, "a number or a list of " + length + " numbers"));
        }
        for (int i = 0; i < out.length; i++) {
            if (!(out[i] >= 0)) {
                throw error(p.name(), "expected values >= 0, got " + out[i] + " at index " + i);
            }
        }
        return out;
    }

    /**
     * A matrix given as a list of rows. {@code rows} or {@code cols} may be -1 for "any", in which
     * case the first row fixes the column count.
     */
    double[][] matrix(EnvParam p, int rows, int cols) {
        String name = p.name();
        Object v = raw(name);
        String expected = "a " + dim(rows, "R") + "x" + dim(cols, "C") + " matrix";
        if (v == null) {
            throw error(name, "missing; expected " + expected + " (a list of rows)");
        }
        List<?> rowList = asList(v);
        if (rowList == null) {
            throw error(name, "expected " + expected + " (a list of rows), got " + describe(v));
        }
        if (rowList.isEmpty() || (rows >= 0 && rowList.size() != rows)) {
            throw error(name, "expected " + expected + ", got " + rowList.size() + " rows");
        }
        double[][] out = new double[rowList.size()][];
        for (int i = 0; i < out.length; i++) {
            Object row = rowList.get(i);
            List<?> cells = asList(row);
            if (cells == null) {
                throw error(name, "expected " + expected + ", row " + i + " is " + describe(row) + ", not a list");
            }
            int want = cols >= 0 ? cols : out[0] == null ? cells.size() : out[0].length;
            if (cells.isEmpty() || cells.size() != want) {
                throw error(name, "expected " + expected + ", row " + i + " has " + cells.size() + " values"
                        + (want > 0 ? " (expected " + want + ")" : ""));
            }
            out[i] = new double[cells.size()];
            for (int j = 0; j < cells.size(); j++) {
                out[i][j] = toNumber(name, cells.get(j), "a number at row " + i + ", column " + j);
            }
        }
        return out;
    }

    /** Throws for any key that no parameter of {@code type} read. */
    void rejectUnknown(String type, List<EnvParam> known) {
        List<String> unknown = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!read.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (EnvParam p : known) {
                names.add(p.name());
            }
            throw error(unknown.get(0), "unknown parameter for environment '" + type + "'; known: "
                    + String.join(", ", names));
        }
    }

    // ---------------------------------------------------------------- conversions

    private double toNumber(String name, Object v, String expected) {
        double d;
        if (v instanceof Number n) {
            d = n instanceof BigDecimal b ? b.doubleValue() : n.doubleValue();
        } else {
            throw error(name, "expected " + expected + ", got " + describe(v));
        }
        if (!Double.isFinite(d)) {
            throw error(name, "expected " + expected + ", got " + d);
        }
        return d;
    }

    private double[] toVector(String name, Object v, String expected) {
        if (v instanceof double[] a) {
            for (double d : a) {
                if (!Double.isFinite(d)) {
                    throw error(name, "expected " + expected + ", got " + d);
                }
            }
            return a.clone();
        }
        List<?> list = asList(v);
        if (list == null) {
            throw error(name, "expected " + expected + ", got " + describe(v));
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toNumber(name, list.get(i), expected + " (index " + i + ")");
        }
        return out;
    }

    /** Lists as parsers give them, plus Java arrays for callers that build params in code. */
    private static List<?> asList(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof double[] a) {
            List<Double> out = new ArrayList<>(a.length);
            for (double d : a) {
                out.add(d);
            }
            return out;
        }
        if (v instanceof Object[] a) {
            return List.of(a);
        }
        return null;
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String s) {
            return "the text \"" + s + "\"";
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        if (v instanceof Map<?, ?>) {
            return "a map";
        }
        List<?> l = asList(v);
        if (l != null) {
            return "a list of " + l.size() + " values";
        }
        if (v instanceof Number n) {
            return "the number " + n;
        }
        return "a " + v.getClass().getSimpleName();
    }

    private static boolean isIntegral(double d) {
        return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p53;
    }

    private static String dim(int n, String symbol) {
        return n >= 0 ? Integer.toString(n) : symbol;
    }

    static double[] filled(int n, double value) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, value);
        return out;
    }
}
