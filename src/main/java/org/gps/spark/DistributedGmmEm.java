package org.gps.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.gps.core.gmm.EmResult;
import org.gps.core.gmm.EmRun;
import org.gps.core.gmm.EmStatistics;
import org.gps.core.gmm.Gmm;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.gmm.KMeansStatistics;
import org.gps.core.gmm.Moments;
import org.gps.core.gmm.PointBlock;
import org.gps.core.gmm.PointSample;
import org.gps.core.random.Seeds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * EM for several independent GMMs at once (one per group: a condition, or one shared group) over
 * cached, distributed point blocks. Every pass is one Spark job for all groups still running: the
 * executors compute each group's E-step statistics on their blocks, a tree aggregation merges
 * them in a fixed order ({@link OrderedTreeAggregate}), and the driver does the M-steps ({@link EmRun}). Only statistics (K x D^2 per group)
 * travel to the driver, never points, so driver memory does not grow with the data.
 */
public final class DistributedGmmEm {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedGmmEm.class);

    private DistributedGmmEm() {
    }

    /** First pass, per group: count, mean and covariance (for reboots) and candidate points (for the initial means). */
    static final class GroupSummary implements Serializable {
        private static final long serialVersionUID = 1L;
        final Moments moments;
        final PointSample sample;

        GroupSummary(int dim, int candidates, long seed) {
            moments = new Moments(dim);
            sample = new PointSample(candidates, seed);
        }
    }

    /**
     * @param blocks   cached point blocks; each block's group selects its GMM
     * @param clusters K per group (groups absent here are ignored)
     * @param previous last fits for warm starts (may miss groups)
     * @param options  EM settings; each group's seed derives from options.seed() and the group
     */
    public static Map<Integer, EmResult> fit(JavaRDD<PointBlock> blocks, Map<Integer, Integer> clusters,
                                             Map<Integer, Gmm> previous, GmmOptions options) {
        return fit(blocks, clusters, previous, options, java.util.Set.of());
    }

    /**
     * As {@link #fit(JavaRDD, Map, Map, GmmOptions)}, except that the groups in {@code inTask}
     * (small ones: a condition's window of a few thousand points) run their whole EM inside one
     * task each, all such groups at once: one Spark job instead of one per EM pass, whose
     * scheduling, broadcast and collection cost more than the arithmetic at that size. The
     * arithmetic is the same ({@link GmmEm} drives the same {@link EmRun} over the same sorted
     * blocks); only the order of the sums differs, so results agree to rounding.
     */
    public static Map<Integer, EmResult> fit(JavaRDD<PointBlock> blocks, Map<Integer, Integer> clusters,
                                             Map<Integer, Gmm> previous, GmmOptions options,
                                             java.util.Set<Integer> inTask) {
        return fit(blocks, clusters, previous, options, inTask, inTask.size());
    }

    /**
     * As {@link #fit(JavaRDD, Map, Map, GmmOptions, java.util.Set)}, with the groups in {@code inTask}
     * shared out over {@code tasks} tasks ({@link #inTaskTasks}; clipped to between one and one per
     * group). A group's EM runs whole in one task whichever it is, so the count changes no result.
     */
    public static Map<Integer, EmResult> fit(JavaRDD<PointBlock> blocks, Map<Integer, Integer> clusters,
                                             Map<Integer, Gmm> previous, GmmOptions options,
                                             java.util.Set<Integer> inTask, int tasks) {
        return fit(blocks, clusters, previous, options, inTask, tasks, false);
    }

    /**
     * As {@link #fit(JavaRDD, Map, Map, GmmOptions, java.util.Set, int)}; with {@code groupsWhole}
     * (every group's blocks in one partition of {@code blocks}, as a run's rollouts partitioned by
     * condition give them) the groups in {@code inTask} are fitted in the partitions that hold
     * them, without a shuffle, and {@code tasks} is unused. Each group's EM is the same either way.
     */
    public static Map<Integer, EmResult> fit(JavaRDD<PointBlock> blocks, Map<Integer, Integer> clusters,
                                             Map<Integer, Gmm> previous, GmmOptions options,
                                             java.util.Set<Integer> inTask, int tasks, boolean groupsWhole) {
        Map<Integer, EmResult> out = new TreeMap<>();
        if (!inTask.isEmpty()) {
            out.putAll(fitInTasks(blocks, clusters, previous, options, new java.util.HashSet<>(inTask), tasks,
                    groupsWhole));
        }
        Map<Integer, Integer> rest = new HashMap<>();
        clusters.forEach((g, kk) -> {
            if (!inTask.contains(g)) {
                rest.put(g, kk);
            }
        });
        if (!rest.isEmpty()) {
            out.putAll(fitDistributed(blocks, rest, previous, options));
        }
        return out;
    }

    /**
     * Multiply-adds of E-steps (a group's points x K x D^2 / 2: each point whitened for each cluster)
     * that a task of the in-task EM should hold before another task is worth its scheduling and
     * deserialization: the policy linearization's GMMs (a condition's window at D = 4) fit in
     * about the time their own task would cost.
     */
    static final long IN_TASK_MIN_WORK = 10_000_000L;

    /**
     * How many tasks the GMMs whose EM runs inside a task share: one per GMM where their E-steps
     * are large enough to pay for a task each (the dynamics benchmark's GMMs of 2,000 points at
     * D = 59), fewer where they are small, but at least two per core while there are GMMs for
     * them (EM iteration counts differ from one GMM to the next, so the scheduler gets tasks to
     * balance).
     *
     * @param eStepWork   per group, its points x K x D^2 / 2
     * @param parallelism the cores Spark runs tasks on (its default parallelism)
     */
    public static int inTaskTasks(java.util.Collection<Long> eStepWork, int parallelism) {
        int groups = eStepWork.size();
        if (groups == 0) {
            return 0;
        }
        long total = 0;
        for (long w : eStepWork) {
            total += Math.max(0, w);
        }
        long byWork = (total + IN_TASK_MIN_WORK - 1) / IN_TASK_MIN_WORK;
        return (int) Math.min(groups, Math.max(2L * Math.max(1, parallelism), byWork));
    }

    private static Map<Integer, EmResult> fitInTasks(JavaRDD<PointBlock> blocks, Map<Integer, Integer> clusters,
                                                     Map<Integer, Gmm> previous, GmmOptions options,
                                                     java.util.HashSet<Integer> groups, int tasks, boolean groupsWhole) {
        Map<Integer, Integer> k = new HashMap<>(clusters);
        Map<Integer, Gmm> prev = new HashMap<>(previous);
        prev.keySet().retainAll(groups);
        long seed = options.seed();
        JavaRDD<PointBlock> mine = blocks.filter(b -> groups.contains(b.group()));
        if (groupsWhole) {
            return new TreeMap<>(mine.mapPartitionsToPair(it -> {
                TreeMap<Integer, java.util.List<PointBlock>> byGroup = new TreeMap<>();
                it.forEachRemaining(b -> byGroup.computeIfAbsent(b.group(), g -> new java.util.ArrayList<>()).add(b));
                java.util.List<scala.Tuple2<Integer, EmResult>> fits = new java.util.ArrayList<>();
                byGroup.forEach((g, pieces) -> fits.add(new scala.Tuple2<>(g,
                        fitGroup(pieces, k.get(g), options.withSeed(groupSeed(seed, g)), prev.get(g)))));
                return fits.iterator();
            }).collectAsMap());
        }
        int partitions = Math.max(1, Math.min(groups.size(), tasks));
        return new TreeMap<>(mine.mapToPair(b -> new scala.Tuple2<>(b.group(), b))
                .groupByKey(partitions)
                .mapToPair(kv -> {
                    // A task may hold several groups: each is fitted alone, from its own blocks.
                    java.util.List<PointBlock> pieces = new java.util.ArrayList<>();
                    kv._2().forEach(pieces::add);
                    int g = kv._1();
                    return new scala.Tuple2<>(g, fitGroup(pieces, k.get(g), options.withSeed(groupSeed(seed, g)),
                            prev.get(g)));
                })
                .collectAsMap());
    }

    /** One group's whole EM from its blocks, in whatever order they arrived. */
    private static EmResult fitGroup(java.util.List<PointBlock> pieces, int clusters, GmmOptions options, Gmm previous) {
        // Sort so every run sums in the same order, and re-block, so that small pieces (a trajectory
        // each) make full BLAS blocks.
        pieces.sort(java.util.Comparator.comparingLong(b -> b.ids()[0]));
        java.util.List<PointBlock> bs = PointBlock.concatenate(pieces, PointBlock.TYPICAL_POINTS);
        return org.gps.core.gmm.GmmEm.fit(bs, clusters, options, previous);
    }

    private static Map<Integer, EmResult> fitDistributed(JavaRDD<PointBlock> blocks, Map<Integer, Integer> clusters,
                                                         Map<Integer, Gmm> previous, GmmOptions options) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
        Map<Integer, Integer> k = new HashMap<>(clusters);
        if (k.values().stream().mapToInt(Integer::intValue).max().orElse(0) == 0) {
            return Map.of();
        }
        Map<Integer, EmRun> runs = new TreeMap<>();
        Map<Integer, Long> randomAssignment = new TreeMap<>();
        summarise(blocks, k, options.seed()).forEach((g, summary) -> {
            GmmOptions go = options.withSeed(groupSeed(options.seed(), g));
            EmRun run = new EmRun(k.get(g), summary.moments, go, previous.get(g));
            if (run.needsCandidates()) {
                run.acceptCandidates(summary.sample.points());
            } else if (run.needsRandomAssignment()) {
                randomAssignment.put(g, go.seed());
            }
            runs.put(g, run);
        });
        refineCentres(jsc, blocks, runs);
        if (!randomAssignment.isEmpty()) {
            assignAtRandom(blocks, runs, k, randomAssignment);
        }
        int passes = expectationPasses(jsc, blocks, runs);
        Map<Integer, EmResult> out = new TreeMap<>();
        runs.forEach((g, r) -> out.put(g, r.result()));
        LOG.debug("EM for {} groups in {} passes", out.size(), passes);
        return out;
    }

    /** One pass over the points: each group's moments and its sample of candidate centres. */
    private static HashMap<Integer, GroupSummary> summarise(JavaRDD<PointBlock> blocks, Map<Integer, Integer> k,
                                                            long seed) {
        return OrderedTreeAggregate.aggregate(blocks, HashMap::new,
                (acc, b) -> {
                    if (k.containsKey(b.group())) {
                        acc.computeIfAbsent(b.group(), g -> new GroupSummary(b.dim(), 4 * k.get(g), groupSeed(seed, g)))
                                .moments.add(b);
                        acc.get(b.group()).sample.add(b);
                    }
                    return acc;
                },
                (a, b) -> {
                    b.forEach((g, s) -> a.merge(g, s, (x, y) -> {
                        x.moments.merge(y.moments);
                        x.sample.merge(y.sample);
                        return x;
                    }));
                    return a;
                });
    }

    /** The Lloyd passes of the k-means start: one job per pass for all groups still refining their centres. */
    private static void refineCentres(JavaSparkContext jsc, JavaRDD<PointBlock> blocks, Map<Integer, EmRun> runs) {
        while (true) {
            HashMap<Integer, double[][]> pending = new HashMap<>();
            runs.forEach((g, r) -> {
                if (r.needsCentresPass()) {
                    pending.put(g, r.centres());
                }
            });
            if (pending.isEmpty()) {
                return;
            }
            Broadcast<HashMap<Integer, double[][]>> centres = jsc.broadcast(pending);
            HashMap<Integer, KMeansStatistics> pass = OrderedTreeAggregate.aggregate(blocks, HashMap::new,
                    (acc, b) -> {
                        double[][] c = centres.value().get(b.group());
                        if (c != null) {
                            acc.computeIfAbsent(b.group(), g -> KMeansStatistics.empty(c)).add(b);
                        }
                        return acc;
                    },
                    (a, b) -> {
                        b.forEach((g, s) -> a.merge(g, s, KMeansStatistics::merge));
                        return a;
                    });
            centres.destroy();
            pass.forEach((g, s) -> runs.get(g).acceptCentresPass(s));
        }
    }

    /** The random-assignment start of the groups in {@code seeds}: one pass, each point to a seeded cluster. */
    private static void assignAtRandom(JavaRDD<PointBlock> blocks, Map<Integer, EmRun> runs, Map<Integer, Integer> k,
                                       Map<Integer, Long> seeds) {
        Map<Integer, double[]> shifts = new HashMap<>();
        seeds.keySet().forEach(g -> shifts.put(g, runs.get(g).initialShift()));
        Map<Integer, Integer> kk = new HashMap<>(k);
        Map<Integer, Long> groupSeeds = new HashMap<>(seeds);
        HashMap<Integer, EmStatistics> init = OrderedTreeAggregate.aggregate(blocks, HashMap::new,
                (acc, b) -> {
                    Long s = groupSeeds.get(b.group());
                    if (s != null) {
                        acc.computeIfAbsent(b.group(), g -> EmStatistics.emptyInitial(kk.get(g), shifts.get(g)))
                                .addRandomAssignment(s, b);
                    }
                    return acc;
                }, DistributedGmmEm::mergeStats);
        init.forEach((g, s) -> runs.get(g).acceptInitial(s));
    }

    /** EM passes, one job each for every group not yet converged; returns how many ran. */
    private static int expectationPasses(JavaSparkContext jsc, JavaRDD<PointBlock> blocks, Map<Integer, EmRun> runs) {
        int passes = 0;
        while (true) {
            HashMap<Integer, Gmm> active = new HashMap<>();
            runs.forEach((g, r) -> {
                if (!r.done()) {
                    active.put(g, r.current());
                }
            });
            if (active.isEmpty()) {
                return passes;
            }
            Broadcast<HashMap<Integer, Gmm>> models = jsc.broadcast(active);
            HashMap<Integer, EmStatistics> stats = OrderedTreeAggregate.aggregate(blocks, HashMap::new,
                    (acc, b) -> {
                        Gmm m = models.value().get(b.group());
                        if (m != null) {
                            acc.computeIfAbsent(b.group(), g -> EmStatistics.empty(m)).addExpectation(m, b);
                        }
                        return acc;
                    }, DistributedGmmEm::mergeStats);
            models.destroy();
            stats.forEach((g, s) -> runs.get(g).acceptExpectation(s));
            passes++;
        }
    }

    private static HashMap<Integer, EmStatistics> mergeStats(HashMap<Integer, EmStatistics> a,
                                                            HashMap<Integer, EmStatistics> b) {
        b.forEach((g, s) -> a.merge(g, s, EmStatistics::merge));
        return a;
    }

    static long groupSeed(long seed, int group) {
        return Seeds.derive(seed, "gmm", group);
    }
}
