package org.gps.core.policy;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MlpTest {

    /** Parameters of a network of these sizes, each 0.5 times a standard normal draw. */
    private static double[] randomParameters(int[] sizes, Random r) {
        double[] theta = new double[Mlp.parameterCount(sizes)];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = 0.5 * r.nextGaussian();
        }
        return theta;
    }

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
            double[] theta = randomParameters(sizes, r);
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

    /**
     * The network on many inputs at once gives, for each, the numbers it gives on that input
     * alone: counts below, at and past whole blocks, inputs that are zero in every row of a block,
     * blocks holding a NaN or infinite input, hidden activations that overflow, and a network with
     * a NaN parameter.
     */
    @Test
    void manyInputsAtOnceGiveEachInputsOwnNumbersToTheBit() {
        Random r = new Random(17);
        for (int[] sizes : new int[][] {{3, 64, 64, 1}, {5, 7, 13, 2}, {1, 1}, {4, 9, 3}}) {
            double[] theta = randomParameters(sizes, r);
            double[] broken = theta.clone();
            broken[r.nextInt(broken.length)] = Double.NaN;
            for (Mlp net : new Mlp[] {Mlp.of(sizes, theta), Mlp.of(sizes, broken)}) {
                for (int n : new int[] {0, 1, 3, 4, 5, 9, 50}) {
                    double[][] inputs = new double[n][sizes[0]];
                    for (int i = 0; i < n; i++) {
                        int kind = r.nextInt(20);
                        for (int c = 0; c < sizes[0]; c++) {
                            inputs[i][c] = kind == 0 ? 0.0 : kind == 1 && c == 0 ? Double.NaN
                                    : kind == 2 && c == 0 ? Double.POSITIVE_INFINITY
                                    : kind == 3 ? 1e300 * r.nextGaussian() : 2 * r.nextGaussian();
                        }
                    }
                    double[][] all = net.applyAll(inputs);
                    assertEquals(n, all.length);
                    for (int i = 0; i < n; i++) {
                        double[] one = net.apply(inputs[i]);
                        assertEquals(one.length, all[i].length);
                        for (int j = 0; j < one.length; j++) {
                            assertEquals(Double.doubleToRawLongBits(one[j]), Double.doubleToRawLongBits(all[i][j]),
                                    "sizes " + java.util.Arrays.toString(sizes) + ", " + n + " inputs, input " + i);
                        }
                    }
                }
            }
            Mlp net = Mlp.of(sizes, theta);
            assertThrows(IllegalArgumentException.class, () -> net.applyAll(new double[][] {new double[sizes[0] + 1]}));
        }
    }
}
