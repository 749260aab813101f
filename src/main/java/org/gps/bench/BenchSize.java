package org.gps.bench;

import org.gps.core.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * One problem size of the benchmarks (the sizes of docs/benchmarks.md): M conditions, N samples per
 * condition, horizon T, state and action sizes.
 */
public record BenchSize(String name, int conditions, int samples, int horizon, int stateDim, int actionDim) {
    public static final BenchSize SMALL = new BenchSize("small", 4, 5, 100, 3, 1);
    public static final BenchSize MEDIUM = new BenchSize("medium", 8, 20, 100, 26, 7);
    public static final BenchSize LARGE = new BenchSize("large", 16, 40, 200, 26, 7);

    public BenchSize {
        if (conditions < 1 || samples < 1 || horizon < 2 || stateDim < 1 || actionDim < 1) {
            throw new IllegalArgumentException("benchmark size needs M, N, dX, dU >= 1 and T >= 2, got " + conditions
                    + ", " + samples + ", " + horizon + ", " + stateDim + ", " + actionDim);
        }
    }

    /** Time steps over all rollouts, M N T. */
    public long rows() {
        return (long) conditions * samples * horizon;
    }

    /** The named sizes of a comma-separated list such as {@code small,medium,large}. */
    public static List<BenchSize> parse(String list) {
        List<BenchSize> out = new ArrayList<>();
        for (String s : list.split(",")) {
            String name = s.trim().toLowerCase(java.util.Locale.ROOT);
            out.add(switch (name) {
                case "small" -> SMALL;
                case "medium" -> MEDIUM;
                case "large" -> LARGE;
                default -> throw new BadInputException("--sizes: unknown size '" + s.trim()
                        + "', expected a comma-separated list of small, medium, large");
            });
        }
        return out;
    }

    public String describe() {
        return "M=" + conditions + ", N=" + samples + ", T=" + horizon + ", dX=" + stateDim + ", dU=" + actionDim;
    }
}
