package org.gps.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * What {@code gps ingest} accepted and rejected, and why (docs/ingest.md, "The report"). Written as
 * {@value #FILE} inside the output folder and printed by the command.
 *
 * @param input             the source path
 * @param format            csv, jsonl or parquet
 * @param delimiter         the CSV field separator, or null for the other formats
 * @param mapping           the mapping file
 * @param output            the output folder; null when nothing was written (every rollout rejected)
 * @param rowsRead          rows in the source
 * @param rowsAccepted      rows written
 * @param rolloutsRead      distinct rollouts (iteration, condition, rollout id) among the rows whose key could be read
 * @param rolloutsAccepted  rollouts written
 * @param rowsWithoutRollout rejected rows whose iteration, condition or rollout id could not be read, so that
 *                          they belong to no rollout
 * @param dX                state size (-1 when unknown)
 * @param dU                action size
 * @param dO                observation size
 * @param hasCost           whether the mapping gives a cost or reward column
 * @param conditions        the accepted rollouts per condition
 * @param rowFaults         rejected rows per reason (the first fault found in the row)
 * @param rolloutFaults     rejected rollouts per reason
 * @param labelsFile        the condition labels file the mapping names, or null when the condition
 *                          column holds indices
 * @param newLabels         the labels this ingest added to that file, in index order
 */
public record IngestReport(String input, String format, String delimiter, String mapping, String output, long rowsRead,
                           long rowsAccepted, long rolloutsRead, long rolloutsAccepted, long rowsWithoutRollout,
                           int dX, int dU, int dO, boolean hasCost, List<ConditionCount> conditions,
                           List<Fault> rowFaults, List<Fault> rolloutFaults, String labelsFile,
                           List<String> newLabels) {

    /** Name of the report file in the output folder (a leading underscore hides it from Parquet readers). */
    public static final String FILE = "_ingest_report.json";

    public IngestReport {
        conditions = List.copyOf(conditions);
        rowFaults = List.copyOf(rowFaults);
        rolloutFaults = List.copyOf(rolloutFaults);
        newLabels = List.copyOf(newLabels);
    }

    /**
     * Accepted rollouts of one condition, all of length T.
     *
     * @param label the condition's text label, or null when the log gives indices
     */
    public record ConditionCount(int condition, String label, long rollouts, int T, long rows) {
    }

    /**
     * @param reason   a {@link FaultKind} name
     * @param count    rows (row faults) or rollouts (rollout faults) with this reason
     * @param rows     rows concerned (for rollout faults, the rows of those rollouts)
     * @param examples up to {@link RolloutIngest#MAX_EXAMPLES}, naming the source file and the row or rollout
     */
    public record Fault(String reason, long count, long rows, List<String> examples) {
        public Fault {
            examples = List.copyOf(examples);
        }
    }

    public IngestReport withOutput(String out) {
        return new IngestReport(input, format, delimiter, mapping, out, rowsRead, rowsAccepted, rolloutsRead,
                rolloutsAccepted, rowsWithoutRollout, dX, dU, dO, hasCost, conditions, rowFaults, rolloutFaults,
                labelsFile, newLabels);
    }

    public long rowsRejected() {
        return rowsRead - rowsAccepted;
    }

    public long rolloutsRejected() {
        return rolloutsRead - rolloutsAccepted;
    }

    /** The count of one row-fault reason, 0 when absent. */
    public long rowFaultCount(FaultKind kind) {
        return rowFaults.stream().filter(f -> f.reason().equals(kind.name())).mapToLong(Fault::count).sum();
    }

    /** The count of one rollout-fault reason, 0 when absent. */
    public long rolloutFaultCount(FaultKind kind) {
        return rolloutFaults.stream().filter(f -> f.reason().equals(kind.name())).mapToLong(Fault::count).sum();
    }

    /**
     * The reason that rejected the most rows, with its first example: what a user fixes first
     * when nothing passed. Empty when nothing was rejected.
     */
    public java.util.Optional<String> mainReason() {
        Fault best = null;
        long bestRows = -1;
        for (Fault f : rowFaults) {
            if (f.rows() > bestRows) {
                best = f;
                bestRows = f.rows();
            }
        }
        for (Fault f : rolloutFaults) {
            // A rollout fault caused by a bad row repeats that row's reason: the row's example is the sharper one.
            if (f.rows() > bestRows && rowFaults.stream().noneMatch(r -> r.reason().equals(f.reason()))) {
                best = f;
                bestRows = f.rows();
            }
        }
        if (best == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(best.reason() + " (" + bestRows + (bestRows == 1 ? " row" : " rows") + ")"
                + (best.examples().isEmpty() ? "" : ", e.g. " + best.examples().get(0)));
    }

    public String toJson() {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("format", "gps-ingest-report");
        root.put("version", 1);
        root.put("input", input);
        root.put("input_format", format);
        if (delimiter != null) {
            root.put("delimiter", delimiter);
        }
        root.put("mapping", mapping);
        if (output == null) {
            root.putNull("output");
        } else {
            root.put("output", output);
        }
        ObjectNode rows = root.putObject("rows");
        rows.put("read", rowsRead);
        rows.put("accepted", rowsAccepted);
        rows.put("rejected", rowsRejected());
        rows.put("without_rollout", rowsWithoutRollout);
        ObjectNode rollouts = root.putObject("rollouts");
        rollouts.put("read", rolloutsRead);
        rollouts.put("accepted", rolloutsAccepted);
        rollouts.put("rejected", rolloutsRejected());
        root.put("dX", dX);
        root.put("dU", dU);
        root.put("dO", dO);
        root.put("cost", hasCost);
        ArrayNode conds = root.putArray("conditions");
        for (ConditionCount c : conditions) {
            ObjectNode n = conds.addObject();
            n.put("condition", c.condition());
            if (c.label() != null) {
                n.put("label", c.label());
            }
            n.put("rollouts", c.rollouts());
            n.put("T", c.T());
            n.put("rows", c.rows());
        }
        if (labelsFile != null) {
            ObjectNode labels = root.putObject("condition_labels");
            labels.put("file", labelsFile);
            ArrayNode added = labels.putArray("new");
            newLabels.forEach(added::add);
        }
        faults(root.putArray("rejected_rows"), rowFaults, false);
        faults(root.putArray("rejected_rollouts"), rolloutFaults, true);
        try {
            return m.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void faults(ArrayNode into, List<Fault> faults, boolean withRows) {
        for (Fault f : faults) {
            ObjectNode n = into.addObject();
            n.put("reason", f.reason());
            n.put("count", f.count());
            if (withRows) {
                n.put("rows", f.rows());
            }
            ArrayNode ex = n.putArray("examples");
            f.examples().forEach(ex::add);
        }
    }

    /** The summary the command prints. */
    public String format() {
        StringBuilder b = new StringBuilder();
        String sep = delimiter == null || delimiter.equals(",") ? ""
                : delimiter.equals("\t") ? ", tab-separated" : ", '" + delimiter + "'-separated";
        b.append("Ingest of ").append(input).append(" (").append(format).append(sep).append(", mapping ").append(mapping)
                .append(")\n");
        b.append(String.format(Locale.ROOT, "  read: %d rows, %d rollouts%n", rowsRead, rolloutsRead));
        b.append(String.format(Locale.ROOT,
                "  accepted: %d rollouts (%d rows) in %d condition(s); dX %d, dU %d, dO %d, cost %s%n",
                rolloutsAccepted, rowsAccepted, conditions.size(), dX, dU, dO, hasCost ? "yes" : "no"));
        for (ConditionCount c : conditions) {
            b.append(String.format(Locale.ROOT, "    condition %d%s: %d rollouts, T %d%n", c.condition(),
                    c.label() == null ? "" : " (" + c.label() + ")", c.rollouts(), c.T()));
        }
        if (labelsFile != null) {
            b.append("  condition labels: ").append(labelsFile).append(newLabels.isEmpty() ? ", no new label"
                    : ", new: " + String.join(", ", newLabels)).append('\n');
        }
        b.append(String.format(Locale.ROOT, "  rejected: %d rollouts, %d rows (%d of them in no rollout)%n",
                rolloutsRejected(), rowsRejected(), rowsWithoutRollout));
        if (!rowFaults.isEmpty()) {
            b.append("  rejected rows by reason (the first fault of each row):\n");
            for (Fault f : rowFaults) {
                b.append("    ").append(f.reason()).append(": ").append(f.count()).append(f.count() == 1 ? " row" : " rows");
                examples(b, f);
            }
        }
        if (!rolloutFaults.isEmpty()) {
            b.append("  rejected rollouts by reason:\n");
            for (Fault f : rolloutFaults) {
                b.append("    ").append(f.reason()).append(": ").append(f.count())
                        .append(f.count() == 1 ? " rollout" : " rollouts").append(" (").append(f.rows()).append(" rows)");
                examples(b, f);
            }
        }
        b.append(output == null ? "  nothing written\n" : "  written to " + output + " (report: " + FILE + ")\n");
        return b.toString();
    }

    private static void examples(StringBuilder b, Fault f) {
        if (f.examples().isEmpty()) {
            b.append('\n');
            return;
        }
        b.append("; e.g.\n");
        for (String e : f.examples()) {
            b.append("      ").append(e).append('\n');
        }
    }
}
