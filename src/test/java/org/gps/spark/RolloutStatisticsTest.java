package org.gps.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.io.RolloutSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RolloutStatisticsTest {
    static final int CONDITIONS = 2;
    static final int ITERATIONS = 3;
    static final int SAMPLES = 7;
    static final int STEPS = 5;

    /** Values spread over many orders of magnitude, so that any other summation order rounds differently. */
    static double value(Random r) {
        return Math.exp(10 * r.nextGaussian()) * (r.nextBoolean() ? 1 : -1);
    }

    @Test
    void perStepMeansAndStdsAreTheSameBitsWhateverThePartitioning() {
        SparkSession spark = SparkTestSession.get();
        Random r = new Random(17);
        // values[c][t][i*SAMPLES+n] = {x0, x1, u0}, in (iteration, sample) order.
        double[][][][] values = new double[CONDITIONS][STEPS][ITERATIONS * SAMPLES][];
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < CONDITIONS; c++) {
            for (int i = 0; i < ITERATIONS; i++) {
                for (int n = 0; n < SAMPLES; n++) {
                    for (int t = 0; t < STEPS; t++) {
                        double[] v = {value(r), value(r), value(r)};
                        values[c][t][i * SAMPLES + n] = v;
                        rows.add(RowFactory.create(i, c, n, t, new double[] {v[0], v[1]}, new double[] {v[2]},
                                new double[] {v[0]}, 0.0, RolloutSchema.SOURCE_CONTROLLER, null));
                    }
                }
            }
        }
        Collections.shuffle(rows, r);
        for (int partitions : new int[] {1, 2, 5}) {
            Dataset<Row> ds = spark.createDataFrame(rows, RolloutSchema.STRUCT).repartition(partitions);
            List<RolloutStatistics.StepStats> stats = RolloutStatistics.perStep(ds, 2, 1);
            assertEquals(CONDITIONS * STEPS, stats.size());
            for (RolloutStatistics.StepStats s : stats) {
                double[][] x = new double[ITERATIONS * SAMPLES][];
                double[][] u = new double[ITERATIONS * SAMPLES][];
                for (int k = 0; k < x.length; k++) {
                    double[] v = values[s.condition()][s.t()][k];
                    x[k] = new double[] {v[0], v[1]};
                    u[k] = new double[] {v[2]};
                }
                assertEquals(ITERATIONS * SAMPLES, s.rollouts());
                // Exact: the reference sums in (iteration, sample) order, as the statistics promise.
                assertArrayEquals(mean(x), s.xMean(), 0.0, partitions + " partitions");
                assertArrayEquals(std(x), s.xStd(), 0.0, partitions + " partitions");
                assertArrayEquals(mean(u), s.uMean(), 0.0, partitions + " partitions");
                assertArrayEquals(std(u), s.uStd(), 0.0, partitions + " partitions");
            }
        }
    }

    static double[] mean(double[][] rows) {
        double[] m = new double[rows[0].length];
        for (double[] v : rows) {
            for (int i = 0; i < m.length; i++) {
                m[i] += v[i];
            }
        }
        for (int i = 0; i < m.length; i++) {
            m[i] /= rows.length;
        }
        return m;
    }

    static double[] std(double[][] rows) {
        double[] m = mean(rows);
        double[] s = new double[m.length];
        for (double[] v : rows) {
            for (int i = 0; i < m.length; i++) {
                s[i] += (v[i] - m[i]) * (v[i] - m[i]);
            }
        }
        for (int i = 0; i < m.length; i++) {
            s[i] = Math.sqrt(s[i] / rows.length);
        }
        return s;
    }
}
