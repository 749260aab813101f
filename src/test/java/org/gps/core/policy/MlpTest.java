package org.gps.core.policy;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MlpTest {

    /** Forward pass as dot products: each unit's bias plus its weighted inputs, added in input order. */
    private static double[][] plainForward(int[] sizes, double[] theta, double[] input) {
        double[][] a = new double[sizes.length][];
        a[0] = input;
        int o = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] z = new double[out];
            int bias = o + out * in;
            for (int r = 0; r < out; r++) {
                double s = theta[bias + r];
                for (int c = 0; c < in; c++) {
                    s += theta[o + r * in + c] * a[l][c];
                }
                z[r] = l + 2 < sizes.length ? Math.max(0, s) : s;
            }
            a[l + 1] = z;
            o = bias + out;
        }
        return a;
    }

    /** Back-propagation unit by unit, the inactive units (zero delta) left out. */
    private static void plainGradient(int[] sizes, double[] theta, double[][] a, double[] outGrad, double[] grad) {
        int[] offsets = new int[sizes.length - 1];
        for (int l = 1, o = 0; l < sizes.length; l++) {
            offsets[l - 1] = o;
            o += sizes[l] * sizes[l - 1] + sizes[l];
        }
        double[] delta = outGrad.clone();
        for (int l = sizes.length - 2; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int w = offsets[l];
            double[] next = new double[in];
            for (int r = 0; r < out; r++) {
                double d = delta[r];
                if (d == 0) {
                    continue;
                }
                grad[w + out * in + r] += d;
                for (int c = 0; c < in; c++) {
                    grad[w + r * in + c] += d * a[l][c];
                    next[c] += theta[w + r * in + c] * d;
                }
            }
            for (int c = 0; c < in; c++) {
                if (!(a[l][c] > 0)) {
                    next[c] = 0;
                }
            }
            delta = next;
        }
    }

    /**
     * The network computes each unit as the plain dot product would and back-propagates as the
     * plain loops would, to the bit (the S-step's results are reproducible bit for bit, and its two
     * training paths must agree), whether its element-wise loops run in SIMD lanes or not: widths
     * below, at and past a lane group, with units inactive for some inputs, over many inputs whose
     * gradients accumulate.
     */
    @Test
    void forwardAndGradientAreThePlainLoopsNumbersToTheBit() {
        Random r = new Random(5);
        for (int[] sizes : new int[][] {{3, 64, 64, 1}, {5, 7, 13, 2}, {1, 1}, {9, 17, 3}}) {
            double[] theta = new double[Mlp.parameterCount(sizes)];
            for (int i = 0; i < theta.length; i++) {
                theta[i] = 0.5 * r.nextGaussian();
            }
            Mlp net = Mlp.of(sizes, theta);
            double[] grad = new double[theta.length];
            double[] plainGrad = new double[theta.length];
            for (int n = 0; n < 50; n++) {
                double[] x = new double[sizes[0]];
                for (int i = 0; i < x.length; i++) {
                    x[i] = 2 * r.nextGaussian();
                }
                double[][] a = net.forward(x);
                double[][] plain = plainForward(sizes, theta, x);
                for (int l = 0; l < sizes.length; l++) {
                    for (int i = 0; i < sizes[l]; i++) {
                        assertEquals(Double.doubleToRawLongBits(plain[l][i]), Double.doubleToRawLongBits(a[l][i]),
                                "layer " + l + ", unit " + i);
                    }
                }
                double[] outGrad = new double[sizes[sizes.length - 1]];
                for (int i = 0; i < outGrad.length; i++) {
                    outGrad[i] = r.nextGaussian();
                }
                net.addGradient(a, outGrad, grad);
                plainGradient(sizes, theta, plain, outGrad, plainGrad);
            }
            for (int i = 0; i < grad.length; i++) {
                assertEquals(Double.doubleToRawLongBits(plainGrad[i]), Double.doubleToRawLongBits(grad[i]),
                        "gradient entry " + i);
            }
        }
    }
}
