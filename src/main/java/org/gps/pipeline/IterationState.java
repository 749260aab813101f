package org.gps.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.gps.core.BadInputException;
import org.gps.core.linalg.Mat;
import org.gps.io.BuildInfo;

import java.util.List;

/**
 * The small JSON record of what an iteration's C-step did ({@code iter=I/state.json}): what the
 * next iteration needs (eta, step multiplier) and what a person wants to see (costs, KL reached
 * against its target, predicted and actual improvement).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IterationState(int iteration, String algorithm, List<ConditionState> conditions) {

    /**
     * @param costMean             mean true cost of the iteration's samples
     * @param costStd              their standard deviation
     * @param stepMult             the step multiplier this C-step used (docs/algorithm.md section 7)
     * @param eta                  the dual variable the C-step ended with
     * @param kl                   KL of the new controller against the reference
     * @param klTarget             its target, kl_step * step_mult * T
     * @param predictedImprovement section 7, null at iteration 0
     * @param actualImprovement    section 7, null at iteration 0
     * @param stepEtas             PILQR: the per-step multipliers eta_t the LQR part ended with (where the
     *                             next C-step starts); null for the other C-steps
     * @param stepMults            PILQR: the per-step step multipliers this C-step used; null otherwise
     * @param temperatures         PI2 and PILQR: the per-step temperatures of the sample weights; null otherwise
     * @param residualRatio        PILQR: the share of the cost the fitted models did not predict, at t = 0
     *                             (what the step rule read); null otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConditionState(int condition, double costMean, double costStd, double stepMult, double eta, double kl,
                                 double klTarget, int rounds, boolean converged, Double predictedImprovement,
                                 Double actualImprovement, double[] stepEtas, double[] stepMults,
                                 double[] temperatures, Double residualRatio) {
        /** The state of an LQR C-step, which keeps no per-step arrays. */
        public ConditionState(int condition, double costMean, double costStd, double stepMult, double eta, double kl,
                              double klTarget, int rounds, boolean converged, Double predictedImprovement,
                              Double actualImprovement) {
            this(condition, costMean, costStd, stepMult, eta, kl, klTarget, rounds, converged, predictedImprovement,
                    actualImprovement, null, null, null, null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ConditionState condition(int c) {
        for (ConditionState s : conditions) {
            if (s.condition() == c) {
                return s;
            }
        }
        throw new BadInputException("state of iteration " + iteration + " has no condition " + c);
    }

    /**
     * The state, followed by the build that wrote it ({@code gps_version}, {@code gps_commit},
     * {@code gps_modified}) and the driver's arithmetic kernels ({@code gps_kernels}): provenance
     * for a person, which {@link #fromJson} skips like any unknown key, so files with and without
     * it read the same.
     */
    public String toJson() {
        try {
            ObjectNode n = JSON.valueToTree(this);
            BuildInfo build = BuildInfo.current();
            n.put("gps_version", build.version());
            n.put("gps_commit", build.commit());
            n.put("gps_modified", build.modified());
            n.put("gps_kernels", Mat.kernels());
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static IterationState fromJson(String json, String file) {
        try {
            return JSON.readValue(json, IterationState.class);
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not a valid iteration state: " + e.getOriginalMessage(), e);
        }
    }
}
