package org.gps.core.cost;

import java.util.Arrays;
import java.util.List;

/**
 * A weighted sum of cost terms (docs/algorithm.md section 2, the original's CostSum): value and
 * derivatives are the weighted sums of the terms'.
 *
 * @param terms   the cost terms
 * @param weights one multiplier per term
 */
public record CostSum(List<CostFunction> terms, double[] weights) implements CostFunction {
    private static final long serialVersionUID = 1L;

    public CostSum {
        if (terms.isEmpty() || terms.size() != weights.length) {
            throw new IllegalArgumentException("cost sum needs >= 1 term and one weight per term, got " + terms.size()
                    + " terms and " + weights.length + " weights");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!Double.isFinite(weights[i])) {
                throw new IllegalArgumentException("cost sum weight[" + i + "] is " + weights[i]);
            }
        }
        terms = List.copyOf(terms);
        weights = weights.clone();
    }

    /** Terms with weight 1 each. */
    public static CostSum of(CostFunction... terms) {
        double[] w = new double[terms.length];
        Arrays.fill(w, 1.0);
        return new CostSum(List.of(terms), w);
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public void addTo(CostExpansion.Builder b, double weight) {
        for (int i = 0; i < weights.length; i++) {
            terms.get(i).addTo(b, weight * weights[i]);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CostSum c && c.terms.equals(terms) && Arrays.equals(c.weights, weights);
    }

    @Override
    public int hashCode() {
        return terms.hashCode() * 31 + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return "CostSum[terms=" + terms + ", weights=" + Arrays.toString(weights) + "]";
    }
}
