package org.gps.pipeline.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.io.AtomicOutput;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The policy a run publishes ({@code R/best_policy.json}): of the iterations whose policy has a
 * score ({@code iter=I/policy_eval.json}), the one with the highest mean return. An S-step can make
 * the policy worse, so the last iteration's policy is not the run's result by default.
 *
 * <p>Ties go to the earliest iteration: it reached the same score from fewer environment steps,
 * and the published policy then changes only when a later one does strictly better. A NaN score
 * ranks below every number. The choice is made from the score files alone, so {@code gps run},
 * a resumed run and a chain of separate {@code gps train-policy} jobs publish the same file.
 *
 * @param iteration        the published policy's iteration
 * @param score            its {@code policy_eval.json}
 * @param lastIteration    the latest iteration with a score
 * @param lastScore        that iteration's score (the same as {@code score} when it is the published one)
 * @param scoredIterations every iteration the choice was made from, ascending
 * @param scoringEnvSteps  the environment steps of all those scoring episodes: interaction the
 *                         choice used that no {@code training_env_steps} counts
 */
public record BestPolicy(int iteration, EvaluateStep.PolicyScore score, int lastIteration,
                         EvaluateStep.PolicyScore lastScore, List<Integer> scoredIterations, long scoringEnvSteps) {

    public BestPolicy {
        scoredIterations = List.copyOf(scoredIterations);
    }

    public boolean isLast() {
        return iteration == lastIteration;
    }

    /**
     * The rule on its own: the iteration of the highest mean return, the earliest of equal ones, NaN
     * below every number; -1 when there is none.
     */
    public static int select(SortedMap<Integer, Double> meanReturns) {
        int best = -1;
        double bestReturn = Double.NaN;
        for (Map.Entry<Integer, Double> e : meanReturns.entrySet()) {
            if (best < 0 || beats(e.getValue(), bestReturn)) {
                best = e.getKey();
                bestReturn = e.getValue();
            }
        }
        return best;
    }

    private static boolean beats(double candidate, double incumbent) {
        return !Double.isNaN(candidate) && (Double.isNaN(incumbent) || candidate > incumbent);
    }

    /** The run's published policy by the score files present now; empty when no policy is scored yet. */
    public static Optional<BestPolicy> of(RunDirectory run) {
        ExperimentConfig config = run.config();
        SortedMap<Integer, EvaluateStep.PolicyScore> scores = new TreeMap<>();
        for (int i = 0; i < config.iterations(); i++) {
            org.apache.hadoop.fs.Path p = run.policyEval(i);
            if (HadoopFiles.exists(run.hadoopConf(), p.toString())) {
                scores.put(i, EvaluateStep.PolicyScore.fromJson(HadoopFiles.readUtf8(run.hadoopConf(), p), p.toString()));
            }
        }
        SortedMap<Integer, Double> means = new TreeMap<>();
        scores.forEach((i, s) -> means.put(i, s.meanReturn()));
        int best = select(means);
        if (best < 0) {
            return Optional.empty();
        }
        long scoringSteps = scores.values().stream().mapToLong(s -> (long) s.episodes() * s.horizon()).sum();
        int last = scores.lastKey();
        return Optional.of(new BestPolicy(best, scores.get(best), last, scores.get(last),
                new ArrayList<>(scores.keySet()), scoringSteps));
    }

    /**
     * Brings {@code R/best_policy.json} up to date with the score files (atomically), or removes it
     * when no policy is scored; a file that is already right is left untouched, so a resumed run
     * writes nothing. Call it holding the run directory's lock, after a score file was written or
     * withdrawn.
     */
    public static Optional<BestPolicy> publish(RunDirectory run) {
        Optional<BestPolicy> best = of(run);
        String path = run.bestPolicy().toString();
        if (best.isEmpty()) {
            AtomicOutput.withdraw(run.hadoopConf(), path);
            return best;
        }
        String json = best.get().toJson(run);
        if (!HadoopFiles.exists(run.hadoopConf(), path)
                || !json.equals(HadoopFiles.readUtf8(run.hadoopConf(), run.bestPolicy()))) {
            AtomicOutput.writeFile(run.hadoopConf(), path, json.getBytes(StandardCharsets.UTF_8));
        }
        return best;
    }

    /** The iteration's policy file relative to the run directory, e.g. {@code iter=0003/policy.json}. */
    public static String policyFile(RunDirectory run, int iteration) {
        return run.iteration(iteration).getName() + "/" + run.policy(iteration).getName();
    }

    String toJson(RunDirectory run) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("iteration", iteration);
        n.put("policy", policyFile(run, iteration));
        n.put("mean_return", score.meanReturn());
        n.put("std_return", score.stdReturn());
        n.put("episodes", score.episodes());
        n.put("horizon", score.horizon());
        n.put("training_env_steps", score.trainingEnvSteps());
        n.put("last_iteration", lastIteration);
        n.put("last_mean_return", lastScore.meanReturn());
        ArrayNode scored = n.putArray("scored_iterations");
        scoredIterations.forEach(scored::add);
        n.put("scoring_env_steps", scoringEnvSteps);
        return n.toPrettyString() + "\n";
    }
}
