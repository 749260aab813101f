package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.EvaluateStep;
import org.gps.pipeline.steps.TrainPolicyStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train-policy", mixinStandardHelpOptions = true,
        description = {"Train the neural policy on the iteration's samples (S-step; MDGPS and BADMM).",
                "The last job of an iteration: targets are the new controllers (R/iter=I+1/controllers) at the",
                "iteration's sampled states; loss and gradient on Spark partitions, MLlib L-BFGS on the driver.",
                "Writes R/iter=I/policy.json (plain JSON weights with the normalisation) and R/iter=I/policy_eval.json",
                "(mean and std of the return from random starts). Holds R's lock while it writes."})
final class TrainPolicyCommand implements Callable<Integer> {
    @Mixin
    StepOptions step;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        SparkSession session = spark.session("train-policy");
        EvaluateStep.PolicyScore s = RunDirectory.whileLocked(session, step.runDir,
                "gps train-policy --iteration " + step.iteration,
                () -> TrainPolicyStep.run(session, step.runDir, step.iteration));
        System.out.printf(Locale.ROOT, "iteration %d: policy mean return %.1f (std %.1f) over %d random starts of %d "
                + "steps; trained from %d environment steps%n", step.iteration, s.meanReturn(), s.stdReturn(),
                s.episodes(), s.horizon(), s.trainingEnvSteps());
        return Main.EXIT_OK;
    }
}
