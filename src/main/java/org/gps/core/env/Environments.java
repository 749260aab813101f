package org.gps.core.env;

import org.gps.core.BadInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds environments from config parameters and describes those parameters; the parameter
 * records ({@link EnvParam}) are the one source of defaults for code, configs and help text.
 *
 * <p>Config values are what YAML and JSON parsers produce: numbers ({@link Number}), lists of
 * numbers, and lists of lists (rows) for matrices. Every problem is a {@link BadInputException}
 * whose message starts with the full key, e.g. {@code environment.A: expected a 3x3 matrix, got 2 rows}.
 */
public final class Environments {

    /** The key prefix used by {@link #create(String, Map)}. */
    public static final String DEFAULT_PREFIX = "environment.";

    private record Spec(List<EnvParam> params, Function<ParamReader, Environment> build) {
    }

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put(Pendulum.TYPE, new Spec(Pendulum.PARAMS, Pendulum::fromParams));
        SPECS.put(LinearSystem.TYPE, new Spec(LinearSystem.PARAMS, LinearSystem::fromParams));
        SPECS.put(PointMass.TYPE, new Spec(PointMass.PARAMS, PointMass::fromParams));
        SPECS.put(TwoLinkArm.TYPE, new Spec(TwoLinkArm.PARAMS, TwoLinkArm::fromParams));
    }

    private Environments() {
    }

    /** The known types: pendulum, linear, point_mass, two_link_arm. */
    public static List<String> types() {
        return List.copyOf(SPECS.keySet());
    }

    /** {@link #create(String, Map, String)} with keys reported as {@code environment.<key>}. */
    public static Environment create(String type, Map<String, ?> params) {
        return create(type, params, DEFAULT_PREFIX);
    }

    /**
     * Builds an environment of {@code type} from {@code params} (missing keys take their
     * defaults). A {@code type} key inside {@code params}, if any, must agree with {@code type},
     * so the whole {@code environment:} block of a config can be passed as is.
     *
     * @param keyPrefix prepended to key names in error messages, e.g. {@code "environment."}
     * @throws BadInputException for an unknown type, an unknown key, or a bad value, naming the key
     */
    public static Environment create(String type, Map<String, ?> params, String keyPrefix) {
        String prefix = keyPrefix == null ? "" : keyPrefix;
        Spec spec = spec(type, prefix);
        ParamReader reader = new ParamReader(prefix, params);
        Object inner = reader.raw("type");
        if (inner != null && !type.equals(inner)) {
            throw reader.error("type", "is " + ParamReader.describe(inner) + " but the environment is built as '"
                    + type + "'");
        }
        Environment env = spec.build().apply(reader);
        reader.rejectUnknown(type, spec.params());
        return env;
    }

    /** The parameters of {@code type} with their defaults, shapes and descriptions. */
    public static List<EnvParam> describeParams(String type) {
        return spec(type, DEFAULT_PREFIX).params();
    }

    /** Short help for one type: a heading, then one line per parameter. */
    public static String help(String type) {
        StringBuilder sb = new StringBuilder(type).append(" parameters:\n");
        for (EnvParam p : describeParams(type)) {
            sb.append(p.helpLine()).append('\n');
        }
        return sb.toString();
    }

    /** Help for every type. */
    public static String help() {
        StringBuilder sb = new StringBuilder();
        for (String type : types()) {
            sb.append(help(type));
        }
        return sb.toString();
    }

    private static Spec spec(String type, String prefix) {
        if (type == null) {
            throw new BadInputException(prefix + "type: missing; expected one of " + String.join(", ", types()));
        }
        Spec spec = SPECS.get(type);
        if (spec == null) {
            throw new BadInputException(prefix + "type: unknown environment '" + type + "'; expected one of "
                    + String.join(", ", types()));
        }
        return spec;
    }
}
