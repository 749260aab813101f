package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.gps.core.policy.ObservationNormalizer;
import org.gps.core.sample.Trajectory;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the S-step needs to know of its samples before it builds a target, from one Spark job of
 * one small record per sample: each sample's place in {@link PolicyUpdate#ordered}'s two sorted
 * partitions, how many targets it makes and, for the first update, its observations' sums. With
 * these the driver adds up, in that order, what Spark would add up over the ordered samples
 * ({@code RDD.reduce}: each partition folded left in element order, then the two partitions'
 * results added, which with two is the same double whichever task finishes first), and it can
 * place targets built anywhere into those partitions. Asked to, the same job brings the samples
 * back too, when they are few enough.
 */
final class SampleIndex {
    /** One sample: its order key, its length (its target count) and its observation sums, or null. */
    record Entry(long key, int horizon, double[] moments) implements Serializable {
    }

    /** A partition's entries, and its samples when they came back too (else null). */
    private record Part(List<Entry> entries, List<Tuple2<TrajectoryGroups.Key, Trajectory>> samples)
            implements Serializable {
    }

    private final List<Entry> sorted;
    private final long lastOfFirstHalf;
    private final List<Tuple2<TrajectoryGroups.Key, Trajectory>> gathered;

    private SampleIndex(List<Entry> sorted, List<Tuple2<TrajectoryGroups.Key, Trajectory>> gathered) {
        this.sorted = sorted;
        this.lastOfFirstHalf = sorted.isEmpty() ? Long.MAX_VALUE : sorted.get((sorted.size() + 1) / 2 - 1).key();
        this.gathered = gathered;
    }

    /** @param moments whether to collect each sample's observation sums too (for {@link #normalizer}) */
    static SampleIndex of(JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples, boolean moments) {
        return of(samples, moments, 0);
    }

    /**
     * As {@link #of(JavaPairRDD, boolean)}, and each task brings back its partition's samples too
     * when they make at most {@code gatherUpTo} targets (0: never): a job fewer when the caller is
     * about to collect them anyway and every partition is within that share.
     */
    static SampleIndex of(JavaPairRDD<TrajectoryGroups.Key, Trajectory> samples, boolean moments, long gatherUpTo) {
        List<Part> parts = samples.mapPartitions(it -> List.of(part(it, moments, gatherUpTo)).iterator()).collect();
        List<Entry> entries = new ArrayList<>();
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> gathered = new ArrayList<>();
        for (Part p : parts) {
            entries.addAll(p.entries());
            if (gathered != null && p.samples() != null) {
                gathered.addAll(p.samples());
            } else {
                gathered = null;
            }
        }
        entries.sort(Comparator.comparingLong(Entry::key));
        return new SampleIndex(entries, gathered);
    }

    private static Part part(java.util.Iterator<Tuple2<TrajectoryGroups.Key, Trajectory>> it, boolean moments,
                             long gatherUpTo) {
        List<Entry> entries = new ArrayList<>();
        List<Tuple2<TrajectoryGroups.Key, Trajectory>> kept = gatherUpTo > 0 ? new ArrayList<>() : null;
        long targets = 0;
        while (it.hasNext()) {
            Tuple2<TrajectoryGroups.Key, Trajectory> kv = it.next();
            Trajectory t = kv._2();
            entries.add(new Entry(orderKey(kv._1()), t.horizon(), moments ? momentsOf(t.o()) : null));
            targets += t.horizon();
            if (kept != null && targets <= gatherUpTo) {
                kept.add(kv);
            } else {
                kept = null;
            }
        }
        return new Part(entries, kept);
    }

    /** Every sample, when each task brought its partition's back ({@link #of(JavaPairRDD, boolean, long)}); else null. */
    List<Tuple2<TrajectoryGroups.Key, Trajectory>> gathered() {
        return gathered;
    }

    /** By (iteration, condition, sample). */
    static long orderKey(TrajectoryGroups.Key k) {
        return ((long) k.iteration() << 42) | ((long) k.condition() << 21) | k.sample();
    }

    /** The last key of partition 0: the first half of the keys, rounded up. */
    long lastOfFirstHalf() {
        return lastOfFirstHalf;
    }

    /** One target per time step of every sample. */
    long targets() {
        long n = 0;
        for (Entry e : sorted) {
            n += e.horizon();
        }
        return n;
    }

    /**
     * Fixed at the first update: mean and population std of every observation of the samples,
     * their sums added as Spark's reduce adds them over the ordered samples.
     */
    ObservationNormalizer normalizer() {
        double[] s = observationSums();
        int d = (s.length - 1) / 2;
        double n = s[2 * d];
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int i = 0; i < d; i++) {
            mean[i] = s[i] / n;
            std[i] = Math.sqrt(Math.max(0, s[d + i] / n - mean[i] * mean[i]));
        }
        return ObservationNormalizer.fromMoments(mean, std);
    }

    /** The samples' {@link #momentsOf} added up as Spark's reduce adds them over the ordered samples. */
    double[] observationSums() {
        double[] s = null;
        for (int p = 0; p < PolicyUpdate.PARTITIONS; p++) {
            double[] acc = null;
            for (Entry e : sorted) {
                if (partitionOf(e.key()) != p) {
                    continue;
                }
                if (e.moments() == null) {
                    throw new IllegalStateException("the samples were indexed without their observations' sums");
                }
                acc = acc == null ? e.moments().clone() : addInto(acc, e.moments());
            }
            if (acc != null) {
                s = s == null ? acc : addInto(s, acc);
            }
        }
        if (s == null) {
            throw new IllegalArgumentException("no samples to normalise the policy's observations over");
        }
        return s;
    }

    /**
     * Each sample's rows (its targets packed one after another, {@code perTarget} numbers each) placed
     * as {@link PolicyUpdate#ordered} places the samples: two flat arrays, partition 0 then 1, each
     * in key order, either possibly empty.
     */
    List<double[]> partitions(List<Tuple2<Long, double[]>> rowsBySample, int perTarget) {
        List<Tuple2<Long, double[]>> bySample = new ArrayList<>(rowsBySample);
        bySample.sort(Comparator.comparingLong(Tuple2::_1));
        long[] lengths = new long[PolicyUpdate.PARTITIONS];
        for (Tuple2<Long, double[]> s : bySample) {
            lengths[partitionOf(s._1())] += s._2().length;
        }
        if (lengths[0] + lengths[1] != targets() * perTarget) {
            throw new IllegalStateException("gathered " + (lengths[0] + lengths[1]) / perTarget + " targets, counted "
                    + targets());
        }
        List<double[]> out = new ArrayList<>();
        for (int p = 0; p < PolicyUpdate.PARTITIONS; p++) {
            double[] flat = new double[Math.toIntExact(lengths[p])];
            int at = 0;
            for (Tuple2<Long, double[]> s : bySample) {
                if (partitionOf(s._1()) == p) {
                    System.arraycopy(s._2(), 0, flat, at, s._2().length);
                    at += s._2().length;
                }
            }
            out.add(flat);
        }
        return out;
    }

    private int partitionOf(long key) {
        return key <= lastOfFirstHalf ? 0 : 1;
    }

    /** A sample's observation sums: [sum of o, sum of o^2, count], its rows added in time order. */
    static double[] momentsOf(double[][] o) {
        int d = o[0].length;
        double[] acc = new double[2 * d + 1];
        for (double[] row : o) {
            for (int i = 0; i < d; i++) {
                acc[i] += row[i];
                acc[d + i] += row[i] * row[i];
            }
        }
        acc[2 * d] = o.length;
        return acc;
    }

    /** a += b, element by element: the numbers of Spark's {@code reduce} with a clone-and-add. */
    static double[] addInto(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }
}
