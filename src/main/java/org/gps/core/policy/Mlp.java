package org.gps.core.policy;

import org.gps.core.linalg.PointKernels;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A multilayer perceptron with ReLU hidden layers and a linear output (docs/algorithm.md section 8),
 * immutable, with all weights in one flat parameter vector so that an optimiser (MLlib's
 * L-BFGS, for instance) can treat it as a point in R^n. Layout per layer l, in order: the
 * weight matrix W_l (out x in, row-major), then the bias b_l (out).
 */
public final class Mlp implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] sizes;
    private final double[] theta;
    /** {@link #columns()}: derived from theta, so not serialised; threads that race to it compute the same. */
    private transient volatile double[][] columns;

    private Mlp(int[] sizes, double[] theta) {
        this.sizes = sizes;
        this.theta = theta;
    }

    /** Layer sizes [input, hidden..., output]; every size >= 1, at least input and output. */
    public static int parameterCount(int[] sizes) {
        check(sizes);
        int n = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            n += sizes[l + 1] * sizes[l] + sizes[l + 1];
        }
        return n;
    }

    public static Mlp of(int[] sizes, double[] parameters) {
        if (parameters.length != parameterCount(sizes)) {
            throw new IllegalArgumentException("an MLP of sizes " + Arrays.toString(sizes) + " has "
                    + parameterCount(sizes) + " parameters, got " + parameters.length);
        }
        return new Mlp(sizes.clone(), parameters.clone());
    }

    /**
     * He initialisation (weights ~ N(0, 2 / fan_in), suited to ReLU), zero biases, from a seed:
     * the same seed gives the same network.
     */
    public static Mlp initial(int[] sizes, long seed) {
        double[] theta = new double[parameterCount(sizes)];
        SplittableRandom rng = new SplittableRandom(seed);
        int o = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            double std = Math.sqrt(2.0 / sizes[l]);
            for (int i = 0; i < sizes[l + 1] * sizes[l]; i++) {
                theta[o++] = std * rng.nextGaussian();
            }
            o += sizes[l + 1];
        }
        return new Mlp(sizes.clone(), theta);
    }

    public int inputDim() {
        return sizes[0];
    }

    public int outputDim() {
        return sizes[sizes.length - 1];
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public double[] parameters() {
        return theta.clone();
    }

    /** f(input). */
    public double[] apply(double[] input) {
        return forward(input)[sizes.length - 1];
    }

    /**
     * f(input) for each of {@code inputs}: the numbers {@link #apply} gives for each, computed on
     * {@link PointKernels#BLOCK_ROWS} inputs at a time ({@link #forwardBlock}), which reads each
     * weight once per block rather than once per input. A block with a non-finite input or hidden
     * activation, or a network with a non-finite parameter, goes input by input.
     */
    public double[][] applyAll(double[][] inputs) {
        int n = inputs.length;
        double[][] out = new double[n][];
        if (!finiteParameters()) {
            for (int i = 0; i < n; i++) {
                out[i] = apply(inputs[i]);
            }
            return out;
        }
        int in = sizes[0];
        int du = outputDim();
        int rows = PointKernels.BLOCK_ROWS;
        Block block = newBlock();
        double[] x = block.a[0];
        double[] f = block.a[sizes.length - 1];
        for (int i0 = 0; i0 < n; i0 += rows) {
            int m = Math.min(rows, n - i0);
            boolean finite = true;
            for (int i = 0; i < m; i++) {
                double[] v = inputs[i0 + i];
                if (v.length != in) {
                    throw new IllegalArgumentException("input of " + v.length + " values, the MLP takes " + in);
                }
                for (int c = 0; c < in; c++) {
                    x[i * in + c] = v[c];
                    finite &= Double.isFinite(v[c]);
                }
            }
            // A short last block's spare rows: zero inputs, whose outputs nobody reads.
            Arrays.fill(x, m * in, rows * in, 0.0);
            if (!(forwardBlock(block) & finite)) {
                for (int i = 0; i < m; i++) {
                    out[i0 + i] = apply(inputs[i0 + i]);
                }
                continue;
            }
            for (int i = 0; i < m; i++) {
                out[i0 + i] = Arrays.copyOfRange(f, i * du, (i + 1) * du);
            }
        }
        return out;
    }

    /** Activations of every layer, input first; hidden layers after the ReLU. */
    double[][] forward(double[] input) {
        if (input.length != sizes[0]) {
            throw new IllegalArgumentException("input of " + input.length + " values, the MLP takes " + sizes[0]);
        }
        double[][] columns = columns();
        double[][] a = new double[sizes.length][];
        a[0] = input;
        int o = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int bias = o + out * in;
            // Every unit starts at its bias and adds its weighted inputs in input order, as a dot
            // product would; taken input by input over all units, the additions run in vector lanes.
            double[] z = Arrays.copyOfRange(theta, bias, bias + out);
            double[] x = a[l];
            for (int c = 0; c < in; c++) {
                PointKernels.addScaled(x[c], columns[l], c * out, z, 0, out);
            }
            if (l + 2 < sizes.length) {
                for (int r = 0; r < out; r++) {
                    z[r] = Math.max(0, z[r]);
                }
            }
            a[l + 1] = z;
            o = bias + out;
        }
        return a;
    }

    /** Each layer's weights by input: column c of W_l at [l][c * out ...]; computed once per network. */
    private double[][] columns() {
        double[][] c = columns;
        if (c == null) {
            c = new double[sizes.length - 1][];
            int o = 0;
            for (int l = 0; l + 1 < sizes.length; l++) {
                int in = sizes[l];
                int out = sizes[l + 1];
                double[] t = new double[in * out];
                for (int r = 0; r < out; r++) {
                    for (int k = 0; k < in; k++) {
                        t[k * out + r] = theta[o + r * in + k];
                    }
                }
                c[l] = t;
                o += out * in + out;
            }
            columns = c;
        }
        return c;
    }

    /**
     * Back-propagates dLoss/dOutput through the network at {@code input}, adding the gradient
     * with respect to the parameters into {@code grad} (same layout as the parameters).
     */
    void addGradient(double[][] activations, double[] outputGradient, double[] grad) {
        int layers = sizes.length - 1;
        int[] offsets = new int[layers];
        int o = 0;
        for (int l = 0; l < layers; l++) {
            offsets[l] = o;
            o += sizes[l + 1] * sizes[l] + sizes[l + 1];
        }
        double[] delta = outputGradient.clone();
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int w = offsets[l];
            int bias = w + out * in;
            double[] prev = activations[l];
            for (int r = 0; r < out; r++) {
                double d = delta[r];
                if (d == 0) {
                    continue;
                }
                grad[bias + r] += d;
                PointKernels.addScaled(d, prev, 0, grad, w + r * in, in);
            }
            if (l > 0) {
                double[] next = new double[in];
                for (int r = 0; r < out; r++) {
                    double d = delta[r];
                    if (d == 0) {
                        continue;
                    }
                    PointKernels.addScaled(d, theta, w + r * in, next, 0, in);
                }
                // ReLU: the derivative is 1 where the unit was active, 0 elsewhere.
                for (int c = 0; c < in; c++) {
                    if (!(prev[c] > 0)) {
                        next[c] = 0;
                    }
                }
                delta = next;
            }
        }
    }

    /**
     * Work arrays for running a network on {@link PointKernels#BLOCK_ROWS} inputs at a time
     * ({@link #forwardBlock}, {@link #addGradientBlock}), one per thread. Row i of a layer's block
     * of n values sits at [i n, (i + 1) n).
     */
    static final class Block {
        /** Activations by layer, the inputs first (the caller's to fill). */
        final double[][] a;
        /** Gradients with respect to each layer's outputs; the last, the network's output, is the caller's to fill. */
        final double[][] delta;
        /**
         * The weight gradient of each layer with fewer inputs than outputs, held transposed (in x
         * out) from {@link Mlp#takeGradient} to {@link Mlp#giveGradient}, so that its sums run along
         * the longer side in vector lanes (for a 3 x 64 first layer, 24 lane groups per block
         * instead of 192 scalar elements); null for the other layers.
         */
        final double[][] transposed;
        /**
         * Unit lists of the block kernels: the units of a layer's deltas, and of its inputs, not zero
         * in every row ({@link PointKernels#nonzeroUnits}), with that method's work space.
         */
        final int[] units;
        final int[] inputs;
        final double[] sums;

        private Block(int[] sizes) {
            int rows = PointKernels.BLOCK_ROWS;
            int layers = sizes.length - 1;
            a = new double[layers + 1][];
            delta = new double[layers][];
            transposed = new double[layers][];
            for (int l = 0; l <= layers; l++) {
                a[l] = new double[rows * sizes[l]];
                if (l < layers) {
                    delta[l] = new double[rows * sizes[l + 1]];
                    if (sizes[l] < sizes[l + 1]) {
                        transposed[l] = new double[sizes[l] * sizes[l + 1]];
                    }
                }
            }
            int widest = java.util.Arrays.stream(sizes).max().orElse(0);
            units = new int[widest];
            inputs = new int[widest];
            sums = new double[widest];
        }
    }

    Block newBlock() {
        return new Block(sizes);
    }

    /**
     * {@link #forward} for the block's inputs b.a[0], every layer's activations into b.a, each the
     * same number as {@link #forward} gives. Returns whether every hidden activation is finite (the
     * output's are not looked at). The parameters must be finite ({@link #finiteParameters}): the
     * hidden layers leave out the inputs that are zero in every row of the block, whose terms are
     * zeros only when the weights are finite ({@link PointKernels#blockLayer}).
     */
    boolean forwardBlock(Block b) {
        double[][] columns = columns();
        boolean finite = true;
        int o = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int bias = o + out * in;
            boolean hidden = l + 2 < sizes.length;
            int count = hidden ? PointKernels.nonzeroUnits(b.a[l], in, b.inputs, b.sums)
                    : PointKernels.allUnits(in, b.inputs);
            boolean written = PointKernels.blockLayer(b.a[l], in, b.inputs, count, columns[l], theta, bias, out,
                    b.a[l + 1], hidden);
            finite &= written || !hidden;
            o = bias + out;
        }
        return finite;
    }

    /**
     * {@link #addGradient} for the block whose activations {@link #forwardBlock} left in b.a, with
     * its output gradients in the last of b.delta, into {@code grad} between
     * {@link #takeGradient} and {@link #giveGradient}. The gradient receives the numbers of
     * {@link #addGradient} called row after row, provided the parameters and every activation but
     * the output's are finite and no gradient element is -0.0: row by row skips each unit whose
     * delta is zero, here only the units whose delta is zero in every row of the block are left
     * out and the others add zeros (0 x a for finite a is +-0.0, which leaves any sum but -0.0
     * unchanged, and a sum that starts anywhere else never becomes -0.0).
     */
    void addGradientBlock(Block b, double[] grad) {
        int layers = sizes.length - 1;
        int w = theta.length;
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            w -= out * in + out;
            // The delta's units serve the weight gradient and the step back alike: listed once.
            int count = b.transposed[l] == null || l > 0 ? PointKernels.nonzeroUnits(b.delta[l], out, b.units, b.sums)
                    : 0;
            if (b.transposed[l] != null) {
                int active = PointKernels.nonzeroUnits(b.a[l], in, b.inputs, b.sums);
                PointKernels.blockAddOuter(b.a[l], in, b.inputs, active, b.delta[l], out, b.transposed[l], 0);
            } else {
                PointKernels.blockAddOuter(b.delta[l], out, b.units, count, b.a[l], in, grad, w);
            }
            PointKernels.blockAddSum(b.delta[l], out, grad, w + out * in);
            if (l > 0) {
                PointKernels.blockBackLayer(b.delta[l], out, b.units, count, theta, w, in, b.a[l], b.delta[l - 1]);
            }
        }
    }

    /** Copies the weight gradients {@link #addGradientBlock} keeps transposed out of {@code grad} into the block. */
    void takeGradient(Block b, double[] grad) {
        transposeGradients(b, grad, true);
    }

    /** Copies them back: {@code grad} then holds every sum. */
    void giveGradient(Block b, double[] grad) {
        transposeGradients(b, grad, false);
    }

    private void transposeGradients(Block b, double[] grad, boolean take) {
        int w = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] t = b.transposed[l];
            if (t != null) {
                for (int r = 0; r < out; r++) {
                    for (int k = 0; k < in; k++) {
                        if (take) {
                            t[k * out + r] = grad[w + r * in + k];
                        } else {
                            grad[w + r * in + k] = t[k * out + r];
                        }
                    }
                }
            }
            w += out * in + out;
        }
    }

    /** Whether every parameter is finite, as {@link #addGradientBlock} needs. */
    boolean finiteParameters() {
        for (double t : theta) {
            if (!Double.isFinite(t)) {
                return false;
            }
        }
        return true;
    }

    private static void check(int[] sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output size");
        }
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("layer sizes must be >= 1, got " + Arrays.toString(sizes));
            }
        }
    }
}
