package org.gps.spark;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.gps.core.BadInputException;
import org.gps.core.control.ConditionSamples;
import org.gps.core.cost.CostFunction;
import org.gps.core.sample.RolloutPolicy;
import org.gps.core.sample.Trajectory;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The C-steps that read the samples themselves (PI2 and PILQR): one Spark task per condition holds
 * that condition's N trajectories of the iteration, costs every step of them, recovers the unit
 * noise each action was drawn with from the policy that drew it, and runs the condition's update.
 * Only the updates' results (controllers and per-step arrays) come back to the driver; the
 * trajectories stay on the executors.
 *
 * <p>Within a task the samples are put in sample order before anything is summed, so the result
 * does not depend on the order the shuffle delivers them in: the same bits on any number of cores.
 */
public final class SampleBasedCStep {
    private SampleBasedCStep() {
    }

    /**
     * What a condition's task needs besides its samples.
     *
     * @param sampler the policy that drew the condition's samples (a controller, or the neural policy),
     *                which recovers their noise
     * @param cost    the condition's cost, evaluated at every step of every sample
     * @param input   the update's own input (reference controller, models, multipliers)
     */
    public record Problem<I extends Serializable>(RolloutPolicy sampler, CostFunction cost, I input)
            implements Serializable {
    }

    /**
     * Runs {@code update} once per condition of {@code problems}, in one task each, on that condition's
     * trajectories of {@code trajectories}.
     *
     * @throws BadInputException when a condition of {@code problems} has no trajectories
     */
    public static <I extends Serializable, R extends Serializable> Map<Integer, R> run(
            JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories, Map<Integer, Problem<I>> problems,
            Function2<I, ConditionSamples, R> update, String dataset) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(trajectories.context());
        Broadcast<TreeMap<Integer, Problem<I>>> shared = jsc.broadcast(new TreeMap<>(problems));
        int partitions = Math.max(1, problems.size());
        try {
            Map<Integer, R> out = new TreeMap<>();
            trajectories
                    .filter(kv -> shared.value().containsKey(kv._1().condition()))
                    .mapToPair(kv -> new Tuple2<>(kv._1().condition(), new Tuple2<>(kv._1().sample(), kv._2())))
                    .groupByKey(new HashPartitioner(partitions))
                    .mapToPair(g -> {
                        Problem<I> p = shared.value().get(g._1());
                        return new Tuple2<>(g._1(), update.call(p.input(), samples(g._2(), p, g._1(), dataset)));
                    })
                    .collect()
                    .forEach(t -> out.put(t._1(), t._2()));
            for (int c : problems.keySet()) {
                if (!out.containsKey(c)) {
                    throw new BadInputException(dataset + ": condition " + c + " has no samples; the C-step of "
                            + "every condition reads that condition's samples");
                }
            }
            return out;
        } finally {
            shared.destroy();
        }
    }

    /** One condition's samples in sample order, with every step's cost and the noise behind every action. */
    static ConditionSamples samples(Iterable<Tuple2<Integer, Trajectory>> unordered, Problem<?> p, int condition,
                                    String dataset) {
        List<Tuple2<Integer, Trajectory>> sorted = new ArrayList<>();
        unordered.forEach(sorted::add);
        sorted.sort(Comparator.comparing(Tuple2::_1));
        int n = sorted.size();
        if (n < 2) {
            throw new BadInputException(dataset + ": condition " + condition + " has " + n
                    + " sample; a sample-based C-step needs at least 2 per condition");
        }
        double[][][] x = new double[n][][];
        double[][][] u = new double[n][][];
        double[][][] eps = new double[n][][];
        double[][] c = new double[n][];
        for (int i = 0; i < n; i++) {
            Trajectory tr = sorted.get(i)._2();
            int horizon = tr.horizon();
            x[i] = tr.x();
            u[i] = tr.u();
            eps[i] = new double[horizon][];
            for (int t = 0; t < horizon; t++) {
                eps[i][t] = p.sampler().unitNoise(t, tr.x()[t], tr.o()[t], tr.u()[t]);
            }
            c[i] = p.cost().evaluate(tr.x(), tr.u()).costs();
        }
        return new ConditionSamples(x, u, eps, c);
    }
}
