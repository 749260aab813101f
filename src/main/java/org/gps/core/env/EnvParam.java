package org.gps.core.env;

import java.util.List;

/**
 * One configuration parameter of an environment: its config key, its default, the shape of value
 * it takes and a one-line description. The environment classes read their defaults from these
 * records, so configs, {@code --help} and the code share one source (see {@link Environments#describeParams}).
 *
 * @param name         the config key, e.g. {@code "max_speed"}
 * @param defaultValue a {@link Double} (a {@link Long} for integers), a {@link String} (a choice), an unmodifiable {@code List<Double>}, or {@code null}
 *                     when there is no default (required, or derived from other parameters; the
 *                     description says which)
 * @param shape        the kind of value the key takes, e.g. {@code "number"}, {@code "list of 2 numbers"}
 * @param description  what it means, with units
 */
public record EnvParam(String name, Object defaultValue, String shape, String description) {

    static EnvParam number(String name, double defaultValue, String description) {
        return new EnvParam(name, defaultValue, "number", description);
    }

    static EnvParam integer(String name, long defaultValue, String description) {
        return new EnvParam(name, defaultValue, "integer", description);
    }

    static EnvParam vector(String name, List<Double> defaultValue, String shape, String description) {
        return new EnvParam(name, List.copyOf(defaultValue), shape, description);
    }

    static EnvParam choice(String name, String defaultValue, List<String> allowed, String description) {
        return new EnvParam(name, defaultValue, String.join(" or ", allowed), description);
    }

    static EnvParam noDefault(String name, String shape, String description) {
        return new EnvParam(name, null, shape, description);
    }

    /** The default as a number; only for parameters whose default is a number. */
    double defaultNumber() {
        return ((Number) defaultValue).doubleValue();
    }

    /** The default as an array; only for parameters whose default is a list of numbers. */
    double[] defaultVector() {
        List<?> values = (List<?>) defaultValue;
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Double) values.get(i);
        }
        return out;
    }

    /** One help line, e.g. {@code "  max_speed = 8.0  [number] clip of the angular velocity after each step, rad/s"}. */
    public String helpLine() {
        String value = defaultValue == null ? "(no default)" : "= " + defaultValue;
        return "  " + name + " " + value + "  [" + shape + "] " + description;
    }
}
