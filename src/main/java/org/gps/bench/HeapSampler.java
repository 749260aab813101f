package org.gps.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Highest used heap seen while it runs, sampled every few milliseconds from a daemon thread. In
 * local mode the executors share the driver's JVM, so this is driver plus executor memory. The
 * figure includes garbage not yet collected, so it says how much heap the step needs to run
 * without extra collections, not its live data.
 */
public final class HeapSampler implements AutoCloseable {
    private static final long PERIOD_MS = 5;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    private HeapSampler() {
        sample();
        thread = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    public static HeapSampler start() {
        return new HeapSampler();
    }

    private void sample() {
        long used = memory.getHeapMemoryUsage().getUsed();
        if (used > peak) {
            peak = used;
        }
    }

    /** Peak used heap in bytes so far. */
    public long peakBytes() {
        sample();
        return peak;
    }

    /** The heap limit (-Xmx), bytes. */
    public static long maxBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
