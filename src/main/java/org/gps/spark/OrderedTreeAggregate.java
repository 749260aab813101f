package org.gps.spark;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function0;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A tree aggregation whose merge order is fixed by partition index. Spark's {@code treeAggregate}
 * and {@code treeReduce} merge partial results in the order tasks finish, so floating-point sums
 * differ in the last bits from run to run; GPS needs reruns and resumed runs to reproduce their
 * outputs bit for bit (docs/architecture.md, job contract), and EM amplifies such differences over iterations.
 */
public final class OrderedTreeAggregate {
    /** Partial results merged per node of the tree. */
    static final int FAN_IN = 16;

    private OrderedTreeAggregate() {
    }

    public static <T, U> U aggregate(JavaRDD<T> rdd, Function0<U> zero, Function2<U, T, U> seqOp,
                                     Function2<U, U, U> combOp) {
        JavaPairRDD<Integer, U> level = rdd.mapPartitionsWithIndex((i, it) -> {
            U acc = zero.call();
            while (it.hasNext()) {
                acc = seqOp.call(acc, it.next());
            }
            return Collections.singletonList(new Tuple2<>(i, acc)).iterator();
        }, true).mapToPair(t -> t);
        int count = rdd.getNumPartitions();
        while (count > FAN_IN) {
            int parents = (count + FAN_IN - 1) / FAN_IN;
            level = level.mapToPair(kv -> new Tuple2<>(kv._1() / FAN_IN, kv))
                    .groupByKey(new HashPartitioner(parents))
                    .mapToPair(kv -> new Tuple2<>(kv._1(), mergeInOrder(kv._2().iterator(), combOp)));
            count = parents;
        }
        List<Tuple2<Integer, U>> top = new ArrayList<>(level.collect());
        try {
            U merged = mergeInOrder(top.iterator(), combOp);
            return merged == null ? zero.call() : merged;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What {@link #aggregate} makes of partitions whose own results are {@code perPartition}, in
     * partition order, merged here: the same calls of {@code combOp} on the same values in the
     * same association (groups of {@link #FAN_IN} in order, level by level), so the same bits.
     * For a caller that has summed the partitions itself, in one task or in the driver; null for
     * no partition.
     */
    static <U> U merge(List<U> perPartition, Function2<U, U, U> combOp) {
        try {
            List<U> level = perPartition;
            while (level.size() > FAN_IN) {
                List<U> parents = new ArrayList<>();
                for (int from = 0; from < level.size(); from += FAN_IN) {
                    parents.add(mergeInOrder(level.subList(from, Math.min(level.size(), from + FAN_IN)), combOp));
                }
                level = parents;
            }
            return mergeInOrder(level, combOp);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Left to right. */
    private static <U> U mergeInOrder(List<U> inOrder, Function2<U, U, U> combOp) throws Exception {
        U acc = null;
        for (U p : inOrder) {
            acc = acc == null ? p : combOp.call(acc, p);
        }
        return acc;
    }

    private static <U> U mergeInOrder(Iterator<Tuple2<Integer, U>> parts, Function2<U, U, U> combOp) throws Exception {
        List<Tuple2<Integer, U>> l = new ArrayList<>();
        parts.forEachRemaining(l::add);
        l.sort((a, b) -> Integer.compare(a._1(), b._1()));
        return mergeInOrder(l.stream().map(Tuple2::_2).toList(), combOp);
    }
}
