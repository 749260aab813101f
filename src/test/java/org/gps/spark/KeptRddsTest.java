package org.gps.spark;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.PartitionerAwareUnionRDD;
import org.apache.spark.rdd.UnionRDD;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A window of kept rollout datasets reaches the fits as a union; it must count as kept (persisting it
 * again copies every trajectory) only when every part is.
 */
class KeptRddsTest {
    private static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    }

    @Test
    void anRddIsKeptWhenPersistedAndNotWhenMerelyDerivedFromAPersistedOne() {
        JavaRDD<Integer> kept = jsc().parallelize(List.of(1, 2, 3), 2).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            assertTrue(KeptRdds.isKept(kept.rdd()));
            assertFalse(KeptRdds.isKept(kept.map(x -> x + 1).rdd()));
            assertFalse(KeptRdds.isKept(jsc().parallelize(List.of(1), 1).rdd()));
        } finally {
            kept.unpersist(false);
        }
    }

    @Test
    void aUnionIsKeptExactlyWhenEveryPartIs() {
        JavaRDD<Integer> a = jsc().parallelize(List.of(1, 2), 2).persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Integer> b = jsc().parallelize(List.of(3, 4), 2).persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Integer> c = jsc().parallelize(List.of(5), 1);
        try {
            JavaRDD<Integer> ab = a.union(b);
            assertInstanceOf(UnionRDD.class, ab.rdd());
            assertTrue(KeptRdds.isKept(ab.rdd()));
            assertTrue(KeptRdds.isKept(ab.union(a).rdd()), "a union of kept unions");
            assertFalse(KeptRdds.isKept(ab.union(c).rdd()));
        } finally {
            a.unpersist(false);
            b.unpersist(false);
        }
    }

    @Test
    void aUnionOfPairRddsWithOnePartitionerIsKeptExactlyWhenEveryPartIs() {
        HashPartitioner byKey = new HashPartitioner(2);
        JavaPairRDD<Integer, Integer> a = jsc().parallelizePairs(List.of(new Tuple2<>(1, 1), new Tuple2<>(2, 2)), 2)
                .partitionBy(byKey).persist(StorageLevel.MEMORY_AND_DISK());
        JavaPairRDD<Integer, Integer> b = jsc().parallelizePairs(List.of(new Tuple2<>(3, 3)), 1)
                .partitionBy(byKey);
        try {
            JavaPairRDD<Integer, Integer> ab = a.union(b);
            assertInstanceOf(PartitionerAwareUnionRDD.class, ab.rdd());
            assertFalse(KeptRdds.isKept(ab.rdd()));
            b.persist(StorageLevel.MEMORY_AND_DISK());
            assertTrue(KeptRdds.isKept(a.union(b).rdd()));
        } finally {
            a.unpersist(false);
            b.unpersist(false);
        }
    }
}
