package org.gps.core.linalg;

/**
 * Level-3 BLAS kernels over a block of points stored column-major (D x n, one point per column):
 * the two inner loops of EM. Per-point loops in Java would cost D^2 scalar operations per point
 * and cluster; a whole block goes to a native BLAS's dgemm, or with netlib's Java kernels to this
 * class's own products in SIMD lanes, which repeat that dgemm's arithmetic where it runs its direct
 * loops ({@link #panelProduct}, {@link #addSelectedMomentsByChains}).
 * Also the element-wise loop the neural policy's passes are made of ({@link #addScaled}), and the
 * same passes for a block of {@link #BLOCK_ROWS} inputs at once ({@link #blockLayer} and after).
 * Each element-wise loop runs in SIMD lanes ({@link VectorKernels}) when the JVM has the Vector
 * API, with the scalar loop's bits.
 */
public final class PointKernels {
    private PointKernels() {
    }

    /**
     * Posterior weights at or below this are skipped by {@link #addWeightedMoments}: such a point
     * moves a cluster's scatter by at most 1e-12 times its squared distance, far below the 1e-6
     * ridge EM adds, while skipping them saves most of the M-step's work (a point usually has
     * weight in one to three of the K clusters).
     */
    public static final double NEGLIGIBLE_WEIGHT = 1e-12;

    /**
     * Adds the weighted first and second moments of the points about {@code shift} into
     * {@code sum} (D) and {@code scatter} (D x D, column-major; at least its lower triangle is
     * valid): sum += sum_j w_j (x_j - shift), scatter += sum_j w_j (x_j - shift)(x_j - shift)^T,
     * over the points whose weight exceeds {@link #NEGLIGIBLE_WEIGHT}. Weights are posteriors
     * (>= 0), point j's at {@code weights[from + j]}.
     */
    public static void addWeightedMoments(double[] points, int dim, int n, double[] shift, double[] weights,
                                          int from, double[] sum, double[] scatter) {
        addWeightedMoments(points, dim, n, shift, weights, from, sum, scatter, NATIVE_BLAS);
    }

    /**
     * As above; {@code lowerOnly} computes only the scatter's lower triangle (dsyrk) instead of
     * all of it (dgemm). With a native BLAS dsyrk is the faster (OpenBLAS: 1.5x here), and that
     * path is taken; with netlib's Java kernels dgemm is (their dsyrk runs 4-5x slower than their
     * vectorised dgemm), and the pipeline's documented runs use those. The two round differently
     * beyond 256 points (OpenBLAS blocks the sum differently), so a native run's numbers differ
     * from a Java-kernel run's in the last bits, as they already did through every other kernel.
     */
    static void addWeightedMoments(double[] points, int dim, int n, double[] shift, double[] weights,
                                   int from, double[] sum, double[] scatter, boolean lowerOnly) {
        // List the points that count first (per cluster about 1 in 8 of a block's points on the
        // benchmark's data): the gather below then visits only those, into an array of their size.
        Scratch scratch = SCRATCH.get();
        int[] selected = scratch.indices(n);
        double[] selectedWeights = scratch.selectedWeights(n);
        int m = 0;
        for (int j = 0; j < n; j++) {
            selected[m] = j;
            selectedWeights[m] = weights[from + j];
            m += weights[from + j] > NEGLIGIBLE_WEIGHT ? 1 : 0;
        }
        addSelectedMoments(points, dim, selected, selectedWeights, 0, m, shift, sum, scatter, lowerOnly);
    }

    /**
     * As {@link #addWeightedMoments} for points already selected: the m points
     * selected[base..base+m) in increasing order, with their weights, each above
     * {@link #NEGLIGIBLE_WEIGHT}, at weights[base..base+m). The same numbers as
     * {@link #addWeightedMoments} over weights that are these at the selected points and at most
     * {@link #NEGLIGIBLE_WEIGHT} elsewhere.
     */
    public static void addSelectedMoments(double[] points, int dim, int[] selected, double[] weights, int base, int m,
                                          double[] shift, double[] sum, double[] scatter) {
        addSelectedMoments(points, dim, selected, weights, base, m, shift, sum, scatter, NATIVE_BLAS);
    }

    private static void addSelectedMoments(double[] points, int dim, int[] selected, double[] weights, int base, int m,
                                           double[] shift, double[] sum, double[] scatter, boolean lowerOnly) {
        if (m == 0 || dim == 0) {
            return;
        }
        if (!lowerOnly && dim == 4 && useDirectScatter && 16 * m < JAVA11_BLOCKED_DGEMM) {
            addSelectedMoments4(points, selected, weights, base, m, shift, sum, scatter);
            return;
        }
        if (!lowerOnly && useDirectScatter) {
            addSelectedMomentsByChains(points, dim, selected, weights, base, m, shift, sum, scatter);
            return;
        }
        // Every entry the product reads (the first dim * m) is written below.
        double[] y = SCRATCH.get().gathered(dim * m);
        for (int col = 0; col < m; col++) {
            int j = selected[base + col];
            double w = weights[base + col];
            double sw = Math.sqrt(w);
            if (VECTOR_API) {
                VectorKernels.shiftedMoments(points, j * dim, shift, dim, w, sw, sum, y, col * dim);
            } else {
                shiftedMomentsScalar(points, j * dim, shift, dim, w, sw, sum, y, col * dim, 0);
            }
        }
        if (lowerOnly) {
            Mat.BLAS_.dsyrk("L", "N", dim, m, 1.0, y, dim, 1.0, scatter, dim);
        } else {
            Mat.BLAS_.dgemm("N", "T", dim, dim, m, 1.0, y, dim, y, dim, 1.0, scatter, dim);
        }
    }

    /**
     * {@link #addSelectedMoments} with netlib's Java kernels ({@link #useDirectScatter}), at any D:
     * the sums and the gathered y = sqrt(w) (x - shift) as the gather above computes them, and the
     * scatter as netlib's Java {@code dgemm("N", "T", dim, dim, m, 1.0, y, dim, y, dim, 1.0,
     * scatter, dim)} computes it on its direct path (below {@link #JAVA11_BLOCKED_DGEMM}
     * multiply-adds, D^2 m): each entry's products y_r y_c over the points in order as a chain of
     * fused multiply-adds from +0.0, then added to the entry. Past that path the same chains
     * (netlib's blocked path sums in another order). Entry (r, c) and (c, r) are the same chain,
     * y_r y_c and y_c y_r being the same product, so only the lower triangle's chains run, with
     * the rows in SIMD lanes where the JVM has the Vector API ({@link VectorKernels#lowerScatter})
     * and one at a time where it has not ({@link #lowerScatterScalar}, the same bits); each entry
     * is still added to its own old value.
     */
    static void addSelectedMomentsByChains(double[] points, int dim, int[] selected, double[] weights, int base,
                                           int m, double[] shift, double[] sum, double[] scatter) {
        int padded = VECTOR_API ? VectorKernels.padded(dim) : dim;
        Scratch scratch = SCRATCH.get();
        double[] y = scratch.gathered(padded * m);
        for (int col = 0; col < m; col++) {
            int j = selected[base + col];
            double w = weights[base + col];
            if (VECTOR_API) {
                VectorKernels.shiftedMoments(points, j * dim, shift, dim, w, Math.sqrt(w), sum, y, col * padded);
                java.util.Arrays.fill(y, col * padded + dim, (col + 1) * padded, 0.0);
            } else {
                shiftedMomentsScalar(points, j * dim, shift, dim, w, Math.sqrt(w), sum, y, col * padded, 0);
            }
        }
        double[] chains = scratch.product(padded * dim);
        if (VECTOR_API) {
            VectorKernels.lowerScatter(y, padded, dim, m, chains);
        } else {
            lowerScatterScalar(y, padded, dim, m, chains);
        }
        for (int c = 0; c < dim; c++) {
            for (int r = 0; r < dim; r++) {
                // Column-major: entry (r, c) at c dim + r; its chain at column min, row max.
                double chain = r >= c ? chains[c * padded + r] : chains[r * padded + c];
                scatter[c * dim + r] = Math.fma(1.0, chain, scatter[c * dim + r]);
            }
        }
    }

    /**
     * {@link VectorKernels#lowerScatter}'s chains one at a time: out[c padded + r] for c < dim and
     * c <= r < dim, the chain of fma(y_q[r], y_q[c], .) over the m points (padded apart) in order
     * from +0.0.
     */
    static void lowerScatterScalar(double[] y, int padded, int dim, int m, double[] out) {
        for (int c = 0; c < dim; c++) {
            for (int r = c; r < dim; r++) {
                double chain = 0.0;
                for (int q = 0; q < m; q++) {
                    chain = Math.fma(y[q * padded + r], y[q * padded + c], chain);
                }
                out[c * padded + r] = chain;
            }
        }
    }

    /**
     * {@link #addSelectedMoments} at D = 4, where {@link #useDirectScatter} allows: the sums as
     * {@link #shiftedMomentsScalar} adds them, and the scatter as {@code dgemm("N", "T", 4, 4, m,
     * 1.0, y, 4, y, 4, 1.0, scatter, 4)} computes it with netlib's Java kernels: each entry's
     * products y_r y_c over the points in order as a chain of fused multiply-adds from +0.0, then
     * added to the entry (its fma(alpha, sum, beta c) with alpha = beta = 1). y_r y_c and y_c y_r
     * are the same product, so the upper triangle's chains are the lower's; each entry is still
     * added to its own old value. The ten chains and the sums stay in registers across the points,
     * where dgemm's chains run one after another over y in memory.
     */
    static void addSelectedMoments4(double[] points, int[] selected, double[] weights, int base, int m,
                                    double[] shift, double[] sum, double[] scatter) {
        double c0 = shift[0];
        double c1 = shift[1];
        double c2 = shift[2];
        double c3 = shift[3];
        double u0 = sum[0];
        double u1 = sum[1];
        double u2 = sum[2];
        double u3 = sum[3];
        double s00 = 0.0;
        double s10 = 0.0;
        double s20 = 0.0;
        double s30 = 0.0;
        double s11 = 0.0;
        double s21 = 0.0;
        double s31 = 0.0;
        double s22 = 0.0;
        double s32 = 0.0;
        double s33 = 0.0;
        for (int q = 0; q < m; q++) {
            int o = selected[base + q] * 4;
            double w = weights[base + q];
            double sw = Math.sqrt(w);
            double d0 = points[o] - c0;
            double d1 = points[o + 1] - c1;
            double d2 = points[o + 2] - c2;
            double d3 = points[o + 3] - c3;
            u0 += w * d0;
            u1 += w * d1;
            u2 += w * d2;
            u3 += w * d3;
            double y0 = sw * d0;
            double y1 = sw * d1;
            double y2 = sw * d2;
            double y3 = sw * d3;
            s00 = Math.fma(y0, y0, s00);
            s10 = Math.fma(y1, y0, s10);
            s20 = Math.fma(y2, y0, s20);
            s30 = Math.fma(y3, y0, s30);
            s11 = Math.fma(y1, y1, s11);
            s21 = Math.fma(y2, y1, s21);
            s31 = Math.fma(y3, y1, s31);
            s22 = Math.fma(y2, y2, s22);
            s32 = Math.fma(y3, y2, s32);
            s33 = Math.fma(y3, y3, s33);
        }
        sum[0] = u0;
        sum[1] = u1;
        sum[2] = u2;
        sum[3] = u3;
        // Column-major: entry (r, c) at c 4 + r.
        scatter[0] = Math.fma(1.0, s00, scatter[0]);
        scatter[1] = Math.fma(1.0, s10, scatter[1]);
        scatter[2] = Math.fma(1.0, s20, scatter[2]);
        scatter[3] = Math.fma(1.0, s30, scatter[3]);
        scatter[4] = Math.fma(1.0, s10, scatter[4]);
        scatter[5] = Math.fma(1.0, s11, scatter[5]);
        scatter[6] = Math.fma(1.0, s21, scatter[6]);
        scatter[7] = Math.fma(1.0, s31, scatter[7]);
        scatter[8] = Math.fma(1.0, s20, scatter[8]);
        scatter[9] = Math.fma(1.0, s21, scatter[9]);
        scatter[10] = Math.fma(1.0, s22, scatter[10]);
        scatter[11] = Math.fma(1.0, s32, scatter[11]);
        scatter[12] = Math.fma(1.0, s30, scatter[12]);
        scatter[13] = Math.fma(1.0, s31, scatter[13]);
        scatter[14] = Math.fma(1.0, s32, scatter[14]);
        scatter[15] = Math.fma(1.0, s33, scatter[15]);
    }

    /**
     * With d = x - shift for the point x at points[o..o+dim): sum += w d and y[p..p+dim) = sqrt(w) d,
     * for the coordinates from {@code first} on ({@link VectorKernels} does the ones before).
     */
    static void shiftedMomentsScalar(double[] points, int o, double[] shift, int dim, double w, double sw,
                                     double[] sum, double[] y, int p, int first) {
        for (int i = first; i < dim; i++) {
            double d = points[o + i] - shift[i];
            sum[i] += w * d;
            y[p + i] = sw * d;
        }
    }

    /**
     * Whether the JVM has the incubating Vector API ({@code jobs/jvm.options} and the tests add
     * it): the E-step's element-wise loops then run in SIMD lanes ({@link VectorKernels}), the
     * same bits 3x faster for the squares; without it (a cluster whose JVM options leave it out)
     * the scalar loops run.
     */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /**
     * Whether the BLAS is a native library (OpenBLAS through {@code jobs/gps} with
     * GPS_NATIVE_BLAS=1) rather than netlib's Java kernels: {@link #PANEL_ROWS} and the scatter's
     * routine ({@link #addWeightedMoments}) depend on it.
     */
    static final boolean NATIVE_BLAS = Mat.BLAS_ instanceof dev.ludovic.netlib.blas.NativeBLAS;

    /**
     * Rows per panel of {@link Whitening}: small enough to skip most of the zero upper triangle,
     * large enough for an efficient product. 8 with a native BLAS (0.57 of the dense product's
     * flops instead of 0.63: one E-step of 3,980 points at D = 59, K = 20, 8.3 -> 7.6 ms of dgemm
     * with OpenBLAS, and the same bits: the rows it leaves out are zeros, and EM on the benchmark's
     * points gives identical results either way); 16 with netlib's Java kernels, chosen when their
     * dgemm did this product (it rounded differently with the shorter panels) and kept for
     * {@link #panelProduct}, which replaced it; Pendulum's whitenings (D = 4 and 7) are one panel
     * either way.
     */
    static final int PANEL_ROWS = NATIVE_BLAS ? 8 : 16;
    /** Points per dgemm in {@link #mahalanobis}: keeps the product (K x PANEL_ROWS values per point) in cache. */
    static final int CHUNK_POINTS = 256;

    /**
     * The E-step's operands for K clusters: the whitening maps W_k = L_k^{-1} (lower triangular,
     * Sigma_k = L_k L_k^T) and b_k = W_k mu_k, so that the squared Mahalanobis distance of x is
     * ||W_k x - b_k||^2. The rows of all W_k are stacked in panels of {@link #PANEL_ROWS}: panel p
     * holds rows [r_p, r_{p+1}) of every W_k, and only their first r_{p+1} columns, the rest being
     * zero. One dgemm per panel then does the work of K triangular solves, vectorised, with about
     * 0.63 of the flops of a dense stacked product at D = 59 (measured per E-step of 1,980 points,
     * K = 20: 29 -> 20 ms with netlib's Java kernels, 6.1 -> 5.7 ms with OpenBLAS, which already
     * ran the dense product near the core's peak).
     */
    public static final class Whitening {
        private final int clusters;
        private final int dim;
        private final int[] panelStart;
        /** Per panel: (K h) x r_{p+1}, column-major, row k h + i is row r_p + i of W_k. */
        private final double[][] w;
        /** Per panel: K h values, the matching rows of b_k. */
        private final double[][] b;

        /**
         * @param lowerInverse per cluster W_k, D x D column-major (only the lower triangle is read)
         * @param whitenedMean per cluster b_k = W_k mu_k
         */
        public Whitening(double[][] lowerInverse, double[][] whitenedMean, int dim) {
            this.clusters = lowerInverse.length;
            this.dim = dim;
            int panels = (dim + PANEL_ROWS - 1) / PANEL_ROWS;
            this.panelStart = new int[panels + 1];
            this.w = new double[panels][];
            this.b = new double[panels][];
            for (int p = 0; p < panels; p++) {
                int r0 = p * PANEL_ROWS;
                int r1 = Math.min(dim, r0 + PANEL_ROWS);
                panelStart[p + 1] = r1;
                int h = r1 - r0;
                int rows = clusters * h;
                double[] wp = new double[rows * r1];
                double[] bp = new double[rows];
                for (int k = 0; k < clusters; k++) {
                    double[] wk = lowerInverse[k];
                    for (int i = 0; i < h; i++) {
                        int row = k * h + i;
                        bp[row] = whitenedMean[k][r0 + i];
                        for (int col = 0; col <= r0 + i; col++) {
                            wp[col * rows + row] = wk[col * dim + r0 + i];
                        }
                    }
                }
                w[p] = wp;
                b[p] = bp;
            }
        }

        public int clusters() {
            return clusters;
        }

        /** The first panel's W and b (the only one up to {@link #PANEL_ROWS} dimensions): for tests. */
        double[] panelWeights() {
            return w[0];
        }

        double[] panelOffsets() {
            return b[0];
        }

        public int dim() {
            return dim;
        }
    }

    /**
     * Squared Mahalanobis distances ||W_k x_j - b_k||^2 of every point of a block (D x n,
     * column-major) under every cluster, cluster-major: entry k n + j. (Cluster-major so that the
     * squares land in place, and the posteriors and the scatter read one cluster's weights as one
     * contiguous run.)
     */
    public static double[] mahalanobis(Whitening wh, double[] points, int n) {
        int kk = wh.clusters;
        int dim = wh.dim;
        double[] out = new double[kk * n];
        // With the panel product in SIMD lanes each chunk's rows are padded to whole lane groups, the
        // points past m zeros whose sums nobody reads: no point takes the scalar loop (the step fits'
        // chunks are a sample's few points per step, 20 at the benchmarks' medium size).
        boolean pad = usePanelProduct && VECTOR_API;
        int widest = Math.min(n, CHUNK_POINTS);
        double[] zt = SCRATCH.get().product(chunkStride(widest, pad) * kk * Math.min(dim, PANEL_ROWS));
        for (int j0 = 0; j0 < n; j0 += CHUNK_POINTS) {
            int m = Math.min(CHUNK_POINTS, n - j0);
            int cols = pad ? VectorKernels.padded(m) : m;
            int zs = chunkStride(m, pad);
            // The chunk transposed once for all panels: each panel reads its first r1 rows.
            double[] xt = usePanelProduct ? transposedChunk(points, j0 * dim, dim, m, dim, zs) : null;
            for (int p = 0; p < wh.w.length; p++) {
                int r1 = wh.panelStart[p + 1];
                int h = r1 - wh.panelStart[p];
                int rows = kk * h;
                // The product transposed (points down the columns: m x K h) so that the squares
                // below run along contiguous points; each panel reads coordinates 0..r1-1 of the
                // chunk's points (dgemm in place, leading dimension D).
                if (usePanelProduct) {
                    productOfTransposed(xt, zs, cols, r1, wh.w[p], rows, zt);
                } else {
                    Mat.BLAS_.dgemm("T", "T", m, rows, r1, 1.0, points, j0 * dim, dim, wh.w[p], 0, rows, 0.0, zt, 0, zs);
                }
                addSquares(zt, zs, wh.b[p], kk, h, m, out, j0, n);
            }
        }
        return out;
    }

    /**
     * Whether {@link #logJoint} takes blocks of {@code n} points under {@code wh}: where
     * {@link #mahalanobis} would use {@link #panelProduct}, and the whitening is one panel (D up to
     * {@link #PANEL_ROWS}), so that the squares of a cluster are complete after one pass.
     */
    public static boolean takesLogJoint(Whitening wh, int n) {
        return usePanelProduct && wh.w.length == 1 && n > 0;
    }

    /**
     * out[k stride + j] = c[k] - 0.5 ||W_k x_{j0 + j} - b_k||^2 for the m points from j0 of a block
     * (D x n, column-major) and every cluster k, where {@link #takesLogJoint} holds: the numbers of
     * {@link #mahalanobis} followed by c - 0.5 d (Gmm's log joint), to the bit. Each W_k x is the
     * same fused multiply-add chain as {@link #panelProduct}'s, and its squares are added one
     * row after another from +0.0 as {@link #addSquares} adds them; they stay in registers instead
     * of going through the K D x m product and the K x n distances in memory and back.
     */
    public static void logJoint(Whitening wh, double[] c, double[] points, int j0, int m, double[] out, int stride) {
        int dim = wh.dim;
        double[] xt = SCRATCH.get().transposed(dim * m);
        for (int j = 0; j < m; j++) {
            for (int l = 0; l < dim; l++) {
                xt[l * m + j] = points[(j0 + j) * dim + l];
            }
        }
        if (VECTOR_API) {
            VectorKernels.logJoint(xt, m, dim, wh.w[0], wh.b[0], wh.clusters, c, out, stride);
        } else {
            logJointScalar(xt, m, dim, wh.w[0], wh.b[0], wh.clusters, c, out, stride, 0);
        }
    }

    /**
     * {@link #logJoint} from the transposed points xt (D x m, row-major), with the one panel's w
     * (K D x D, column-major) and b, for the points from {@code first} on ({@link VectorKernels}
     * does the ones before).
     */
    static void logJointScalar(double[] xt, int m, int dim, double[] w, double[] b, int kk, double[] c, double[] out,
                               int stride, int first) {
        int rows = kk * dim;
        for (int k = 0; k < kk; k++) {
            int ao = k * stride;
            double ck = c[k];
            for (int j = first; j < m; j++) {
                double acc = 0.0;
                for (int i = 0; i < dim; i++) {
                    int row = k * dim + i;
                    double z = 0.0;
                    for (int l = 0; l < dim; l++) {
                        z = Math.fma(xt[l * m + j], w[l * rows + row], z);
                    }
                    double v = z - b[row];
                    acc = acc + v * v;
                }
                out[ao + j] = ck - 0.5 * acc;
            }
        }
    }

    /**
     * Lists at out[t..t+count), in increasing order, the j below m for which
     * {@code v[o + j] - max[j] < threshold} does not hold (NaN included); returns count. In SIMD
     * lanes where the JVM has the Vector API, where a lane group none of whose points is listed
     * (most of them: a point is near few of the clusters) costs one comparison.
     */
    public static int listNotBelow(double[] v, int o, double[] max, int m, double threshold, int[] out, int t) {
        if (VECTOR_API) {
            return VectorKernels.listNotBelow(v, o, max, m, threshold, out, t);
        }
        return listNotBelowScalar(v, o, max, threshold, out, t, 0, m, 0);
    }

    /** {@link #listNotBelow} for the j in [from, to), appending after the {@code count} listed already; returns the new count. */
    static int listNotBelowScalar(double[] v, int o, double[] max, double threshold, int[] out, int t, int from, int to,
                                  int count) {
        int c = count;
        for (int j = from; j < to; j++) {
            out[t + c] = j;
            c += v[o + j] - max[j] < threshold ? 0 : 1;
        }
        return c;
    }

    /**
     * Whether the BLAS is netlib's Java kernels of Java 11 and later ({@code Java11BLAS}, and
     * {@code VectorBLAS}, which inherits its dgemm): the E-step's products then go through
     * {@link #panelProduct}, whose numbers are that dgemm's wherever netlib's direct loops run.
     * Their classes are not public, hence the names. Any other BLAS (native, F2J, the Java 8
     * kernels) keeps being called.
     */
    static final boolean JAVA11_DGEMM = Mat.BLAS_.getClass().getName().equals("dev.ludovic.netlib.blas.Java11BLAS")
            || Mat.BLAS_.getClass().getName().equals("dev.ludovic.netlib.blas.VectorBLAS");

    /**
     * netlib (3.2.0) sends a dgemm of m n k at or above this many multiply-adds through its
     * blocked, packed path, and smaller ones through its direct loops.
     */
    static final int JAVA11_BLOCKED_DGEMM = 1_000_000;

    /**
     * Whether {@link #mahalanobis} uses {@link #panelProduct} instead of dgemm. Not final so that
     * a test can run EM both ways and compare the bits.
     */
    static boolean usePanelProduct = JAVA11_DGEMM;

    /**
     * Whether {@link #addSelectedMoments} computes the scatter of four-dimensional points itself
     * ({@link #addSelectedMoments4}) where netlib's Java dgemm takes its direct path: the same
     * bits, without the call and its 3 x 3 tiles around a 4 x 4 result. Only with the BLAS whose
     * dgemm it repeats ({@link #JAVA11_DGEMM}); not final so that a test can run EM both ways.
     */
    static boolean useDirectScatter = JAVA11_DGEMM;

    /**
     * Whether {@link #panelProduct}'s numbers for a product of m points by a panel of rows x r1
     * are those of netlib's Java dgemm: where dgemm runs its direct loops (below
     * {@link #JAVA11_BLOCKED_DGEMM} multiply-adds). Its blocked path hands 3 x 3 tiles, with
     * {@code VectorBLAS}, to a kernel that sums each entry in SIMD lanes over the r1 columns and
     * then across the lanes with {@code reduceLanes(ADD)}, an order the Vector API leaves open (it
     * may differ with the machine's vector width); the kernel keeps the direct loops' order there
     * too, so its numbers for those shapes are the same on every machine but not dgemm's.
     */
    static boolean repeatsDgemm(int m, int rows, int r1) {
        return (long) m * rows * r1 < JAVA11_BLOCKED_DGEMM;
    }

    /**
     * Whether {@link Mat}'s products go through {@link #product}: with the BLAS whose dgemm it
     * repeats ({@link #JAVA11_DGEMM}) and the Vector API. Not final so that a test can compare
     * both ways.
     */
    static boolean useLaneProducts = JAVA11_DGEMM && VECTOR_API;

    /**
     * c = op(a) op(b), all column-major (c m x n, op(a) m x k, op(b) k x n; op transposes where
     * asked), as netlib's Java dgemm with alpha 1 and beta 0 computes it on its direct path: each
     * entry a chain of fused multiply-adds over the k inner terms in order from +0.0. The rows of c
     * sit in SIMD lanes ({@link VectorKernels#panelProduct}), where dgemm runs 3 x 3 scalar tiles.
     * Returns false, computing nothing, where that does not apply: another BLAS, no Vector API,
     * fewer rows than one lane group holds, or dgemm's blocked path ({@link #repeatsDgemm}); the
     * caller then calls dgemm.
     */
    static boolean product(boolean transA, boolean transB, int m, int n, int k, double[] a, double[] b, double[] c) {
        if (!useLaneProducts || m < VectorKernels.species().length() || !repeatsDgemm(m, n, k)) {
            return false;
        }
        double[] left = transA ? transpose(a, k, m) : a;
        // op(b)'s entry (l, j): b[j + l n] when b is n x k (transposed), else b[l + j k].
        VectorKernels.panelProduct(left, m, k, b, transB ? n : 1, transB ? 1 : k, n, c);
        return true;
    }

    /** The transpose (cols x rows, column-major) of x (rows x cols, column-major). */
    private static double[] transpose(double[] x, int rows, int cols) {
        double[] y = new double[rows * cols];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                y[j + i * cols] = x[i + j * rows];
            }
        }
        return y;
    }

    /**
     * zt = (the m points from po, D apart, rows 0..r1-1)^T W^T for the panel W (rows x r1,
     * column-major; row c of zt from c zs, zs >= m, its entries past m those of zero points), each element a chain of fused multiply-adds over the r1 columns in order,
     * starting from +0.0, the zero columns of the triangular panel included (a zero product can
     * still turn a -0.0 sum into +0.0), stored as it is. That is the arithmetic of {@code
     * dgemm("T", "T", m, rows, r1, 1.0, points, po, dim, w, 0, rows, 0.0, zt, 0, m)} with netlib's
     * Java kernels on its direct path ({@link #repeatsDgemm}), to the bit. What is gained: those
     * loops run 3 x 3 register tiles with an inner dimension of r1 (4 on Pendulum), loop overhead
     * around every few operations, and the blocked path's tiles end each entry in a reduction
     * across lanes; here the points sit in SIMD lanes and each panel entry is one broadcast.
     */
    static void panelProduct(double[] points, int po, int dim, int m, int r1, double[] w, int rows, double[] zt,
                             int zs) {
        productOfTransposed(transposedChunk(points, po, dim, m, r1, zs), zs, zs, r1, w, rows, zt);
    }

    /**
     * Rows 0..r1-1 of the m points from po (D apart) transposed into this thread's scratch array:
     * coordinate l of point j at l zs + j, the entries from m to zs zero.
     */
    private static double[] transposedChunk(double[] points, int po, int dim, int m, int r1, int zs) {
        double[] xt = SCRATCH.get().transposed(r1 * zs);
        for (int j = 0; j < m; j++) {
            for (int l = 0; l < r1; l++) {
                xt[l * zs + j] = points[po + j * dim + l];
            }
        }
        for (int l = 0; l < r1; l++) {
            java.util.Arrays.fill(xt, l * zs + m, (l + 1) * zs, 0.0);
        }
        return xt;
    }

    /**
     * {@link #panelProduct} of the first m points transposed ({@link #transposedChunk}), their
     * rows and those of zt s apart.
     */
    private static void productOfTransposed(double[] xt, int s, int m, int r1, double[] w, int rows, double[] zt) {
        if (VECTOR_API) {
            VectorKernels.panelProduct(xt, s, m, r1, w, rows, 1, rows, zt);
        } else {
            panelProductScalar(xt, s, m, r1, w, rows, 1, rows, zt, 0);
        }
    }

    /**
     * The row stride of {@link #mahalanobis}'s transposed chunk of m points and of its product: the
     * points padded to whole lane groups (where padded), and one lane group more, so that the
     * rows of a chunk of 256 points (2 KB apart, a divisor of the first-level cache's way size)
     * do not all fall into the same few cache sets.
     */
    private static int chunkStride(int m, boolean pad) {
        return pad ? VectorKernels.padded(m) + VectorKernels.species().length() : m;
    }

    /**
     * {@link #panelProduct} from the transposed points xt (r1 x m, row-major: coordinate l of
     * point j at l m + j), for the points from {@code first} on ({@link VectorKernels} does the
     * ones before).
     */
    static void panelProductScalar(double[] xt, int m, int r1, double[] w, int rows, double[] zt, int first) {
        panelProductScalar(xt, m, r1, w, rows, 1, rows, zt, first);
    }

    /**
     * {@link #panelProductScalar} with the panel entry of row c and column l at w[l wl + c wc]
     * ({@link VectorKernels#panelProduct}'s strides). Four rows' chains at a time, each in its own
     * order as ever: one chain alone waits out every fused multiply-add's latency.
     */
    static void panelProductScalar(double[] xt, int m, int r1, double[] w, int wl, int wc, int rows, double[] zt,
                                   int first) {
        panelProductScalar(xt, m, m, r1, w, wl, wc, rows, zt, first);
    }

    /** {@link #panelProductScalar} with the rows of xt and zt {@code s >= m} apart. */
    static void panelProductScalar(double[] xt, int s, int m, int r1, double[] w, int wl, int wc, int rows,
                                   double[] zt, int first) {
        int c = 0;
        for (; c + 4 <= rows; c += 4) {
            int zo = c * s;
            for (int j = first; j < m; j++) {
                double z0 = 0.0;
                double z1 = 0.0;
                double z2 = 0.0;
                double z3 = 0.0;
                for (int l = 0; l < r1; l++) {
                    double x = xt[l * s + j];
                    int wo = l * wl + c * wc;
                    z0 = Math.fma(x, w[wo], z0);
                    z1 = Math.fma(x, w[wo + wc], z1);
                    z2 = Math.fma(x, w[wo + 2 * wc], z2);
                    z3 = Math.fma(x, w[wo + 3 * wc], z3);
                }
                zt[zo + j] = z0;
                zt[zo + s + j] = z1;
                zt[zo + 2 * s + j] = z2;
                zt[zo + 3 * s + j] = z3;
            }
        }
        for (; c < rows; c++) {
            int zo = c * s;
            for (int j = first; j < m; j++) {
                double z = 0.0;
                for (int l = 0; l < r1; l++) {
                    z = Math.fma(xt[l * s + j], w[l * wl + c * wc], z);
                }
                zt[zo + j] = z;
            }
        }
    }

    /**
     * Work arrays of {@link #mahalanobis} and {@link #addWeightedMoments}, one set per thread and
     * reused: allocating them per call had the JVM zero about 5 MB per EM iteration of 3,980
     * points (K = 20, D = 59) only for the kernels to overwrite it. Callers read only entries
     * they wrote first.
     */
    private static final class Scratch {
        private double[] product = new double[0];
        private double[] gathered = new double[0];
        private int[] indices = new int[0];
        private double[] selectedWeights = new double[0];
        private double[] transposed = new double[0];
        private double[] factorWork = new double[0];

        double[] factorWork(int size) {
            if (factorWork.length < size) {
                factorWork = new double[size];
            }
            return factorWork;
        }

        double[] transposed(int size) {
            if (transposed.length < size) {
                transposed = new double[size];
            }
            return transposed;
        }

        double[] product(int size) {
            if (product.length < size) {
                product = new double[size];
            }
            return product;
        }

        double[] gathered(int size) {
            if (gathered.length < size) {
                gathered = new double[size];
            }
            return gathered;
        }

        double[] selectedWeights(int size) {
            if (selectedWeights.length < size) {
                selectedWeights = new double[size];
            }
            return selectedWeights;
        }

        int[] indices(int size) {
            if (indices.length < size) {
                indices = new int[size];
            }
            return indices;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * This thread's work array for {@link UnblockedCholesky}, at least {@code size} long, its
     * contents what the last use left. With the other work arrays: one more thread-local of its
     * own made the executor threads' lookups of {@link #SCRATCH} miss their first slot.
     */
    static double[] factorWork(int size) {
        return SCRATCH.get().factorWork(size);
    }

    /**
     * acc[k stride + offset + j] += sum_i (zt[(k h + i) zs + j] - b[k h + i])^2 for j < m, over the panel's
     * h rows, added one row after another as a plain loop would, so the result is the same to the
     * bit; four rows per sweep keep the running sum in a register instead of storing it after
     * every row (measured: the squares 2.3 -> 1.5 ms per E-step of 3,980 points, K = 20, D = 59;
     * 0.5 ms in SIMD lanes, {@link VectorKernels}).
     */
    static void addSquares(double[] zt, int zs, double[] b, int kk, int h, int m, double[] acc, int offset,
                           int stride) {
        if (VECTOR_API) {
            VectorKernels.addSquares(zt, zs, b, kk, h, m, acc, offset, stride);
        } else {
            addSquaresScalar(zt, zs, b, kk, h, m, acc, offset, stride, 0);
        }
    }

    /** {@link #addSquares} for the points from {@code first} on ({@link VectorKernels} does the ones before). */
    static void addSquaresScalar(double[] zt, int zs, double[] b, int kk, int h, int m, double[] acc, int offset,
                                 int stride, int first) {
        for (int k = 0; k < kk; k++) {
            int ao = k * stride + offset;
            int i = 0;
            for (; i + 4 <= h; i += 4) {
                int c0 = k * h + i;
                double b0 = b[c0];
                double b1 = b[c0 + 1];
                double b2 = b[c0 + 2];
                double b3 = b[c0 + 3];
                int z0 = c0 * zs;
                int z1 = z0 + zs;
                int z2 = z1 + zs;
                int z3 = z2 + zs;
                for (int j = first; j < m; j++) {
                    double v0 = zt[z0 + j] - b0;
                    double v1 = zt[z1 + j] - b1;
                    double v2 = zt[z2 + j] - b2;
                    double v3 = zt[z3 + j] - b3;
                    acc[ao + j] = (((acc[ao + j] + v0 * v0) + v1 * v1) + v2 * v2) + v3 * v3;
                }
            }
            for (; i < h; i++) {
                int col = k * h + i;
                double bv = b[col];
                int zo = col * zs;
                for (int j = first; j < m; j++) {
                    double v = zt[zo + j] - bv;
                    acc[ao + j] += v * v;
                }
            }
        }
    }

    /**
     * phi[o + r] += a cov[o + r] + c v[r] for r < d: with a = w_k, c = w_k v[col] and v = mu_k - mu0,
     * column col (at o = col d) of the GMM prior's sum_k w_k (Sigma_k + v v^T), one cluster's share.
     */
    public static void addMixtureColumn(double[] phi, double[] cov, int o, double a, double[] v, double c, int d) {
        if (VECTOR_API) {
            VectorKernels.addMixtureColumn(phi, cov, o, a, v, c, d);
        } else {
            addMixtureColumnScalar(phi, cov, o, a, v, c, d, 0);
        }
    }

    /** {@link #addMixtureColumn} for the rows from {@code first} on ({@link VectorKernels} does the ones before). */
    static void addMixtureColumnScalar(double[] phi, double[] cov, int o, double a, double[] v, double c, int d,
                                       int first) {
        for (int r = first; r < d; r++) {
            phi[o + r] += a * cov[o + r] + c * v[r];
        }
    }

    /**
     * {@code y[yo + i] += a * x[xo + i]} for i below n: per element a product, then a sum, never
     * fused, so the SIMD lanes ({@link VectorKernels}) and the scalar loop give the same bits. The
     * neural policy's forward and backward passes are made of these.
     */
    public static void addScaled(double a, double[] x, int xo, double[] y, int yo, int n) {
        if (VECTOR_API) {
            VectorKernels.addScaled(a, x, xo, y, yo, n);
        } else {
            addScaledScalar(a, x, xo, y, yo, n, 0);
        }
    }

    /** {@link #addScaled} for the elements from {@code first} on ({@link VectorKernels} does the ones before). */
    static void addScaledScalar(double a, double[] x, int xo, double[] y, int yo, int n, int first) {
        for (int i = first; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    /**
     * Rows per block of the network's block kernels below ({@link #blockLayer}, {@link #blockBackLayer},
     * {@link #blockAddOuter}, {@link #blockAddSum}). Each kernel reads a row's operands once per
     * block rather than once per row and keeps its sums in registers across the block's rows, while
     * every output element gets the same operations in the same order as with one row at a time.
     * Row i of a block of vectors of length n sits at [i n, (i + 1) n).
     */
    public static final int BLOCK_ROWS = 4;

    /**
     * One layer of a network for a block of {@link #BLOCK_ROWS} inputs x (in each):
     * z[i out + j] = bias[bo + j] + x[i in + 0] columns[0 out + j] + ... + x[i in + in - 1]
     * columns[(in - 1) out + j], added from the left, each product rounded before its sum (never
     * fused): the numbers {@link #addScaled} gives taken input by input. With {@code relu} each
     * value then becomes Math.max(0, value). Returns whether every value written is finite.
     *
     * <p>The sums run over the inputs inputs[0..count), in order: all of them ({@link #allUnits}),
     * or with {@code relu} those not zero in every row of the block ({@link #nonzeroUnits}), and
     * {@code columns} must then be finite. A left-out term is a product 0 w = +-0.0, and adding
     * +-0.0 leaves a sum as it was except that -0.0 may become +0.0: the sum can differ only in the
     * sign of a zero, which Math.max(0, .) maps to +0.0 either way. Behind a ReLU a hidden layer's
     * units are zero for about half of the inputs, mostly the same units in neighbouring rows.
     */
    public static boolean blockLayer(double[] x, int in, int[] inputs, int count, double[] columns, double[] bias,
                                     int bo, int out, double[] z, boolean relu) {
        if (VECTOR_API) {
            return VectorKernels.blockLayer(x, in, inputs, count, columns, bias, bo, out, z, relu);
        }
        return blockLayerScalar(x, in, inputs, count, columns, bias, bo, out, z, relu, 0);
    }

    /**
     * {@link #blockLayer} over the inputs inputs[0..count), for the units from {@code first} on
     * ({@link VectorKernels} does the ones before).
     */
    static boolean blockLayerScalar(double[] x, int in, int[] inputs, int count, double[] columns, double[] bias,
                                    int bo, int out, double[] z, boolean relu, int first) {
        boolean finite = true;
        for (int j = first; j < out; j++) {
            double b = bias[bo + j];
            double z0 = b;
            double z1 = b;
            double z2 = b;
            double z3 = b;
            for (int q = 0; q < count; q++) {
                int c = inputs[q];
                double w = columns[c * out + j];
                z0 += x[c] * w;
                z1 += x[in + c] * w;
                z2 += x[2 * in + c] * w;
                z3 += x[3 * in + c] * w;
            }
            if (relu) {
                z0 = Math.max(0, z0);
                z1 = Math.max(0, z1);
                z2 = Math.max(0, z2);
                z3 = Math.max(0, z3);
            }
            z[j] = z0;
            z[out + j] = z1;
            z[2 * out + j] = z2;
            z[3 * out + j] = z3;
            finite &= Double.isFinite(z0) & Double.isFinite(z1) & Double.isFinite(z2) & Double.isFinite(z3);
        }
        return finite;
    }

    /**
     * Back-propagation through one ReLU layer for a block of {@link #BLOCK_ROWS} rows: with d the
     * block's output deltas (out each) and W the layer's weights (out x in, row-major, at wo),
     * next[i in + c] = d[i out + 0] W[0][c] + ... + d[i out + out - 1] W[out - 1][c], from +0.0 and
     * added from the left, where prev[i in + c] > 0, and +0.0 elsewhere. Row by row, {@link #addScaled}
     * leaves out the outputs whose delta is zero; here the outputs whose delta is zero in every row
     * of the block (those not in units[0..count), {@link #nonzeroUnits} of d) are left out, and a
     * zero delta in some rows adds a product of zero, which for finite weights leaves the sum as it
     * was.
     */
    public static void blockBackLayer(double[] d, int out, int[] units, int count, double[] weights, int wo, int in,
                                      double[] prev, double[] next) {
        if (VECTOR_API) {
            VectorKernels.blockBackLayer(d, out, units, count, weights, wo, in, prev, next);
        } else {
            blockBackLayerScalar(d, out, units, count, weights, wo, in, prev, next, 0);
        }
    }

    /**
     * {@link #blockBackLayer} over the outputs units[0..count), for the inputs from {@code first} on
     * ({@link VectorKernels} does the ones before).
     */
    static void blockBackLayerScalar(double[] d, int out, int[] units, int count, double[] weights, int wo, int in,
                                     double[] prev, double[] next, int first) {
        for (int c = first; c < in; c++) {
            double n0 = 0.0;
            double n1 = 0.0;
            double n2 = 0.0;
            double n3 = 0.0;
            for (int q = 0; q < count; q++) {
                int r = units[q];
                double w = weights[wo + r * in + c];
                n0 += d[r] * w;
                n1 += d[out + r] * w;
                n2 += d[2 * out + r] * w;
                n3 += d[3 * out + r] * w;
            }
            next[c] = prev[c] > 0 ? n0 : 0.0;
            next[in + c] = prev[in + c] > 0 ? n1 : 0.0;
            next[2 * in + c] = prev[2 * in + c] > 0 ? n2 : 0.0;
            next[3 * in + c] = prev[3 * in + c] > 0 ? n3 : 0.0;
        }
    }

    /**
     * grad[go + r in + k] += d[i out + r] a[i in + k] for the block's {@link #BLOCK_ROWS} rows i in
     * order, each product and each sum rounded (the weight gradient of a layer, row after row). The
     * r whose d is zero in every row (those not in units[0..count), {@link #nonzeroUnits} of d) are
     * left out, as row by row leaves out each zero d; a zero d in some rows adds a zero, which
     * leaves an element unchanged unless a is not finite or the element is -0.0.
     */
    public static void blockAddOuter(double[] d, int out, int[] units, int count, double[] a, int in, double[] grad,
                                     int go) {
        if (VECTOR_API) {
            VectorKernels.blockAddOuter(d, out, units, count, a, in, grad, go);
        } else {
            blockAddOuterScalar(d, out, units, count, a, in, grad, go, 0);
        }
    }

    /**
     * {@link #blockAddOuter} for the r in units[0..count), the columns k from {@code first} on
     * ({@link VectorKernels} does the ones before).
     */
    static void blockAddOuterScalar(double[] d, int out, int[] units, int count, double[] a, int in, double[] grad,
                                    int go, int first) {
        for (int q = 0; q < count; q++) {
            int r = units[q];
            double d0 = d[r];
            double d1 = d[out + r];
            double d2 = d[2 * out + r];
            double d3 = d[3 * out + r];
            int g = go + r * in;
            for (int k = first; k < in; k++) {
                grad[g + k] = (((grad[g + k] + d0 * a[k]) + d1 * a[in + k]) + d2 * a[2 * in + k]) + d3 * a[3 * in + k];
            }
        }
    }

    /**
     * Lists in units[0..count) the r below n, in order, where d[i n + r] is not zero for some row i
     * of the block ({@link #BLOCK_ROWS} rows of n); returns count. {@code sums} (n or more) is work
     * space: it receives |d[r]| + |d[n + r]| + ..., which is +0.0 exactly when every term is +-0.0
     * (a sum of non-negative numbers never rounds to zero, and a NaN stays NaN). Without a branch
     * per r: which units a block switches on follows no pattern a branch predictor could learn.
     */
    public static int nonzeroUnits(double[] d, int n, int[] units, double[] sums) {
        int first = VECTOR_API ? VectorKernels.absSums(d, n, sums) : 0;
        for (int r = first; r < n; r++) {
            sums[r] = ((Math.abs(d[r]) + Math.abs(d[n + r])) + Math.abs(d[2 * n + r])) + Math.abs(d[3 * n + r]);
        }
        int count = 0;
        for (int r = 0; r < n; r++) {
            long bits = Double.doubleToRawLongBits(sums[r]);
            units[count] = r;
            // 1 when any bit is set, i.e. the sum is not +0.0.
            count += (int) ((bits | -bits) >>> 63);
        }
        return count;
    }

    /** Lists 0, 1, ..., n - 1 in units[0..n); returns n. */
    public static int allUnits(int n, int[] units) {
        for (int r = 0; r < n; r++) {
            units[r] = r;
        }
        return n;
    }

    /** grad[go + r] += d[i n + r] for the block's {@link #BLOCK_ROWS} rows i in order, r below n. */
    public static void blockAddSum(double[] d, int n, double[] grad, int go) {
        if (VECTOR_API) {
            VectorKernels.blockAddSum(d, n, grad, go);
        } else {
            blockAddSumScalar(d, n, grad, go, 0);
        }
    }

    /** {@link #blockAddSum} for the elements from {@code first} on ({@link VectorKernels} does the ones before). */
    static void blockAddSumScalar(double[] d, int n, double[] grad, int go, int first) {
        for (int r = first; r < n; r++) {
            grad[go + r] = (((grad[go + r] + d[r]) + d[n + r]) + d[2 * n + r]) + d[3 * n + r];
        }
    }

    /** A^T B for A (D x k) and B (D x n), both column-major: the k x n column-major product. */
    public static double[] transposeTimes(double[] a, int k, double[] b, int n, int dim) {
        double[] c = new double[k * n];
        if (k > 0 && n > 0 && dim > 0) {
            Mat.BLAS_.dgemm("T", "N", k, n, dim, 1.0, a, dim, b, dim, 0.0, c, k);
        }
        return c;
    }

    /** Copies the lower triangle of a column-major square array into its upper triangle. */
    public static void mirrorLower(double[] a, int dim) {
        for (int j = 0; j < dim; j++) {
            for (int i = j + 1; i < dim; i++) {
                a[i * dim + j] = a[j * dim + i];
            }
        }
    }
}
