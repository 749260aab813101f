package org.gps.core.gmm;

import org.gps.core.random.Seeds;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A uniform sample without replacement of a fixed number of points: the points whose seeded hash
 * of their id is smallest. Mergeable in any order and independent of partitioning, so executors
 * can each keep their smallest candidates and a tree aggregation keeps the overall smallest.
 */
public final class PointSample implements Serializable {
    private static final long serialVersionUID = 1L;

    private record Entry(long key, double[] point) implements Serializable {
    }

    private final int capacity;
    private final long seed;
    /** Max-heap on the key: the largest kept key is evicted first. */
    private final PriorityQueue<Entry> heap;

    public PointSample(int capacity, long seed) {
        this.capacity = capacity;
        this.seed = seed;
        this.heap = new PriorityQueue<>(Math.max(1, capacity), (a, b) -> Long.compare(b.key, a.key));
    }

    public PointSample add(PointBlock b) {
        for (int j = 0; j < b.size(); j++) {
            offer(new Entry(Seeds.derive(seed, "gmm-init-sample", b.ids()[j]), null), b, j);
        }
        return this;
    }

    private void offer(Entry e, PointBlock b, int j) {
        if (heap.size() < capacity) {
            heap.add(new Entry(e.key, b.point(j)));
        } else if (capacity > 0 && e.key < heap.peek().key) {
            heap.poll();
            heap.add(new Entry(e.key, b.point(j)));
        }
    }

    public PointSample merge(PointSample o) {
        for (Entry e : o.heap) {
            if (heap.size() < capacity) {
                heap.add(e);
            } else if (capacity > 0 && e.key < heap.peek().key) {
                heap.poll();
                heap.add(e);
            }
        }
        return this;
    }

    /** The sampled points in a canonical order (by key), so the result does not depend on merge order. */
    public List<double[]> points() {
        List<Entry> es = new ArrayList<>(heap);
        es.sort((a, b) -> Long.compare(a.key, b.key));
        List<double[]> out = new ArrayList<>();
        for (Entry e : es) {
            out.add(e.point.clone());
        }
        return out;
    }
}
