package org.gps.pipeline.cli;

import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.BestPolicy;
import org.gps.pipeline.steps.EvaluateStep;
import org.gps.pipeline.steps.TrainPolicyStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train-policy", mixinStandardHelpOptions = true,
        description = {"Train the neural policy on the iteration's samples (S-step; MDGPS and BADMM).",
                "The last job of an iteration: targets are the new controllers (R/iter=I+1/controllers) at the "
                        + "iteration's sampled states; L-BFGS on the driver, with the loss and gradient summed there "
                        + "for a small S-step, else on Spark partitions (policy.training in the config).",
                "Writes R/iter=I/policy.json (plain JSON weights with the normalisation) and R/iter=I/policy_eval.json "
                        + "(mean and std of the return from policy.eval_episodes starts placed by policy.eval_starts), "
                        + "then R/best_policy.json: the published "
                        + "policy, the best scored of the iterations so far. Holds R's lock while it writes."})
final class TrainPolicyCommand implements Callable<Integer> {
    @Mixin
    StepOptions step;

    @Mixin
    SparkOptions spark;

    @Mixin
    ProfileOption profiling;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        record Outcome(EvaluateStep.PolicyScore score, BestPolicy published) {
        }
        step.run("train-policy", spark, profiling, spec, session -> {
            EvaluateStep.PolicyScore score = TrainPolicyStep.run(session, step.runDir, step.iteration);
            RunDirectory run = new RunDirectory(step.runDir, session.sparkContext().hadoopConfiguration());
            return new Outcome(score, BestPolicy.of(run).orElseThrow());
        }, o -> {
            EvaluateStep.PolicyScore s = o.score();
            System.out.printf(Locale.ROOT, "iteration %d: policy mean return %.1f (std %.1f) over %d %s of "
                    + "%d steps; trained from %d environment steps%n", step.iteration, s.meanReturn(), s.stdReturn(),
                    s.episodes(), s.startsText(), s.horizon(), s.trainingEnvSteps());
            BestPolicy b = o.published();
            System.out.println(b.iteration() == step.iteration
                    ? String.format(Locale.ROOT, "published policy: iteration %d (R/best_policy.json)", b.iteration())
                    : String.format(Locale.ROOT, "published policy: iteration %d, mean return %.1f "
                            + "(R/best_policy.json); not this one, which scored no higher", b.iteration(),
                            b.score().meanReturn()));
        });
        return Main.EXIT_OK;
    }
}
