package org.gps.spark;

import breeze.linalg.DenseVector;
import breeze.linalg.DenseVector$;
import breeze.linalg.DenseVector$mcD$sp;
import breeze.linalg.support.CanCopy;
import breeze.optimize.CachedDiffFunction;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.optimization.Gradient;
import org.apache.spark.mllib.optimization.LBFGS;
import org.apache.spark.mllib.optimization.SimpleUpdater;
import org.apache.spark.mllib.optimization.SquaredL2Updater;
import org.apache.spark.mllib.optimization.Updater;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.BadInputException;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.PolicyLoss;
import org.gps.core.policy.PolicyOptions.Training;
import org.gps.core.policy.PolicyTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * The S-step's optimisation (docs/algorithm.md section 8): Breeze's L-BFGS on the mean
 * precision-weighted loss over the targets, its loss and gradient evaluated in one of two places
 * ({@link Training}). Distributed: MLlib's {@code LBFGS.runLBFGS} over the RDD, one Spark job per
 * evaluation, our {@link Gradient} called per target. Local: the targets gathered into the driver
 * once, the same Breeze L-BFGS driven as MLlib drives it, each evaluation summed here with no job.
 * Both paths add each partition's targets in order and the partitions' sums together, so with
 * two partitions (what {@link PolicyUpdate} trains on) they compute the same numbers.
 */
public final class PolicyTraining {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyTraining.class);

    private PolicyTraining() {
    }

    /**
     * @param iterations  L-BFGS iterations at most
     * @param tolerance   MLlib's relative convergence tolerance
     * @param l2          L2 regularisation on all parameters (0 for none)
     * @param training    where the loss and gradient are evaluated
     */
    public record Options(int iterations, double tolerance, double l2, int corrections, Training training)
            implements Serializable {
        public Options {
            Objects.requireNonNull(training, "training");
        }

        public static Options defaults() {
            return new Options(200, 1e-9, 0.0, 10, Training.AUTO);
        }
    }

    /**
     * The trained network, the loss before and after each L-BFGS iteration (MLlib's history) and
     * whether it was trained in the driver.
     */
    public record Result(Mlp policy, double[] lossHistory, boolean local) {
        /**
         * L-BFGS iterations taken: the history's steps, except the state Breeze repeats (the same
         * point and loss) when a line search fails and it restarts its curvature memory. Counting
         * that state too would report up to one iteration more than the limit.
         */
        public int iterations() {
            int n = 0;
            for (int i = 1; i < lossHistory.length; i++) {
                if (Double.doubleToRawLongBits(lossHistory[i]) != Double.doubleToRawLongBits(lossHistory[i - 1])) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * The most targets {@code initial} trains on in the driver under {@code options}: every count up
     * to it {@link #runsLocally}, none above it does (0 for distributed).
     */
    static long mostTargetsInDriver(Mlp initial, Options options) {
        if (options.training() == Training.DISTRIBUTED) {
            return 0;
        }
        long perTarget = Training.doublesPerTarget(initial.inputDim(), initial.outputDim());
        long most = Training.LOCAL_CAP_DOUBLES / perTarget;
        if (options.training() == Training.AUTO) {
            most = Math.min(most, (Training.AUTO_LOCAL_BELOW - 1) / Mlp.parameterCount(initial.sizes()));
        }
        return most;
    }

    /**
     * Whether {@code count} targets train {@code initial} in the driver ({@link Training#runsLocally});
     * {@code local} above the cap on what the driver gathers is refused.
     */
    static boolean runsLocally(long count, Mlp initial, Options options) {
        if (options.training() == Training.DISTRIBUTED) {
            return false;
        }
        long parameters = Mlp.parameterCount(initial.sizes());
        int perTarget = (int) Training.doublesPerTarget(initial.inputDim(), initial.outputDim());
        if (options.training() == Training.LOCAL && Training.exceedsCap(count, perTarget)) {
            throw new BadInputException(String.format(Locale.ROOT, "policy.training: local would gather %d S-step "
                            + "targets of %d numbers each into the driver, %.1f MiB, above its cap of %d numbers "
                            + "(%d MiB); use auto or distributed", count, perTarget,
                    count * perTarget * 8.0 / (1 << 20), Training.LOCAL_CAP_DOUBLES,
                    Training.LOCAL_CAP_DOUBLES * 8 >> 20));
        }
        boolean local = options.training().runsLocally(count, parameters, perTarget);
        LOG.info("S-step: {} targets x {} parameters, policy.training {}: L-BFGS {}", count, parameters,
                options.training().configName(), local ? "in the driver" : "on the executors");
        return local;
    }

    static Result distributed(JavaRDD<PolicyTarget> targets, Mlp initial, Options options) {
        JavaRDD<Tuple2<Object, Vector>> data = targets
                .map(t -> new Tuple2<Object, Vector>(0.0, Vectors.dense(t.packed())))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Tuple2<Vector, double[]> out = LBFGS.runLBFGS(data.rdd(), new MlpGradient(initial.sizes()),
                    updater(options), options.corrections(), options.tolerance(), options.iterations(), options.l2(),
                    Vectors.dense(initial.parameters()));
            return new Result(Mlp.of(initial.sizes(), out._1().toArray()), out._2(), false);
        } finally {
            data.unpersist(false);
        }
    }

    /** MLlib's choice of regulariser: the squared L2 penalty when there is one. */
    private static Updater updater(Options options) {
        return options.l2() > 0 ? new SquaredL2Updater() : new SimpleUpdater();
    }

    /**
     * MLlib's {@code runLBFGS} loop over targets in this JVM: the same Breeze L-BFGS (corrections,
     * iteration limit, tolerance, hence its convergence test) behind the same cache, and the loss
     * history as MLlib records it, the value of every state the iterations pass through.
     */
    static Result local(List<double[]> partitions, long count, Mlp initial, Options options) {
        CanCopy<DenseVector<Object>> copy = DenseVector$.MODULE$.canCopyDenseVector(ClassTag$.MODULE$.Double());
        LocalObjective objective = new LocalObjective(initial.sizes(), partitions, count, updater(options),
                options.l2());
        breeze.optimize.LBFGS<DenseVector<Object>> lbfgs = new breeze.optimize.LBFGS<>(options.iterations(),
                options.corrections(), options.tolerance(), DenseVector$.MODULE$.space_Double());
        DenseVector<Object> start = new DenseVector$mcD$sp(initial.parameters());
        scala.collection.Iterator<?> states = lbfgs.iterations(
                new CachedDiffFunction<>(objective.asDiffFunction(), copy), start);
        List<Double> history = new ArrayList<>();
        FirstOrderMinimizer.State<?, ?, ?> state = (FirstOrderMinimizer.State<?, ?, ?>) states.next();
        while (states.hasNext()) {
            history.add(state.value());
            state = (FirstOrderMinimizer.State<?, ?, ?>) states.next();
        }
        history.add(state.value());
        double[] parameters = ((DenseVector<?>) state.x()).toArray$mcD$sp(ClassTag$.MODULE$.Double());
        return new Result(Mlp.of(initial.sizes(), parameters),
                history.stream().mapToDouble(Double::doubleValue).toArray(), true);
    }

    /**
     * MLlib's L-BFGS objective over gathered targets: the summed loss and gradient divided by the
     * target count, plus the updater's L2 term computed by the updater itself, as MLlib's cost
     * function does. Each partition is summed in its own thread, with the numbers of adding its targets
     * one by one in order ({@link PolicyLoss#addPartition}), and the sums are added in partition
     * order, so the result does not depend on thread timing.
     */
    static final class LocalObjective {
        private final int[] sizes;
        private final List<double[]> partitions;
        private final long count;
        private final Updater updater;
        private final double l2;

        LocalObjective(int[] sizes, List<double[]> partitions, long count, Updater updater, double l2) {
            this.sizes = sizes.clone();
            this.partitions = List.copyOf(partitions);
            this.count = count;
            this.updater = updater;
            this.l2 = l2;
        }

        /**
         * This objective as Breeze's {@code DiffFunction}. Java cannot implement that trait: Scala
         * compiles it to an interface whose {@code apply(T)} returns double where the inherited
         * {@code Function1.apply} returns Object, a pair javac refuses (and so does
         * {@code java.lang.reflect.Proxy}), and javac refuses to subclass Breeze's Scala classes for
         * a generic signature scalac leaves out. The JVM has no such rule: {@link LambdaMetafactory},
         * which Scala uses for its own single-method traits, builds an instance whose
         * {@code calculate} is {@link #calculate}. Nothing else is ever called on it: it is only
         * used inside a {@code CachedDiffFunction}, which calls {@code calculate} alone on what it wraps.
         */
        @SuppressWarnings("unchecked")
        DiffFunction<DenseVector<Object>> asDiffFunction() {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                MethodType calculate = MethodType.methodType(Tuple2.class, DenseVector.class);
                CallSite site = LambdaMetafactory.metafactory(lookup, "calculate",
                        MethodType.methodType(DiffFunction.class, LocalObjective.class),
                        MethodType.methodType(Tuple2.class, Object.class),
                        lookup.findVirtual(LocalObjective.class, "calculate", calculate), calculate);
                return (DiffFunction<DenseVector<Object>>) site.getTarget().invoke(this);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot present the S-step's objective to Breeze's L-BFGS", e);
            }
        }

        Tuple2<Object, DenseVector<Object>> calculate(DenseVector<Object> x) {
            double[] w = x.toArray$mcD$sp(ClassTag$.MODULE$.Double());
            Mlp net = Mlp.of(sizes, w);
            int n = w.length;
            double[][] gradients = new double[partitions.size()][];
            double[] losses = new double[partitions.size()];
            IntStream.range(0, partitions.size()).parallel().forEach(p -> {
                double[] g = new double[n];
                losses[p] = PolicyLoss.addPartition(net, partitions.get(p), g);
                gradients[p] = g;
            });
            double lossSum = 0.0;
            double[] gradientSum = new double[n];
            for (int p = 0; p < partitions.size(); p++) {
                lossSum += losses[p];
                double[] g = gradients[p];
                for (int i = 0; i < n; i++) {
                    gradientSum[i] += g[i];
                }
            }
            Vector weights = Vectors.dense(w);
            double regValue = updater.compute(weights, Vectors.zeros(n), 0, 1, l2)._2$mcD$sp();
            double[] decayed = updater.compute(weights, Vectors.zeros(n), 1, 1, l2)._1().toArray();
            double[] gradient = new double[n];
            double perExample = 1.0 / count;
            for (int i = 0; i < n; i++) {
                // The updater's step from w with a zero gradient is w minus the penalty's gradient.
                gradient[i] = (w[i] - decayed[i]) + perExample * gradientSum[i];
            }
            return new Tuple2<>(lossSum / count + regValue, new DenseVector$mcD$sp(gradient));
        }
    }

    /** MLlib's per-example callback: loss w r^T P r and its gradient added into cumGradient. */
    static final class MlpGradient extends Gradient {
        private static final long serialVersionUID = 1L;
        private final int[] sizes;
        // One network per weight vector seen: MLlib hands the same vector to every example of a pass.
        private transient Vector lastWeights;
        private transient Mlp lastNet;

        MlpGradient(int[] sizes) {
            this.sizes = sizes.clone();
        }

        @Override
        public double compute(Vector data, double label, Vector weights, Vector cumGradient) {
            if (weights != lastWeights) {
                lastNet = Mlp.of(sizes, weights.toArray());
                lastWeights = weights;
            }
            return PolicyLoss.addPacked(lastNet, data.toArray(),
                    ((org.apache.spark.mllib.linalg.DenseVector) cumGradient).values());
        }
    }
}
