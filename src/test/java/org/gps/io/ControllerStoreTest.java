package org.gps.io;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.linalg.Mat;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controllers survive both stored forms bit for bit (the round trip must not perturb a controller
 * that a later iteration takes as its KL reference), and broken files are refused with a message
 * that says where and what was expected.
 */
class ControllerStoreTest {
    private static final int T = 5;
    private static final int DX = 3;
    private static final int DU = 2;

    @TempDir
    Path dir;

    private static SparkSession spark() {
        return SparkTestSession.get();
    }

    /**
     * Two conditions with values that a decimal round trip would easily damage: thirds, a
     * subnormal, a negative zero, large and small magnitudes.
     */
    static Map<Integer, LinearGaussianController> controllers() {
        Map<Integer, LinearGaussianController> out = new TreeMap<>();
        Random rng = new Random(7);
        for (int condition : new int[] {0, 3}) {
            Mat[] gains = new Mat[T];
            double[][] offsets = new double[T][];
            Mat[] covs = new Mat[T];
            for (int t = 0; t < T; t++) {
                double[][] k = new double[DU][DX];
                for (int i = 0; i < DU; i++) {
                    for (int j = 0; j < DX; j++) {
                        k[i][j] = rng.nextGaussian() / 3.0;
                    }
                }
                k[0][0] = -0.0;
                k[1][2] = 4.9e-322;
                gains[t] = Mat.of(k);
                offsets[t] = new double[] {rng.nextGaussian() * 1e12, 1.0 / (7 + t)};
                // S = L L^T + 0.1 I, built entry by entry so that it is exactly symmetric.
                double[][] l = {{1 + rng.nextDouble(), 0}, {rng.nextGaussian(), 1 + rng.nextDouble()}};
                double[][] s = new double[DU][DU];
                for (int i = 0; i < DU; i++) {
                    for (int j = 0; j <= i; j++) {
                        double v = (i == j ? 0.1 : 0.0);
                        for (int m = 0; m < DU; m++) {
                            v += l[i][m] * l[j][m];
                        }
                        s[i][j] = v;
                        s[j][i] = v;
                    }
                }
                covs[t] = Mat.of(s);
            }
            out.put(condition, LinearGaussianController.of(gains, offsets, covs));
        }
        return out;
    }

    private static void assertSameControllers(Map<Integer, LinearGaussianController> expected,
                                              Map<Integer, LinearGaussianController> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (int c : expected.keySet()) {
            LinearGaussianController e = expected.get(c);
            LinearGaussianController a = actual.get(c);
            assertEquals(e.horizon(), a.horizon());
            for (int t = 0; t < e.horizon(); t++) {
                // assertArrayEquals on doubles compares bit patterns: exact, and -0.0 differs from 0.0.
                assertArrayEquals(e.gain(t).toRowMajor(), a.gain(t).toRowMajor(), "K, condition " + c + ", t " + t);
                assertArrayEquals(e.offset(t), a.offset(t), "k, condition " + c + ", t " + t);
                assertArrayEquals(e.covariance(t).toRowMajor(), a.covariance(t).toRowMajor(),
                        "covariance, condition " + c + ", t " + t);
            }
        }
    }

    /** The controllers' rows as a DataFrame, to write with Spark and to alter before writing. */
    private static Dataset<Row> frame(Map<Integer, LinearGaussianController> controllers) {
        return spark().createDataFrame(ControllerStore.rows(controllers), ControllerStore.SCHEMA);
    }

    private String writeParquet(Dataset<Row> df, String name) {
        String path = dir.resolve(name).toString();
        df.coalesce(1).write().parquet(path);
        return path;
    }

    private static Map<Integer, LinearGaussianController> readParquet(String path) {
        return ControllerStore.fromDataFrame(spark().read().parquet(path), path);
    }

    private static void assertMentions(BadInputException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void parquetRoundTripGivesBackIdenticalGainsOffsetsAndCovariances() {
        Map<Integer, LinearGaussianController> in = controllers();
        Dataset<Row> df = frame(in);
        assertEquals(2 * T, df.count());

        String path = writeParquet(df, "controllers");

        assertSameControllers(in, readParquet(path));
    }

    @Test
    void tableWrittenFromTheDriverReadsBackAsTheTableSparkWrites() {
        Map<Integer, LinearGaussianController> in = controllers();
        String bySpark = writeParquet(frame(in), "by-spark");
        String byDriver = dir.resolve("by-driver").toString();

        assertEquals(2 * T, ControllerStore.write(spark().sparkContext().hadoopConfiguration(), byDriver, in));

        Dataset<Row> a = spark().read().parquet(bySpark);
        Dataset<Row> b = spark().read().parquet(byDriver);
        assertEquals(a.schema(), b.schema());
        assertEquals(a.orderBy("condition", "t").collectAsList(), b.orderBy("condition", "t").collectAsList());
        assertSameControllers(in, readParquet(byDriver));
    }

    @Test
    void parquetStoresMatricesRowMajorWithTheirSizes() {
        Map<Integer, LinearGaussianController> in = controllers();
        String path = writeParquet(frame(in), "controllers");

        Row r = spark().read().parquet(path).filter(col("condition").equalTo(3).and(col("t").equalTo(2))).first();

        assertEquals(DX, r.getInt(r.fieldIndex("dX")));
        assertEquals(DU, r.getInt(r.fieldIndex("dU")));
        Mat k = in.get(3).gain(2);
        // Element (1, 0) of a 2x3 matrix sits at index 1 * dX + 0 in row-major order.
        assertEquals(k.get(1, 0), (double) r.getList(r.fieldIndex("gain")).get(DX));
        assertEquals(DU * DU, r.getList(r.fieldIndex("covariance")).size());
    }

    @Test
    void jsonRoundTripGivesBackIdenticalGainsOffsetsAndCovariances() {
        Map<Integer, LinearGaussianController> in = controllers();

        String json = ControllerStore.toJson(in);

        assertSameControllers(in, ControllerStore.fromJson(json, "controllers.json"));
    }

    @Test
    void missingTimeStepRowInParquetIsRefusedNamingPathConditionAndStep() {
        Dataset<Row> df = frame(controllers())
                .filter(col("condition").notEqual(3).or(col("t").notEqual(2)));
        String path = writeParquet(df, "missing-t");

        BadInputException e = assertThrows(BadInputException.class, () -> readParquet(path));

        assertMentions(e, path, "condition 3", "time steps missing", "t=2 is absent");
    }

    @Test
    void negativeTimeStepInParquetIsRefusedRatherThanIndexedWith() {
        // t = -1, 0, 1, 3, 4: five distinct steps ending at T-1 = 4, so only the lower end shows the gap.
        Dataset<Row> df = frame(controllers())
                .withColumn("t", functions.expr("if(condition = 0 and t = 2, -1, t)"));
        String path = writeParquet(df, "negative-t");

        BadInputException e = assertThrows(BadInputException.class, () -> readParquet(path));

        assertMentions(e, path, "condition 0", "t from -1 to 4", "t=2 is absent");
    }

    @Test
    void repeatedTimeStepRowInParquetIsRefused() {
        Dataset<Row> all = frame(controllers());
        String path = writeParquet(all.union(all.filter(col("condition").equalTo(0).and(col("t").equalTo(4)))),
                "repeated-t");

        BadInputException e = assertThrows(BadInputException.class, () -> readParquet(path));

        assertMentions(e, path, "condition 0, t=4", "more than one row", "expected one row per (condition, t)");
    }

    @Test
    void missingColumnInParquetIsRefusedNamingTheColumn() {
        String path = writeParquet(frame(controllers()).drop("covariance"), "no-cov");

        BadInputException e = assertThrows(BadInputException.class, () -> readParquet(path));

        assertMentions(e, path, "column covariance is missing");
    }

    @Test
    void gainOfTheWrongLengthInParquetIsRefusedWithTheExpectedCount() {
        Dataset<Row> df = frame(controllers())
                .withColumn("gain", functions.expr("if(condition = 0 and t = 1, slice(gain, 1, 5), gain)"));
        String path = writeParquet(df, "short-gain");

        BadInputException e = assertThrows(BadInputException.class, () -> readParquet(path));

        assertMentions(e, path, "condition 0, t=1", "gain has 5 values; expected 6");
    }

    @Test
    void malformedJsonIsRefusedNamingTheFile() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> ControllerStore.fromJson("{\"format\": ", "/runs/r/controllers.json"));

        assertMentions(e, "/runs/r/controllers.json", "not valid JSON");
    }

    @Test
    void jsonOfAnotherFormatIsRefusedWithTheExpectedFormat() {
        String json = ControllerStore.toJson(controllers()).replace(ControllerStore.JSON_FORMAT, "something-else");

        BadInputException e = assertThrows(BadInputException.class, () -> ControllerStore.fromJson(json, "c.json"));

        assertMentions(e, "c.json", "format: expected '" + ControllerStore.JSON_FORMAT + "'");
    }

    @Test
    void jsonWithAMissingTimeStepIsRefusedNamingTheKeyAndTheExpectedLength() {
        String json = ControllerStore.toJson(controllers()).replaceFirst("\"T\" : 5", "\"T\" : 6");

        BadInputException e = assertThrows(BadInputException.class, () -> ControllerStore.fromJson(json, "c.json"));

        assertMentions(e, "c.json", "conditions[0].K", "expected a list of T=6 entries", "got 5 entries");
    }

    @Test
    void jsonWithAMissingKeyIsRefusedNamingIt() {
        String json = ControllerStore.toJson(controllers()).replaceFirst("\"dU\" : 2,", "");

        BadInputException e = assertThrows(BadInputException.class, () -> ControllerStore.fromJson(json, "c.json"));

        assertMentions(e, "c.json", "conditions[0].dU", "expected an integer >= 1, got nothing");
    }

    @Test
    void jsonWithAMatrixOfTheWrongShapeIsRefusedNamingTheEntry() {
        String json = """
                {"format": "gps-linear-gaussian-controllers", "version": 1, "conditions": [
                  {"condition": 0, "T": 1, "dX": 2, "dU": 1,
                   "K": [[[1.0, 2.0, 3.0]]], "k": [[0.0]], "covariance": [[[1.0]]]}]}
                """;

        BadInputException e = assertThrows(BadInputException.class, () -> ControllerStore.fromJson(json, "c.json"));

        assertMentions(e, "c.json", "conditions[0].K[0][0]", "expected a list of 2 numbers, got 3 values");
    }

    @Test
    void jsonWithACovarianceThatIsNotPositiveDefiniteIsRefused() {
        String json = """
                {"format": "gps-linear-gaussian-controllers", "version": 1, "conditions": [
                  {"condition": 0, "T": 1, "dX": 1, "dU": 1, "K": [[[1.0]]], "k": [[0.0]], "covariance": [[[-1.0]]]}]}
                """;

        BadInputException e = assertThrows(BadInputException.class, () -> ControllerStore.fromJson(json, "c.json"));

        assertMentions(e, "c.json", "conditions[0]", "covariance[0] is not positive definite");
    }
}
