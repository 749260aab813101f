package org.gps.spark;

import org.apache.spark.rdd.PartitionerAwareUnionRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.rdd.UnionRDD;
import org.apache.spark.storage.StorageLevel;

import scala.collection.Iterator;

/**
 * Whether an RDD's partitions are already kept by Spark's block manager, so that a step that passes
 * over it several times need not persist it again. A union of kept RDDs (how a run's window of
 * rollout datasets reaches the fits) computes each partition by handing over a kept one: persisting
 * the union as well would copy every trajectory into a second block and have Spark estimate the
 * size of each as it is stored.
 */
public final class KeptRdds {
    private KeptRdds() {
    }

    public static boolean isKept(RDD<?> rdd) {
        if (!rdd.getStorageLevel().equals(StorageLevel.NONE())) {
            return true;
        }
        if (rdd instanceof UnionRDD<?> || rdd instanceof PartitionerAwareUnionRDD<?>) {
            Iterator<org.apache.spark.Dependency<?>> deps = rdd.dependencies().iterator();
            if (!deps.hasNext()) {
                return false;
            }
            while (deps.hasNext()) {
                if (!isKept(deps.next().rdd())) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
