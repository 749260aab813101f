package org.gps.core.policy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * CPU time of one S-step loss-and-gradient evaluation over a partition of targets, on one thread,
 * as the driver's L-BFGS objective computes it: the targets row by row ({@link PolicyLoss#addPacked}
 * in a loop) and in blocks ({@link PolicyLoss#addPartition}). A command-line timing, not a test
 * (docs/benchmarks.md, "Where an iteration's time goes"):
 *
 * <pre>
 * java @jobs/jvm.options -cp target/classes:target/test-classes:$(cat target/classpath.txt) \
 *     org.gps.core.policy.PartitionLossTiming [rows|blocks|both] [targets,...] [repeats] [trajectories|random]
 * </pre>
 *
 * The network is the Pendulum config's 3 x 64 x 64 x 1 at its He start with small random biases.
 * The targets, seeded: by default trajectories of 100 steps of a noisy pendulum, observed as
 * (cos, sin, angular velocity) near unit scale, in time order as the S-step's partitions hold them
 * (neighbouring targets then switch mostly the same units on); or independent random ones.
 * Controller means a smooth function of the state, positive precisions and weights.
 */
public final class PartitionLossTiming {
    private static final int[] SIZES = {3, 64, 64, 1};

    private PartitionLossTiming() {
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "both";
        int[] counts = Arrays.stream((args.length > 1 ? args[1] : "6000,12000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        boolean random = args.length > 3 && args[3].equals("random");
        Mlp net = network(7);
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        for (int n : counts) {
            double[] flat = random ? randomTargets(n, 11) : trajectoryTargets(n, 11);
            for (String m : mode.equals("both") ? new String[] {"rows", "blocks"} : new String[] {mode}) {
                double[] ms = new double[repeats];
                for (int rep = -100; rep < repeats; rep++) {
                    long t0 = bean.getCurrentThreadCpuTime();
                    evaluate(m, net, flat);
                    long t1 = bean.getCurrentThreadCpuTime();
                    if (rep >= 0) {
                        ms[rep] = (t1 - t0) / 1e6;
                    }
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%-6s %6d %s targets: median %.2f ms CPU (min %.2f, max %.2f) over %d%n",
                        m, n, random ? "random" : "trajectory", ms[repeats / 2], ms[0], ms[repeats - 1], repeats);
            }
        }
    }

    private static double evaluate(String mode, Mlp net, double[] flat) {
        double[] g = new double[Mlp.parameterCount(SIZES)];
        return mode.equals("blocks") ? PolicyLoss.addPartition(net, flat, g) : PartitionLossTest.rowByRow(net, flat, g);
    }

    private static Mlp network(long seed) {
        double[] theta = Mlp.initial(SIZES, seed).parameters();
        SplittableRandom r = new SplittableRandom(seed + 1);
        int o = 0;
        for (int l = 0; l + 1 < SIZES.length; l++) {
            o += SIZES[l + 1] * SIZES[l];
            for (int j = 0; j < SIZES[l + 1]; j++) {
                theta[o++] = 0.1 * r.nextGaussian();
            }
        }
        return Mlp.of(SIZES, theta);
    }

    private static double[] trajectoryTargets(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] flat = new double[n * 6];
        double theta = 0;
        double omega = 0;
        for (int i = 0; i < n; i++) {
            if (i % 100 == 0) {
                theta = Math.PI * (2 * r.nextDouble() - 1);
                omega = r.nextGaussian();
            }
            flat[6 * i] = 1.4 * Math.cos(theta);
            flat[6 * i + 1] = 1.4 * Math.sin(theta);
            flat[6 * i + 2] = omega / 2;
            flat[6 * i + 3] = -Math.sin(theta) - 0.5 * omega + 0.1 * r.nextGaussian();
            flat[6 * i + 4] = 0.5 + r.nextDouble();
            flat[6 * i + 5] = 0.5 + r.nextDouble();
            double next = theta + 0.05 * omega;
            omega += 0.05 * (-10 * Math.sin(theta)) + 0.1 * r.nextGaussian();
            theta = next;
        }
        return flat;
    }

    private static double[] randomTargets(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] flat = new double[n * 6];
        for (int i = 0; i < n; i++) {
            flat[6 * i] = r.nextGaussian();
            flat[6 * i + 1] = r.nextGaussian();
            flat[6 * i + 2] = r.nextGaussian();
            flat[6 * i + 3] = r.nextGaussian();
            flat[6 * i + 4] = 0.5 + r.nextDouble();
            flat[6 * i + 5] = 0.5 + r.nextDouble();
        }
        return flat;
    }
}
