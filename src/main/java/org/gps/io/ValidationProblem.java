package org.gps.io;

import java.util.List;
import java.util.Objects;

/**
 * One fault found by {@link RolloutValidator}.
 *
 * @param kind     what is wrong
 * @param column   the column concerned, or null when the fault is not about one column
 * @param message  a sentence naming the column, condition and a few offending keys
 * @param count    how many rows (or keys, trajectories: the message says which) have the fault
 * @param examples up to {@link RolloutValidator#MAX_EXAMPLES} offending keys, e.g.
 *                 "(iteration=0, condition=1, sample=2, t=5)"
 */
public record ValidationProblem(FaultKind kind, String column, String message, long count, List<String> examples) {
    public ValidationProblem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        examples = List.copyOf(examples);
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
