package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.gps.core.BadInputException;
import org.gps.io.FaultKind;
import org.gps.core.dynamics.ConditionalGaussian;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.InitialStateFit;
import org.gps.core.dynamics.JointGaussianFit;
import org.gps.core.dynamics.NiwPrior;
import org.gps.core.gmm.EmResult;
import org.gps.core.gmm.Gmm;
import org.gps.core.gmm.GmmEm;
import org.gps.core.gmm.PointBlock;
import org.gps.core.random.Seeds;
import org.gps.core.sample.Trajectory;
import org.gps.io.PhaseProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Step 3 of an iteration (docs/algorithm.md sections 3-5) on Spark: the GMM prior's EM over the
 * window's [x_t, u_t, x_{t+1}] points ({@link DistributedGmmEm}), then the M x (T-1)
 * prior-regularised fits as one grouped computation keyed by (condition, t) with the GMMs
 * broadcast, and the initial-state fits. Trajectories stay on the executors; the driver sees
 * trajectory keys, EM statistics and the per-condition x0 results.
 */
public final class DynamicsFitting {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicsFitting.class);

    private DynamicsFitting() {
    }

    /**
     * One fitted time step, with its in-sample one-step prediction error and the mean output of the
     * rows it was fitted on (the baseline of a held-out relative error).
     */
    public record StepFit(int condition, int t, int samples, ConditionalGaussian model, double rmse,
                          double relativeRmse, double[] outputMean) implements Serializable {
    }

    /**
     * @param gmms            EM result per prior group (condition, or 0 when shared)
     * @param steps           per (condition, t) fits, cached; the caller unpersists
     * @param initialStates   x0 distribution per condition
     * @param windowSizes     trajectories in each group's prior window
     * @param stateDim        dX
     * @param actionDim       dU
     * @param emSeconds       wall time of the GMM step (building point blocks and EM)
     * @param fitSeconds      wall time of the per-(condition, t) fits
     */
    public record Result(Map<Integer, EmResult> gmms, JavaRDD<StepFit> steps,
                         Map<Integer, InitialStateDistribution> initialStates, Map<Integer, Integer> windowSizes,
                         int stateDim, int actionDim, double emSeconds, double fitSeconds) {
    }

    /**
     * @param trajectories every trajectory the step may use
     * @param isCurrent    which trajectories the per-step fits and x0 use (this iteration's samples)
     * @param previous     the last GMM of each group, for EM's warm start
     * @param seed         base seed of the EM (derived further per group)
     */
    public static Result fit(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories, CurrentSet isCurrent,
                             DynamicsOptions options, Map<Integer, Gmm> previous, long seed) {
        return fit(trajectories, isCurrent, options, previous, seed,
                JointRows.dynamics(options.regularization(), options.action()), true);
    }

    /**
     * The same GMM prior and per-step fits over other joint rows ({@code options.regularization()}
     * is then unused: {@code rows} says the ridge); x0 fits only when {@code initialStates}.
     */
    public static Result fit(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories, CurrentSet isCurrent,
                             DynamicsOptions options, Map<Integer, Gmm> previous, long seed, JointRows rows,
                             boolean initialStates) {
        return fit(trajectories, isCurrent, options, previous, seed, rows, initialStates, Source.UNNAMED);
    }

    /**
     * What the caller knows about the rollouts behind the trajectories: a name for messages, and a
     * check of the rows read per iteration (the census counts them) against what the datasets'
     * completion markers record. Both are used on the driver only.
     */
    public record Source(String dataset, boolean equalLengths, Consumer<Map<Integer, Long>> rowsPerIteration) {
        /**
         * Any trajectory lengths, no row count to check: the fits themselves take trajectories of
         * different lengths (each step is fitted on the trajectories that reach it).
         */
        public static final Source UNNAMED = new Source("rollouts", false, rows -> { });

        /**
         * Rollouts under the rollout schema's rules: one T per condition, and the rows read checked by
         * {@code rowsPerIteration}.
         */
        public static Source rollouts(String dataset, Consumer<Map<Integer, Long>> rowsPerIteration) {
            return new Source(dataset, true, rowsPerIteration);
        }
    }

    /** {@link #fit(JavaPairRDD, CurrentSet, DynamicsOptions, Map, long)} on dynamics rows, with the source's checks. */
    public static Result fit(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories, CurrentSet isCurrent,
                             DynamicsOptions options, Map<Integer, Gmm> previous, long seed, Source source) {
        return fit(trajectories, isCurrent, options, previous, seed,
                JointRows.dynamics(options.regularization(), options.action()), true, source);
    }

    private static Result fit(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories, CurrentSet isCurrent,
                              DynamicsOptions options, Map<Integer, Gmm> previous, long seed, JointRows rows,
                              boolean initialStates, Source source) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(trajectories.context());
        // Cache the trajectories for the passes below, unless they are kept already (then their keeper owns them).
        boolean own = !KeptRdds.isKept(trajectories.rdd());
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> cached = own
                ? trajectories.persist(StorageLevel.MEMORY_AND_DISK()) : trajectories;
        try {
            return fitCached(jsc, cached, isCurrent, options, previous, seed, rows, initialStates, source);
        } finally {
            if (own) {
                cached.unpersist(false);
            }
        }
    }

    /**
     * How a trajectory becomes the joint rows [input, output] that the GMM prior and the per-step
     * fits see: [x_t, u_t, x_{t+1}] for the dynamics, [x_t, policy mean] for the policy
     * linearization (docs/algorithm.md section 9). Row s belongs to time step s.
     */
    public interface JointRows extends Serializable {
        int count(Trajectory t);

        double[] row(Trajectory t, int s);

        /** Rows {@code from} to {@code to - 1}: what {@link #row} gives for each. */
        default double[][] rows(Trajectory t, int from, int to) {
            double[][] out = new double[to - from][];
            for (int s = from; s < to; s++) {
                out[s - from] = row(t, s);
            }
            return out;
        }

        int inputDim(Trajectory t);

        /** Ridge added to the input block's diagonal in step s's fit. */
        double ridge(int s);

        /** Whether the rows read the applied actions, so that every trajectory must record them. */
        default boolean readsAppliedActions() {
            return false;
        }

        /**
         * Rows [x_t, u_t, x_{t+1}], t = 0..T-2, with the same ridge at every step; u_t is the
         * commanded action, or the applied one for {@link DynamicsOptions.Action#APPLIED}.
         */
        static JointRows dynamics(double regularization, DynamicsOptions.Action action) {
            boolean applied = action == DynamicsOptions.Action.APPLIED;
            return new JointRows() {
                @Override
                public int count(Trajectory t) {
                    return t.horizon() - 1;
                }

                @Override
                public double[] row(Trajectory t, int s) {
                    double[] u = applied ? t.uApplied()[s] : t.u()[s];
                    int dX = t.x()[s].length;
                    int dU = u.length;
                    double[] row = new double[2 * dX + dU];
                    System.arraycopy(t.x()[s], 0, row, 0, dX);
                    System.arraycopy(u, 0, row, dX, dU);
                    System.arraycopy(t.x()[s + 1], 0, row, dX + dU, dX);
                    return row;
                }

                @Override
                public boolean readsAppliedActions() {
                    return applied;
                }

                @Override
                public int inputDim(Trajectory t) {
                    return t.x()[0].length + t.u()[0].length;
                }

                @Override
                public double ridge(int s) {
                    return regularization;
                }
            };
        }
    }

    /** Which trajectory keys are the fit set. */
    public interface CurrentSet extends Serializable {
        boolean contains(TrajectoryGroups.Key key);

        static CurrentSet iteration(int i) {
            return k -> k.iteration() == i;
        }

        static CurrentSet all() {
            return k -> true;
        }
    }

    private static Result fitCached(JavaSparkContext jsc, JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj,
                                    CurrentSet isCurrent, DynamicsOptions options, Map<Integer, Gmm> previous,
                                    long seed, JointRows layout, boolean withInitialStates, Source source) {
        // The GMM step's time includes the counting and the window: they are there for EM.
        long emStart = System.nanoTime();
        Counts counts = count(traj, isCurrent, options, layout, source);
        PriorWindow window = PriorWindow.of(counts.census(), options);
        requireFits(jsc, source.dataset(), counts.dX(), counts.dU(), counts.inputDim() + counts.dX(),
                window.clusters().values().stream().max(Integer::compare).orElse(1));
        // The memory check's joint dimension also sizes the EM's tasks: the rows' own for the dynamics,
        // an estimate (dX + dX for dX + dU) for the policy's rows, which only shares tasks out.
        Map<Integer, EmResult> gmms = fitPrior(jsc, traj, window, options, previous, seed, layout,
                counts.inputDim() + counts.dX());
        double emSeconds = (System.nanoTime() - emStart) / 1e9;
        LOG.info("dynamics prior: EM for {} GMM(s) in {} ms ({})", gmms.size(), Math.round(emSeconds * 1000),
                describe(gmms, window.clusters()));
        long fitStart = System.nanoTime();
        StepFits fits = fitSteps(jsc, traj, isCurrent, counts, gmms, options, layout, withInitialStates);
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        return new Result(gmms, fits.steps(), fits.initialStates(), window.sizes(), counts.dX(), counts.dU(),
                emSeconds, fitSeconds);
    }

    /**
     * The first pass over the trajectories (it also reads the rollouts and caches them): per
     * condition, how many trajectories and rows, how many in the fit set, and the dimensions.
     */
    private record Counts(TrajectoryCensus census, Map<Integer, Long> current, int dX, int dU, int inputDim) {
    }

    private static Counts count(JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj, CurrentSet isCurrent,
                                DynamicsOptions options, JointRows layout, Source source) {
        String dataset = source.dataset();
        TrajectoryCensus census;
        try (PhaseProfile.Scope phase = PhaseProfile.enter("census")) {
            census = traj.aggregate(new TrajectoryCensus(options.sharedPrior(), options.maxSamples(), dataset,
                            source.equalLengths()),
                    (c, kv) -> c.add(kv._1(), kv._2(), layout, isCurrent.contains(kv._1())), TrajectoryCensus::merge);
        }
        TreeMap<Integer, long[]> perCondition = census.perCondition;
        if (perCondition.isEmpty()) {
            throw new BadInputException(dataset + ": no trajectories to fit dynamics on; expected rows ("
                    + FaultKind.EMPTY_DATASET + ")");
        }
        source.rowsPerIteration().accept(census.rowsPerIteration);
        Map<Integer, Long> current = new TreeMap<>();
        perCondition.forEach((cond, c) -> {
            if (c[TrajectoryCensus.CURRENT] > 0) {
                current.put(cond, c[TrajectoryCensus.CURRENT]);
            }
        });
        for (Map.Entry<Integer, Long> e : current.entrySet()) {
            if (e.getValue() < 2) {
                throw new BadInputException(dataset + ": condition " + e.getKey() + " has " + e.getValue()
                        + " trajectory to fit; the per-step fit needs at least 2 (docs/algorithm.md section 4)");
            }
        }
        long[] any = perCondition.values().iterator().next();
        return new Counts(census, current, (int) any[TrajectoryCensus.STATE_DIM],
                (int) any[TrajectoryCensus.ACTION_DIM], (int) any[TrajectoryCensus.INPUT_DIM]);
    }

    /**
     * The prior's window: each group's newest max_samples trajectories ({@code keys} is null when
     * that is all of them, and then no filter is needed), with each group's points, trajectories
     * and cluster count.
     */
    private record PriorWindow(Set<TrajectoryGroups.Key> keys, Map<Integer, Long> points, Map<Integer, Integer> sizes,
                               Map<Integer, Integer> clusters) {
        static PriorWindow of(TrajectoryCensus census, DynamicsOptions options) {
            Map<Integer, Long> points = new TreeMap<>();
            Map<Integer, Integer> sizes = new TreeMap<>();
            Set<TrajectoryGroups.Key> keys = census.windowIsEverything() ? null : new HashSet<>();
            census.newestPerGroup.forEach((g, entries) -> {
                for (TrajectoryCensus.Entry e : entries.values()) {
                    points.merge(g, (long) e.rows(), Long::sum);
                    sizes.merge(g, 1, Integer::sum);
                    if (keys != null) {
                        keys.add(e.key());
                    }
                }
            });
            Map<Integer, Integer> clusters = new TreeMap<>();
            points.forEach((g, n) -> clusters.put(g, GmmEm.clusterCount(n, options.maxClusters(),
                    options.minSamplesPerCluster())));
            return new PriorWindow(keys, points, sizes, clusters);
        }
    }

    /** The GMM prior of every group: EM over the window's points, in one task per group when they are few. */
    private static Map<Integer, EmResult> fitPrior(JavaSparkContext jsc,
                                                   JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj,
                                                   PriorWindow window, DynamicsOptions options,
                                                   Map<Integer, Gmm> previous, long seed, JointRows layout,
                                                   int jointDim) {
        boolean shared = options.sharedPrior();
        Broadcast<Set<TrajectoryGroups.Key>> windowB = jsc.broadcast(window.keys());
        Set<Integer> inTask = new HashSet<>();
        List<Long> inTaskWork = new ArrayList<>();
        window.points().forEach((g, n) -> {
            if (n <= options.inTaskMaxPoints()) {
                inTask.add(g);
                inTaskWork.add(n * window.clusters().get(g) * jointDim * (long) jointDim / 2);
            }
        });
        JavaRDD<Tuple2<TrajectoryGroups.Key, Trajectory>> windowed = traj
                .filter(kv -> windowB.value() == null || windowB.value().contains(kv._1())).rdd().toJavaRDD();
        boolean allInTask = inTask.size() == window.clusters().size();
        JavaRDD<PointBlock> blocks;
        if (allInTask) {
            // Every GMM runs inside one task: each trajectory's rows go straight to its group's task
            // (one shuffle, which regroups and re-blocks them in a fixed order); nothing to cache.
            blocks = windowed.map(kv -> trajectoryBlock(kv._1(), kv._2(), shared, layout));
        } else {
            // Each EM pass sums its statistics per partition and merges the partitions in index
            // order, so which points share a partition fixes the bits: trajectories are spread over
            // a number of partitions set by the window's size, by a hash of their key, never by the
            // cores; within a partition the points are sorted by id.
            long windowPoints = window.points().values().stream().mapToLong(Long::longValue).sum();
            int partitions = emPartitions(windowPoints);
            blocks = windowed.mapToPair(kv -> new Tuple2<>(
                            (int) Math.floorMod(pointId(kv._1(), 0), (long) partitions), kv))
                    .partitionBy(new org.apache.spark.HashPartitioner(partitions))
                    .values()
                    .mapPartitions(it -> blocksOf(it, shared, layout))
                    .persist(StorageLevel.MEMORY_ONLY());
        }
        try (PhaseProfile.Scope phase = PhaseProfile.enter("prior_em")) {
            // Per-condition GMMs of trajectories partitioned by condition: each EM runs where its points are.
            boolean groupsWhole = !shared && allInTask && TrajectoryGroups.conditionsWhole(traj);
            return DistributedGmmEm.fit(blocks, window.clusters(), previous, options.em().withSeed(seed), inTask,
                    DistributedGmmEm.inTaskTasks(inTaskWork, jsc.defaultParallelism()), groupsWhole);
        } finally {
            if (!allInTask) {
                blocks.unpersist(false);
            }
            windowB.destroy();
        }
    }

    /** The per-(condition, t) fits, cached, and the x0 fit of each condition. */
    private record StepFits(JavaRDD<StepFit> steps, Map<Integer, InitialStateDistribution> initialStates) {
    }

    private static StepFits fitSteps(JavaSparkContext jsc, JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj,
                                     CurrentSet isCurrent, Counts counts, Map<Integer, EmResult> gmms,
                                     DynamicsOptions options, JointRows layout, boolean withInitialStates) {
        Map<Integer, Gmm> models = new HashMap<>();
        gmms.forEach((g, r) -> models.put(g, r.model()));
        // Each fit needs the rows of one (condition, t). Shuffling rows one by one (M N T records)
        // costs more than the fits at these sizes, so each trajectory is cut into a few chunks of
        // consecutive steps, keyed by (condition, chunk): enough groups to keep every core busy
        // (about 4 per core), few records. Each group then runs the fits of its steps, wherever
        // the chunks meet (fits(): after a shuffle, in one task, or in a partition of conditions).
        long longest = 1;
        for (long[] c : counts.census().perCondition.values()) {
            longest = Math.max(longest, (c[1] + c[0] - 1) / c[0]);
        }
        int conditions = counts.current().size();
        int chunksPerCondition = (int) Math.min(longest, Math.max(1,
                (4L * jsc.defaultParallelism() + conditions - 1) / Math.max(1, conditions)));
        int stepsPerChunk = (int) ((longest + chunksPerCondition - 1) / chunksPerCondition);
        int fitGroups = Math.max(1, conditions * chunksPerCondition);
        // The x0 fits ride along: chunk 0 of each condition also carries the trajectories' initial
        // states, and the x0 priors (from the census's window) are computed here and broadcast.
        HashMap<Integer, NiwPrior> x0Priors = new HashMap<>();
        if (withInitialStates) {
            for (int cond : counts.current().keySet()) {
                double[][] win = counts.census().windowInitialStates(cond);
                if (win.length > 0) {
                    x0Priors.put(cond, InitialStateFit.prior(win, options.strength()));
                }
            }
        }
        ChunkFits chunkFits = new ChunkFits(stepsPerChunk, options.sharedPrior(), options.strength(),
                counts.inputDim(), layout, withInitialStates, options.initialStateVar(), jsc.broadcast(models),
                jsc.broadcast(x0Priors), jsc.sc().collectionAccumulator());
        JavaRDD<StepFit> steps = fits(jsc, traj, isCurrent, counts, options, layout, chunkFits,
                Math.min(fitGroups, 2 * jsc.defaultParallelism()));

        // Materialise now: the caller unpersists the trajectories once this returns. (A retried
        // task may add its x0 fit twice: the same value, kept once by condition.)
        try (PhaseProfile.Scope phase = PhaseProfile.enter("step_fits")) {
            steps.count();
        }
        chunkFits.gmms().unpersist(false);
        chunkFits.x0Priors().unpersist(false);
        Map<Integer, InitialStateDistribution> x0 = new TreeMap<>();
        for (Tuple2<Integer, InitialStateDistribution> f : chunkFits.x0Fits().value()) {
            x0.put(f._1(), f._2());
        }
        return new StepFits(steps, x0);
    }

    /**
     * The per-step fits, to be materialised: where a partition holds whole conditions (a run's
     * rollouts) and there are conditions for every core or few rows, in those partitions; a fit set
     * of few rows in one task; otherwise spread over a shuffle of trajectory chunks into
     * {@code groups} tasks.
     */
    private static JavaRDD<StepFit> fits(JavaSparkContext jsc, JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj,
                                         CurrentSet isCurrent, Counts counts, DynamicsOptions options,
                                         JointRows layout, ChunkFits chunkFits, int groups) {
        long fitRows = 0;
        for (long[] c : counts.census().perCondition.values()) {
            fitRows += c[TrajectoryCensus.CURRENT_ROWS];
        }
        boolean small = fitRows <= options.inTaskMaxPoints();
        if (TrajectoryGroups.conditionsWhole(traj)
                && (small || counts.current().size() >= jsc.defaultParallelism())) {
            // Each condition's trajectories are in one partition: its fits run there, no shuffle.
            // (Fewer conditions than cores would leave cores idle that the shuffle's chunks of
            // steps would keep busy, unless the fits are few anyway.)
            return traj.filter(kv -> isCurrent.contains(kv._1()))
                    .mapPartitions(chunkFits::fitAll)
                    .persist(StorageLevel.MEMORY_AND_DISK());
        }
        if (small) {
            // Few rows (the in-task EM's limit): one task cuts and groups the chunks itself and runs
            // every fit. A shuffle's two stages and their tasks cost more than these fits; each
            // group's fits are the same computation from the same sorted rows, so the same bits.
            return traj.filter(kv -> isCurrent.contains(kv._1()))
                    .coalesce(1)
                    .mapPartitions(chunkFits::fitAll)
                    .persist(StorageLevel.MEMORY_AND_DISK());
        }
        // The map side in one task per core (no shuffle; a no-op with fewer partitions): cutting a
        // partition's trajectories into chunks takes milliseconds, less than a task's scheduling and
        // shuffle files. The fits themselves sort their rows, so the partitioning changes no number.
        int stepsPerChunk = chunkFits.stepsPerChunk();
        return traj.coalesce(jsc.defaultParallelism())
                .filter(kv -> isCurrent.contains(kv._1()))
                .flatMapToPair(kv -> chunks(kv._1(), kv._2(), layout, stepsPerChunk))
                // The group count follows the cores (for speed) without touching a number: each
                // (condition, t) is fitted in one task from its rows sorted by trajectory below.
                .groupByKey(groups)
                .flatMap(chunkFits::fit)
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** A trajectory as chunks of {@code stepsPerChunk} consecutive rows, keyed by (condition, chunk). */
    private static Iterator<Tuple2<Long, StepChunk>> chunks(TrajectoryGroups.Key key, Trajectory t, JointRows layout,
                                                            int stepsPerChunk) {
        int count = layout.count(t);
        long order = ((long) key.iteration() << 32) | key.sample();
        List<Tuple2<Long, StepChunk>> out = new ArrayList<>();
        for (int from = 0; from == 0 || from < count; from += stepsPerChunk) {
            int chunkSteps = Math.max(0, Math.min(stepsPerChunk, count - from));
            double[] rows = null;
            double[][] chunk = layout.rows(t, from, from + chunkSteps);
            for (int i = 0; i < chunkSteps; i++) {
                double[] row = chunk[i];
                if (rows == null) {
                    rows = new double[chunkSteps * row.length];
                }
                System.arraycopy(row, 0, rows, i * row.length, row.length);
            }
            out.add(new Tuple2<>(((long) key.condition() << 32) | (from / stepsPerChunk),
                    new StepChunk(order, from == 0 ? t.x()[0] : null, chunkSteps,
                            rows == null ? new double[0] : rows)));
        }
        return out.iterator();
    }

    /**
     * The fits of one (condition, chunk) group, run on an executor: every step of the chunk from the
     * rows of all its trajectories, and with chunk 0 the condition's x0 fit (added to {@code x0Fits}).
     */
    private record ChunkFits(int stepsPerChunk, boolean shared, double strength, int inputDim, JointRows layout,
                             boolean withInitialStates, double initialStateVar, Broadcast<Map<Integer, Gmm>> gmms,
                             Broadcast<HashMap<Integer, NiwPrior>> x0Priors,
                             CollectionAccumulator<Tuple2<Integer, InitialStateDistribution>> x0Fits)
            implements Serializable {
        Iterator<StepFit> fit(Tuple2<Long, Iterable<StepChunk>> kv) {
            int condition = (int) (kv._1() >>> 32);
            int chunk = (int) (kv._1() & 0xffffffffL);
            int first = chunk * stepsPerChunk;
            List<StepChunk> pieces = new ArrayList<>();
            kv._2().forEach(pieces::add);
            // Shuffles deliver pieces in any order; sort so reruns give identical bits.
            pieces.sort(Comparator.comparingLong(StepChunk::order));
            if (chunk == 0 && withInitialStates) {
                double[][] x0 = pieces.stream().map(StepChunk::x0).toArray(double[][]::new);
                x0Fits.add(new Tuple2<>(condition, InitialStateFit.fit(x0, x0Priors.value().get(condition),
                        initialStateVar)));
            }
            Gmm gmm = gmms.value().get(shared ? 0 : condition);
            List<StepFit> fits = new ArrayList<>();
            for (int i = 0; i < stepsPerChunk; i++) {
                List<double[]> rows = new ArrayList<>(pieces.size());
                for (StepChunk p : pieces) {
                    if (i < p.steps()) {
                        rows.add(p.row(i));
                    }
                }
                if (rows.isEmpty()) {
                    break;
                }
                fits.add(fitStep(condition, first + i, rows.toArray(double[][]::new), gmm, strength, inputDim,
                        layout));
            }
            return fits.iterator();
        }

        /** The fits of every group whose trajectories are all among {@code trajectories}, in key order. */
        Iterator<StepFit> fitAll(Iterator<Tuple2<TrajectoryGroups.Key, Trajectory>> trajectories) {
            TreeMap<Long, List<StepChunk>> groups = new TreeMap<>();
            while (trajectories.hasNext()) {
                Tuple2<TrajectoryGroups.Key, Trajectory> kv = trajectories.next();
                chunks(kv._1(), kv._2(), layout, stepsPerChunk).forEachRemaining(
                        c -> groups.computeIfAbsent(c._1(), g -> new ArrayList<>()).add(c._2()));
            }
            List<StepFit> fits = new ArrayList<>();
            for (Map.Entry<Long, List<StepChunk>> g : groups.entrySet()) {
                fit(new Tuple2<>(g.getKey(), g.getValue())).forEachRemaining(fits::add);
            }
            return fits.iterator();
        }
    }

    /**
     * Matrices of the joint dimension D a task holds at once, per GMM cluster and besides: EM's
     * scatter statistics, each cluster's covariance and its Cholesky factor (3 per cluster), and
     * the per-step fit's prior, joint covariance, conditional and workspace (4).
     */
    static long matricesHeld(int clusters) {
        return 3L * clusters + 4;
    }

    /**
     * Refuses dimensions whose matrices cannot be held, before any of them is built: a task needs
     * about {@link #matricesHeld}(K) matrices of D^2 doubles (D = 2dX+dU for the dynamics), and the
     * driver holds the GMMs too; both must fit in a quarter of the smaller of the driver's heap
     * and an executor's memory, leaving the rest to the data, Spark and concurrent tasks.
     */
    static void requireFits(JavaSparkContext jsc, String dataset, int dX, int dU, int jointDim, int clusters) {
        long heap = Runtime.getRuntime().maxMemory();
        long memory = jsc.isLocal() ? heap
                : Math.min(heap, jsc.getConf().getSizeAsBytes("spark.executor.memory", "1g"));
        long budget = memory / 4;
        long matrices = matricesHeld(clusters);
        double need = (double) matrices * jointDim * jointDim * Double.BYTES;
        if (need > budget) {
            long maxDim = (long) Math.floor(Math.sqrt((double) budget / (matrices * Double.BYTES)));
            throw new BadInputException(String.format(Locale.ROOT, "%s: dX=%d, dU=%d give a joint dimension"
                            + " of %d; the fits hold about (3K+4) = %d matrices of that dimension squared (K = %d clusters),"
                            + " %.1f GB, more than a quarter of the %.1f GB of memory available (the smaller of the"
                            + " driver's heap and spark.executor.memory); expected a joint dimension of at most %d",
                    dataset, dX, dU, jointDim, matrices, clusters, need / 1e9, memory / 1e9, maxDim));
        }
    }

    /**
     * Partitions of the distributed EM's points: one per {@value #POINTS_PER_EM_PARTITION} points of
     * the window, at least {@value #MIN_EM_PARTITIONS}, at most {@value #MAX_EM_PARTITIONS}. Each EM
     * pass is one job whose cost is mostly per task, so few large partitions; enough of them at a
     * million points (20) for a cluster's cores, and two at least for a small machine's.
     */
    static int emPartitions(long windowPoints) {
        return (int) Math.max(MIN_EM_PARTITIONS, Math.min(MAX_EM_PARTITIONS,
                (windowPoints + POINTS_PER_EM_PARTITION - 1) / POINTS_PER_EM_PARTITION));
    }

    static final long POINTS_PER_EM_PARTITION = 50_000;
    static final int MIN_EM_PARTITIONS = 2;
    static final int MAX_EM_PARTITIONS = 256;

    /**
     * Consecutive rows of one trajectory for the per-step fits, flattened ({@code steps} rows of
     * equal length); chunk 0 also carries x0. One array rather than one per row: the shuffle's
     * reduce side and its size tracking (Spark's SizeEstimator walks every object it holds) then
     * see two arrays per chunk instead of a hundred.
     */
    record StepChunk(long order, double[] x0, int steps, double[] rows) implements Serializable {
        double[] row(int i) {
            int width = rows.length / steps;
            return Arrays.copyOfRange(rows, i * width, (i + 1) * width);
        }
    }

    private static StepFit fitStep(int condition, int t, double[][] y, Gmm gmm, double strength, int inputDim,
                                   JointRows layout) {
        NiwPrior prior = gmm.prior(PointBlock.of(condition, Arrays.asList(y), 0), strength);
        ConditionalGaussian fit;
        try {
            fit = JointGaussianFit.conditional(y, inputDim, prior, layout.ridge(t));
        } catch (BadInputException e) {
            throw new BadInputException("condition " + condition + ", t=" + t + ": " + e.getMessage(), e);
        }
        double[] mean = outputMean(y, inputDim);
        double[] err = predictionError(y, fit, inputDim, mean);
        return new StepFit(condition, t, y.length, fit, err[0], err[1], mean);
    }

    /** One trajectory's rows as a block, with the same point ids as {@link #blocksOf}. */
    private static PointBlock trajectoryBlock(TrajectoryGroups.Key k, Trajectory t, boolean shared, JointRows layout) {
        int count = layout.count(t);
        double[][] rows = layout.rows(t, 0, count);
        int dim = rows[0].length;
        double[] data = new double[dim * count];
        long[] ids = new long[count];
        for (int s = 0; s < count; s++) {
            System.arraycopy(rows[s], 0, data, s * dim, dim);
            ids[s] = pointId(k, s);
        }
        return new PointBlock(shared ? 0 : k.condition(), dim, data, ids);
    }

    private static long pointId(TrajectoryGroups.Key k, int s) {
        return Seeds.derive(0, "point", k.iteration(), k.condition(), k.sample(), s);
    }

    private static Iterator<PointBlock> blocksOf(Iterator<Tuple2<TrajectoryGroups.Key, Trajectory>> it, boolean shared,
                                                 JointRows layout) {
        // Sort by point id within the partition: shuffle order varies between runs, and block
        // contents fix the summation order of EM's statistics.
        Map<Integer, TreeMap<Long, double[]>> byGroup = new TreeMap<>();
        while (it.hasNext()) {
            Tuple2<TrajectoryGroups.Key, Trajectory> kv = it.next();
            TrajectoryGroups.Key k = kv._1();
            Trajectory t = kv._2();
            int g = shared ? 0 : k.condition();
            TreeMap<Long, double[]> pts = byGroup.computeIfAbsent(g, x -> new TreeMap<>());
            int count = layout.count(t);
            double[][] rows = layout.rows(t, 0, count);
            for (int s = 0; s < count; s++) {
                pts.put(pointId(k, s), rows[s]);
            }
        }
        List<PointBlock> out = new ArrayList<>();
        for (Map.Entry<Integer, TreeMap<Long, double[]>> e : byGroup.entrySet()) {
            List<Map.Entry<Long, double[]>> pts = new ArrayList<>(e.getValue().entrySet());
            for (int from = 0; from < pts.size(); from += PointBlock.TYPICAL_POINTS) {
                int to = Math.min(pts.size(), from + PointBlock.TYPICAL_POINTS);
                int dim = pts.get(from).getValue().length;
                double[] data = new double[dim * (to - from)];
                long[] ids = new long[to - from];
                for (int j = from; j < to; j++) {
                    System.arraycopy(pts.get(j).getValue(), 0, data, (j - from) * dim, dim);
                    ids[j - from] = pts.get(j).getKey();
                }
                out.add(new PointBlock(e.getKey(), dim, data, ids));
            }
        }
        return out.iterator();
    }

    /**
     * rmse of output - (gain input + offset) over the rows (for the dynamics x_{t+1} - (F [x; u] + f)),
     * and the same divided by the rms spread of the output around {@code mean}, the rows' mean output.
     */
    static double[] predictionError(double[][] y, ConditionalGaussian fit, int inputDim, double[] mean) {
        double sq = 0;
        int out = y[0].length - inputDim;
        double spread = 0;
        double[] off = fit.offset();
        for (double[] r : y) {
            double[] in = Arrays.copyOfRange(r, 0, inputDim);
            double[] pred = fit.gain().times(in);
            for (int i = 0; i < out; i++) {
                double e = r[inputDim + i] - pred[i] - off[i];
                sq += e * e;
                double d = r[inputDim + i] - mean[i];
                spread += d * d;
            }
        }
        double rmse = Math.sqrt(sq / y.length);
        double rel = spread > 0 ? Math.sqrt(sq / spread) : (sq == 0 ? 0.0 : Double.POSITIVE_INFINITY);
        return new double[] {rmse, rel};
    }

    /** The mean of the rows' outputs (the columns after {@code inputDim}). */
    static double[] outputMean(double[][] y, int inputDim) {
        int out = y[0].length - inputDim;
        double[] mean = new double[out];
        for (double[] r : y) {
            for (int i = 0; i < out; i++) {
                mean[i] += r[inputDim + i] / y.length;
            }
        }
        return mean;
    }

    private static String describe(Map<Integer, EmResult> gmms, Map<Integer, Integer> clusters) {
        StringBuilder sb = new StringBuilder();
        gmms.forEach((g, r) -> sb.append(sb.length() == 0 ? "" : "; ").append("group ").append(g).append(": K=")
                .append(clusters.get(g)).append(", ").append(r.iterations()).append(" iterations, ")
                .append(r.stopReason().name().toLowerCase(Locale.ROOT)).append(r.warmStarted() ? ", warm start" : "")
                .append(String.format(Locale.ROOT, ", LL/point %.4f", r.logLikelihood())));
        return sb.toString();
    }
}
