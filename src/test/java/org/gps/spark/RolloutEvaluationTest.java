package org.gps.spark;

import org.apache.spark.SparkJobInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.gps.core.env.EnvironmentSpec;
import org.gps.core.env.Pendulum;
import org.gps.core.sample.RolloutPolicy;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RolloutEvaluationTest {
    /** u = -k x with exploration noise: the episodes' returns depend on each one's own noise draws. */
    private record Noisy(double gain) implements RolloutPolicy, Serializable {
        @Override
        public double[] act(int t, double[] x, double[] o, double[] eps) {
            return new double[] {-gain * x[0] + 0.5 * eps[0]};
        }
    }

    private static RolloutSampling.Request request(int episodes) {
        List<double[]> starts = new ArrayList<>();
        Map<Integer, RolloutPolicy> policies = new TreeMap<>();
        for (int e = 0; e < episodes; e++) {
            starts.add(Pendulum.stateOf(0.06 * e - 3, 0));
            policies.put(e, new Noisy(1.0));
        }
        return new RolloutSampling.Request(new EnvironmentSpec(Pendulum.TYPE, Map.of()), starts, policies, 1, 50, 23, 0,
                "evaluate-policy");
    }

    @Test
    void theEpisodesRunAsOneJobOfOneTaskPerCoreInTheirOrder() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        jsc.setJobGroup("scoring", "scoring", false);
        List<RolloutSampling.Episode> all;
        try {
            all = RolloutSampling.evaluate(SparkTestSession.get(), request(100));
        } finally {
            jsc.clearJobGroup();
        }
        int[] jobs = jsc.statusTracker().getJobIdsForGroup("scoring");
        assertEquals(1, jobs.length);
        SparkJobInfo job = jsc.statusTracker().getJobInfo(jobs[0]);
        assertEquals(1, job.stageIds().length);
        // 100 episodes on local[2]: two tasks, not eight.
        assertEquals(jsc.defaultParallelism(), jsc.statusTracker().getStageInfo(job.stageIds()[0])
                .numTasks());
        for (int e = 0; e < all.size(); e++) {
            assertEquals(e, all.get(e).condition());
        }
        // The first ten episodes on their own split into tasks of five rather than fifty: each draws
        // from its own seed, so their returns are the same doubles.
        List<RolloutSampling.Episode> first = RolloutSampling.evaluate(SparkTestSession.get(), request(10));
        for (int e = 0; e < first.size(); e++) {
            assertEquals(all.get(e).totalReward(), first.get(e).totalReward(), 0.0);
        }
    }
}
