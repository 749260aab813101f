package org.gps.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The aggregate merges partial results by partition index, level by level of a tree of fan-in
 * {@link OrderedTreeAggregate#FAN_IN}, whatever order the tasks finish in: a merge that is not
 * commutative sees the input in order, and a floating-point sum is the same bits on every call.
 */
class OrderedTreeAggregateTest {
    private static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    }

    /**
     * Concatenation is not commutative, so any partial result merged out of partition order shows
     * as a misplaced element. 5 partitions are one level, 40 two (40, 3, 1) and 260 three (260, 17, 2, 1).
     */
    @ParameterizedTest
    @ValueSource(ints = {5, 40, 260})
    void aNonCommutativeMergeSeesTheElementsInTheirOrderAtEveryDepthOfTheTree(int partitions) {
        List<Integer> input = IntStream.range(0, 3 * partitions + 7).boxed().toList();
        JavaRDD<Integer> rdd = jsc().parallelize(input, partitions);
        assertEquals(partitions, rdd.getNumPartitions());

        ArrayList<Integer> out = OrderedTreeAggregate.aggregate(rdd, ArrayList::new,
                (acc, x) -> {
                    acc.add(x);
                    return acc;
                },
                (a, b) -> {
                    ArrayList<Integer> ab = new ArrayList<>(a);
                    ab.addAll(b);
                    return ab;
                });

        assertEquals(input, out);
    }

    /**
     * Values from 1 to 1e16 with both signs, so that their double sum depends on
     * the order of the additions (checked: the reverse order gives other bits). The aggregate must
     * give exactly the tree of partial sums in partition order, also when the first partitions'
     * tasks are held back so that they finish last.
     */
    @Test
    void aDoubleSumIsTheTreeOfPartialSumsInPartitionOrderBitForBitWhateverOrderTasksFinishIn() {
        Random r = new Random(7);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            values.add((r.nextBoolean() ? 1 : -1) * r.nextDouble() * Math.pow(10, r.nextInt(17)));
        }
        int partitions = 40;
        JavaRDD<Double> rdd = jsc().parallelize(values, partitions);
        List<List<Double>> slices = rdd.glom().collect();

        List<Double> partials = new ArrayList<>();
        for (List<Double> slice : slices) {
            double s = 0;
            for (double v : slice) {
                s += v;
            }
            partials.add(s);
        }
        double expected = treeSum(partials);
        List<Double> reversed = new ArrayList<>(partials);
        Collections.reverse(reversed);
        assertNotEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(treeSum(reversed)),
                "these values sum to the same bits in any order: the test could not see a merge out of order");

        JavaRDD<Double> lateStarters = rdd.mapPartitionsWithIndex((i, it) -> {
            if (i < 4) {
                Thread.sleep(300);
            }
            return it;
        }, true);
        for (JavaRDD<Double> in : List.of(rdd, lateStarters, rdd)) {
            double got = OrderedTreeAggregate.aggregate(in, () -> 0.0, Double::sum, Double::sum);
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(got),
                    "expected " + expected + ", got " + got);
        }
    }

    /**
     * Each merge writes its association down, so the merge of per-partition results made outside
     * Spark shows any difference from the aggregate's tree: another grouping, order or depth.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 5, 16, 17, 40, 260})
    void theMergeOfPerPartitionResultsIsTheAggregatesTreeAtEveryDepth(int partitions) throws Exception {
        List<Integer> input = IntStream.range(0, 2 * partitions + 3).boxed().toList();
        JavaRDD<Integer> rdd = jsc().parallelize(input, partitions);
        Function2<String, Integer, String> seqOp = (acc, x) -> acc.isEmpty() ? x.toString() : acc + "," + x;
        Function2<String, String, String> combOp = (a, b) -> "(" + a + " " + b + ")";

        String aggregated = OrderedTreeAggregate.aggregate(rdd, () -> "", seqOp, combOp);
        List<String> perPartition = new ArrayList<>();
        for (List<Integer> slice : rdd.glom().collect()) {
            String acc = "";
            for (int x : slice) {
                acc = seqOp.call(acc, x);
            }
            perPartition.add(acc);
        }

        assertEquals(aggregated, OrderedTreeAggregate.merge(perPartition, combOp));
    }

    /** With no partition at all there is no partial result to merge: the result is the zero. */
    @Test
    void anInputWithoutPartitionsGivesTheZero() {
        JavaRDD<Double> empty = jsc().emptyRDD();
        assertEquals(0, empty.getNumPartitions());
        double got = OrderedTreeAggregate.aggregate(empty, () -> 42.0, Double::sum, Double::sum);
        assertEquals(42.0, got, 0.0);
    }

    /** The sum the aggregate is specified to compute: groups of FAN_IN in order, level by level. */
    private static double treeSum(List<Double> level) {
        List<Double> l = level;
        while (l.size() > OrderedTreeAggregate.FAN_IN) {
            List<Double> up = new ArrayList<>();
            for (int i = 0; i < l.size(); i += OrderedTreeAggregate.FAN_IN) {
                double s = l.get(i);
                for (int j = i + 1; j < Math.min(l.size(), i + OrderedTreeAggregate.FAN_IN); j++) {
                    s += l.get(j);
                }
                up.add(s);
            }
            l = up;
        }
        double s = l.get(0);
        for (int j = 1; j < l.size(); j++) {
            s += l.get(j);
        }
        return s;
    }
}
