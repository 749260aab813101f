import dev.ludovic.netlib.lapack.LAPACK;
import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.netlib.util.intW;

import java.util.Random;

/**
 * Times the Cholesky routines a GPS iteration calls most, ours (org.gps.core.linalg.Cholesky)
 * against the LAPACK they repeat, called directly: the factor (dpotrf), the lower inverse
 * (dtrtri) and the solve (dpotrs) of the shapes of the medium dynamics benchmark (order 59: the
 * GMM's covariances; order 33 with 26 right-hand sides: a step fit's regression) and of a small
 * LQR step (order 7). Prints microseconds per call, the best of three rounds, and checks that both
 * give the same bits. Not part of the product.
 *
 *   mvn -B -q -DskipTests package
 *   CP=target/gps.jar:$(cat target/classpath.txt)
 *   javac -cp "$CP" -d /tmp/cholesky bench/linalg/CholeskyRoutines.java
 *   NETLIB="-Ddev.ludovic.netlib.blas.allowNative=false -Ddev.ludovic.netlib.lapack.allowNative=false"
 *   java @jobs/jvm.options $NETLIB -cp "/tmp/cholesky:$CP" CholeskyRoutines
 *
 * (NETLIB keeps the Java LAPACK, as jobs/gps does by default; with a native LAPACK ours call it.)
 */
public final class CholeskyRoutines {
    private static final LAPACK LAPACK_ = LAPACK.getInstance();

    public static void main(String[] args) {
        System.out.println("LAPACK: " + LAPACK_.getClass().getSimpleName());
        for (int[] shape : new int[][] {{7, 26}, {33, 26}, {59, 20}}) {
            int n = shape[0];
            int rhs = shape[1];
            double[] a = covariance(new Random(n), n);
            double[] l = a.clone();
            LAPACK_.dpotrf("L", n, l, n, new intW(0));
            double[] b = new double[n * rhs];
            Random r = new Random(rhs);
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextGaussian();
            }
            Mat am = Mat.fromColumnMajor(n, n, a);
            Mat bm = Mat.fromColumnMajor(n, rhs, b);
            Cholesky ours = Cholesky.of(am);
            checkSame(l, ours.lower().toColumnMajor(), n, "factor");
            double[] inverse = l.clone();
            LAPACK_.dtrtri("L", "N", n, inverse, n, new intW(0));
            checkSame(inverse, ours.lowerInverse().toColumnMajor(), n, "inverse");
            double[] solved = b.clone();
            LAPACK_.dpotrs("L", n, rhs, l, n, solved, n, new intW(0));
            checkSame(solved, ours.solve(bm).toColumnMajor(), n, "solve");

            int calls = 2_000_000 / (n * n) + 2_000;
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
                Double.MAX_VALUE, Double.MAX_VALUE};
            double sink = 0;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    double[] x = a.clone();
                    LAPACK_.dpotrf("L", n, x, n, new intW(0));
                    sink += x[0];
                }
                best[0] = Math.min(best[0], (System.nanoTime() - t0) / 1e3 / calls);
                t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    sink += Cholesky.of(am).lower().get(0, 0);
                }
                best[1] = Math.min(best[1], (System.nanoTime() - t0) / 1e3 / calls);
                t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    double[] x = l.clone();
                    LAPACK_.dtrtri("L", "N", n, x, n, new intW(0));
                    sink += x[0];
                }
                best[2] = Math.min(best[2], (System.nanoTime() - t0) / 1e3 / calls);
                t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    sink += ours.lowerInverse().get(0, 0);
                }
                best[3] = Math.min(best[3], (System.nanoTime() - t0) / 1e3 / calls);
                t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    double[] x = b.clone();
                    LAPACK_.dpotrs("L", n, rhs, l, n, x, n, new intW(0));
                    sink += x[0];
                }
                best[4] = Math.min(best[4], (System.nanoTime() - t0) / 1e3 / calls);
                t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    sink += ours.solve(bm).get(0, 0);
                }
                best[5] = Math.min(best[5], (System.nanoTime() - t0) / 1e3 / calls);
            }
            System.out.printf("order %d, %d right-hand sides: factor %.2f / %.2f us, lower inverse %.2f / %.2f us, "
                    + "solve %.2f / %.2f us (LAPACK / ours; ours with its copies and checks)%s%n", n, rhs, best[0],
                    best[1], best[2], best[3], best[4], best[5], sink == 42 ? " " : "");
        }
    }

    /** X X^T / m + 1e-3 I of m = n + 3 Gaussian points, column-major. */
    static double[] covariance(Random r, int n) {
        int m = n + 3;
        double[] x = new double[n * m];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        double[] a = new double[n * n];
        for (int c = 0; c < n; c++) {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int p = 0; p < m; p++) {
                    s += x[i + p * n] * x[c + p * n];
                }
                a[c * n + i] = s / m + (i == c ? 1e-3 : 0);
            }
        }
        return a;
    }

    /** Ours zero the factor's strict upper triangle; the LAPACK leaves it: compare the lower triangles. */
    static void checkSame(double[] lapack, double[] ours, int n, String what) {
        for (int c = 0; c < ours.length / n; c++) {
            for (int i = what.equals("solve") ? 0 : c; i < n; i++) {
                if (Double.doubleToRawLongBits(lapack[c * n + i]) != Double.doubleToRawLongBits(ours[c * n + i])) {
                    throw new AssertionError(what + ": entry (" + i + ", " + c + ") differs");
                }
            }
        }
    }
}
