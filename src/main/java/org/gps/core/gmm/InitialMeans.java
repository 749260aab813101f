package org.gps.core.gmm;

import org.gps.core.random.Seeds;

import java.util.List;
import java.util.SplittableRandom;

/** k-means++ seeding (Arthur and Vassilvitskii, 2007) over a small candidate set, on the driver. */
final class InitialMeans {
    private InitialMeans() {
    }

    /**
     * K means from the candidates: the first uniformly, each next one with probability
     * proportional to its squared distance to the nearest mean chosen so far. With fewer
     * distinct candidates than K, the remaining means repeat candidates (EM then separates or
     * reboots them).
     */
    static double[][] kMeansPlusPlus(List<double[]> candidates, int k, long seed) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate points for the initial means");
        }
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, "gmm-kmeans++"));
        int n = candidates.size();
        double[][] means = new double[k][];
        double[] d2 = new double[n];
        java.util.Arrays.fill(d2, Double.POSITIVE_INFINITY);
        means[0] = candidates.get(rnd.nextInt(n)).clone();
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                d2[i] = Math.min(d2[i], squaredDistance(candidates.get(i), means[c - 1]));
                total += d2[i];
            }
            int pick;
            if (!(total > 0)) {
                pick = rnd.nextInt(n);
            } else {
                double r = rnd.nextDouble() * total;
                pick = n - 1;
                for (int i = 0; i < n; i++) {
                    r -= d2[i];
                    if (r < 0) {
                        pick = i;
                        break;
                    }
                }
            }
            means[c] = candidates.get(pick).clone();
        }
        return means;
    }

    private static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
