package org.gps.core.policy;

import org.gps.core.linalg.PointKernels;

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
        return addPacked(net, packed, 0, gradient);
    }

    private static double addPacked(Mlp net, double[] packed, int t, double[] gradient) {
        int dO = net.inputDim();
        int du = net.outputDim();
        double[][] a = net.forward(java.util.Arrays.copyOfRange(packed, t, t + dO));
        double[] outGrad = new double[du];
        double loss = outputGradient(packed, t, dO, du, a[a.length - 1], 0, new double[du], outGrad, 0);
        net.addGradient(a, outGrad, gradient);
        return loss;
    }

    /**
     * The packed target at packed[t..]'s loss w r^T P r for the output f[fo..fo + du), returned, and
     * its gradient with respect to that output, -2 w P_sym r, written to outGrad[go..]; r is work
     * space (du).
     */
    private static double outputGradient(double[] packed, int t, int dO, int du, double[] f, int fo, double[] r,
                                         double[] outGrad, int go) {
        double w = packed[t + dO + du + du * du];
        for (int i = 0; i < du; i++) {
            r[i] = packed[t + dO + i] - f[fo + i];
        }
        int p0 = t + dO + du;
        double l = 0;
        for (int i = 0; i < du; i++) {
            double s = 0;
            for (int j = 0; j < du; j++) {
                s += 0.5 * (packed[p0 + i * du + j] + packed[p0 + j * du + i]) * r[j];
            }
            l += r[i] * s;
            outGrad[go + i] = -2 * w * s;
        }
        return w * l;
    }

    /**
     * The sum of {@link #addPacked} over the packed targets of {@code packed}, one after another
     * ({@link PolicyOptions.Training#doublesPerTarget} numbers each), in order: the same loss and
     * the same gradient, bit for bit, as that loop. It runs the network on
     * {@link PointKernels#BLOCK_ROWS} targets at a time, which reads each weight and gradient
     * element once per block instead of once per target; a block with a non-finite activation, a
     * network with a non-finite parameter or a gradient holding -0.0 goes target by target, where
     * the block's zero terms would not be the loop's skipped ones ({@link Mlp#addGradientBlock}).
     */
    public static double addPartition(Mlp net, double[] packed, double[] gradient) {
        int dO = net.inputDim();
        int du = net.outputDim();
        int per = (int) PolicyOptions.Training.doublesPerTarget(dO, du);
        if (packed.length % per != 0) {
            throw new IllegalArgumentException(packed.length + " numbers are no whole number of targets of " + per);
        }
        int[] sizes = net.sizes();
        if (gradient.length != Mlp.parameterCount(sizes)) {
            throw new IllegalArgumentException("a gradient of " + gradient.length + " for "
                    + Mlp.parameterCount(sizes) + " parameters");
        }
        int n = packed.length / per;
        double loss = 0.0;
        if (!net.finiteParameters() || holdsNegativeZero(gradient)) {
            for (int i = 0; i < n; i++) {
                loss += addPacked(net, packed, i * per, gradient);
            }
            return loss;
        }
        int rows = PointKernels.BLOCK_ROWS;
        Mlp.Block block = net.newBlock();
        double[] x = block.a[0];
        double[] f = block.a[sizes.length - 1];
        double[] outGrad = block.delta[sizes.length - 2];
        double[] r = new double[du];
        net.takeGradient(block, gradient);
        for (int i0 = 0; i0 < n; i0 += rows) {
            int m = Math.min(rows, n - i0);
            boolean finite = true;
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < dO; c++) {
                    double v = packed[(i0 + i) * per + c];
                    x[i * dO + c] = v;
                    finite &= Double.isFinite(v);
                }
            }
            // A short last block's spare rows: zero inputs and, below, zero output gradients, so
            // they add zeros to the gradient (and nothing to the loss); should their activations
            // overflow, the block goes target by target like any other.
            java.util.Arrays.fill(x, m * dO, rows * dO, 0.0);
            if (!(net.forwardBlock(block) & finite)) {
                net.giveGradient(block, gradient);
                for (int i = 0; i < m; i++) {
                    loss += addPacked(net, packed, (i0 + i) * per, gradient);
                }
                net.takeGradient(block, gradient);
                continue;
            }
            for (int i = 0; i < m; i++) {
                loss += outputGradient(packed, (i0 + i) * per, dO, du, f, i * du, r, outGrad, i * du);
            }
            java.util.Arrays.fill(outGrad, m * du, rows * du, 0.0);
            net.addGradientBlock(block, gradient);
        }
        net.giveGradient(block, gradient);
        return loss;
    }

    private static boolean holdsNegativeZero(double[] g) {
        for (double v : g) {
            if (Double.doubleToRawLongBits(v) == Long.MIN_VALUE) {
                return true;
            }
        }
        return false;
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
