package org.gps.core.linalg;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PointKernelsTest {

    /**
     * The E-step's sum of squares, four rows per sweep, must give exactly the numbers of the plain
     * row-by-row loop (the pipeline's runs are reproducible bit for bit, and a GPS run is chaotic:
     * any change in the last bit of a distance changes its path). Panel heights below, at and
     * beyond one sweep, with remainders.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 8, 11, 16})
    void sumOfSquaresIsBitIdenticalToTheRowByRowLoop(int h) {
        Random r = new Random(h);
        int kk = 3;
        int m = 37;
        double[] zt = new double[kk * h * m];
        double[] b = new double[kk * h];
        for (int i = 0; i < zt.length; i++) {
            zt[i] = r.nextGaussian() * Math.exp(4 * r.nextGaussian());
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian();
        }
        double[] start = new double[kk * m];
        for (int i = 0; i < start.length; i++) {
            start[i] = Math.abs(r.nextGaussian()) * 1e3;
        }
        double[] plain = start.clone();
        for (int k = 0; k < kk; k++) {
            for (int i = 0; i < h; i++) {
                int col = k * h + i;
                for (int j = 0; j < m; j++) {
                    double v = zt[col * m + j] - b[col];
                    plain[k * m + j] += v * v;
                }
            }
        }
        double[] swept = start.clone();
        PointKernels.addSquares(zt, b, kk, h, m, swept);
        for (int i = 0; i < plain.length; i++) {
            assertEquals(Double.doubleToLongBits(plain[i]), Double.doubleToLongBits(swept[i]), "entry " + i);
        }
    }
}
