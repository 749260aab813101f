package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.dynamics.HeldOutScore;
import org.gps.core.gmm.Gmm;
import org.gps.core.random.Seeds;
import org.gps.core.sample.Trajectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Held-out scores of the dynamics step: some of each condition's fit-set trajectories are left
 * out, the GMM prior and per-step fits are fitted again on the rest with the same settings and EM
 * seed ({@link DynamicsFitting}), and the left-out transitions are scored against that separate
 * validation fit ({@link HeldOutScore}). The published dynamics are the fit on all trajectories
 * and do not depend on any of this. Trajectories stay on the executors: the driver sees their
 * keys and one score per condition.
 */
public final class HeldOutValidation {
    private static final Logger LOG = LoggerFactory.getLogger(HeldOutValidation.class);

    /** Share of a condition's fit-set trajectories held out (rounded, at least one). */
    public static final double FRACTION = 0.2;

    /** A condition is scored from this many trajectories on: two to fit (the per-step fit's minimum) and one to score. */
    public static final int MIN_TRAJECTORIES = 3;

    private HeldOutValidation() {
    }

    /**
     * The hold-out: in each condition with n >= {@link #MIN_TRAJECTORIES} fit-set trajectories,
     * the k with the smallest hash of (seed, iteration, condition, sample), k = round(FRACTION n)
     * but at least 1 and at most n - 2. A hash rank rather than a per-trajectory coin keeps k
     * exact: never none, never all, always two left to fit.
     *
     * @param heldOut      the held-out keys of each scored condition, in hash order
     * @param trajectories fit-set trajectories of every condition
     */
    public record Split(Map<Integer, List<TrajectoryGroups.Key>> heldOut, Map<Integer, Integer> trajectories)
            implements Serializable {
        public Split {
            heldOut = Map.copyOf(heldOut);
            trajectories = Map.copyOf(trajectories);
        }

        Set<TrajectoryGroups.Key> keys() {
            Set<TrajectoryGroups.Key> out = new HashSet<>();
            heldOut.values().forEach(out::addAll);
            return out;
        }
    }

    /** How many of a condition's n fit-set trajectories are held out (0: the condition is not scored). */
    public static int heldOutCount(int n) {
        if (n < MIN_TRAJECTORIES) {
            return 0;
        }
        return Math.min(n - 2, Math.max(1, (int) Math.floor(FRACTION * n + 0.5)));
    }

    /** The {@link Split} of the fit-set trajectories {@code keys} for {@code seed}. */
    public static Split split(Collection<TrajectoryGroups.Key> keys, long seed) {
        Map<Integer, List<TrajectoryGroups.Key>> byCondition = new TreeMap<>();
        for (TrajectoryGroups.Key k : keys) {
            byCondition.computeIfAbsent(k.condition(), c -> new ArrayList<>()).add(k);
        }
        Map<Integer, List<TrajectoryGroups.Key>> heldOut = new TreeMap<>();
        Map<Integer, Integer> counts = new TreeMap<>();
        byCondition.forEach((c, list) -> {
            counts.put(c, list.size());
            int k = heldOutCount(list.size());
            if (k > 0) {
                List<TrajectoryGroups.Key> ranked = new ArrayList<>(list);
                ranked.sort(Comparator.comparingLong((TrajectoryGroups.Key key) -> hash(seed, key))
                        .thenComparingInt(TrajectoryGroups.Key::iteration)
                        .thenComparingInt(TrajectoryGroups.Key::sample));
                heldOut.put(c, List.copyOf(ranked.subList(0, k)));
            }
        });
        return new Split(heldOut, counts);
    }

    private static long hash(long seed, TrajectoryGroups.Key k) {
        return Seeds.derive(seed, "held-out", k.iteration(), k.condition(), k.sample());
    }

    /**
     * One condition's outcome.
     *
     * @param trajectories its fit-set trajectories (held out and fitted)
     * @param heldOut      the held-out ones (empty when not scored)
     * @param score        the held-out score, or null when not scored
     * @param reason       why it is not scored, or null
     */
    public record ConditionResult(int condition, int trajectories, List<TrajectoryGroups.Key> heldOut,
                                  HeldOutScore score, String reason) implements Serializable {
        public ConditionResult {
            heldOut = List.copyOf(heldOut);
        }
    }

    /**
     * @param seed       the hold-out's seed
     * @param conditions every condition of the fit set, in order
     * @param overall    the scored conditions' scores pooled ({@link HeldOutScore#NONE} when none is)
     */
    public record Result(long seed, List<ConditionResult> conditions, HeldOutScore overall) implements Serializable {
        public Result {
            conditions = List.copyOf(conditions);
        }
    }

    /**
     * Holds out, fits the rest and scores.
     *
     * @param trajectories every trajectory of the dynamics step, already cached by the caller
     * @param isCurrent    the fit set (trajectories outside it only feed the prior's window, as in the step)
     * @param previous     EM's warm start, as in the step
     * @param emSeed       the step's EM seed
     * @param source       the step's source: names the data (its row check is the step's, not repeated here)
     * @param splitSeed    seeds the hold-out
     */
    public static Result run(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories,
                             DynamicsFitting.CurrentSet isCurrent, DynamicsOptions options, Map<Integer, Gmm> previous,
                             long emSeed, DynamicsFitting.Source source, long splitSeed) {
        long start = System.nanoTime();
        Split split = split(trajectories.keys().filter(isCurrent::contains).collect(), splitSeed);
        List<ConditionResult> results = new ArrayList<>();
        Map<Integer, HeldOutScore> scores = split.heldOut().isEmpty() ? Map.of()
                : fitAndScore(trajectories, isCurrent, options, previous, emSeed, source, split);
        HeldOutScore overall = HeldOutScore.NONE;
        for (Map.Entry<Integer, Integer> e : new TreeMap<>(split.trajectories()).entrySet()) {
            int c = e.getKey();
            int n = e.getValue();
            if (!split.heldOut().containsKey(c)) {
                results.add(new ConditionResult(c, n, List.of(), null, n + " trajector" + (n == 1 ? "y" : "ies")
                        + " to fit; a hold-out needs at least " + MIN_TRAJECTORIES + " (2 to fit, 1 to score)"));
            } else if (!scores.containsKey(c)) {
                results.add(new ConditionResult(c, n, split.heldOut().get(c), null,
                        "no held-out transition at a fitted time step"));
            } else {
                HeldOutScore s = scores.get(c);
                results.add(new ConditionResult(c, n, split.heldOut().get(c), s, null));
                overall = overall.plus(s);
            }
        }
        LOG.info("held-out scores of {} condition(s) in {} ms", scores.size(), (System.nanoTime() - start) / 1_000_000);
        return new Result(splitSeed, results, overall);
    }

    private static Map<Integer, HeldOutScore> fitAndScore(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories,
                                                          DynamicsFitting.CurrentSet isCurrent, DynamicsOptions options,
                                                          Map<Integer, Gmm> previous, long emSeed,
                                                          DynamicsFitting.Source source, Split split) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(trajectories.context());
        Broadcast<Set<TrajectoryGroups.Key>> heldB = jsc.broadcast(split.keys());
        Set<Integer> scored = new HashSet<>(split.heldOut().keySet());
        // The rows behind the fit were checked against the markers by the step's own fit; a subset
        // cannot match them.
        DynamicsFitting.Source unchecked = new DynamicsFitting.Source(source.dataset(), source.equalLengths(), r -> { });
        LOG.info("held-out validation: fitting without {} held-out trajectories of {} condition(s)",
                heldB.value().size(), scored.size());
        DynamicsFitting.Result fit = DynamicsFitting.fit(trajectories.filter(kv -> !heldB.value().contains(kv._1())),
                isCurrent, options, previous, emSeed, unchecked);
        try {
            DynamicsFitting.JointRows layout = DynamicsFitting.JointRows.dynamics(options.regularization(), options.action());
            JavaPairRDD<Integer, Tuple2<Long, Trajectory>> held = trajectories
                    .filter(kv -> heldB.value().contains(kv._1()))
                    .mapToPair(kv -> new Tuple2<>(kv._1().condition(), new Tuple2<>(
                            ((long) kv._1().iteration() << 32) | kv._1().sample(), kv._2())));
            JavaPairRDD<Integer, DynamicsFitting.StepFit> steps = fit.steps()
                    .filter(s -> scored.contains(s.condition()))
                    .mapToPair(s -> new Tuple2<>(s.condition(), s));
            List<Tuple2<Integer, HeldOutScore>> perCondition = held
                    .cogroup(steps, Math.max(1, Math.min(scored.size(), 2 * jsc.defaultParallelism())))
                    .mapToPair(kv -> new Tuple2<>(kv._1(), score(kv._2()._1(), kv._2()._2(), layout)))
                    .filter(kv -> kv._2().steps() > 0)
                    .collect();
            Map<Integer, HeldOutScore> out = new TreeMap<>();
            perCondition.forEach(kv -> out.put(kv._1(), kv._2()));
            return out;
        } finally {
            fit.steps().unpersist(false);
            heldB.destroy();
        }
    }

    /**
     * One condition's held-out trajectories against its fitted steps. Sorted first (a shuffle
     * delivers them in any order) so that the sums, and so the scores, are the same bits on every
     * run: trajectories by (iteration, sample), steps by t.
     */
    private static HeldOutScore score(Iterable<Tuple2<Long, Trajectory>> held, Iterable<DynamicsFitting.StepFit> fits,
                                      DynamicsFitting.JointRows layout) {
        List<Tuple2<Long, Trajectory>> trajectories = new ArrayList<>();
        held.forEach(trajectories::add);
        trajectories.sort(Comparator.comparingLong(Tuple2::_1));
        List<DynamicsFitting.StepFit> steps = new ArrayList<>();
        fits.forEach(steps::add);
        steps.sort(Comparator.comparingInt(DynamicsFitting.StepFit::t));
        HeldOutScore total = HeldOutScore.NONE;
        for (DynamicsFitting.StepFit s : steps) {
            List<double[]> rows = new ArrayList<>();
            int inputDim = 0;
            for (Tuple2<Long, Trajectory> tr : trajectories) {
                if (s.t() < layout.count(tr._2())) {
                    rows.add(layout.row(tr._2(), s.t()));
                    inputDim = layout.inputDim(tr._2());
                }
            }
            if (!rows.isEmpty()) {
                total = total.plus(HeldOutScore.ofStep(s.model(), s.outputMean(), rows.toArray(double[][]::new),
                        inputDim));
            }
        }
        return total;
    }
}
