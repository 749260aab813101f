package org.gps.pipeline.steps;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lines a step prints when it starts and ends. */
class StepLinesTest {
    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text);

    private List<String> lines() {
        return text.toString().lines().toList();
    }

    @Test
    void theStartLineIsPrintedBeforeTheStepRunsAndTheEndLineAfterWithItsTime() {
        StepLines steps = StepLines.to(out);
        String result = steps.run(StepLines.label(3, "trajopt"), () -> {
            // The start line is out before the step does anything.
            assertEquals(List.of("iter 3  trajopt ..."), lines());
            return "state";
        });
        assertEquals("state", result);
        assertEquals(2, lines().size(), text.toString());
        assertTrue(lines().get(1).matches("iter 3  trajopt done in \\d\\.\\d\\d s"), lines().get(1));
    }

    @Test
    void aFailedStepGetsNoEndLineSoTheErrorIsTheLastLine() {
        StepLines steps = StepLines.to(out);
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> steps.run("init", () -> {
            throw boom;
        })));
        assertEquals(List.of("init ..."), lines());
    }

    @Test
    void stepsFoundCompleteShareOneLinePerIteration() {
        StepLines steps = StepLines.to(out);
        steps.doneBefore(0, "sample");
        steps.doneBefore(0, "fit-dynamics");
        steps.doneBefore(1, "sample");
        steps.run(StepLines.label(1, "fit-dynamics"), () -> null);
        assertEquals("iter 0  sample, fit-dynamics done before", lines().get(0));
        assertEquals("iter 1  sample done before", lines().get(1));
        assertEquals("iter 1  fit-dynamics ...", lines().get(2));
        assertEquals(4, lines().size(), text.toString());
    }

    @Test
    void withoutAWriterNothingIsPrintedAndTheStepStillRuns() {
        StepLines steps = StepLines.to(null);
        steps.doneBefore(0, "sample");
        assertEquals(7, steps.run("init", () -> 7));
        steps.endDoneBefore();
    }

    @Test
    void secondsKeepTwoToThreeSignificantDigits() {
        assertEquals("0.14", StepLines.seconds(0.141));
        assertEquals("9.99", StepLines.seconds(9.99));
        assertEquals("10.0", StepLines.seconds(9.996));
        assertEquals("95.3", StepLines.seconds(95.31));
        assertEquals("1234", StepLines.seconds(1234.4));
    }
}
