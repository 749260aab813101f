package org.gps.pipeline.steps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.spark.RolloutSampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code gps evaluate}: runs an iteration's controllers from each condition's start and summarises
 * the episodes: mean return over the horizon and, for Pendulum, mean |angle| over the last 20 steps.
 */
public final class EvaluateStep {
    private EvaluateStep() {
    }

    /** Per-condition summary. {@code finalAbsAngle} is NaN for environments other than Pendulum. */
    public record ConditionResult(int condition, double meanReturn, double stdReturn, double finalAbsAngle) {
    }

    public record Result(int iteration, int episodesPerCondition, List<ConditionResult> conditions) {
        public String toJson() {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("iteration", iteration);
            root.put("episodes_per_condition", episodesPerCondition);
            ArrayNode arr = root.putArray("conditions");
            for (ConditionResult c : conditions) {
                ObjectNode n = arr.addObject();
                n.put("condition", c.condition());
                n.put("mean_return", c.meanReturn());
                n.put("std_return", c.stdReturn());
                if (Double.isNaN(c.finalAbsAngle())) {
                    n.putNull("final_abs_angle");
                } else {
                    n.put("final_abs_angle", c.finalAbsAngle());
                }
            }
            return root.toString();
        }

        public String toTable() {
            StringBuilder sb = new StringBuilder(String.format("iteration %d, %d episodes per condition%n", iteration,
                    episodesPerCondition));
            sb.append(String.format("%-9s %12s %10s %16s%n", "condition", "mean_return", "std", "final_abs_angle"));
            for (ConditionResult c : conditions) {
                sb.append(String.format("%-9d %12.2f %10.2f %16s%n", c.condition(), c.meanReturn(), c.stdReturn(),
                        Double.isNaN(c.finalAbsAngle()) ? "-" : String.format("%.4f", c.finalAbsAngle())));
            }
            return sb.toString();
        }
    }

    /** The highest iteration whose controllers are complete. */
    public static int latestIteration(RunDirectory run) {
        int latest = -1;
        for (int i = 0; ControllerOutputs.isComplete(run, i); i++) {
            latest = i;
        }
        if (latest < 0) {
            throw new BadInputException(run.root() + ": no complete controllers to evaluate (run 'gps init' first)");
        }
        return latest;
    }

    /**
     * @param iteration which controllers, or null for the latest
     * @param episodes  episodes per condition, or null for the config's sample count
     */
    public static Result run(SparkSession spark, String runDirUri, Integer iteration, Integer episodes) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        int it = iteration == null ? latestIteration(run) : iteration;
        int n = episodes == null ? config.samples() : episodes;
        Map<Integer, LinearGaussianController> controllers = ControllerOutputs.read(spark, run, it);
        List<RolloutSampling.Episode> eps = RolloutSampling.evaluate(spark, new RolloutSampling.Request(
                config.environment(), config.conditions(), controllers, n, config.horizon(), config.seed(), it,
                "evaluate"));
        Map<Integer, List<RolloutSampling.Episode>> byCondition = new TreeMap<>();
        eps.forEach(e -> byCondition.computeIfAbsent(e.condition(), k -> new ArrayList<>()).add(e));
        List<ConditionResult> results = new ArrayList<>();
        byCondition.forEach((c, list) -> {
            double mean = list.stream().mapToDouble(RolloutSampling.Episode::totalReward).average().orElse(Double.NaN);
            double var = list.stream().mapToDouble(e -> (e.totalReward() - mean) * (e.totalReward() - mean)).sum()
                    / list.size();
            double angle = list.stream().mapToDouble(RolloutSampling.Episode::finalAbsAngle).average().orElse(Double.NaN);
            results.add(new ConditionResult(c, mean, Math.sqrt(var), angle));
        });
        return new Result(it, n, results);
    }
}
