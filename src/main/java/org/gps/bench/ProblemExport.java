package org.gps.bench;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.gps.io.RolloutSchema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a benchmark's generated problem as .npy arrays plus a problem.json of its settings, the
 * layout bench/original/README.md documents, so that another implementation can be timed on the
 * very same inputs. Shapes follow the original's conventions (rollouts M x N x T x d, per-step
 * arrays T first, the reference controller's Cholesky factor upper triangular).
 */
final class ProblemExport {
    private ProblemExport() {
    }

    /** The rollouts as two C-order tensors, X (M, N, T, dX) and U (M, N, T, dU), filled by (condition, sample, t). */
    static final class Rollouts {
        final BenchSize size;
        final double[] x;
        final double[] u;

        Rollouts(BenchSize size) {
            this.size = size;
            this.x = new double[Math.toIntExact(size.rows() * size.stateDim())];
            this.u = new double[Math.toIntExact(size.rows() * size.actionDim())];
        }

        void put(int condition, int sample, int t, double[] xt, double[] ut) {
            if (xt.length != size.stateDim() || ut.length != size.actionDim()) {
                throw new IllegalStateException("step (" + condition + ", " + sample + ", " + t + ") has dX "
                        + xt.length + ", dU " + ut.length + ", expected " + size.describe());
            }
            long step = ((long) condition * size.samples() + sample) * size.horizon() + t;
            System.arraycopy(xt, 0, x, Math.toIntExact(step * size.stateDim()), xt.length);
            System.arraycopy(ut, 0, u, Math.toIntExact(step * size.actionDim()), ut.length);
        }

        /** Collects the rollout rows (condition, sample, t, x, u) of a sampled dataset. */
        static Rollouts of(BenchSize size, Dataset<Row> rows) {
            Rollouts out = new Rollouts(size);
            List<Row> all = rows.select(RolloutSchema.CONDITION, RolloutSchema.SAMPLE, RolloutSchema.T,
                    RolloutSchema.X, RolloutSchema.U).collectAsList();
            if (all.size() != size.rows()) {
                throw new IllegalStateException("exporting " + all.size() + " rows, expected " + size.rows());
            }
            for (Row r : all) {
                out.put(r.getInt(0), r.getInt(1), r.getInt(2), doubles(r.getList(3)), doubles(r.getList(4)));
            }
            return out;
        }

        void write(Path dir) {
            BenchSize s = size;
            NpyWriter.write(dir.resolve("X.npy"), new int[] {s.conditions(), s.samples(), s.horizon(), s.stateDim()},
                    x);
            NpyWriter.write(dir.resolve("U.npy"), new int[] {s.conditions(), s.samples(), s.horizon(), s.actionDim()},
                    u);
        }
    }

    private static double[] doubles(List<Object> list) {
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) list.get(i)).doubleValue();
        }
        return out;
    }

    /** The fitted-dynamics arrays Fm (T, dX, dX+dU), fv (T, dX), dyn_covar (T, dX, dX); step T-1 has none: zeros. */
    static void writeDynamics(Path dir, LinearGaussianDynamics d, int horizon) {
        int dX = d.stateDim();
        int dU = d.actionDim();
        Mat[] f = new Mat[horizon];
        double[][] fv = new double[horizon][];
        Mat[] cov = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            boolean has = t < d.steps();
            f[t] = has ? d.transition(t) : Mat.zeros(dX, dX + dU);
            fv[t] = has ? d.offset(t) : new double[dX];
            cov[t] = has ? d.covariance(t) : Mat.zeros(dX, dX);
        }
        NpyWriter.write(dir.resolve("Fm.npy"), new int[] {horizon, dX, dX + dU}, rowMajor(f));
        NpyWriter.write(dir.resolve("fv.npy"), new int[] {horizon, dX}, flat(fv));
        NpyWriter.write(dir.resolve("dyn_covar.npy"), new int[] {horizon, dX, dX}, rowMajor(cov));
    }

    /** x0mu (M, dX) and x0sigma (M, dX, dX). */
    static void writeInitialStates(Path dir, List<InitialStateDistribution> x0) {
        int dX = x0.get(0).mean().length;
        NpyWriter.write(dir.resolve("x0mu.npy"), new int[] {x0.size(), dX},
                flat(x0.stream().map(InitialStateDistribution::mean).toArray(double[][]::new)));
        NpyWriter.write(dir.resolve("x0sigma.npy"), new int[] {x0.size(), dX, dX},
                rowMajor(x0.stream().map(InitialStateDistribution::covariance).toArray(Mat[]::new)));
    }

    /** The averaged cost expansions: cc (M, T), cv (M, T, dX+dU), Cm (M, T, dX+dU, dX+dU). */
    static void writeCostModels(Path dir, List<QuadraticCostModel> models) {
        int m = models.size();
        int horizon = models.get(0).horizon();
        int d = models.get(0).stateDim() + models.get(0).actionDim();
        double[] cc = new double[m * horizon];
        double[][] cv = new double[m * horizon][];
        Mat[] cm = new Mat[m * horizon];
        for (int c = 0; c < m; c++) {
            for (int t = 0; t < horizon; t++) {
                cc[c * horizon + t] = models.get(c).constant(t);
                cv[c * horizon + t] = models.get(c).linear(t);
                cm[c * horizon + t] = models.get(c).quadratic(t);
            }
        }
        NpyWriter.write(dir.resolve("cc.npy"), new int[] {m, horizon}, cc);
        NpyWriter.write(dir.resolve("cv.npy"), new int[] {m, horizon, d}, flat(cv));
        NpyWriter.write(dir.resolve("Cm.npy"), new int[] {m, horizon, d, d}, rowMajor(cm));
    }

    /**
     * The reference controllers: K (M, T, dU, dX), k (M, T, dU), pol_covar, chol_pol_covar (upper,
     * as the original's scipy.linalg.cholesky returns it) and inv_pol_covar, each (M, T, dU, dU).
     */
    static void writeControllers(Path dir, List<LinearGaussianController> cs) {
        int m = cs.size();
        int horizon = cs.get(0).horizon();
        int dX = cs.get(0).stateDim();
        int dU = cs.get(0).actionDim();
        Mat[] gains = new Mat[m * horizon];
        double[][] offsets = new double[m * horizon][];
        Mat[] cov = new Mat[m * horizon];
        Mat[] chol = new Mat[m * horizon];
        Mat[] inv = new Mat[m * horizon];
        for (int c = 0; c < m; c++) {
            for (int t = 0; t < horizon; t++) {
                int i = c * horizon + t;
                LinearGaussianController k = cs.get(c);
                gains[i] = k.gain(t);
                offsets[i] = k.offset(t);
                cov[i] = k.covariance(t);
                chol[i] = k.choleskyFactor(t).transpose();
                inv[i] = k.precision(t);
            }
        }
        NpyWriter.write(dir.resolve("K.npy"), new int[] {m, horizon, dU, dX}, rowMajor(gains));
        NpyWriter.write(dir.resolve("k.npy"), new int[] {m, horizon, dU}, flat(offsets));
        NpyWriter.write(dir.resolve("pol_covar.npy"), new int[] {m, horizon, dU, dU}, rowMajor(cov));
        NpyWriter.write(dir.resolve("chol_pol_covar.npy"), new int[] {m, horizon, dU, dU}, rowMajor(chol));
        NpyWriter.write(dir.resolve("inv_pol_covar.npy"), new int[] {m, horizon, dU, dU}, rowMajor(inv));
    }

    static void writeVector(Path file, double[] v) {
        NpyWriter.write(file, new int[] {v.length}, v);
    }

    /**
     * problem.json: a flat object of numbers, booleans and strings (the settings the timed code
     * used), in the given order.
     */
    /** The settings every problem.json starts with: what was generated, at which size, from which seed. */
    static Map<String, Object> header(String kind, BenchSize size, long seed) {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("kind", kind);
        p.put("size", size.name());
        p.put("conditions", size.conditions());
        p.put("samples", size.samples());
        p.put("horizon", size.horizon());
        p.put("state_dim", size.stateDim());
        p.put("action_dim", size.actionDim());
        p.put("seed", seed);
        return p;
    }

    static void writeJson(Path file, Map<String, Object> values) {
        String body = values.entrySet().stream()
                .map(e -> "  \"" + e.getKey() + "\": " + json(e.getValue()))
                .collect(Collectors.joining(",\n", "{\n", "\n}\n"));
        try {
            Files.writeString(file, body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String json(Object v) {
        if (v instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (v instanceof Double d) {
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("JSON has no " + d);
            }
            return String.format(Locale.ROOT, "%s", d);
        }
        return String.valueOf(v);
    }

    /** Creates the export directory; an existing non-empty one is refused rather than mixed with old files. */
    static Path directory(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new org.gps.core.BadInputException("--export: " + dir
                    + " is a file; expected a new or empty directory");
        }
        try {
            if (Files.isDirectory(dir)) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new org.gps.core.BadInputException("--export: " + dir
                                + " is not empty; expected a new or empty directory");
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            // A parent that is a file, or no permission: the user's path, not an internal failure.
            throw new org.gps.core.BadInputException("--export: cannot create " + dir + " (" + e.getMessage()
                    + "); expected a new or empty directory");
        }
    }

    private static double[] rowMajor(Mat[] ms) {
        int n = ms[0].rows() * ms[0].cols();
        double[] out = new double[ms.length * n];
        for (int i = 0; i < ms.length; i++) {
            System.arraycopy(ms[i].toRowMajor(), 0, out, i * n, n);
        }
        return out;
    }

    private static double[] flat(double[][] rows) {
        int n = rows[0].length;
        double[] out = new double[rows.length * n];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * n, n);
        }
        return out;
    }
}
