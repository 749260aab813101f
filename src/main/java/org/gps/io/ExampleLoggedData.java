package org.gps.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Generates the example logged dataset committed under {@code data/logged/double-integrator}:
 * 2 conditions x 3 samples x 20 steps of a 2-D linear system (a double integrator, position and
 * velocity, dt = 0.05) driven by a noisy linear feedback controller, as a robot log would record
 * it. Observation = state; cost l_t = |x_t|^2 + 0.01 |u_t|^2; source "logged". Seeded, so a rerun
 * writes the same rows.
 *
 * <p>Usage: {@code ExampleLoggedData [output path]} (default data/logged/double-integrator).
 */
public final class ExampleLoggedData {
    public static final String DEFAULT_PATH = "data/logged/double-integrator";
    static final int CONDITIONS = 2;
    static final int SAMPLES = 3;
    static final int STEPS = 20;
    private static final double DT = 0.05;
    private static final double[][] X0 = {{1.0, 0.0}, {-0.5, 0.5}};
    private static final double[] GAIN = {2.0, 1.5};
    private static final double ACTION_NOISE = 0.3;

    private ExampleLoggedData() {
    }

    public static void main(String[] args) {
        String path = args.length > 0 ? args[0] : DEFAULT_PATH;
        SparkSession spark = SparkSessions.getOrCreate("gps-example-logged-data", "local[1]");
        try {
            CompletionMarker m = write(spark, path);
            System.out.println("wrote " + m.rows() + " rows to " + path);
        } finally {
            spark.stop();
        }
    }

    /** Writes the dataset as one Parquet file (plus sidecar and marker) and returns the marker. */
    public static CompletionMarker write(SparkSession spark, String path) {
        CompletionMarker m = RolloutWriter.write(rows(spark).coalesce(1), path, ExampleLoggedData.class.getName());
        deleteChecksums(HadoopFiles.conf(spark), path);
        return m;
    }

    /** The rows, built in memory (they are tiny). */
    public static Dataset<Row> rows(SparkSession spark) {
        Random rng = new Random(20240601L);
        double[][][][] x = new double[CONDITIONS][SAMPLES][STEPS][];
        double[][][][] u = new double[CONDITIONS][SAMPLES][STEPS][];
        double[][][] cost = new double[CONDITIONS][SAMPLES][STEPS];
        for (int m = 0; m < CONDITIONS; m++) {
            for (int n = 0; n < SAMPLES; n++) {
                double[] s = X0[m].clone();
                for (int t = 0; t < STEPS; t++) {
                    double a = -GAIN[0] * s[0] - GAIN[1] * s[1] + ACTION_NOISE * rng.nextGaussian();
                    x[m][n][t] = s.clone();
                    u[m][n][t] = new double[] {a};
                    cost[m][n][t] = s[0] * s[0] + s[1] * s[1] + 0.01 * a * a;
                    // x_{t+1} = A x_t + B u_t with A = [[1, dt], [0, 1]], B = [0, dt]^T
                    s = new double[] {s[0] + DT * s[1], s[1] + DT * a};
                }
            }
        }
        return Rollouts.fromArrays(spark, 0, x, u, null, cost, RolloutSchema.SOURCE_LOGGED);
    }

    /** Hadoop's local file system leaves .crc files next to each file; a committed example does not need them. */
    private static void deleteChecksums(Configuration conf, String path) {
        Path dir = new Path(path);
        // The raw file system: the checksummed one hides .crc files from listings.
        FileSystem fs = HadoopFiles.sideFileSystem(conf, dir);
        try {
            for (FileStatus s : fs.listStatus(dir, p -> p.getName().endsWith(".crc"))) {
                fs.delete(s.getPath(), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + path, e);
        }
    }
}
