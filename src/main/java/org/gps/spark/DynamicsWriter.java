package org.gps.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.gps.core.dynamics.HeldOutScore;
import org.gps.core.gmm.Gmm;
import org.gps.io.AtomicOutput;
import org.gps.io.BuildInfo;
import org.gps.io.DynamicsStore;
import org.gps.io.DynamicsStore.ErrorSummary;
import org.gps.io.FiniteNumbers;
import org.gps.io.HadoopFiles;
import org.gps.io.SmallTableWriter;
import org.gps.io.SmallTables;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Publishes a dynamics fit in the layout {@link DynamicsStore} describes and reads back. It sits
 * beside the fit because it writes the fit's own result types; io keeps the layout, the schemas
 * and the readers, and so needs nothing from this layer.
 */
public final class DynamicsWriter {
    private DynamicsWriter() {
    }

    /**
     * Writes a fit to {@code path} atomically and returns the per-condition error summary. With
     * {@code heldOut} the summary carries the held-out scores; without them (null) it has no
     * {@code held_out} key, as before the scores existed. With {@code fitsToDriver} (a run's fit, whose
     * C-step reads every fit on the driver anyway) the fits come to the driver once, for the summary,
     * for that read and for the tables, written from the driver; without it (a fit of logged data,
     * whose fits can outnumber what a driver should hold) they stay on the executors, which write
     * them, and only the summary's rows come back. The initial states and the GMMs are always few.
     */
    public static List<ErrorSummary> write(SparkSession spark, String path, DynamicsFitting.Result fit, boolean shared,
                                           String writtenBy, HeldOutValidation.Result heldOut, boolean fitsToDriver) {
        List<ErrorSummary> summary = new ArrayList<>();
        List<Row> x0 = new ArrayList<>();
        fit.initialStates().forEach((c, d) -> x0.add(RowFactory.create(c, d.mean().length, d.mean(),
                d.covariance().toRowMajor())));
        List<Row> g = gmmRows(fit);
        List<Row> stepTable = new ArrayList<>();
        Configuration conf = HadoopFiles.conf(spark);
        AtomicOutput.publish(spark, path, writtenBy, tmp -> {
            long fits;
            if (fitsToDriver) {
                // In order of condition and t, whichever tasks fitted them: the table's rows then do not
                // depend on the cores or on whether the fits ran in one task.
                List<DynamicsFitting.StepFit> local = new ArrayList<>(fit.steps().collect());
                local.sort(Comparator.comparingInt(DynamicsFitting.StepFit::condition)
                        .thenComparingInt(DynamicsFitting.StepFit::t));
                List<Row> errors = new ArrayList<>(local.size());
                for (DynamicsFitting.StepFit s : local) {
                    stepTable.add(stepRow(s));
                    errors.add(errorRow(s));
                }
                SmallTableWriter.write(conf, new Path(tmp, DynamicsStore.STEPS).toString(), DynamicsStore.STEPS_SCHEMA,
                        stepTable);
                SmallTableWriter.write(conf, new Path(tmp, DynamicsStore.PREDICTION_ERROR).toString(),
                        DynamicsStore.ERROR_SCHEMA, errors);
                summary.addAll(errorSummary(local));
                fits = local.size();
            } else {
                fits = writeOnExecutors(spark, tmp, fit.steps(), summary);
            }
            SmallTableWriter.write(conf, new Path(tmp, DynamicsStore.INITIAL_STATE).toString(), DynamicsStore.X0_SCHEMA,
                    x0);
            SmallTableWriter.write(conf, new Path(tmp, DynamicsStore.GMM).toString(), DynamicsStore.GMM_SCHEMA, g);
            HadoopFiles.writeUtf8(conf, new Path(tmp, DynamicsStore.SUMMARY), summaryJson(fit, shared, summary, heldOut));
            return fits;
        });
        // What trajopt and the next fit read back, from these rows rather than from the files.
        if (fitsToDriver) {
            SmallTables.written(spark, new Path(path, DynamicsStore.STEPS).toString(),
                    spark.createDataFrame(stepTable, DynamicsStore.STEPS_SCHEMA));
        }
        SmallTables.written(spark, new Path(path, DynamicsStore.INITIAL_STATE).toString(),
                spark.createDataFrame(x0, DynamicsStore.X0_SCHEMA));
        SmallTables.written(spark, new Path(path, DynamicsStore.GMM).toString(),
                spark.createDataFrame(g, DynamicsStore.GMM_SCHEMA));
        return summary;
    }

    /**
     * The steps and their errors written by Spark from the executors (a fit of logged data, whose
     * fits can outnumber what a driver should hold); the error summary's rows come back to
     * {@code summary}. Returns the number of fits.
     */
    private static long writeOnExecutors(SparkSession spark, String tmp, JavaRDD<DynamicsFitting.StepFit> steps,
                                         List<ErrorSummary> summary) {
        spark.createDataFrame(steps.map(DynamicsWriter::stepRow), DynamicsStore.STEPS_SCHEMA).write()
                .parquet(new Path(tmp, DynamicsStore.STEPS).toString());
        spark.createDataFrame(steps.map(DynamicsWriter::errorRow), DynamicsStore.ERROR_SCHEMA).coalesce(1).write()
                .parquet(new Path(tmp, DynamicsStore.PREDICTION_ERROR).toString());
        summary.addAll(errorSummary(steps));
        // Read back with the schema just written: inferring it would cost a Spark job of its own.
        return spark.read().schema(DynamicsStore.STEPS_SCHEMA).parquet(new Path(tmp, DynamicsStore.STEPS).toString())
                .count();
    }

    private static Row errorRow(DynamicsFitting.StepFit s) {
        return RowFactory.create(s.condition(), s.t(), s.samples(), s.rmse(), s.relativeRmse());
    }

    /** A fit's row of the {@value DynamicsStore#STEPS} table. */
    private static Row stepRow(DynamicsFitting.StepFit s) {
        return RowFactory.create(s.condition(), s.t(), s.model().gain().rows(),
                s.model().gain().cols() - s.model().gain().rows(), s.samples(), s.model().gain().toRowMajor(),
                s.model().offset(), s.model().covariance().toRowMajor());
    }

    private static List<Row> gmmRows(DynamicsFitting.Result fit) {
        List<Row> g = new ArrayList<>();
        fit.gmms().forEach((group, r) -> {
            Gmm m = r.model();
            for (int k = 0; k < m.clusters(); k++) {
                g.add(RowFactory.create(group, k, m.dim(), m.fittedPoints(), m.logMass(k), m.mean(k),
                        m.covariance(k).toRowMajor()));
            }
        });
        return g;
    }

    /**
     * {@link #errorSummary(List)} aggregated on Spark: one row per condition comes back. Each
     * condition's steps meet in one task and are summed in order of t, the same bits as on the driver.
     */
    static List<ErrorSummary> errorSummary(JavaRDD<DynamicsFitting.StepFit> steps) {
        List<ErrorSummary> out = new ArrayList<>(steps
                .mapToPair(s -> new scala.Tuple2<>(s.condition(), new double[] {s.t(), s.rmse(), s.relativeRmse()}))
                .groupByKey()
                .map(kv -> {
                    List<double[]> rows = new ArrayList<>();
                    kv._2().forEach(rows::add);
                    return summaryOf(kv._1(), rows);
                })
                .collect());
        out.sort(Comparator.comparingInt(ErrorSummary::condition));
        return out;
    }

    /**
     * The per-condition error summary. Each condition's steps are summed in order of t, so the means
     * are the same bits however the fits were partitioned and in whatever order they arrive.
     */
    static List<ErrorSummary> errorSummary(List<DynamicsFitting.StepFit> steps) {
        Map<Integer, List<double[]>> byCondition = new TreeMap<>();
        for (DynamicsFitting.StepFit s : steps) {
            byCondition.computeIfAbsent(s.condition(), c -> new ArrayList<>())
                    .add(new double[] {s.t(), s.rmse(), s.relativeRmse()});
        }
        List<ErrorSummary> out = new ArrayList<>();
        byCondition.forEach((condition, rows) -> out.add(summaryOf(condition, rows)));
        return out;
    }

    /** One condition's summary from its steps' [t, rmse, relative rmse], summed in order of t. */
    private static ErrorSummary summaryOf(int condition, List<double[]> rows) {
        rows.sort(Comparator.comparingDouble(r -> r[0]));
        double rmse = 0;
        double max = Double.NEGATIVE_INFINITY;
        double relative = 0;
        for (double[] r : rows) {
            rmse += r[1];
            max = Math.max(max, r[1]);
            relative += r[2];
        }
        return new ErrorSummary(condition, rows.size(), rmse / rows.size(), max, relative / rows.size());
    }

    private static String summaryJson(DynamicsFitting.Result fit, boolean shared, List<ErrorSummary> errors,
                                      HeldOutValidation.Result heldOut) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("format", "gps-dynamics");
        root.put("version", 1);
        // "version" is the file format's; the build that wrote the fit gets keys of its own.
        BuildInfo build = BuildInfo.current();
        root.put("gps_version", build.version());
        root.put("gps_commit", build.commit());
        root.put("gps_modified", build.modified());
        root.put("dX", fit.stateDim());
        root.put("dU", fit.actionDim());
        root.put("prior", shared ? "shared" : "per_condition");
        ArrayNode groups = root.putArray("gmm");
        fit.gmms().forEach((g, r) -> {
            ObjectNode n = groups.addObject();
            n.put("group", g);
            n.put("clusters", r.model().clusters());
            n.put("fitted_points", r.model().fittedPoints());
            n.put("window_trajectories", fit.windowSizes().getOrDefault(g, 0));
            n.put("em_iterations", r.iterations());
            n.put("stop_reason", r.stopReason().name().toLowerCase(Locale.ROOT));
            n.put("warm_started", r.warmStarted());
            n.put("log_likelihood_per_point", r.logLikelihood());
        });
        ArrayNode conds = root.putArray("prediction_error");
        for (ErrorSummary e : errors) {
            ObjectNode n = conds.addObject();
            n.put("condition", e.condition());
            n.put("steps", e.steps());
            FiniteNumbers.put(n, "mean_rmse", e.meanRmse());
            FiniteNumbers.put(n, "max_rmse", e.maxRmse());
            FiniteNumbers.put(n, "mean_relative_rmse", e.meanRelativeRmse());
        }
        if (heldOut != null) {
            heldOutJson(root.putObject("held_out"), heldOut);
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void heldOutJson(ObjectNode n, HeldOutValidation.Result r) {
        n.put("fraction", HeldOutValidation.FRACTION);
        n.put("min_trajectories", HeldOutValidation.MIN_TRAJECTORIES);
        n.put("seed", r.seed());
        ArrayNode conds = n.putArray("conditions");
        for (HeldOutValidation.ConditionResult c : r.conditions()) {
            ObjectNode cn = conds.addObject();
            cn.put("condition", c.condition());
            cn.put("status", c.score() == null ? "n/a" : "scored");
            cn.put("trajectories", c.trajectories());
            ArrayNode keys = cn.putArray("held_out");
            for (TrajectoryGroups.Key k : c.heldOut()) {
                keys.addObject().put("iteration", k.iteration()).put("sample", k.sample());
            }
            if (c.score() == null) {
                cn.put("reason", c.reason());
            } else {
                scoreJson(cn, c.score());
            }
        }
        if (r.overall().steps() == 0) {
            n.putNull("overall");
        } else {
            scoreJson(n.putObject("overall"), r.overall());
        }
    }

    private static void scoreJson(ObjectNode n, HeldOutScore s) {
        n.put("steps", s.steps());
        n.put("transitions", s.transitions());
        FiniteNumbers.put(n, "mse", s.meanSquaredError());
        FiniteNumbers.put(n, "mean_rmse", s.meanRmse());
        FiniteNumbers.put(n, "max_rmse", s.maxRmse());
        FiniteNumbers.put(n, "mean_relative_rmse", s.meanRelativeRmse());
        FiniteNumbers.put(n, "nll_per_transition", s.nllPerTransition());
        n.put("nll_jittered_steps", s.jitteredSteps());
        n.put("nll_unscored_steps", s.unscoredSteps());
    }
}
