import org.gps.core.gmm.EmResult;
import org.gps.core.gmm.Gmm;
import org.gps.core.gmm.GmmEm;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.gmm.PointBlock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times GmmEm.fit on the shape of the MDGPS policy linearization's GMM prior: 2,000 points of
 * dimension 4 (20 smooth trajectories of 100 steps plus noise), K = 50, a cold start with the
 * default options, blocked as DistributedGmmEm's in-task fits block them. Prints the median and
 * minimum time per fit, and a hash of every output's raw bits, so that two builds can be checked
 * for the same results. Not part of the product.
 *
 *   mvn -B -q -DskipTests package
 *   CP=target/gps.jar:$(cat target/classpath.txt)
 *   javac -cp "$CP" -d /tmp/em-small bench/gmm/EmSmall.java
 *   NETLIB="-Ddev.ludovic.netlib.blas.allowNative=false -Ddev.ludovic.netlib.lapack.allowNative=false"
 *   java @jobs/jvm.options $NETLIB -cp "/tmp/em-small:$CP" EmSmall [fits] [warm-up fits]
 *
 * (NETLIB keeps netlib's Java kernels, as jobs/gps does by default, where the machine has a
 * native libblas.so.3, which jobs/install-bench-deps brings with numpy.)
 */
public final class EmSmall {
    static final int CONDITIONS = 20;
    static final int STEPS = 100;
    static final int DIM = 4;
    static final int CLUSTERS = 50;

    public static void main(String[] args) {
        int fits = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int seeds = 5;
        List<List<PointBlock>> problems = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            problems.add(blocks(s));
        }
        long hash = 0;
        int[] iterations = new int[seeds];
        for (int i = 0; i < warmups; i++) {
            GmmEm.fit(problems.get(i % seeds), CLUSTERS, GmmOptions.defaults(i % seeds), null);
        }
        long[] nanos = new long[fits];
        for (int i = 0; i < fits; i++) {
            int s = i % seeds;
            long t0 = System.nanoTime();
            EmResult r = GmmEm.fit(problems.get(s), CLUSTERS, GmmOptions.defaults(s), null);
            nanos[i] = System.nanoTime() - t0;
            iterations[s] = r.iterations();
            if (i < seeds) {
                hash = hash * 31 + hash(r);
            }
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("fit: median %.2f ms, min %.2f ms over %d fits (after %d warm-up fits); EM iterations %s; "
                + "bits hash %016x%n", sorted[fits / 2] / 1e6, sorted[0] / 1e6, fits, warmups,
                Arrays.toString(iterations), hash);
    }

    /** 20 trajectories of a damped pendulum under a noisy linear controller: [th, thdot, sin th, u] plus noise. */
    static List<PointBlock> blocks(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PointBlock> pieces = new ArrayList<>();
        for (int c = 0; c < CONDITIONS; c++) {
            double th = -Math.PI + 2 * Math.PI * (c + 0.5) / CONDITIONS;
            double thdot = 0;
            double[] data = new double[DIM * STEPS];
            long[] ids = new long[STEPS];
            for (int t = 0; t < STEPS; t++) {
                double u = Math.max(-2, Math.min(2, -1.5 * th - 0.4 * thdot + 0.3 * rng.nextGaussian()));
                data[t * DIM] = th + 1e-3 * rng.nextGaussian();
                data[t * DIM + 1] = thdot + 1e-3 * rng.nextGaussian();
                data[t * DIM + 2] = Math.sin(th) + 1e-3 * rng.nextGaussian();
                data[t * DIM + 3] = u;
                ids[t] = (long) c * STEPS + t;
                thdot += 0.05 * (-10 * Math.sin(th) + 3 * u - 0.1 * thdot);
                th += 0.05 * thdot;
            }
            pieces.add(new PointBlock(0, DIM, data, ids));
        }
        return PointBlock.concatenate(pieces, PointBlock.TYPICAL_POINTS);
    }

    static long hash(EmResult r) {
        long h = r.iterations() * 31L + r.stopReason().ordinal();
        h = h * 31 + Double.doubleToRawLongBits(r.logLikelihood());
        for (double l : r.logLikelihoods()) {
            h = h * 31 + Double.doubleToRawLongBits(l);
        }
        Gmm g = r.model();
        for (int k = 0; k < g.clusters(); k++) {
            h = h * 31 + Double.doubleToRawLongBits(g.logMass(k));
            for (double v : g.mean(k)) {
                h = h * 31 + Double.doubleToRawLongBits(v);
            }
            for (double v : g.covariance(k).toColumnMajor()) {
                h = h * 31 + Double.doubleToRawLongBits(v);
            }
        }
        return h;
    }
}
