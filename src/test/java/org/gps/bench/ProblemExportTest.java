package org.gps.bench;

import org.gps.core.BadInputException;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.linalg.Mat;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProblemExportTest {
    private static final BenchSize TINY = new BenchSize("tiny", 2, 3, 10, 4, 2);

    /** An .npy file read back by the format's rules: its shape and its values in C order. */
    private record Npy(int[] shape, double[] data) {
        static Npy read(Path file) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            b.get(magic);
            assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, magic, file.toString());
            int headerLength = b.getShort() & 0xffff;
            byte[] header = new byte[headerLength];
            b.get(header);
            String dict = new String(header, StandardCharsets.US_ASCII);
            assertEquals(0, (10 + headerLength) % 64, "data start 64-byte aligned: " + dict);
            assertTrue(dict.endsWith("\n") && dict.contains("'descr': '<f8'") && dict.contains("'fortran_order': False"),
                    dict);
            Matcher m = Pattern.compile("'shape': \\(([0-9, ]*)\\)").matcher(dict);
            assertTrue(m.find(), dict);
            int[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
            double[] data = new double[b.remaining() / 8];
            b.asDoubleBuffer().get(data);
            assertEquals(Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y), data.length,
                    file + ": values for the shape");
            return new Npy(shape, data);
        }
    }

    @Test
    void oneDimensionalShapesKeepPythonsTrailingComma() {
        String header = new String(NpyWriter.header(new int[] {5}), StandardCharsets.US_ASCII);
        assertTrue(header.contains("'shape': (5,)"), header);
        assertEquals(0, NpyWriter.header(new int[] {5}).length % 64);
        assertTrue(header.endsWith("\n"), header);
    }

    @Test
    void dynamicsExportWritesTheRolloutsAndSettingsOfTheDocumentedShapes(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("dynamics-tiny");
        DynamicsBenchmark.export(SparkTestSession.get(), TINY, 5, 10_000, GmmOptions.Initialization.AUTO, dir);

        Npy x = Npy.read(dir.resolve("X.npy"));
        Npy u = Npy.read(dir.resolve("U.npy"));
        assertArrayEquals(new int[] {2, 3, 10, 4}, x.shape());
        assertArrayEquals(new int[] {2, 3, 10, 2}, u.shape());
        // Every rollout of a condition starts at that condition's x0: the three samples of
        // condition 1 share their first state, and it differs from condition 0's.
        double[] c0 = Arrays.copyOfRange(x.data(), 0, 4);
        int c1 = 3 * 10 * 4;
        for (int s = 0; s < 3; s++) {
            int at = c1 + s * 10 * 4;
            assertArrayEquals(Arrays.copyOfRange(x.data(), c1, c1 + 4), Arrays.copyOfRange(x.data(), at, at + 4));
        }
        assertTrue(!Arrays.equals(c0, Arrays.copyOfRange(x.data(), c1, c1 + 4)));
        // ... and the states move: step 1 is not step 0.
        assertTrue(!Arrays.equals(c0, Arrays.copyOfRange(x.data(), 4, 8)));

        String json = Files.readString(dir.resolve("problem.json"));
        for (String field : new String[] {"\"kind\": \"dynamics\"", "\"conditions\": 2", "\"horizon\": 10",
                "\"max_clusters\": 20", "\"min_samples_per_cluster\": 40", "\"max_samples\": 20",
                "\"em_init\": \"auto\""}) {
            assertTrue(json.contains(field), field + " in " + json);
        }
    }

    @Test
    void trajOptExportWritesEveryArrayOfTheDocumentedShapes(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("trajopt-tiny");
        TrajOptBenchmark.export(SparkTestSession.get(), TINY, 7, dir);

        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("X", new int[] {2, 3, 10, 4});
        expected.put("U", new int[] {2, 3, 10, 2});
        expected.put("cc", new int[] {2, 10});
        expected.put("cv", new int[] {2, 10, 6});
        expected.put("Cm", new int[] {2, 10, 6, 6});
        expected.put("Fm", new int[] {10, 4, 6});
        expected.put("fv", new int[] {10, 4});
        expected.put("dyn_covar", new int[] {10, 4, 4});
        expected.put("x0mu", new int[] {2, 4});
        expected.put("x0sigma", new int[] {2, 4, 4});
        expected.put("K", new int[] {2, 10, 2, 4});
        expected.put("k", new int[] {2, 10, 2});
        expected.put("pol_covar", new int[] {2, 10, 2, 2});
        expected.put("chol_pol_covar", new int[] {2, 10, 2, 2});
        expected.put("inv_pol_covar", new int[] {2, 10, 2, 2});
        expected.put("state_weights", new int[] {4});
        expected.put("action_weights", new int[] {2});
        Map<String, Npy> arrays = new LinkedHashMap<>();
        for (var e : expected.entrySet()) {
            Npy a = Npy.read(dir.resolve(e.getKey() + ".npy"));
            assertArrayEquals(e.getValue(), a.shape(), e.getKey());
            arrays.put(e.getKey(), a);
        }
        try (var files = Files.list(dir)) {
            assertEquals(expected.size() + 1, files.count(), "the arrays and problem.json, nothing else");
        }

        // T-1 transitions; the last step's slot holds zeros, which the original never reads.
        double[] fm = arrays.get("Fm").data();
        assertTrue(Arrays.stream(fm, 0, 9 * 24).anyMatch(v -> v != 0));
        assertTrue(Arrays.stream(fm, 9 * 24, 10 * 24).allMatch(v -> v == 0));
        // Cm averages quadratic expansions: symmetric, and its action block is diag(1e-2).
        double[] cm = arrays.get("Cm").data();
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(cm[i * 6 + j], cm[j * 6 + i], 0.0);
            }
        }
        assertEquals(TrajOptBenchmark.ACTION_WEIGHT, cm[4 * 6 + 4], 1e-15);
        assertTrue(Files.readString(dir.resolve("problem.json")).contains("\"kl_step\": 0.2"));
    }

    @Test
    void theControllersCholeskyFactorIsWrittenUpperAsTheOriginalKeepsIt(@TempDir Path tmp) throws IOException {
        // S = [[4, 2], [2, 3]]: lower factor [[2, 0], [1, sqrt 2]], upper [[2, 1], [0, sqrt 2]].
        Mat s = Mat.of(new double[][] {{4, 2}, {2, 3}});
        LinearGaussianController c = LinearGaussianController.of(new Mat[] {Mat.zeros(2, 4)},
                new double[][] {{0, 0}}, new Mat[] {s});
        ProblemExport.writeControllers(tmp, java.util.List.of(c));

        Npy chol = Npy.read(tmp.resolve("chol_pol_covar.npy"));
        assertArrayEquals(new int[] {1, 1, 2, 2}, chol.shape());
        assertArrayEquals(new double[] {2, 1, 0, Math.sqrt(2)}, chol.data(), 1e-15);
        assertArrayEquals(new double[] {4, 2, 2, 3}, Npy.read(tmp.resolve("pol_covar.npy")).data(), 0.0);
        // S^-1 = [[3, -2], [-2, 4]] / 8
        assertArrayEquals(new double[] {0.375, -0.25, -0.25, 0.5}, Npy.read(tmp.resolve("inv_pol_covar.npy")).data(),
                1e-15);
    }

    @Test
    void aDirectoryWithFilesIsRefusedRatherThanMixed(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("old.npy"), "x");
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrajOptBenchmark.export(SparkTestSession.get(), TINY, 7, tmp));
        assertTrue(e.getMessage().startsWith("--export: ") && e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void aPathUnderAFileIsBadInputNamingTheOption(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrajOptBenchmark.export(SparkTestSession.get(), TINY, 7, file.resolve("trajopt-tiny")));
        assertTrue(e.getMessage().startsWith("--export: cannot create ") && e.getMessage().contains("expected"),
                e.getMessage());
        BadInputException onFile = assertThrows(BadInputException.class,
                () -> TrajOptBenchmark.export(SparkTestSession.get(), TINY, 7, file));
        assertTrue(onFile.getMessage().contains("is a file"), onFile.getMessage());
    }
}
