package org.gps.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the driver's wall time goes, by named phase, iteration by iteration ({@code gps run --profile}).
 *
 * <p>A profile is installed on the thread that runs the loop; code anywhere below (pipeline steps, the
 * Spark layer) marks a phase with {@code try (Scope s = PhaseProfile.enter("c_step")) {...}}, which is
 * a no-op when no profile is installed on the calling thread, so the marks cost a thread-local read
 * and change nothing. Phases do not nest: a phase entered while another is open is absorbed by it
 * (the open phase keeps that time, its Spark jobs and its counters). So the phases of an iteration
 * never overlap, and what no phase covers is reported as {@link #OTHER}: the phases add up to the
 * iteration's wall time. A helper that marks itself (a file read as {@code io}) is thereby counted
 * on its own when called between phases and as part of the caller's phase when called inside one.
 *
 * <p>Spark jobs are counted by a listener on job start: each job carries the phase open on the
 * submitting thread as a local property. The listener hears jobs asynchronously, so
 * {@link #endIteration} waits for Spark's listener bus to drain before it reads the counts.
 *
 * <p>Driver-only: the marks of other threads are ignored; the listener's counts are the only state
 * shared with another thread, and they are concurrent maps.
 */
public final class PhaseProfile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PhaseProfile.class);
    /** The remainder of an iteration's wall time that no phase covers. */
    public static final String OTHER = "other";
    /** Reading and writing the run directory's files, where that is a step of its own. */
    public static final String IO = "io";
    /** The Spark local property that names the open phase of a profiled thread, for the job listener. */
    static final String JOB_PROPERTY = "gps.profile.phase";
    private static final long LISTENER_DRAIN_MILLIS = 10_000;
    private static final ThreadLocal<PhaseProfile> CURRENT = new ThreadLocal<>();
    private static final AtomicInteger PROFILES = new AtomicInteger();
    private static final Scope NONE = new Scope(null);

    private final SparkContext sc;
    private final Thread owner;
    private final String tagPrefix;
    private final double sessionStartSeconds;
    private final long createdNanos;
    private final SparkListener listener;
    private final Scope opened = new Scope(this);
    // A mark inside an open phase: closing it leaves that phase open.
    private final Scope absorbed = new Scope(null);
    private final Map<String, AtomicLong> jobsByTag = new ConcurrentHashMap<>();
    private final List<Iteration> iterations = new ArrayList<>();
    private Double setupSeconds;
    private long lastIterationEndNanos = -1;
    // The open iteration and phase (owner thread only).
    private int iteration = -1;
    private long iterationStartNanos;
    private Map<String, Accumulator> phases;
    private String openPhase;
    private long openSinceNanos;

    private PhaseProfile(SparkContext sc) {
        this.sc = sc;
        this.owner = Thread.currentThread();
        this.tagPrefix = "p" + PROFILES.incrementAndGet() + "/";
        // JVM start to the session being ready: launch, class loading, SparkContext and SparkSession.
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        this.sessionStartSeconds = Math.max(0, System.currentTimeMillis() - jvmStart) / 1e3;
        this.createdNanos = System.nanoTime();
        this.listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String tag = start.properties() == null ? null : start.properties().getProperty(JOB_PROPERTY);
                if (tag != null && tag.startsWith(tagPrefix)) {
                    jobsByTag.computeIfAbsent(tag, t -> new AtomicLong()).incrementAndGet();
                }
            }
        };
        sc.addSparkListener(listener);
    }

    /**
     * Starts profiling on the calling thread; call it as soon as the session is ready, since the
     * session start is measured from the JVM's start to this call.
     *
     * @throws IllegalStateException when the thread is already profiled
     */
    public static PhaseProfile start(SparkContext sc) {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("this thread is already profiled");
        }
        PhaseProfile p = new PhaseProfile(sc);
        CURRENT.set(p);
        return p;
    }

    /** An open phase; closing it ends the phase. */
    public static final class Scope implements AutoCloseable {
        private final PhaseProfile profile;

        private Scope(PhaseProfile profile) {
            this.profile = profile;
        }

        /** Adds {@code n} to a counter of the phase this mark falls in (for an absorbed mark, the open phase). */
        public void count(String counter, long n) {
            PhaseProfile p = CURRENT.get();
            if (p != null && p.openPhase != null) {
                p.phases.get(p.openPhase).counters.merge(counter, n, Long::sum);
            }
        }

        @Override
        public void close() {
            if (profile != null) {
                profile.exit();
            }
        }
    }

    /**
     * Opens phase {@code name} on the calling thread's profile; a no-op scope when the thread is not
     * profiled, no iteration is open, or another phase is open (then that one keeps the time).
     */
    public static Scope enter(String name) {
        PhaseProfile p = CURRENT.get();
        if (p == null || p.phases == null) {
            return NONE;
        }
        if (p.openPhase != null) {
            return p.absorbed;
        }
        if (OTHER.equals(name)) {
            throw new IllegalArgumentException("'" + OTHER + "' is the remainder, not a phase to enter");
        }
        p.openPhase = name;
        p.phases.computeIfAbsent(name, n -> new Accumulator()).calls++;
        p.sc.setLocalProperty(JOB_PROPERTY, p.tag(name));
        p.openSinceNanos = System.nanoTime();
        return p.opened;
    }

    private void exit() {
        if (openPhase == null) {
            return;
        }
        long now = System.nanoTime();
        phases.get(openPhase).nanos += now - openSinceNanos;
        openPhase = null;
        sc.setLocalProperty(JOB_PROPERTY, tag(OTHER));
    }

    private String tag(String phase) {
        return tagPrefix + iteration + "/" + phase;
    }

    /** Opens iteration {@code i}: its clock starts now. */
    public void beginIteration(int i) {
        requireOwner();
        if (phases != null) {
            throw new IllegalStateException("iteration " + iteration + " is still open");
        }
        long now = System.nanoTime();
        if (setupSeconds == null) {
            setupSeconds = (now - createdNanos) / 1e9;
        }
        iteration = i;
        iterationStartNanos = now;
        phases = new LinkedHashMap<>();
        sc.setLocalProperty(JOB_PROPERTY, tag(OTHER));
    }

    /** Closes the open iteration (a phase still open ends here) and returns its profile. */
    public Iteration endIteration() {
        requireOwner();
        if (phases == null) {
            throw new IllegalStateException("no iteration is open");
        }
        if (openPhase != null) {
            exit();
        }
        long end = System.nanoTime();
        sc.setLocalProperty(JOB_PROPERTY, null);
        drainListener();
        double total = (end - iterationStartNanos) / 1e9;
        List<Phase> out = new ArrayList<>();
        long covered = 0;
        for (Map.Entry<String, Accumulator> e : phases.entrySet()) {
            Accumulator a = e.getValue();
            covered += a.nanos;
            out.add(new Phase(e.getKey(), a.nanos / 1e9, a.calls, jobs(e.getKey()), a.counters));
        }
        out.add(new Phase(OTHER, (end - iterationStartNanos - covered) / 1e9, 0, jobs(OTHER), Map.of()));
        Iteration it = new Iteration(iteration, total, out, iterations.isEmpty()
                ? new Startup(sessionStartSeconds, setupSeconds) : null);
        iterations.add(it);
        phases = null;
        lastIterationEndNanos = end;
        return it;
    }

    private long jobs(String phase) {
        AtomicLong n = jobsByTag.get(tag(phase));
        return n == null ? 0 : n.get();
    }

    private void drainListener() {
        try {
            sc.listenerBus().waitUntilEmpty(LISTENER_DRAIN_MILLIS);
        } catch (TimeoutException e) {
            LOG.warn("profile: Spark's listener bus did not drain in {} ms; the Spark job counts of iteration {} may "
                    + "be short", LISTENER_DRAIN_MILLIS, iteration);
        }
    }

    private void requireOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a profile is driven from the thread that started it");
        }
    }

    /** Stops profiling on this thread and removes the job listener. */
    @Override
    public void close() {
        if (Thread.currentThread() == owner && CURRENT.get() == this) {
            CURRENT.remove();
            sc.setLocalProperty(JOB_PROPERTY, null);
        }
        sc.removeSparkListener(listener);
    }

    private static final class Accumulator {
        long nanos;
        int calls;
        final Map<String, Long> counters = new TreeMap<>();
    }

    /**
     * One phase of an iteration.
     *
     * @param calls     how often it was entered ({@link #OTHER}: 0)
     * @param sparkJobs the Spark jobs started while it was open
     * @param counters  what the phase counted (e.g. {@code lbfgs_iterations}), by name
     */
    public record Phase(String name, double seconds, int calls, long sparkJobs, Map<String, Long> counters) {
        public Phase {
            counters = Collections.unmodifiableMap(new TreeMap<>(counters));
        }
    }

    /** What came before the first iteration a profile saw: the session start and the run's set-up. */
    public record Startup(double sessionStartSeconds, double setupSeconds) {
    }

    /**
     * One iteration's profile: its phases in the order they first ran, {@link #OTHER} last, adding
     * up to {@code totalSeconds}.
     *
     * @param startup what came before it, for the first iteration a profile saw; else null
     */
    public record Iteration(int iteration, double totalSeconds, List<Phase> phases, Startup startup) {
        public Iteration {
            phases = List.copyOf(phases);
        }

        /** The {@code iter=I/profile.json} document (docs/formats.md). */
        public String toJson(boolean resumed) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("iteration", iteration);
            root.put("total_seconds", totalSeconds);
            root.put("resumed", resumed);
            ArrayNode arr = root.putArray("phases");
            for (Phase p : phases) {
                ObjectNode n = arr.addObject();
                n.put("phase", p.name());
                n.put("seconds", p.seconds());
                n.put("calls", p.calls());
                n.put("spark_jobs", p.sparkJobs());
                p.counters().forEach(n::put);
            }
            if (startup != null) {
                ObjectNode s = root.putObject("startup");
                s.put("session_start_seconds", startup.sessionStartSeconds());
                s.put("setup_seconds", startup.setupSeconds());
            }
            return root.toPrettyString();
        }
    }

    /**
     * The summary table of everything profiled so far: the session start and set-up, every phase
     * over the iterations (total seconds, share of the whole, median seconds per iteration, Spark
     * jobs and counters), and the time since the last iteration ended ({@code after_loop}).
     */
    public String table() {
        double after = lastIterationEndNanos < 0 ? 0 : (System.nanoTime() - lastIterationEndNanos) / 1e9;
        Set<String> names = new LinkedHashSet<>();
        iterations.forEach(it -> it.phases().forEach(p -> {
            if (!p.name().equals(OTHER)) {
                names.add(p.name());
            }
        }));
        names.add(OTHER);
        double setup = setupSeconds == null ? 0 : setupSeconds;
        double whole = sessionStartSeconds + setup + after
                + iterations.stream().mapToDouble(Iteration::totalSeconds).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "profile: %d iteration(s), %.1f s from JVM start (wall clock; median per iteration over these)%n",
                iterations.size(), whole));
        sb.append(String.format(Locale.ROOT, "%-22s %10s %7s %12s %10s  %s%n", "phase", "total_s", "share",
                "median_s/it", "spark_jobs", "counts"));
        row(sb, "session_start", sessionStartSeconds, whole, null, null, Map.of());
        row(sb, "setup", setup, whole, null, null, Map.of());
        for (String name : names) {
            double[] per = new double[iterations.size()];
            long jobs = 0;
            Map<String, Long> counters = new TreeMap<>();
            for (int i = 0; i < per.length; i++) {
                for (Phase p : iterations.get(i).phases()) {
                    if (p.name().equals(name)) {
                        per[i] += p.seconds();
                        jobs += p.sparkJobs();
                        p.counters().forEach((k, v) -> counters.merge(k, v, Long::sum));
                    }
                }
            }
            row(sb, name, Arrays.stream(per).sum(), whole, median(per), jobs, counters);
        }
        row(sb, "after_loop", after, whole, null, null, Map.of());
        double[] totals = iterations.stream().mapToDouble(Iteration::totalSeconds).toArray();
        row(sb, "total", whole, whole, median(totals), null, Map.of());
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, double seconds, double whole, Double median, Long jobs,
                            Map<String, Long> counters) {
        StringBuilder c = new StringBuilder();
        counters.forEach((k, v) -> c.append(c.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        sb.append(String.format(Locale.ROOT, "%-22s %10.2f %6.1f%% %12s %10s  %s%n", name, seconds,
                whole > 0 ? 100 * seconds / whole : 0, median == null || median.isNaN() ? "-"
                        : String.format(Locale.ROOT, "%.2f", median), jobs == null ? "-" : jobs.toString(), c));
    }

    /** The median, NaN for none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
