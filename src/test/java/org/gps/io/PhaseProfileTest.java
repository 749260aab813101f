package org.gps.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.gps.spark.SparkTestSession;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhaseProfileTest {
    private static SparkContext sc() {
        return SparkTestSession.get().sparkContext();
    }

    private static void oneJob() {
        JavaSparkContext.fromSparkContext(sc()).parallelize(List.of(1, 2, 3), 2).count();
    }

    private static Map<String, PhaseProfile.Phase> byName(PhaseProfile.Iteration it) {
        Map<String, PhaseProfile.Phase> m = new TreeMap<>();
        it.phases().forEach(p -> m.put(p.name(), p));
        return m;
    }

    @Test
    void eachSparkJobIsCountedForThePhaseOpenWhenItStartedAndTheRestForOther() {
        PhaseProfile.Iteration it;
        try (PhaseProfile profile = PhaseProfile.start(sc())) {
            profile.beginIteration(4);
            try (PhaseProfile.Scope a = PhaseProfile.enter("a")) {
                oneJob();
                oneJob();
            }
            oneJob();
            try (PhaseProfile.Scope b = PhaseProfile.enter("b")) {
                oneJob();
                // Inside b: absorbed, so its job is b's and a is not entered again.
                try (PhaseProfile.Scope inner = PhaseProfile.enter("a")) {
                    oneJob();
                }
            }
            it = profile.endIteration();
        }
        Map<String, PhaseProfile.Phase> p = byName(it);
        assertEquals(4, it.iteration());
        assertEquals(List.of("a", "b", PhaseProfile.OTHER), it.phases().stream().map(PhaseProfile.Phase::name).toList());
        assertEquals(2, p.get("a").sparkJobs());
        assertEquals(1, p.get("a").calls());
        assertEquals(2, p.get("b").sparkJobs());
        assertEquals(1, p.get("b").calls());
        assertEquals(1, p.get(PhaseProfile.OTHER).sparkJobs());
    }

    @Test
    void jobsAfterTheProfileClosedCarryNoPhaseAndNothingIsMarkedWithoutAProfile() {
        try (PhaseProfile profile = PhaseProfile.start(sc())) {
            profile.beginIteration(0);
            PhaseProfile.enter("a").close();
            profile.endIteration();
        }
        assertNull(sc().getLocalProperty(PhaseProfile.JOB_PROPERTY));
        try (PhaseProfile.Scope s = PhaseProfile.enter("a")) {
            s.count("n", 1);
            assertNull(sc().getLocalProperty(PhaseProfile.JOB_PROPERTY), "no profile on this thread: no mark");
        }
    }

    @Test
    void phasesNeverOverlapAndWithOtherAddUpToTheIterationsWallTime() throws Exception {
        PhaseProfile.Iteration it;
        try (PhaseProfile profile = PhaseProfile.start(sc())) {
            profile.beginIteration(0);
            try (PhaseProfile.Scope a = PhaseProfile.enter("a")) {
                Thread.sleep(40);
                try (PhaseProfile.Scope b = PhaseProfile.enter("b")) {
                    Thread.sleep(40);
                }
            }
            Thread.sleep(40);
            try (PhaseProfile.Scope c = PhaseProfile.enter("c")) {
                Thread.sleep(20);
            }
            it = profile.endIteration();
        }
        Map<String, PhaseProfile.Phase> p = byName(it);
        assertFalse(p.containsKey("b"), "b was opened inside a: a's time");
        // Sleeps last about as long as asked (1 ms early at most, the timer's granularity); a is both
        // sleeps, not 40 ms with b's carved out. The upper bound leaves half a second to a busy machine.
        assertTrue(p.get("a").seconds() >= 0.079 && p.get("a").seconds() < 0.080 + 0.5, "a " + p.get("a"));
        assertTrue(p.get("c").seconds() >= 0.019, "c " + p.get("c"));
        assertTrue(p.get(PhaseProfile.OTHER).seconds() >= 0.039, "other " + p.get(PhaseProfile.OTHER));
        double sum = it.phases().stream().mapToDouble(PhaseProfile.Phase::seconds).sum();
        // Other is the remainder, so the only difference is the rounding of adding seconds.
        assertEquals(it.totalSeconds(), sum, 1e-9);
        assertTrue(it.totalSeconds() >= 0.137, "total " + it.totalSeconds());
    }

    @Test
    void countsGoToThePhaseTheMarkFallsIn() {
        PhaseProfile.Iteration it;
        try (PhaseProfile profile = PhaseProfile.start(sc())) {
            profile.beginIteration(0);
            try (PhaseProfile.Scope s = PhaseProfile.enter("s_step")) {
                s.count("lbfgs_iterations", 7);
                try (PhaseProfile.Scope inner = PhaseProfile.enter("c_step")) {
                    inner.count("dual_search_rounds", 3);
                }
                s.count("lbfgs_iterations", 5);
            }
            it = profile.endIteration();
        }
        assertEquals(Map.of("lbfgs_iterations", 12L, "dual_search_rounds", 3L), byName(it).get("s_step").counters());
    }

    @Test
    void theFirstIterationCarriesTheStartupAndTheJsonListsEveryPhase() throws Exception {
        PhaseProfile.Iteration first;
        PhaseProfile.Iteration second;
        String table;
        try (PhaseProfile profile = PhaseProfile.start(sc())) {
            profile.beginIteration(0);
            try (PhaseProfile.Scope s = PhaseProfile.enter("s_step")) {
                s.count("lbfgs_iterations", 2);
                oneJob();
            }
            first = profile.endIteration();
            profile.beginIteration(1);
            second = profile.endIteration();
            table = profile.table();
        }
        assertNull(second.startup());
        JsonNode j = new ObjectMapper().readTree(first.toJson(false));
        assertEquals(0, j.get("iteration").asInt());
        assertFalse(j.get("resumed").asBoolean());
        assertTrue(j.get("startup").get("session_start_seconds").asDouble() > 0, "the JVM started before the profile");
        JsonNode s = j.get("phases").get(0);
        assertEquals("s_step", s.get("phase").asText());
        assertEquals(1, s.get("calls").asInt());
        assertEquals(1, s.get("spark_jobs").asLong());
        assertEquals(2, s.get("lbfgs_iterations").asLong());
        assertEquals(PhaseProfile.OTHER, j.get("phases").get(1).get("phase").asText());
        for (String row : new String[] {"session_start", "setup", "s_step", "other", "after_loop", "total"}) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith(row + " ")), row + " in\n" + table);
        }
        assertTrue(table.lines().anyMatch(l -> l.startsWith("s_step") && l.contains("lbfgs_iterations 2")), table);
    }

    @Test
    void theProfileIsDrivenFromItsOwnThreadAndOneIterationAtATime() throws Exception {
        try (PhaseProfile profile = PhaseProfile.start(sc())) {
            assertThrows(IllegalStateException.class, () -> PhaseProfile.start(sc()));
            assertThrows(IllegalStateException.class, profile::endIteration);
            profile.beginIteration(0);
            assertThrows(IllegalStateException.class, () -> profile.beginIteration(1));
            Throwable[] seen = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    profile.endIteration();
                } catch (Throwable e) {
                    seen[0] = e;
                }
            });
            t.start();
            t.join();
            assertTrue(seen[0] instanceof IllegalStateException, String.valueOf(seen[0]));
            profile.endIteration();
        }
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, PhaseProfile.median(new double[] {4, 1, 3, 2}), 0.0);
        assertEquals(3.0, PhaseProfile.median(new double[] {5, 3, 1}), 0.0);
        assertTrue(Double.isNaN(PhaseProfile.median(new double[0])));
    }
}
