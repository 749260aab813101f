package org.gps.core.gmm;

import java.io.Serializable;
import java.util.List;

/**
 * A block of points of one group (a condition, or everything when one GMM is shared), stored
 * column-major (D x n) so that EM's inner loops run as level-3 BLAS over the whole block. Each
 * point carries a stable id, which seeds its random initial cluster independently of how the
 * points are partitioned. Treat the arrays as read-only.
 */
public final class PointBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Points per block where the caller chooses: enough for efficient dgemm, few enough for cache. */
    public static final int TYPICAL_POINTS = 512;

    private final int group;
    private final int dim;
    private final int size;
    private final double[] data;
    private final long[] ids;

    public PointBlock(int group, int dim, double[] columnMajor, long[] ids) {
        if (dim <= 0 || columnMajor.length != dim * ids.length) {
            throw new IllegalArgumentException(columnMajor.length + " values for " + ids.length + " points of dimension " + dim);
        }
        this.group = group;
        this.dim = dim;
        this.size = ids.length;
        this.data = columnMajor;
        this.ids = ids;
    }

    /** A block from row vectors (tests, small local fits). */
    public static PointBlock of(int group, List<double[]> points, long firstId) {
        int dim = points.get(0).length;
        double[] data = new double[dim * points.size()];
        long[] ids = new long[points.size()];
        for (int j = 0; j < points.size(); j++) {
            double[] p = points.get(j);
            if (p.length != dim) {
                throw new IllegalArgumentException("point " + j + " has " + p.length + " values, expected " + dim);
            }
            System.arraycopy(p, 0, data, j * dim, dim);
            ids[j] = firstId + j;
        }
        return new PointBlock(group, dim, data, ids);
    }

    /**
     * The points of {@code pieces} (all of one group and dimension), in the given order, cut into
     * blocks of at most {@code blockPoints}.
     */
    public static List<PointBlock> concatenate(List<PointBlock> pieces, int blockPoints) {
        List<PointBlock> out = new java.util.ArrayList<>();
        if (pieces.isEmpty()) {
            return out;
        }
        int dim = pieces.get(0).dim;
        int group = pieces.get(0).group;
        long total = 0;
        for (PointBlock p : pieces) {
            if (p.dim != dim || p.group != group) {
                throw new IllegalArgumentException("cannot concatenate blocks of different groups or dimensions");
            }
            total += p.size;
        }
        int piece = 0;
        int offset = 0;
        for (long from = 0; from < total; from += blockPoints) {
            int n = (int) Math.min(blockPoints, total - from);
            double[] data = new double[dim * n];
            long[] ids = new long[n];
            int filled = 0;
            while (filled < n) {
                PointBlock p = pieces.get(piece);
                int take = Math.min(n - filled, p.size - offset);
                System.arraycopy(p.data, offset * dim, data, filled * dim, take * dim);
                System.arraycopy(p.ids, offset, ids, filled, take);
                filled += take;
                offset += take;
                if (offset == p.size) {
                    piece++;
                    offset = 0;
                }
            }
            out.add(new PointBlock(group, dim, data, ids));
        }
        return out;
    }

    public int group() {
        return group;
    }

    public int dim() {
        return dim;
    }

    public int size() {
        return size;
    }

    /** Column-major D x n values; not copied, do not modify. */
    public double[] data() {
        return data;
    }

    /** Not copied, do not modify. */
    public long[] ids() {
        return ids;
    }

    public double[] point(int j) {
        double[] p = new double[dim];
        System.arraycopy(data, j * dim, p, 0, dim);
        return p;
    }
}
