package org.gps.pipeline.steps;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The step lines of {@code gps run} and the step commands: {@code iter 3  trajopt ...} when a step
 * starts and {@code iter 3  trajopt done in 1.45 s} when it ends, each a whole line. A step that
 * fails gets no end line: the command's error is its last line, and a stop by signal must stay the
 * last line even though the step's failure comes after it. The steps of an iteration that a
 * resumed run finds complete share one line, {@code iter 3  sample, fit-dynamics done before}.
 * Without a writer (quiet) nothing is printed.
 */
public final class StepLines {
    private final PrintWriter out;
    private final List<String> doneBefore = new ArrayList<>();
    private int doneBeforeIteration;

    private StepLines(PrintWriter out) {
        this.out = out;
    }

    /** Lines to {@code out}; none when it is null. */
    public static StepLines to(PrintWriter out) {
        return new StepLines(out);
    }

    /** The label of a step of iteration {@code iteration}, e.g. {@code iter 3  trajopt}. */
    public static String label(int iteration, String step) {
        return "iter " + iteration + "  " + step;
    }

    /** Runs {@code body} between the start line and the end line of {@code label}. */
    public <T> T run(String label, Supplier<T> body) {
        endDoneBefore();
        print(label + " ...");
        long start = System.nanoTime();
        T result = body.get();
        print(label + " done in " + seconds((System.nanoTime() - start) / 1e9) + " s");
        return result;
    }

    /** A step whose output a run finds complete: said with the iteration's other such steps before the next line. */
    public void doneBefore(int iteration, String step) {
        if (!doneBefore.isEmpty() && iteration != doneBeforeIteration) {
            endDoneBefore();
        }
        doneBeforeIteration = iteration;
        doneBefore.add(step);
    }

    /** Prints the steps found complete that are not said yet. */
    public void endDoneBefore() {
        if (!doneBefore.isEmpty()) {
            print(label(doneBeforeIteration, String.join(", ", doneBefore)) + " done before");
            doneBefore.clear();
        }
    }

    /** Seconds to two decimals under 10 s, one under 1000 s, none above: a short line at any length. */
    static String seconds(double s) {
        return String.format(Locale.ROOT, s < 9.995 ? "%.2f" : s < 999.95 ? "%.1f" : "%.0f", s);
    }

    private void print(String line) {
        if (out != null) {
            out.println(line);
            out.flush();
        }
    }
}
