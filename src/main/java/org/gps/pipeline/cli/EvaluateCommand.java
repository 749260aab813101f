package org.gps.pipeline.cli;

import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.steps.EvaluateStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Run the controllers (and with --policy the neural policy) and report returns.",
                "Runs an iteration's controllers (default: the latest) from each condition's start and "
                        + "prints the mean return over the horizon and, for Pendulum, the mean |angle| over the last "
                        + "20 steps.",
                "With --policy, the run's published policy (R/best_policy.json: the best scored) unless "
                        + "--iteration."})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--run-dir", paramLabel = "R", required = true, description = "Run directory.")
    String runDir;

    @Option(names = "--iteration", paramLabel = "I", description = "Controllers of this iteration (default: latest); "
            + "with --policy the policy and the controllers of this iteration (default: the published policy's "
            + "iteration, R/best_policy.json).")
    Integer iteration;

    @Option(names = "--episodes", paramLabel = "N", description = "Episodes per condition (default: the config's "
            + "samples); with --policy, the policy's episodes (default: policy.eval_episodes, 100).")
    Integer episodes;

    @Option(names = "--policy", description = "Also run the neural policy (MDGPS, BADMM) of the iteration "
            + "(default: the published one, the best scored in iter=I/policy_eval.json) from N starts of the "
            + "environment's start distribution (Gym's for Pendulum) and report the mean and std of its return.")
    boolean policy;

    @Option(names = "--seed", paramLabel = "S", description = "Draw the policy's starts independently with this seed, "
            + "the same starts for every run (default: the starts the run scored that iteration's policy on, placed "
            + "by its policy.eval_starts, which reproduces iter=I/policy_eval.json).")
    Long seed;

    @Option(names = "--json", description = "Print one JSON object (keys: iteration, conditions[condition, mean_return, "
            + "std_return, final_abs_angle]; with --policy also policy_iteration, published_policy_iteration "
            + "(null when no policy is scored) and policy{episodes, horizon, "
            + "mean_return, std_return, training_env_steps, episode_returns[N], episode_starts[N] (each "
            + "episode's initial state) and, for Pendulum, "
            + "episode_mean_abs_angle_last_20_steps[N] and upright_fraction: the share of episodes whose mean "
            + "|angle| over the last 20 steps is below 0.2 rad}; see docs/formats.md).")
    boolean json;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        if (episodes != null && episodes < 1) {
            throw new org.gps.core.BadInputException("--episodes: expected an integer >= 1, got " + episodes);
        }
        if (seed != null && !policy) {
            throw new org.gps.core.BadInputException("--seed: only used with --policy");
        }
        RunDirectory.checkLocal(runDir, null);
        org.apache.spark.sql.SparkSession session = spark.session("evaluate");
        if (!policy) {
            EvaluateStep.Result r = EvaluateStep.run(session, runDir, iteration, episodes);
            System.out.print(json ? r.toJson() + System.lineSeparator() : r.toTable());
            return Main.EXIT_OK;
        }
        EvaluateStep.PolicyEvaluation pe = EvaluateStep.runPolicy(session, runDir, iteration, episodes, seed);
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(pe.controllers().toJson());
            root.put("policy_iteration", pe.policyIteration());
            if (pe.publishedIteration() < 0) {
                root.putNull("published_policy_iteration");
            } else {
                root.put("published_policy_iteration", pe.publishedIteration());
            }
            root.set("policy", pe.score().toJsonNode());
            System.out.println(root);
        } else {
            // The controllers run beside the policy are its iteration's, with the config's N episodes each:
            // say so, or the table reads as the latest controllers run --episodes times.
            EvaluateStep.Result c = pe.controllers();
            System.out.print(c.toTable(String.format(java.util.Locale.ROOT, "controllers of iteration %d (the "
                    + "policy's): %d episodes per condition, the config's samples", c.iteration(),
                    c.episodesPerCondition())));
            EvaluateStep.PolicyScore s = pe.score();
            System.out.printf(java.util.Locale.ROOT, "policy (iteration %d, %s): mean return %.2f, std %.2f over %d "
                    + "%s of %d steps; trained from %d environment steps%n", pe.policyIteration(),
                    which(pe), s.meanReturn(), s.stdReturn(), s.episodes(), s.startsText(), s.horizon(),
                    s.trainingEnvSteps());
            if (!Double.isNaN(s.uprightFraction())) {
                System.out.printf(java.util.Locale.ROOT, "policy ends upright (mean |angle| over the last %d steps "
                        + "< %.1f rad) in %.0f%% of the episodes%n", org.gps.spark.RolloutSampling.FINAL_WINDOW,
                        org.gps.spark.RolloutSampling.UPRIGHT_ANGLE, 100 * s.uprightFraction());
            }
        }
        return Main.EXIT_OK;
    }

    private static String which(EvaluateStep.PolicyEvaluation pe) {
        if (pe.isPublished()) {
            return "the published policy";
        }
        return pe.publishedIteration() < 0 ? "chosen with --iteration; no policy is scored yet"
                : "chosen with --iteration; not the published policy, which is iteration " + pe.publishedIteration();
    }
}
