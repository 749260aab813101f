package org.gps.core.policy;

import java.io.Serializable;

/**
 * The S-step's precision-weighted loss (docs/algorithm.md section 8) and its gradient, as a mergeable
 * sum: executors add their targets, partial sums merge in any grouping, and the mean over all
 * targets is taken at the end. One target is (normalised observation o, controller mean mu,
 * precision P = S^{-1}, weight w); its loss is w (mu - f(o))^T P (mu - f(o)).
 */
public final class PolicyLoss implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] gradient;
    private double loss;
    private long count;

    public PolicyLoss(int parameters) {
        this.gradient = new double[parameters];
    }

    /** Adds one target's loss and gradient at {@code net}; returns this. */
    public PolicyLoss add(Mlp net, double[] observation, double[] mean, double[] precisionRowMajor, double weight) {
        int du = net.outputDim();
        if (mean.length != du || precisionRowMajor.length != du * du) {
            throw new IllegalArgumentException("target of " + mean.length + " actions for an MLP with " + du + " outputs");
        }
        double[][] a = net.forward(observation);
        double[] f = a[a.length - 1];
        double[] r = new double[du];
        for (int i = 0; i < du; i++) {
            r[i] = mean[i] - f[i];
        }
        // loss = w r^T P r; d loss / d f = -2 w P_sym r, with P symmetric: -w (P + P^T) r.
        double[] pr = new double[du];
        double l = 0;
        for (int i = 0; i < du; i++) {
            double s = 0;
            for (int j = 0; j < du; j++) {
                s += 0.5 * (precisionRowMajor[i * du + j] + precisionRowMajor[j * du + i]) * r[j];
            }
            pr[i] = s;
            l += r[i] * s;
        }
        loss += weight * l;
        count++;
        double[] outGrad = new double[du];
        for (int i = 0; i < du; i++) {
            outGrad[i] = -2 * weight * pr[i];
        }
        net.addGradient(a, outGrad, gradient);
        return this;
    }

    /**
     * Loss w r^T P r of one packed target [o, mu, P, w] ({@link PolicyTarget#packed}) at
     * {@code net}, with its gradient added into {@code gradient}; what an optimiser's per-example
     * callback needs, without allocating a target.
     */
    public static double addPacked(Mlp net, double[] packed, double[] gradient) {
        int dO = net.inputDim();
        int du = net.outputDim();
        double[] o = java.util.Arrays.copyOfRange(packed, 0, dO);
        double w = packed[dO + du + du * du];
        double[][] a = net.forward(o);
        double[] f = a[a.length - 1];
        double[] r = new double[du];
        for (int i = 0; i < du; i++) {
            r[i] = packed[dO + i] - f[i];
        }
        int p0 = dO + du;
        double l = 0;
        double[] outGrad = new double[du];
        for (int i = 0; i < du; i++) {
            double s = 0;
            for (int j = 0; j < du; j++) {
                s += 0.5 * (packed[p0 + i * du + j] + packed[p0 + j * du + i]) * r[j];
            }
            l += r[i] * s;
            outGrad[i] = -2 * w * s;
        }
        net.addGradient(a, outGrad, gradient);
        return w * l;
    }

    public PolicyLoss merge(PolicyLoss o) {
        if (o.gradient.length != gradient.length) {
            throw new IllegalArgumentException("cannot merge losses of networks with different parameter counts");
        }
        loss += o.loss;
        count += o.count;
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] += o.gradient[i];
        }
        return this;
    }

    public long count() {
        return count;
    }

    /** Mean loss over the targets added. */
    public double meanLoss() {
        return count == 0 ? 0 : loss / count;
    }

    /** Gradient of the mean loss. */
    public double[] meanGradient() {
        double[] g = gradient.clone();
        if (count > 0) {
            for (int i = 0; i < g.length; i++) {
                g[i] /= count;
            }
        }
        return g;
    }
}
