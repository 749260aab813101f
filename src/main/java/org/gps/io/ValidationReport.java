package org.gps.io;

import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@link RolloutValidator} found about one dataset: all the faults (not just the
 * first), and its dimensions when it could be read.
 */
public final class ValidationReport {
    private final String path;
    private final int version;
    private final List<ValidationProblem> problems;
    private final DatasetSummary summary;

    /** @param version the schema version the dataset was read as */
    public ValidationReport(String path, int version, List<ValidationProblem> problems, DatasetSummary summary) {
        this.path = path;
        this.version = version;
        this.problems = List.copyOf(problems);
        this.summary = summary;
    }

    public String path() {
        return path;
    }

    /**
     * The schema version the dataset was read as: its sidecar's; without one, 1 when it has no
     * u_applied column and the newest when it has; the newest when it could not be read.
     */
    public int version() {
        return version;
    }

    /** True when no fault was found. */
    public boolean isValid() {
        return problems.isEmpty();
    }

    /** Every fault found, in the order the checks ran (file, schema, rows, keys, trajectories). */
    public List<ValidationProblem> problems() {
        return problems;
    }

    /** The distinct kinds among {@link #problems()}. */
    public Set<FaultKind> kinds() {
        Set<FaultKind> k = EnumSet.noneOf(FaultKind.class);
        problems.forEach(p -> k.add(p.kind()));
        return k;
    }

    public List<ValidationProblem> problemsOf(FaultKind kind) {
        return problems.stream().filter(p -> p.kind() == kind).toList();
    }

    /** Dimensions and counts; empty when the dataset could not be read or has no usable key columns. */
    public Optional<DatasetSummary> summary() {
        return Optional.ofNullable(summary);
    }

    /** A human-readable report, one fault per paragraph, for the command line. */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append("Rollout dataset ").append(path).append(" (schema v").append(version).append("): ");
        b.append(isValid() ? "valid" : problems.size() + (problems.size() == 1 ? " problem" : " problems")).append('\n');
        if (summary != null) {
            DatasetSummary s = summary;
            b.append(String.format(Locale.ROOT, "  rows %d, trajectories %d, dX %s, dU %s, dO %s, cost %s, "
                            + "u_applied %s, completion marker %s%n", s.rows(), s.trajectories(), dim(s.dX()),
                    dim(s.dU()), dim(s.dO()), s.hasCost() ? "yes" : "no", applied(s), s.complete() ? "yes" : "no"));
            for (DatasetSummary.ConditionSummary c : s.conditions()) {
                b.append(String.format(Locale.ROOT,
                        "  condition %d: T %d, %d trajectories over %d iteration(s), %d rows%n", c.condition(), c.T(),
                        c.trajectories(), c.iterations(), c.rows()));
            }
            if (!s.sources().isEmpty()) {
                b.append("  sources: ");
                s.sources().entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                                .thenComparing(Map.Entry.comparingByKey(Comparator.nullsFirst(Comparator.naturalOrder()))))
                        .forEach(e -> b.append(e.getKey()).append(" (").append(e.getValue()).append(" rows) "));
                b.setLength(b.length() - 1);
                b.append('\n');
            }
        }
        for (ValidationProblem p : problems) {
            b.append("  ").append(p.kind()).append(": ").append(p.message()).append('\n');
        }
        return b.toString();
    }

    /** Whether the fits could use the applied actions: they need them in every row. */
    private static String applied(DatasetSummary s) {
        return s.appliedRows() == s.rows() ? "yes" : s.appliedRows() == 0 ? "no" : "in " + s.appliedRows() + " rows";
    }

    private static String dim(int d) {
        return d < 0 ? "?" : Integer.toString(d);
    }

    @Override
    public String toString() {
        return format();
    }
}
