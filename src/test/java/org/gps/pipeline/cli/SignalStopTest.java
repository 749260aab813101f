package org.gps.pipeline.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stop's line is the console's last even while the main thread keeps printing step lines:
 * standard output passes through a gate that closes as the line is said.
 */
class SignalStopTest {
    @Test
    void nothingPrintedThroughTheGateFollowsTheClosingWordsAndNoLineIsCut() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SignalStop.OutputGate gate = new SignalStop.OutputGate(console);
        PrintStream out = new PrintStream(gate, true, StandardCharsets.UTF_8);
        AtomicBoolean printing = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(1000);
        Thread steps = new Thread(() -> {
            for (int i = 0; printing.get(); i++) {
                out.println("iter " + i + "  sample ...");
                started.countDown();
            }
        });
        steps.start();
        started.await();
        gate.close(() -> console.writeBytes("gps run: stopped by signal\n".getBytes(StandardCharsets.UTF_8)));
        // The step thread goes on printing for a while after the stop, as the main thread of a run does.
        Thread.sleep(20);
        printing.set(false);
        steps.join();

        List<String> lines = console.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("gps run: stopped by signal", lines.get(lines.size() - 1));
        assertTrue(lines.size() > 1000, "the lines before the stop pass: " + lines.size());
        for (int i = 0; i < lines.size() - 1; i++) {
            assertEquals("iter " + i + "  sample ...", lines.get(i), "line " + i + " whole and in order");
        }
    }

    @Test
    void aLineTheClosingInterruptsIsEndedBeforeTheClosingWords() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SignalStop.OutputGate gate = new SignalStop.OutputGate(console);
        PrintStream out = new PrintStream(gate, true, StandardCharsets.UTF_8);
        out.print("iter 3  trajopt ...");
        gate.close(() -> console.writeBytes("stopped\n".getBytes(StandardCharsets.UTF_8)));
        out.println();
        assertEquals("iter 3  trajopt ...\nstopped\n", console.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anOpenGatePassesEveryByte() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new SignalStop.OutputGate(console), true, StandardCharsets.UTF_8);
        out.print("a");
        out.println("é line");
        assertEquals("aé line" + System.lineSeparator(), console.toString(StandardCharsets.UTF_8));
    }
}
