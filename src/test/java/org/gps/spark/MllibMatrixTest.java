package org.gps.spark;

import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Mat crosses into Spark ML's matrices through its column-major array, with no copy of
 * indices: both store column-major, and this pins that they agree. The conversion lives here,
 * beside its only user, because core may not name Spark.
 */
class MllibMatrixTest {
    static DenseMatrix toMllib(Mat m) {
        return new DenseMatrix(m.rows(), m.cols(), m.toColumnMajor());
    }

    static Mat fromMllib(Matrix m) {
        return Mat.fromColumnMajor(m.numRows(), m.numCols(), m.toDense().toArray());
    }

    @Test
    void everyEntrySitsAtTheSameRowAndColumnOnBothSides() {
        // Distinct entries, and a non-square shape: a transposed or row-major copy would move some.
        Mat a = Mat.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        DenseMatrix d = toMllib(a);
        assertEquals(2, d.numRows());
        assertEquals(3, d.numCols());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(a.get(i, j), d.apply(i, j), 0.0, "(" + i + ", " + j + ")");
            }
        }
        assertEquals(a, fromMllib(d));
        // Spark's transpose is a view with a row-major flag: it must still come back as the transpose.
        assertEquals(a.transpose(), fromMllib(d.transpose()));
    }
}
