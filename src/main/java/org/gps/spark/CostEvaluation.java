package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.gps.core.cost.CostExpansion;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.core.cost.QuadraticCostModel;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step 2 of an iteration (ALGORITHM.md section 2): each sample's cost and its quadratic expansion,
 * computed where the sample lives and averaged per condition through a mergeable accumulator.
 * Only the per-condition models (T small matrices) and one total per sample reach the driver.
 */
public final class CostEvaluation {
    private CostEvaluation() {
    }

    /** The averaged quadratic cost model of each condition, and the true cost sum_t l_t of each sample. */
    public record Result(Map<Integer, QuadraticCostModel> models, Map<Integer, double[]> sampleCosts)
            implements Serializable {
        /** Mean true cost of a condition's samples. */
        public double meanCost(int condition) {
            double[] c = sampleCosts.get(condition);
            double s = 0;
            for (double v : c) {
                s += v;
            }
            return s / c.length;
        }
    }

    public static Result evaluate(Dataset<Row> rollouts, List<CostFunction> costs) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rollouts.sparkSession().sparkContext());
        Broadcast<List<CostFunction>> shared = jsc.broadcast(new ArrayList<>(costs));
        JavaPairRDD<Integer, Tuple2<Integer, CostExpansion>> expansions = TrajectoryGroups.trajectories(rollouts)
                .mapToPair(kv -> {
                    int c = kv._1().condition();
                    CostExpansion e = shared.value().get(c).evaluate(kv._2().x(), kv._2().u());
                    return new Tuple2<>(c, new Tuple2<>(kv._1().sample(), e));
                }).cache();
        try {
            Map<Integer, QuadraticCostModel> models = new TreeMap<>();
            expansions.mapValues(se -> {
                        CostExpansion e = se._2();
                        return new QuadraticCostAccumulator(e.horizon(), e.stateDim(), e.actionDim()).add(e);
                    })
                    .reduceByKey(QuadraticCostAccumulator::merge)
                    .collectAsMap()
                    .forEach((c, acc) -> models.put(c, acc.result()));
            Map<Integer, TreeMap<Integer, Double>> bySample = new TreeMap<>();
            for (Tuple2<Integer, Tuple2<Integer, Double>> t : expansions
                    .mapValues(se -> new Tuple2<>(se._1(), se._2().totalCost())).collect()) {
                bySample.computeIfAbsent(t._1(), k -> new TreeMap<>()).put(t._2()._1(), t._2()._2());
            }
            Map<Integer, double[]> sampleCosts = new TreeMap<>();
            bySample.forEach((c, m) -> sampleCosts.put(c, m.values().stream().mapToDouble(Double::doubleValue).toArray()));
            return new Result(models, sampleCosts);
        } finally {
            expansions.unpersist(false);
            shared.destroy();
        }
    }
}
