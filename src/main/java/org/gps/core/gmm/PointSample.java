package org.gps.core.gmm;

import org.gps.core.random.Seeds;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A uniform sample without replacement of a fixed number of points: the points whose seeded hash
 * of their id is smallest. Mergeable in any order and independent of partitioning, so executors
 * can each keep their smallest candidates and a tree aggregation keeps the overall smallest.
 */
public final class PointSample implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int capacity;
    private final long seed;
    /** Kept points by hash key (64-bit hashes of distinct ids: collisions are negligible). */
    private final TreeMap<Long, double[]> kept = new TreeMap<>();

    public PointSample(int capacity, long seed) {
        this.capacity = capacity;
        this.seed = seed;
    }

    public PointSample add(PointBlock b) {
        for (int j = 0; j < b.size(); j++) {
            long key = Seeds.derive(seed, "gmm-init-sample", b.ids()[j]);
            if (kept.size() < capacity || (capacity > 0 && key < kept.lastKey())) {
                offer(key, b.point(j));
            }
        }
        return this;
    }

    private void offer(long key, double[] point) {
        kept.put(key, point);
        if (kept.size() > capacity) {
            kept.pollLastEntry();
        }
    }

    public PointSample merge(PointSample o) {
        for (Map.Entry<Long, double[]> e : o.kept.entrySet()) {
            offer(e.getKey(), e.getValue());
        }
        return this;
    }

    /** The sampled points in a canonical order (by key), so the result does not depend on merge order. */
    public List<double[]> points() {
        List<double[]> out = new ArrayList<>();
        for (double[] p : kept.values()) {
            out.add(p.clone());
        }
        return out;
    }
}
