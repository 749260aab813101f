package org.gps.core.policy;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PolicyLoss#addPartition} against what it replaces, {@link PolicyLoss#addPacked} target
 * after target: the same loss and gradient to the bit (the S-step's runs reproduce bit for bit),
 * whatever the network's sizes, the number of targets (short last blocks), zero target weights,
 * inactive units, and where a non-finite number or a -0.0 makes the block's zero terms differ from
 * the loop's skipped ones.
 */
class PartitionLossTest {
    private static final int[][] SIZES = {{3, 64, 64, 1}, {2, 8, 1}, {5, 7, 3, 2}, {5, 32, 32, 32, 2}, {1, 1}};
    private static final int[] COUNTS = {1, 3, 4, 5, 17, 1000};

    @Test
    void aPartitionSumsToTheNumbersOfItsTargetsAddedOneByOne() {
        Random r = new Random(17);
        for (int[] sizes : SIZES) {
            for (int n : COUNTS) {
                // A bias shift of -1 leaves most hidden units inactive for most targets.
                for (double shift : new double[] {0.0, -1.0}) {
                    Mlp net = network(sizes, shift, r);
                    double[] packed = targets(sizes, n, r);
                    assertSameSums(net, packed, new double[Mlp.parameterCount(sizes)],
                            "sizes " + java.util.Arrays.toString(sizes) + ", " + n + " targets, shift " + shift);
                }
            }
        }
    }

    /** The sums go on from what the gradient held, as a second partition's or evaluation's would. */
    @Test
    void aPartitionAddsToTheGradientItIsGiven() {
        Random r = new Random(23);
        int[] sizes = {5, 7, 3, 2};
        Mlp net = network(sizes, 0.0, r);
        double[] start = new double[Mlp.parameterCount(sizes)];
        for (int i = 0; i < start.length; i++) {
            start[i] = i % 3 == 0 ? 0.0 : r.nextGaussian();
        }
        assertSameSums(net, targets(sizes, 29, r), start, "a gradient that holds earlier sums");
    }

    /**
     * Where a zero term would not be a skipped one, the targets go one by one: an input that is
     * not finite, a hidden unit that overflows to infinity while the next layer switches it off
     * (finite loss, and row by row never multiplies that infinity by a zero delta), an input of
     * infinity that does the same to the first layer, a parameter that is not finite (one of
     * -infinity that switches its unit off, again with a finite loss), and a gradient element of -0.0 (which a +0.0 term would turn to +0.0).
     */
    @Test
    void nonFiniteNumbersAndNegativeZeroGiveTheLoopsNumbersToo() {
        Random r = new Random(31);
        int[] sizes = {3, 8, 8, 2};
        Mlp net = network(sizes, 0.0, r);
        double[] packed = targets(sizes, 13, r);
        int per = (int) PolicyOptions.Training.doublesPerTarget(3, 2);
        double[] withNaN = packed.clone();
        withNaN[5 * per + 1] = Double.NaN;
        assertSameSums(net, withNaN, new double[Mlp.parameterCount(sizes)], "a NaN input");
        double[] withInfinity = packed.clone();
        withInfinity[6 * per] = Double.POSITIVE_INFINITY;
        assertSameSums(net, withInfinity, new double[Mlp.parameterCount(sizes)], "an infinite input");

        // [1, 2, 2, 1]: x = 10 drives both first-layer units to +infinity, all of whose weights
        // into the second layer are -1, so that layer is off and the output is its bias.
        double[] theta = {1e308, 1e308, 0, 0, -1, -1, -1, -1, 0, 0, 0.5, 0.5, 0.25};
        Mlp overflowing = Mlp.of(new int[] {1, 2, 2, 1}, theta);
        double[] targets = {10, 1, 2, 1, 0.5, 1, 3, 1, -1, 1, 1, 2};
        double[] rowByRow = new double[theta.length];
        double loss = rowByRow(overflowing, targets, rowByRow);
        assertTrue(Double.isFinite(loss), "the loss of a network with an infinite hidden unit, finite here");
        assertFalse(Double.isNaN(rowByRow[4]), "row by row leaves the switched-off units' weights alone");
        assertSameSums(overflowing, targets, new double[theta.length], "an infinite hidden unit");

        // [1, 2, 1] with both weights -1: an input of +infinity switches both hidden units off.
        Mlp switchedOff = Mlp.of(new int[] {1, 2, 1}, new double[] {-1, -1, 0, 0, 0.5, 0.5, 0.25});
        assertSameSums(switchedOff, new double[] {1, 0, 1, 1, Double.POSITIVE_INFINITY, 1, 2, 1, 2, 0, 1, 1},
                new double[7], "an infinite input that switches the first layer off");

        // [1, 2, 2, 1]: a weight of -infinity from an active unit switches its unit off, whose
        // zero delta row by row never multiplies that weight (four targets: a whole block).
        double[] minusInfinity = {1, 1, 0, 0, Double.NEGATIVE_INFINITY, 0, 1, 1, 0, 0, 0.5, 0.5, 0.0};
        Mlp infiniteButFinite = Mlp.of(new int[] {1, 2, 2, 1}, minusInfinity);
        double[] positive = {1, 2, 1, 1, 0.5, 0, 2, 1, 2, 1, 1, 0.5, 1.5, -1, 1, 1};
        double[] rowByRowInfinite = new double[minusInfinity.length];
        assertTrue(Double.isFinite(rowByRow(infiniteButFinite, positive, rowByRowInfinite)));
        assertTrue(Double.isFinite(rowByRowInfinite[0]), "row by row, a finite gradient here");
        assertSameSums(infiniteButFinite, positive, new double[minusInfinity.length], "a weight of -infinity");

        double[] infiniteWeight = net.parameters();
        infiniteWeight[3] = Double.POSITIVE_INFINITY;
        assertSameSums(Mlp.of(sizes, infiniteWeight), packed, new double[infiniteWeight.length], "an infinite weight");

        double[] negativeZero = new double[Mlp.parameterCount(sizes)];
        negativeZero[negativeZero.length - 1] = -0.0;
        negativeZero[0] = -0.0;
        double[] zeroWeights = packed.clone();
        for (int i = 0; i < 13; i++) {
            zeroWeights[i * per + per - 1] = 0.0;
        }
        assertSameSums(net, zeroWeights, negativeZero, "a gradient holding -0.0, every target of weight 0");
    }

    private static void assertSameSums(Mlp net, double[] packed, double[] start, String what) {
        double[] expected = start.clone();
        double expectedLoss = rowByRow(net, packed, expected);
        double[] actual = start.clone();
        double actualLoss = PolicyLoss.addPartition(net, packed, actual);
        assertEquals(Double.doubleToRawLongBits(expectedLoss), Double.doubleToRawLongBits(actualLoss),
                what + ": loss " + expectedLoss + " against " + actualLoss);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + ": gradient element " + i + ", " + expected[i] + " against " + actual[i]);
        }
    }

    /** What the driver's S-step did before: each target copied out and added with addPacked. */
    static double rowByRow(Mlp net, double[] packed, double[] gradient) {
        int per = (int) PolicyOptions.Training.doublesPerTarget(net.inputDim(), net.outputDim());
        double[] row = new double[per];
        double loss = 0.0;
        for (int o = 0; o < packed.length; o += per) {
            System.arraycopy(packed, o, row, 0, per);
            loss += PolicyLoss.addPacked(net, row, gradient);
        }
        return loss;
    }

    private static Mlp network(int[] sizes, double biasShift, Random r) {
        double[] theta = new double[Mlp.parameterCount(sizes)];
        int o = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            double std = Math.sqrt(2.0 / sizes[l]);
            for (int i = 0; i < sizes[l + 1] * sizes[l]; i++) {
                theta[o++] = std * r.nextGaussian();
            }
            for (int i = 0; i < sizes[l + 1]; i++) {
                theta[o++] = biasShift + 0.3 * r.nextGaussian();
            }
        }
        return Mlp.of(sizes, theta);
    }

    /**
     * Packed targets [o, mu, P, w]: observations over several scales, a precision that is not
     * symmetric (the loss uses its symmetric part), one target in five of weight zero.
     */
    private static double[] targets(int[] sizes, int n, Random r) {
        int dO = sizes[0];
        int du = sizes[sizes.length - 1];
        int per = (int) PolicyOptions.Training.doublesPerTarget(dO, du);
        double[] packed = new double[n * per];
        for (int t = 0; t < n; t++) {
            int o = t * per;
            double scale = Math.exp(r.nextGaussian());
            for (int c = 0; c < dO; c++) {
                packed[o + c] = scale * r.nextGaussian();
            }
            for (int i = 0; i < du; i++) {
                packed[o + dO + i] = r.nextGaussian();
            }
            for (int i = 0; i < du; i++) {
                for (int j = 0; j < du; j++) {
                    packed[o + dO + du + i * du + j] = i == j ? 0.5 + r.nextDouble() : 0.3 * r.nextGaussian();
                }
            }
            packed[o + per - 1] = r.nextInt(5) == 0 ? 0.0 : 0.5 + r.nextDouble();
        }
        return packed;
    }
}
