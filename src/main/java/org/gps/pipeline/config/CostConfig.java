package org.gps.pipeline.config;

import org.gps.core.cost.ActionCost;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.CostSum;
import org.gps.core.cost.EnergyCost;
import org.gps.core.cost.RampOption;
import org.gps.core.cost.StateCost;
import org.gps.pipeline.config.ConfigSections.CostTerm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code cost} section (docs/algorithm.md section 2): a weighted sum of terms shared by every
 * condition, optionally replaced for some conditions.
 * <pre>
 * cost:
 *   terms:
 *     - {type: state, weight: 1, target: [1, 0, 0], weights: [1, 1, 0.1], ramp: constant,
 *        wp_final_multiplier: 1, l1: 0, l2: 1, alpha: 0.01}
 *     - {type: action, weight: 1, weights: [0.05]}
 *     - {type: energy, weight: 0.01, quadratic: [0, 0, 1], linear: [15, 0, 0], level: 15}
 *   per_condition:
 *     - {condition: 2, terms: [...]}
 * </pre>
 */
final class CostConfig {
    private CostConfig() {
    }

    /** One cost per condition. */
    static List<CostFunction> read(ConfigNode cost, int conditions, int dX, int dU) {
        if (!cost.has("terms")) {
            cost.children("terms");
            throw cost.error(cost.key("terms"), "missing; expected a list of cost terms (type: state, action or energy)");
        }
        CostFunction shared = terms(cost, cost.children("terms"), dX, dU);
        List<CostFunction> out = new ArrayList<>();
        for (int i = 0; i < conditions; i++) {
            out.add(shared);
        }
        for (ConfigNode pc : cost.children("per_condition")) {
            int condition = pc.requireInt("condition", 0);
            if (condition >= conditions) {
                throw pc.error(pc.key("condition"), "expected a condition index below " + conditions + ", got " + condition);
            }
            out.set(condition, terms(pc, pc.children("terms"), dX, dU));
            pc.finish();
        }
        cost.finish();
        return out;
    }

    private static CostFunction terms(ConfigNode parent, List<ConfigNode> terms, int dX, int dU) {
        if (terms.isEmpty()) {
            throw parent.error(parent.key("terms"), "expected at least one cost term");
        }
        List<CostFunction> fs = new ArrayList<>();
        double[] weights = new double[terms.size()];
        for (int i = 0; i < terms.size(); i++) {
            ConfigNode t = terms.get(i);
            String type = CostTerm.TYPE.choice(t);
            weights[i] = CostTerm.WEIGHT.number(t);
            switch (type) {
                case CostTerm.STATE -> {
                    fs.add(state(t, dX));
                    t.refuseUnknownKeys(CostTerm.SECTION.names(CostTerm.STATE_KEYS));
                }
                case CostTerm.ACTION -> {
                    fs.add(action(t, dU));
                    t.refuseUnknownKeys(CostTerm.SECTION.names(CostTerm.ACTION_KEYS));
                }
                default -> {
                    fs.add(energy(t, dX));
                    t.refuseUnknownKeys(CostTerm.SECTION.names(CostTerm.ENERGY_KEYS));
                }
            }
        }
        return new CostSum(fs, weights);
    }

    private static StateCost state(ConfigNode t, int dX) {
        double[] target = vector(t, CostTerm.TARGET, dX);
        double[] wp = vector(t, CostTerm.STATE_WEIGHTS, dX);
        for (int i = 0; i < dX; i++) {
            if (wp[i] < 0) {
                throw t.error(t.key("weights") + "[" + i + "]", "expected a weight >= 0, got " + wp[i]);
            }
        }
        RampOption ramp = CostTerm.RAMP.choice(t, RampOption.class);
        double finalMult = CostTerm.WP_FINAL_MULTIPLIER.number(t);
        double l1 = CostTerm.L1.number(t);
        double l2 = CostTerm.L2.number(t);
        double alpha = CostTerm.ALPHA.number(t);
        return new StateCost(target, wp, ramp, finalMult, l1, l2, alpha);
    }

    private static ActionCost action(ConfigNode t, int dU) {
        double[] wu = vector(t, CostTerm.ACTION_WEIGHTS, dU);
        for (int i = 0; i < dU; i++) {
            if (wu[i] < 0) {
                throw t.error(t.key("weights") + "[" + i + "]", "expected a weight >= 0, got " + wu[i]);
            }
        }
        return new ActionCost(wu);
    }

    private static EnergyCost energy(ConfigNode t, int dX) {
        return new EnergyCost(vector(t, CostTerm.QUADRATIC, dX), vector(t, CostTerm.LINEAR, dX),
                CostTerm.LEVEL.number(t));
    }

    /** A declared per-dimension list; a single number (the default is one) stands for every dimension. */
    private static double[] vector(ConfigNode t, ConfigKey declared, int n) {
        String key = declared.name();
        double[] v = t.getDoubleArray(key, ((List<?>) declared.defaultValue()).stream()
                .mapToDouble(x -> ((Number) x).doubleValue()).toArray());
        if (v.length == 1 && n > 1) {
            double only = v[0];
            v = new double[n];
            Arrays.fill(v, only);
        }
        if (v.length != n) {
            throw t.error(t.key(key), "expected " + n + " values, got " + v.length);
        }
        t.setResolved(key, v);
        return v;
    }
}
