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

    private static <U> U mergeInOrder(Iterator<Tuple2<Integer, U>> parts, Function2<U, U, U> combOp) throws Exception {
        List<Tuple2<Integer, U>> l = new ArrayList<>();
        parts.forEachRemaining(l::add);
        l.sort((a, b) -> Integer.compare(a._1(), b._1()));
        U acc = null;
        for (Tuple2<Integer, U> p : l) {
            acc = acc == null ? p._2() : combOp.call(acc, p._2());
        }
        return acc;
    }
}
