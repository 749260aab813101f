package org.gps.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.linalg.Mat;
import org.gps.io.RolloutSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DynamicsFittingTest {
    static final Mat A = Mat.of(new double[][] {{0.9, 0.1, 0.0}, {-0.2, 0.95, 0.05}, {0.0, 0.3, 0.8}});
    static final Mat B = Mat.of(new double[][] {{0.0, 0.2}, {0.5, 0.0}, {1.0, -0.3}});

    /** Noise-free rollouts of x' = A x + B u with random actions, as rollout-schema rows. */
    static Dataset<Row> linearRollouts(SparkSession spark, int conditions, int samples, int horizon, double scale) {
        Random r = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < conditions; c++) {
            for (int s = 0; s < samples; s++) {
                double[] x = {scale * r.nextGaussian(), scale * r.nextGaussian(), scale * r.nextGaussian()};
                for (int t = 0; t < horizon; t++) {
                    double[] u = {scale * r.nextGaussian(), scale * r.nextGaussian()};
                    rows.add(RowFactory.create(0, c, s, t, x, u, x, null, RolloutSchema.SOURCE_LOGGED, null));
                    x = org.gps.core.linalg.Vec.plus(A.times(x), B.times(u));
                }
            }
        }
        return spark.createDataFrame(rows, RolloutSchema.STRUCT);
    }

    private static void assertRecovers(DynamicsFitting.Result fit, int conditions, int horizon) {
        List<DynamicsFitting.StepFit> steps = fit.steps().collect();
        assertEquals(conditions * (horizon - 1), steps.size());
        java.util.Set<List<Integer>> seen = new java.util.HashSet<>();
        for (DynamicsFitting.StepFit s : steps) {
            assertTrue(seen.add(List.of(s.condition(), s.t())), "fitted twice: " + s.condition() + ", " + s.t());
            assertTrue(s.t() >= 0 && s.t() < horizon - 1 && s.condition() >= 0 && s.condition() < conditions);
        }
        for (DynamicsFitting.StepFit s : steps) {
            // Spread 10: the 1e-6 ridges bias the gains by ~1e-8 (see JointGaussianFitTest).
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(A.get(i, j), s.model().gain().get(i, j), 1e-6, "A at " + s.condition() + "," + s.t());
                }
                for (int j = 0; j < 2; j++) {
                    assertEquals(B.get(i, j), s.model().gain().get(i, 3 + j), 1e-6, "B at " + s.condition() + "," + s.t());
                }
            }
            assertTrue(s.relativeRmse() < 1e-6, "relative prediction error " + s.relativeRmse());
        }
    }

    @Test
    void noiseFreeLinearRolloutsGiveBackAAndBAtEveryConditionAndStep() {
        SparkSession spark = SparkTestSession.get();
        DynamicsFitting.Result fit = DynamicsFitting.fit(TrajectoryGroups.trajectories(linearRollouts(spark, 2, 12, 15, 10)),
                DynamicsFitting.CurrentSet.all(), DynamicsOptions.defaults(1), Map.of(), 1);
        try {
            assertEquals(2, fit.gmms().size());
            assertRecovers(fit, 2, 15);
            for (InitialStateDistribution d : fit.initialStates().values()) {
                assertTrue(d.covariance().isFinite());
            }
        } finally {
            fit.steps().unpersist();
        }
    }

    @Test
    void oneSharedPriorServesAllConditions() {
        SparkSession spark = SparkTestSession.get();
        DynamicsOptions d = DynamicsOptions.defaults(1);
        DynamicsOptions shared = new DynamicsOptions(true, d.maxClusters(), d.minSamplesPerCluster(), 100,
                d.strength(), d.regularization(), d.initialStateVar(), d.em());
        DynamicsFitting.Result fit = DynamicsFitting.fit(TrajectoryGroups.trajectories(linearRollouts(spark, 3, 6, 10, 10)),
                DynamicsFitting.CurrentSet.all(), shared, Map.of(), 1);
        try {
            assertEquals(1, fit.gmms().size());
            assertEquals(3 * 6 * 9, fit.gmms().get(0).model().fittedPoints());
            assertRecovers(fit, 3, 10);
        } finally {
            fit.steps().unpersist();
        }
    }

    @Test
    void thePriorWindowKeepsTheLastMaxSamplesTrajectories() {
        SparkSession spark = SparkTestSession.get();
        DynamicsOptions d = DynamicsOptions.defaults(1);
        DynamicsOptions window5 = new DynamicsOptions(false, d.maxClusters(), d.minSamplesPerCluster(), 5,
                d.strength(), d.regularization(), d.initialStateVar(), d.em());
        DynamicsFitting.Result fit = DynamicsFitting.fit(TrajectoryGroups.trajectories(linearRollouts(spark, 1, 8, 10, 10)),
                DynamicsFitting.CurrentSet.all(), window5, Map.of(), 1);
        try {
            assertEquals(5, fit.windowSizes().get(0));
            assertEquals(5 * 9, fit.gmms().get(0).model().fittedPoints());
            // The per-step fits still use every trajectory of the fit set.
            assertEquals(8, fit.steps().first().samples());
            // x0: the fit over all 8 initial states, its prior over the newest 5 (samples 3..7).
            List<Row> rows = linearRollouts(spark, 1, 8, 10, 10).collectAsList();
            double[][] all = new double[8][];
            for (Row row : rows) {
                if (row.getInt(3) == 0) {
                    all[row.getInt(2)] = row.<Double>getList(4).stream().mapToDouble(Double::doubleValue).toArray();
                }
            }
            org.gps.core.dynamics.InitialStateDistribution byHand = org.gps.core.dynamics.InitialStateFit.fit(all,
                    org.gps.core.dynamics.InitialStateFit.prior(java.util.Arrays.copyOfRange(all, 3, 8), d.strength()),
                    d.initialStateVar());
            InitialStateDistribution got = fit.initialStates().get(0);
            assertEquals(0.0, org.gps.core.linalg.Vec.maxAbsDiff(byHand.mean(), got.mean()));
            assertEquals(0.0, byHand.covariance().maxAbsDiff(got.covariance()));
        } finally {
            fit.steps().unpersist();
        }
    }

    @Test
    void eachStepIsFittedOnTheRowsOfTheTrajectoriesThatReachIt() {
        // Trajectories of unequal length (logged data): the fits travel in chunks of steps, and
        // every (condition, t) must still see exactly the rows of the trajectories that reach t + 1,
        // in (iteration, sample) order, under its GMM's prior: compare with the fit done by hand.
        SparkSession spark = SparkTestSession.get();
        Random r = new Random(8);
        List<Row> rows = new ArrayList<>();
        int[] horizons = {12, 7, 12, 4, 9, 12};
        for (int c = 0; c < 2; c++) {
            for (int s = 0; s < horizons.length; s++) {
                double[] x = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
                for (int t = 0; t < horizons[s]; t++) {
                    double[] u = {r.nextGaussian(), r.nextGaussian()};
                    rows.add(RowFactory.create(0, c, s, t, x, u, x, null, RolloutSchema.SOURCE_LOGGED, null));
                    x = org.gps.core.linalg.Vec.plus(org.gps.core.linalg.Vec.plus(A.times(x), B.times(u)),
                            new double[] {0.1 * r.nextGaussian(), 0.1 * r.nextGaussian(), 0.1 * r.nextGaussian()});
                }
            }
        }
        List<Row> sorted = new ArrayList<>(rows);
        DynamicsOptions options = DynamicsOptions.defaults(3);
        DynamicsFitting.Result fit = DynamicsFitting.fit(TrajectoryGroups.trajectories(
                spark.createDataFrame(rows, RolloutSchema.STRUCT)), DynamicsFitting.CurrentSet.all(), options, Map.of(), 3);
        try {
            List<DynamicsFitting.StepFit> steps = fit.steps().collect();
            assertEquals(2 * 11, steps.size());
            for (DynamicsFitting.StepFit step : steps) {
                List<double[]> y = new ArrayList<>();
                for (int s = 0; s < horizons.length; s++) {
                    if (horizons[s] > step.t() + 1) {
                        y.add(joint(sorted, step.condition(), s, step.t()));
                    }
                }
                assertEquals(y.size(), step.samples(), "samples at t=" + step.t());
                double[][] ys = y.toArray(double[][]::new);
                org.gps.core.gmm.Gmm gmm = fit.gmms().get(step.condition()).model();
                org.gps.core.dynamics.ConditionalGaussian byHand = org.gps.core.dynamics.JointGaussianFit.conditional(ys, 5,
                        gmm.prior(org.gps.core.gmm.PointBlock.of(step.condition(), y, 0), options.strength()),
                        options.regularization());
                // The same rows in the same order through the same code: equal to the last bit.
                assertEquals(0.0, byHand.gain().maxAbsDiff(step.model().gain()), "gain at " + step.condition() + "," + step.t());
                assertEquals(0.0, byHand.covariance().maxAbsDiff(step.model().covariance()));
            }
        } finally {
            fit.steps().unpersist();
        }
    }

    /** [x_t, u_t, x_{t+1}] of one trajectory from rollout rows. */
    private static double[] joint(List<Row> rows, int condition, int sample, int t) {
        double[] x = null;
        double[] u = null;
        double[] next = null;
        for (Row row : rows) {
            if (row.getInt(1) == condition && row.getInt(2) == sample) {
                if (row.getInt(3) == t) {
                    x = (double[]) row.get(4);
                    u = (double[]) row.get(5);
                } else if (row.getInt(3) == t + 1) {
                    next = (double[]) row.get(4);
                }
            }
        }
        double[] out = new double[8];
        System.arraycopy(x, 0, out, 0, 3);
        System.arraycopy(u, 0, out, 3, 2);
        System.arraycopy(next, 0, out, 5, 3);
        return out;
    }

    @Test
    void distributedEmAndFitsAreTheSameBitsWhateverTheTrajectoriesPartitioning() {
        SparkSession spark = SparkTestSession.get();
        // Distributed passes for every GMM; five EM iterations are enough to compare (each is a job).
        DynamicsOptions base = DynamicsOptions.defaults(1);
        org.gps.core.gmm.GmmOptions e = base.em();
        DynamicsOptions options = new DynamicsOptions(base.sharedPrior(), base.maxClusters(),
                base.minSamplesPerCluster(), base.maxSamples(), base.strength(), base.regularization(),
                base.initialStateVar(),
                new org.gps.core.gmm.GmmOptions(5, e.tolerance(), e.ridge(), e.initialRidge(), e.rebootMass(), e.seed(),
                        e.warmStart(), e.initialization()), 0);
        org.apache.spark.api.java.JavaPairRDD<TrajectoryGroups.Key, org.gps.core.sample.Trajectory> traj =
                TrajectoryGroups.trajectories(linearRollouts(spark, 2, 12, 15, 10));
        List<String> reference = null;
        for (int partitions : new int[] {1, 2, 5}) {
            DynamicsFitting.Result fit = DynamicsFitting.fit(traj.repartition(partitions),
                    DynamicsFitting.CurrentSet.all(), options, Map.of(), 1);
            try {
                List<String> bits = bits(fit);
                if (reference == null) {
                    reference = bits;
                } else {
                    assertEquals(reference, bits, partitions + " partitions");
                }
            } finally {
                fit.steps().unpersist();
            }
        }
    }

    /**
     * A fit's GMMs, per-step fits (by condition and t) and x0 fits, every double as its shortest exact
     * decimal: two fits give the same list only when they are the same bits.
     */
    private static List<String> bits(DynamicsFitting.Result fit) {
        List<String> bits = new ArrayList<>();
        fit.gmms().forEach((g, r) -> {
            for (int k = 0; k < r.model().clusters(); k++) {
                bits.add(g + "/" + k + " " + Double.doubleToRawLongBits(r.model().logMass(k)) + " "
                        + java.util.Arrays.toString(r.model().mean(k)) + " "
                        + java.util.Arrays.toString(r.model().covariance(k).toRowMajor()));
            }
        });
        fit.steps().collect().stream().sorted(java.util.Comparator.comparingInt(
                (DynamicsFitting.StepFit f) -> f.condition()).thenComparingInt(DynamicsFitting.StepFit::t))
                .forEach(f -> bits.add(f.condition() + "," + f.t() + " "
                        + java.util.Arrays.toString(f.model().gain().toRowMajor()) + " "
                        + java.util.Arrays.toString(f.model().offset()) + " "
                        + java.util.Arrays.toString(f.model().covariance().toRowMajor()) + " " + f.rmse()));
        fit.initialStates().forEach((c, d) -> bits.add(c + " x0 " + java.util.Arrays.toString(d.mean()) + " "
                + java.util.Arrays.toString(d.covariance().toRowMajor())));
        return bits;
    }

    /** The names and task counts of the stages the jobs of {@code group} ran. */
    private static List<String> stagesOf(org.apache.spark.api.java.JavaSparkContext jsc, String group) {
        var tracker = jsc.statusTracker();
        List<String> stages = new ArrayList<>();
        for (int job : tracker.getJobIdsForGroup(group)) {
            for (int stage : tracker.getJobInfo(job).stageIds()) {
                org.apache.spark.SparkStageInfo info = tracker.getStageInfo(stage);
                if (info != null) {
                    stages.add(info.name().replaceAll(":\\d+$", "") + " x" + info.numTasks());
                }
            }
        }
        return stages;
    }

    /**
     * The per-step fits run in one of three ways, all to the same bits: spread over the tasks of a
     * shuffle of trajectory chunks; a fit set of few rows (at most the in-task limit, which the in-task
     * EM shares) cut, grouped and fitted in one task; and trajectories partitioned by condition (a
     * run's rollouts) fitted where they are, a task per partition. Four conditions of 300 rows each,
     * whose GMMs run EM inside a task in every case.
     */
    @Test
    void theFitsGiveTheSameBitsInOneTaskWhereTheConditionsAreAndSpreadOverAShuffle() {
        SparkSession spark = SparkTestSession.get();
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> rollouts = linearRollouts(spark, 4, 20, 16, 10);
        org.apache.spark.api.java.JavaPairRDD<TrajectoryGroups.Key, org.gps.core.sample.Trajectory> traj =
                TrajectoryGroups.trajectories(rollouts).repartition(3);
        org.apache.spark.api.java.JavaPairRDD<TrajectoryGroups.Key, org.gps.core.sample.Trajectory> byCondition =
                TrajectoryGroups.byCondition(rollouts, new org.gps.io.RolloutRules.RowCheck("rollouts"), 3);
        Map<String, List<String>> bits = new java.util.TreeMap<>();
        Map<String, List<String>> stages = new java.util.TreeMap<>();
        // The fit set's 1,200 rows against in-task limits below, at and above them.
        Map<String, Long> limits = Map.of("spread", 400L, "one task at the limit", 1200L, "one task", 10_000L,
                "by condition", 400L);
        for (Map.Entry<String, Long> run : limits.entrySet()) {
            String group = "dynamics-fitting-test-" + System.nanoTime();
            jsc.sc().setJobGroup(group, "", false);
            DynamicsFitting.Result fit;
            try {
                fit = DynamicsFitting.fit(run.getKey().equals("by condition") ? byCondition : traj,
                        DynamicsFitting.CurrentSet.all(), DynamicsOptions.defaults(1).withInTaskMaxPoints(run.getValue()),
                        Map.of(), 1);
            } finally {
                jsc.sc().clearJobGroup();
            }
            try {
                bits.put(run.getKey(), bits(fit));
                assertEquals(4 * 15, fit.steps().count());
            } finally {
                fit.steps().unpersist();
            }
            stages.put(run.getKey(), stagesOf(jsc, group).stream()
                    .filter(n -> n.startsWith("flatMapToPair at DynamicsFitting") || n.startsWith("count at DynamicsFitting"))
                    .sorted().toList());
        }
        for (String run : limits.keySet()) {
            assertEquals(bits.get("spread"), bits.get(run), run);
        }
        // The chunks' shuffle in a task per core and the fits after it in two per core (4 conditions
        // cut into 4 x cores chunks) ...
        int cores = jsc.defaultParallelism();
        assertEquals(List.of("count at DynamicsFitting.java x" + 2 * cores, "flatMapToPair at DynamicsFitting.java x" + cores),
                stages.get("spread"));
        // ... or one task without a shuffle, from a limit equal to the rows on ...
        assertEquals(List.of("count at DynamicsFitting.java x1"), stages.get("one task at the limit"));
        assertEquals(List.of("count at DynamicsFitting.java x1"), stages.get("one task"));
        // ... or, whatever the limit, a task per partition of the conditions while every core has one.
        assertEquals(List.of("count at DynamicsFitting.java x3"), stages.get("by condition"));
    }

    /**
     * With fewer conditions than cores, trajectories partitioned by condition still go through the
     * shuffle's chunks of steps (which keep every core busy), unless the fit set is small: one
     * condition of 30 trajectories (450 rows to fit, a window of 20 for the GMM: 300 points, inside a
     * task under both limits).
     */
    @Test
    void fewerConditionsThanCoresAreFittedThroughTheShuffleUnlessTheRowsAreFew() {
        SparkSession spark = SparkTestSession.get();
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        int cores = jsc.defaultParallelism();
        org.apache.spark.api.java.JavaPairRDD<TrajectoryGroups.Key, org.gps.core.sample.Trajectory> byCondition =
                TrajectoryGroups.byCondition(linearRollouts(spark, 1, 30, 16, 10),
                        new org.gps.io.RolloutRules.RowCheck("rollouts"), cores);
        Map<Long, List<String>> bits = new java.util.TreeMap<>();
        Map<Long, List<String>> stages = new java.util.TreeMap<>();
        for (long limit : new long[] {400, 450}) {
            String group = "dynamics-fitting-test-" + System.nanoTime();
            jsc.sc().setJobGroup(group, "", false);
            DynamicsFitting.Result fit;
            try {
                fit = DynamicsFitting.fit(byCondition, DynamicsFitting.CurrentSet.all(),
                        DynamicsOptions.defaults(1).withInTaskMaxPoints(limit), Map.of(), 1);
            } finally {
                jsc.sc().clearJobGroup();
            }
            try {
                bits.put(limit, bits(fit));
                assertEquals(15, fit.steps().count());
            } finally {
                fit.steps().unpersist();
            }
            stages.put(limit, stagesOf(jsc, group).stream()
                    .filter(n -> n.startsWith("flatMapToPair at DynamicsFitting") || n.startsWith("count at DynamicsFitting"))
                    .sorted().toList());
        }
        assertEquals(bits.get(400L), bits.get(450L));
        assertTrue(stages.get(400L).contains("flatMapToPair at DynamicsFitting.java x" + cores), stages.get(400L).toString());
        assertEquals(List.of("count at DynamicsFitting.java x" + cores), stages.get(450L));
    }

    /**
     * The fits' shuffle reads the trajectories in at most one task per core, however many
     * partitions they come in (each of those tasks costs more in scheduling and shuffle files than
     * the cutting of its few trajectories into chunks). The numbers are the same whatever the
     * partitioning (the test above).
     */
    @Test
    void theFitsReadTheTrajectoriesInOneTaskPerCore() {
        SparkSession spark = SparkTestSession.get();
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        org.apache.spark.api.java.JavaPairRDD<TrajectoryGroups.Key, org.gps.core.sample.Trajectory> traj =
                TrajectoryGroups.trajectories(linearRollouts(spark, 2, 12, 15, 10)).repartition(7);
        String group = "dynamics-fitting-test-" + System.nanoTime();
        jsc.sc().setJobGroup(group, "", false);
        DynamicsFitting.Result fit;
        try {
            // Distributed fits: 336 rows are above an in-task limit of 200 (each GMM's 168 are not).
            fit = DynamicsFitting.fit(traj, DynamicsFitting.CurrentSet.all(),
                    DynamicsOptions.defaults(1).withInTaskMaxPoints(200), Map.of(), 1);
        } finally {
            jsc.sc().clearJobGroup();
        }
        fit.steps().unpersist();
        var tracker = jsc.statusTracker();
        int chunkStages = 0;
        for (int job : tracker.getJobIdsForGroup(group)) {
            for (int stage : tracker.getJobInfo(job).stageIds()) {
                org.apache.spark.SparkStageInfo info = tracker.getStageInfo(stage);
                if (info != null && info.name().startsWith("flatMapToPair at DynamicsFitting")) {
                    chunkStages++;
                    assertEquals(jsc.defaultParallelism(), info.numTasks(), info.name());
                }
            }
        }
        assertEquals(1, chunkStages, "the fits' one shuffle of trajectory chunks");
    }

    @Test
    void theDistributedEmsPartitionCountFollowsTheWindowsPointsNotTheCores() {
        assertEquals(2, DynamicsFitting.emPartitions(10_001));
        assertEquals(3, DynamicsFitting.emPartitions(100_001));
        assertEquals(20, DynamicsFitting.emPartitions(1_000_000));
        assertEquals(256, DynamicsFitting.emPartitions(1_000_000_000L));
    }
}
