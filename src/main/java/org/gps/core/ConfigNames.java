package org.gps.core;

import java.util.Arrays;
import java.util.Locale;

/**
 * The names that configs and the command line give the values of the options' enums: the
 * constant's name in lower case. One rule for every such enum, so that a value reads, prints and
 * is refused the same way whichever option it belongs to.
 */
public final class ConfigNames {
    private ConfigNames() {
    }

    /** The value's name in configs, e.g. {@code sampled_means} for SAMPLED_MEANS. */
    public static String of(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Every value's name, in declaration order. */
    public static <E extends Enum<E>> String[] all(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(ConfigNames::of).toArray(String[]::new);
    }

    /** The value named {@code name}; IllegalArgumentException naming the expected ones for any other. */
    public static <E extends Enum<E>> E parse(Class<E> type, String name) {
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("expected one of " + String.join(", ", all(type)) + ", got '" + name + "'");
    }
}
