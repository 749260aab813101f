package org.gps.pipeline.steps;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.env.Environment;
import org.gps.core.policy.Policy;
import org.gps.core.sample.RolloutPolicy;
import java.util.TreeMap;
import org.gps.io.RolloutSchema;
import org.gps.io.RolloutWriter;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.io.PhaseProfile;
import org.gps.spark.CostEvaluation;
import org.gps.spark.RolloutSampling;
import org.gps.spark.SampledCosts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * {@code gps sample}: N rollouts per condition from the iteration's controllers (or, for MDGPS with
 * sample_on_policy, from the neural policy after the first iteration), published atomically.
 */
public final class SampleStep {
    private static final Logger LOG = LoggerFactory.getLogger(SampleStep.class);

    private SampleStep() {
    }

    public static void run(SparkSession spark, String runDirUri, int iteration) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        ExperimentConfig config = run.config();
        run.requireIteration(iteration, config);
        Map<Integer, ? extends RolloutPolicy> policies;
        String source;
        if (config.trainsPolicy() && config.policy().sampleOnPolicy() && iteration > 0) {
            // MDGPS on-policy sampling: the neural policy (with its own noise) acts in every condition.
            Policy policy = PolicyOutputs.policyBefore(run, iteration);
            Map<Integer, Policy> byCondition = new TreeMap<>();
            for (int c = 0; c < config.conditionCount(); c++) {
                byCondition.put(c, policy);
            }
            policies = byCondition;
            source = RolloutSchema.SOURCE_POLICY;
        } else {
            policies = ControllerOutputs.read(spark, run, iteration);
            source = RolloutSchema.SOURCE_CONTROLLER;
        }
        long start = System.nanoTime();
        SampledCosts costs;
        long rowsWritten;
        try (PhaseProfile.Scope phase = PhaseProfile.enter("sample")) {
            Environment env = config.environment().create();
            costs = SampledCosts.forRollouts(spark.sparkContext(), config.costs(),
                    (long) config.conditionCount() * config.samples() * config.horizon(), env.stateDim(),
                    env.actionDim());
            Dataset<Row> rows = RolloutSampling.sample(spark, new RolloutSampling.Request(config.environment(),
                    config.conditions(), policies, config.samples(), config.horizon(), config.seed(), iteration,
                    source, config.noise()), costs);
            rowsWritten = RolloutWriter.write(rows, run.rollouts(iteration).toString(),
                    "gps sample, iteration " + iteration).rows();
        }
        if (costs != null) {
            // The cost step's sums, made by the tasks that drew the samples: the trajopt step of this
            // process takes them instead of running a job to read the rows again.
            try (PhaseProfile.Scope phase = PhaseProfile.enter("cost_expansion")) {
                CostEvaluation.Result result = costs.result(iteration, config.conditionCount(), config.samples(),
                        rowsWritten);
                if (result != null) {
                    TrajOptStep.keepSampledCosts(run, config, iteration, result);
                }
            }
        }
        LOG.info("iteration {}: sampled {} conditions x {} samples x T={} in {} ms -> {}", iteration,
                config.conditionCount(), config.samples(), config.horizon(), (System.nanoTime() - start) / 1_000_000,
                run.rollouts(iteration));
    }
}
