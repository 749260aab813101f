package org.gps.core.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A small immutable dense matrix, column-major like Breeze's {@code DenseMatrix} and MLlib's
 * {@code DenseMatrix}, whose products and solves go to the same netlib BLAS/LAPACK that Breeze
 * calls. Breeze's Java surface needs implicits passed by hand and has no triangular solve, so the
 * math core talks to its backend directly through this facade; {@link #toMllib()} bridges to MLlib.
 * With netlib's Java kernels the small products (below dgemm's blocked path) are this package's
 * own in SIMD lanes, with dgemm's arithmetic to the bit ({@link PointKernels#product}): netlib
 * runs them in scalar 3 x 3 tiles, and the C-step, the fits and the policy's linearization are
 * made of such products.
 *
 * <p>Instances are never modified after construction: every operation returns a new matrix.
 */
public final class Mat implements Serializable {
    private static final long serialVersionUID = 1L;
    static final BLAS BLAS_ = BLAS.getInstance();
    static final LAPACK LAPACK_ = LAPACK.getInstance();

    private final int rows;
    private final int cols;
    /** Column-major storage; never exposed without a copy. */
    private final double[] a;

    private Mat(int rows, int cols, double[] a) {
        if (rows < 0 || cols < 0 || a.length != rows * cols) {
            throw new IllegalArgumentException("bad shape " + rows + "x" + cols + " for " + a.length + " values");
        }
        this.rows = rows;
        this.cols = cols;
        this.a = a;
    }

    /**
     * The arithmetic kernels of this JVM, as {@code gps --version} and every {@code state.json}
     * name them: the netlib BLAS implementation and whether the Vector API is there for our SIMD
     * kernels. Results are the same bit for bit only for the same kernels (a native BLAS, or
     * netlib's Vector API kernels, whose lanes are as wide as the CPU's vectors, round in their own
     * ways).
     */
    public static String kernels() {
        String blas = BLAS_.getClass().getSimpleName();
        String kind = BLAS_ instanceof dev.ludovic.netlib.blas.NativeBLAS ? "native" : "Java";
        return "netlib " + blas + " (" + kind + "), Vector API " + (PointKernels.VECTOR_API ? "on" : "off");
    }

    // ---------------------------------------------------------------- construction

    /** Takes ownership of {@code colMajor}: callers must not touch the array afterwards. */
    static Mat wrap(int rows, int cols, double[] colMajor) {
        return new Mat(rows, cols, colMajor);
    }

    public static Mat zeros(int rows, int cols) {
        return new Mat(rows, cols, new double[rows * cols]);
    }

    public static Mat eye(int n) {
        return diag(filled(n, 1.0));
    }

    public static Mat eye(int n, double value) {
        return diag(filled(n, value));
    }

    public static Mat diag(double[] d) {
        int n = d.length;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = d[i];
        }
        return new Mat(n, n, a);
    }

    /** From row arrays, {@code rows[i][j]} being element (i, j). */
    public static Mat of(double[][] rowArrays) {
        int r = rowArrays.length;
        int c = r == 0 ? 0 : rowArrays[0].length;
        double[] a = new double[r * c];
        for (int i = 0; i < r; i++) {
            if (rowArrays[i].length != c) {
                throw new IllegalArgumentException("ragged rows: row " + i + " has " + rowArrays[i].length
                        + " values, expected " + c);
            }
            for (int j = 0; j < c; j++) {
                a[j * r + i] = rowArrays[i][j];
            }
        }
        return new Mat(r, c, a);
    }

    public static Mat fromColumnMajor(int rows, int cols, double[] colMajor) {
        return new Mat(rows, cols, colMajor.clone());
    }

    public static Mat fromRowMajor(int rows, int cols, double[] rowMajor) {
        if (rowMajor.length != rows * cols) {
            throw new IllegalArgumentException("expected " + rows * cols + " values, got " + rowMajor.length);
        }
        double[] a = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a[j * rows + i] = rowMajor[i * cols + j];
            }
        }
        return new Mat(rows, cols, a);
    }

    /** A column vector (n x 1). */
    public static Mat column(double[] v) {
        return new Mat(v.length, 1, v.clone());
    }

    /** u v^T. */
    public static Mat outer(double[] u, double[] v) {
        double[] a = new double[u.length * v.length];
        for (int j = 0; j < v.length; j++) {
            for (int i = 0; i < u.length; i++) {
                a[j * u.length + i] = u[i] * v[j];
            }
        }
        return new Mat(u.length, v.length, a);
    }

    // ---------------------------------------------------------------- access

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public double get(int i, int j) {
        return a[j * rows + i];
    }

    public double[] toColumnMajor() {
        return a.clone();
    }

    public double[] toRowMajor() {
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = a[j * rows + i];
            }
        }
        return out;
    }

    public double[][] toRowArrays() {
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] = a[j * rows + i];
            }
        }
        return out;
    }

    /** The diagonal of a square matrix. */
    public double[] diagonal() {
        requireSquare("diagonal");
        double[] d = new double[rows];
        for (int i = 0; i < rows; i++) {
            d[i] = a[i * rows + i];
        }
        return d;
    }

    /** Column j as a fresh array. */
    public double[] column(int j) {
        return Arrays.copyOfRange(a, j * rows, (j + 1) * rows);
    }

    /** Package-private view for the facade's own kernels; never mutate. */
    double[] raw() {
        return a;
    }

    // ---------------------------------------------------------------- arithmetic

    public Mat times(Mat b) {
        if (cols != b.rows) {
            throw new IllegalArgumentException("cannot multiply " + shape() + " by " + b.shape());
        }
        double[] c = new double[rows * b.cols];
        if (rows > 0 && b.cols > 0 && cols > 0 && !PointKernels.product(false, false, rows, b.cols, cols, a, b.a, c)) {
            BLAS_.dgemm("N", "N", rows, b.cols, cols, 1.0, a, rows, b.a, b.rows, 0.0, c, rows);
        }
        return new Mat(rows, b.cols, c);
    }

    /** this^T b without forming the transpose. */
    public Mat transposeTimes(Mat b) {
        if (rows != b.rows) {
            throw new IllegalArgumentException("cannot multiply " + shape() + "^T by " + b.shape());
        }
        double[] c = new double[cols * b.cols];
        if (cols > 0 && b.cols > 0 && rows > 0 && !PointKernels.product(true, false, cols, b.cols, rows, a, b.a, c)) {
            BLAS_.dgemm("T", "N", cols, b.cols, rows, 1.0, a, rows, b.a, b.rows, 0.0, c, cols);
        }
        return new Mat(cols, b.cols, c);
    }

    /** this b^T without forming the transpose. */
    public Mat timesTranspose(Mat b) {
        if (cols != b.cols) {
            throw new IllegalArgumentException("cannot multiply " + shape() + " by " + b.shape() + "^T");
        }
        double[] c = new double[rows * b.rows];
        if (rows > 0 && b.rows > 0 && cols > 0 && !PointKernels.product(false, true, rows, b.rows, cols, a, b.a, c)) {
            BLAS_.dgemm("N", "T", rows, b.rows, cols, 1.0, a, rows, b.a, b.rows, 0.0, c, rows);
        }
        return new Mat(rows, b.rows, c);
    }

    public double[] times(double[] x) {
        if (x.length != cols) {
            throw new IllegalArgumentException("cannot multiply " + shape() + " by a vector of " + x.length);
        }
        double[] y = new double[rows];
        if (rows > 0 && cols > 0) {
            BLAS_.dgemv("N", rows, cols, 1.0, a, rows, x, 1, 0.0, y, 1);
        }
        return y;
    }

    /** this^T x. */
    public double[] transposeTimes(double[] x) {
        if (x.length != rows) {
            throw new IllegalArgumentException("cannot multiply " + shape() + "^T by a vector of " + x.length);
        }
        double[] y = new double[cols];
        if (rows > 0 && cols > 0) {
            BLAS_.dgemv("T", rows, cols, 1.0, a, rows, x, 1, 0.0, y, 1);
        }
        return y;
    }

    /** x^T this y. */
    public double quadForm(double[] x, double[] y) {
        return Vec.dot(x, times(y));
    }

    public Mat transpose() {
        double[] t = new double[a.length];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                t[i * cols + j] = a[j * rows + i];
            }
        }
        return new Mat(cols, rows, t);
    }

    public Mat plus(Mat b) {
        requireSameShape(b, "add");
        double[] c = a.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += b.a[i];
        }
        return new Mat(rows, cols, c);
    }

    public Mat minus(Mat b) {
        requireSameShape(b, "subtract");
        double[] c = a.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] -= b.a[i];
        }
        return new Mat(rows, cols, c);
    }

    /** this + s * b. */
    public Mat plusScaled(double s, Mat b) {
        requireSameShape(b, "add");
        double[] c = a.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += s * b.a[i];
        }
        return new Mat(rows, cols, c);
    }

    /** s * this + k * b in one pass (the same numbers as {@code scale(s).plusScaled(k, b)}). */
    public Mat scaledPlusScaled(double s, double k, Mat b) {
        requireSameShape(b, "add");
        double[] c = new double[a.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = a[i] * s + k * b.a[i];
        }
        return new Mat(rows, cols, c);
    }

    public Mat scale(double s) {
        double[] c = a.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] *= s;
        }
        return new Mat(rows, cols, c);
    }

    public Mat negate() {
        return scale(-1.0);
    }

    /** this + v I. */
    public Mat plusDiagonal(double v) {
        requireSquare("plusDiagonal");
        double[] c = a.clone();
        for (int i = 0; i < rows; i++) {
            c[i * rows + i] += v;
        }
        return new Mat(rows, cols, c);
    }

    /** this + diag(d). */
    public Mat plusDiagonal(double[] d) {
        requireSquare("plusDiagonal");
        if (d.length != rows) {
            throw new IllegalArgumentException("diagonal of " + d.length + " for " + shape());
        }
        double[] c = a.clone();
        for (int i = 0; i < rows; i++) {
            c[i * rows + i] += d[i];
        }
        return new Mat(rows, cols, c);
    }

    /** 0.5 (this + this^T): the algorithm symmetrises after every covariance update. */
    public Mat symmetrize() {
        requireSquare("symmetrize");
        // One pass over the lower triangle writes both halves: half the strided reads of the
        // plain loop, and the same numbers (x + y == y + x in floating point).
        double[] c = new double[a.length];
        for (int j = 0; j < cols; j++) {
            c[j * rows + j] = a[j * rows + j];
            for (int i = j + 1; i < rows; i++) {
                double v = 0.5 * (a[j * rows + i] + a[i * rows + j]);
                c[j * rows + i] = v;
                c[i * rows + j] = v;
            }
        }
        return new Mat(rows, cols, c);
    }

    public double trace() {
        requireSquare("trace");
        double s = 0;
        for (int i = 0; i < rows; i++) {
            s += a[i * rows + i];
        }
        return s;
    }

    /** tr(this b) without forming the product. */
    public double traceOfProduct(Mat b) {
        if (cols != b.rows || rows != b.cols) {
            throw new IllegalArgumentException("tr(AB) needs A m x n and B n x m, got " + shape() + " and " + b.shape());
        }
        double s = 0;
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < cols; k++) {
                s += a[k * rows + i] * b.a[i * b.rows + k];
            }
        }
        return s;
    }

    /** Rows [r0, r1) and columns [c0, c1). */
    public Mat block(int r0, int r1, int c0, int c1) {
        if (r0 < 0 || r1 > rows || r0 > r1 || c0 < 0 || c1 > cols || c0 > c1) {
            throw new IndexOutOfBoundsException("block [" + r0 + "," + r1 + ")x[" + c0 + "," + c1 + ") of " + shape());
        }
        int br = r1 - r0;
        int bc = c1 - c0;
        double[] c = new double[br * bc];
        for (int j = 0; j < bc; j++) {
            System.arraycopy(a, (c0 + j) * rows + r0, c, j * br, br);
        }
        return new Mat(br, bc, c);
    }

    /** A copy with {@code b} written at (r0, c0). */
    public Mat withBlock(int r0, int c0, Mat b) {
        if (r0 < 0 || c0 < 0 || r0 + b.rows > rows || c0 + b.cols > cols) {
            throw new IndexOutOfBoundsException("block " + b.shape() + " at (" + r0 + "," + c0 + ") of " + shape());
        }
        double[] c = a.clone();
        for (int j = 0; j < b.cols; j++) {
            System.arraycopy(b.a, j * b.rows, c, (c0 + j) * rows + r0, b.rows);
        }
        return new Mat(rows, cols, c);
    }

    /** [[a, b], [c, d]] from four blocks of matching sizes. */
    public static Mat blocks(Mat tl, Mat tr, Mat bl, Mat br) {
        if (tl.rows != tr.rows || bl.rows != br.rows || tl.cols != bl.cols || tr.cols != br.cols) {
            throw new IllegalArgumentException("block sizes do not match: " + tl.shape() + " " + tr.shape() + " / "
                    + bl.shape() + " " + br.shape());
        }
        int r = tl.rows + bl.rows;
        double[] c = new double[r * (tl.cols + tr.cols)];
        copyBlock(tl, c, r, 0, 0);
        copyBlock(tr, c, r, 0, tl.cols);
        copyBlock(bl, c, r, tl.rows, 0);
        copyBlock(br, c, r, tl.rows, tl.cols);
        return new Mat(r, tl.cols + tr.cols, c);
    }

    private static void copyBlock(Mat b, double[] target, int targetRows, int r0, int c0) {
        for (int j = 0; j < b.cols; j++) {
            System.arraycopy(b.a, j * b.rows, target, (c0 + j) * targetRows + r0, b.rows);
        }
    }

    /** Solves this X = B by LU with partial pivoting; throws {@link SingularMatrixException} if singular. */
    public Mat solve(Mat b) {
        requireSquare("solve");
        if (b.rows != rows) {
            throw new IllegalArgumentException("cannot solve " + shape() + " X = " + b.shape());
        }
        double[] lu = a.clone();
        double[] x = b.a.clone();
        int[] piv = new int[rows];
        intW info = new intW(0);
        LAPACK_.dgesv(rows, b.cols, lu, Math.max(1, rows), piv, x, Math.max(1, rows), info);
        if (info.val > 0) {
            throw new SingularMatrixException("matrix " + shape() + " is singular (zero pivot at " + info.val + ")");
        }
        if (info.val < 0) {
            throw new IllegalStateException("dgesv argument " + (-info.val) + " is illegal");
        }
        return new Mat(rows, b.cols, x);
    }

    public boolean isSymmetric(double tol) {
        if (rows != cols) {
            return false;
        }
        for (int j = 0; j < cols; j++) {
            for (int i = j + 1; i < rows; i++) {
                double x = a[j * rows + i];
                double y = a[i * rows + j];
                if (Math.abs(x - y) > tol * Math.max(1.0, Math.max(Math.abs(x), Math.abs(y)))) {
                    return false;
                }
            }
        }
        return true;
    }

    public boolean isFinite() {
        for (double v : a) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    public double maxAbs() {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    public double maxAbsDiff(Mat b) {
        requireSameShape(b, "compare");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b.a[i]));
        }
        return m;
    }

    public String shape() {
        return rows + "x" + cols;
    }

    private void requireSquare(String op) {
        if (rows != cols) {
            throw new IllegalArgumentException(op + " needs a square matrix, got " + shape());
        }
    }

    private void requireSameShape(Mat b, String op) {
        if (rows != b.rows || cols != b.cols) {
            throw new IllegalArgumentException("cannot " + op + " " + shape() + " and " + b.shape());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mat m && m.rows == rows && m.cols == cols && Arrays.equals(m.a, a);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(a);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Mat ").append(shape()).append(" [");
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < cols; j++) {
                sb.append(j == 0 ? "" : ", ").append(get(i, j));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    private static double[] filled(int n, double v) {
        double[] d = new double[n];
        Arrays.fill(d, v);
        return d;
    }
}
