import org.gps.core.linalg.PointKernels;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times the E-step's squared Mahalanobis distances (PointKernels.mahalanobis) on the dynamics
 * benchmark's medium shape: 1,980 points of dimension 59 under K = 20 clusters, the whitening in
 * its panels of 16 rows. Prints the median and minimum time per call, the rate of the panel
 * products' multiply-adds, and a hash of the distances' raw bits, so that two builds can be checked
 * for the same results. With a thread count, that many threads time their own calls at once (the
 * 2-core machine's EM runs two GMMs side by side). Not part of the product.
 *
 *   mvn -B -q -DskipTests package
 *   CP=target/gps.jar:$(cat target/classpath.txt)
 *   javac -cp "$CP" -d /tmp/e-step bench/gmm/EStepDistances.java
 *   NETLIB="-Ddev.ludovic.netlib.blas.allowNative=false -Ddev.ludovic.netlib.lapack.allowNative=false"
 *   java @jobs/jvm.options $NETLIB -cp "/tmp/e-step:$CP" EStepDistances [calls] [threads]
 *
 * (NETLIB keeps netlib's Java kernels, as jobs/gps does by default, where the machine has a
 * native libblas.so.3, which jobs/install-bench-deps brings with numpy: with it the distances go
 * through the native dgemm instead.)
 */
public final class EStepDistances {
    static final int DIM = 59;
    static final int CLUSTERS = 20;
    static final int POINTS = 1_980;
    static final int PANEL_ROWS = 16;

    public static void main(String[] args) throws InterruptedException {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Thread[] running = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            running[i] = new Thread(() -> time(calls));
            running[i].start();
        }
        for (Thread t : running) {
            t.join();
        }
    }

    static void time(int calls) {
        SplittableRandom r = new SplittableRandom(1);
        double[][] lowerInverse = new double[CLUSTERS][DIM * DIM];
        double[][] whitenedMean = new double[CLUSTERS][DIM];
        for (int k = 0; k < CLUSTERS; k++) {
            for (int c = 0; c < DIM; c++) {
                for (int i = c; i < DIM; i++) {
                    lowerInverse[k][c * DIM + i] = i == c ? 1 + r.nextDouble() : 0.1 * gaussian(r);
                }
            }
            for (int i = 0; i < DIM; i++) {
                whitenedMean[k][i] = gaussian(r);
            }
        }
        PointKernels.Whitening whitening = new PointKernels.Whitening(lowerInverse, whitenedMean, DIM);
        double[] points = new double[DIM * POINTS];
        for (int i = 0; i < points.length; i++) {
            points[i] = gaussian(r);
        }
        long multiplyAdds = 0;
        for (int p = 0; p * PANEL_ROWS < DIM; p++) {
            int width = Math.min(DIM, (p + 1) * PANEL_ROWS);
            multiplyAdds += (long) POINTS * CLUSTERS * (width - p * PANEL_ROWS) * width;
        }
        long hash = 0;
        for (double v : PointKernels.mahalanobis(whitening, points, POINTS)) {
            hash = hash * 31 + Double.doubleToRawLongBits(v);
        }
        for (int i = 0; i < calls; i++) {
            PointKernels.mahalanobis(whitening, points, POINTS);
        }
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            PointKernels.mahalanobis(whitening, points, POINTS);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        double median = nanos[calls / 2] / 1e6;
        System.out.printf("distances: median %.3f ms, min %.3f ms over %d calls (after %d warm-up calls); "
                + "%.1f GFlop/s in the panel products; bits hash %016x%n", median, nanos[0] / 1e6, calls, calls,
                2.0 * multiplyAdds / (median * 1e6), hash);
    }

    /** A standard normal draw (Box-Muller), so that the points do not depend on the JDK's generator. */
    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
