package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.core.sample.Trajectory;
import org.gps.io.RolloutRules;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrajectoryGroupsTest {
    /** Each trajectory as its key and the exact decimals of its states and actions, in key order. */
    private static List<String> contents(JavaPairRDD<TrajectoryGroups.Key, Trajectory> trajectories) {
        TreeMap<String, String> byKey = new TreeMap<>();
        for (Tuple2<TrajectoryGroups.Key, Trajectory> kv : trajectories.collect()) {
            byKey.put(kv._1().toString(), Arrays.deepToString(kv._2().x()) + Arrays.deepToString(kv._2().u()));
        }
        List<String> out = new ArrayList<>();
        byKey.forEach((k, v) -> out.add(k + " " + v));
        return out;
    }

    /**
     * Partitioned by condition, the trajectories are the same, every condition's are in one
     * partition (the conditions dealt in turn), and a union of two datasets partitioned alike keeps
     * the partitioner, so per-condition work still needs no shuffle.
     */
    @Test
    void byConditionPutsEachConditionsTrajectoriesInOnePartitionThroughAUnion() {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> rollouts = DynamicsFittingTest.linearRollouts(spark, 5, 3, 6, 1);
        RolloutRules.RowCheck check = new RolloutRules.RowCheck("rollouts");
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> plain = TrajectoryGroups.trajectories(rollouts, check);
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> byCondition = TrajectoryGroups.byCondition(rollouts, check, 3);
        assertEquals(contents(plain), contents(byCondition));
        assertEquals(15, byCondition.count());
        assertFalse(TrajectoryGroups.conditionsWhole(plain));
        assertTrue(TrajectoryGroups.conditionsWhole(byCondition));

        JavaPairRDD<TrajectoryGroups.Key, Trajectory> union =
                byCondition.union(TrajectoryGroups.byCondition(rollouts, check, 3));
        assertTrue(TrajectoryGroups.conditionsWhole(union));
        assertEquals(3, union.getNumPartitions());
        List<List<Tuple2<TrajectoryGroups.Key, Trajectory>>> partitions = union.glom().collect();
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int p = 0; p < partitions.size(); p++) {
            for (Tuple2<TrajectoryGroups.Key, Trajectory> kv : partitions.get(p)) {
                assertEquals(kv._1().condition() % 3, p, kv._1().toString());
                seen.add(kv._1().condition());
            }
        }
        assertEquals(java.util.Set.of(0, 1, 2, 3, 4), seen);
        assertEquals(30, union.count());
        // Partitioned otherwise, a union is not known to keep conditions whole.
        assertFalse(TrajectoryGroups.conditionsWhole(byCondition.union(TrajectoryGroups.byCondition(rollouts, check, 2))));
    }

    @Test
    void byConditionPartitionersAreEqualOnlyWithTheSameCount() {
        assertEquals(new TrajectoryGroups.ByCondition(4), new TrajectoryGroups.ByCondition(4));
        assertEquals(new TrajectoryGroups.ByCondition(4).hashCode(), new TrajectoryGroups.ByCondition(4).hashCode());
        assertNotEquals(new TrajectoryGroups.ByCondition(4), new TrajectoryGroups.ByCondition(3));
        assertEquals(2, new TrajectoryGroups.ByCondition(3).getPartition(new TrajectoryGroups.Key(7, -1, 0)));
        assertThrows(IllegalArgumentException.class, () -> new TrajectoryGroups.ByCondition(0));
    }
}
