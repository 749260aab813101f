package org.gps.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.optimization.Gradient;
import org.apache.spark.mllib.optimization.LBFGS;
import org.apache.spark.mllib.optimization.SimpleUpdater;
import org.apache.spark.mllib.optimization.SquaredL2Updater;
import org.apache.spark.mllib.optimization.Updater;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.policy.Mlp;
import org.gps.core.policy.PolicyLoss;
import org.gps.core.policy.PolicyTarget;
import scala.Tuple2;

import java.io.Serializable;

/**
 * The S-step's optimisation on Spark (docs/algorithm.md section 8): MLlib's L-BFGS over an RDD of
 * targets, whose per-iteration loss and gradient are computed on the partitions and combined by
 * MLlib; our {@link Gradient} evaluates the MLP's precision-weighted loss. (Breeze's L-BFGS needs a
 * Scala {@code DiffFunction}, which plain Java cannot implement; MLlib's takes this subclass.)
 */
public final class PolicyTraining {
    private PolicyTraining() {
    }

    /**
     * @param iterations  L-BFGS iterations at most
     * @param tolerance   MLlib's relative convergence tolerance
     * @param l2          L2 regularisation on all parameters (0 for none)
     */
    public record Options(int iterations, double tolerance, double l2, int corrections) implements Serializable {
        public static Options defaults() {
            return new Options(200, 1e-9, 0.0, 10);
        }
    }

    /** The trained network and the loss after each L-BFGS iteration (MLlib's history). */
    public record Result(Mlp policy, double[] lossHistory) {
    }

    public static Result train(JavaRDD<PolicyTarget> targets, Mlp initial, Options options) {
        JavaRDD<Tuple2<Object, Vector>> data = targets
                .map(t -> new Tuple2<Object, Vector>(0.0, Vectors.dense(t.packed())))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Updater updater = options.l2() > 0 ? new SquaredL2Updater() : new SimpleUpdater();
            Tuple2<Vector, double[]> out = LBFGS.runLBFGS(data.rdd(), new MlpGradient(initial.sizes()), updater,
                    options.corrections(), options.tolerance(), options.iterations(), options.l2(),
                    Vectors.dense(initial.parameters()));
            return new Result(Mlp.of(initial.sizes(), out._1().toArray()), out._2());
        } finally {
            data.unpersist(false);
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
            return PolicyLoss.addPacked(lastNet, data.toArray(), ((DenseVector) cumGradient).values());
        }
    }
}
