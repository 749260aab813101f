package org.gps.pipeline.steps;

import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.policy.Policy;
import org.gps.io.AtomicOutput;
import org.gps.io.ControllerStore;
import org.gps.io.HadoopFiles;
import org.gps.io.PolicyJson;
import org.gps.pipeline.RunDirectory;
import org.gps.io.PhaseProfile;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Where the neural policy and its linearizations live in a run directory. */
public final class PolicyOutputs {
    private PolicyOutputs() {
    }

    public static void writePolicy(RunDirectory run, org.apache.hadoop.fs.Path path, Policy policy) {
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.writeFile(run.hadoopConf(), path.toString(),
                    PolicyJson.toJson(policy).getBytes(StandardCharsets.UTF_8));
        }
    }

    public static boolean exists(RunDirectory run, org.apache.hadoop.fs.Path path) {
        return HadoopFiles.exists(run.hadoopConf(), path.toString());
    }

    public static Policy readPolicy(RunDirectory run, org.apache.hadoop.fs.Path path, String producedBy) {
        if (!exists(run, path)) {
            throw new BadInputException(path + ": missing; run '" + producedBy + "' first");
        }
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            return PolicyJson.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), path), path.toString());
        }
    }

    /**
     * The policy that iteration I's linearization and on-policy samples use: the one trained at the
     * end of iteration I-1, or at iteration 0 the one caught up to the initial controllers.
     */
    public static Policy policyBefore(RunDirectory run, int iteration) {
        return iteration == 0 ? readPolicy(run, run.policyInitial(), "gps trajopt --iteration 0")
                : readPolicy(run, run.policy(iteration - 1), "gps train-policy --iteration " + (iteration - 1));
    }

    public static void writeLinearization(SparkSession spark, RunDirectory run, int iteration,
                                          Map<Integer, LinearGaussianController> lin) {
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.publish(spark, run.policyLinearization(iteration).toString(), "policy linearization",
                    tmp -> ControllerStore.write(run.hadoopConf(), tmp, lin));
            ControllerStore.published(spark, run.policyLinearization(iteration).toString(), lin);
        }
    }

    public static Map<Integer, LinearGaussianController> readLinearization(SparkSession spark, RunDirectory run,
                                                                           int iteration) {
        String path = run.policyLinearization(iteration).toString();
        try (PhaseProfile.Scope phase = PhaseProfile.enter(PhaseProfile.IO)) {
            AtomicOutput.requireComplete(spark, path);
            return ControllerStore.read(spark, path);
        }
    }
}
