package org.gps.pipeline.steps;

import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.InitialControllers;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.env.Environment;
import org.gps.io.HadoopFiles;
import org.gps.io.AtomicOutput;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.config.InitialControllerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** {@code gps init}: validates a config, freezes it into the run directory, writes the initial controllers. */
public final class InitStep {
    private static final Logger LOG = LoggerFactory.getLogger(InitStep.class);

    private InitStep() {
    }

    public static ExperimentConfig run(SparkSession spark, String configPath, String runDirUri) {
        RunDirectory run = new RunDirectory(runDirUri, spark.sparkContext().hadoopConfiguration());
        String text = ConfigReader.readText(run.hadoopConf(), configPath);
        ExperimentConfig config = ConfigReader.parse(configPath, text);
        String resolved = config.resolvedJson();
        if (run.isInitialised()) {
            String existing = HadoopFiles.readUtf8(run.hadoopConf(), run.configResolved());
            if (!existing.equals(resolved)) {
                throw new BadInputException(run.root() + ": already holds a run with a different config ("
                        + run.configResolved() + "); use another --run-dir or delete this one");
            }
            LOG.info("{} already initialised with this config; rewriting the initial controllers", run.root());
        }
        AtomicOutput.writeFile(run.hadoopConf(), run.configSource().toString(), text.getBytes(StandardCharsets.UTF_8));
        AtomicOutput.writeFile(run.hadoopConf(), run.configResolved().toString(), resolved.getBytes(StandardCharsets.UTF_8));
        Map<Integer, LinearGaussianController> controllers = initialControllers(config);
        ControllerOutputs.write(spark, run, 0, controllers, "init");
        LOG.info("initialised {}: {} conditions, T={}, N={}, algorithm {}", run.root(), config.conditionCount(),
                config.horizon(), config.samples(), config.algorithm());
        return config;
    }

    public static Map<Integer, LinearGaussianController> initialControllers(ExperimentConfig config) {
        InitialControllerSpec s = config.initialController();
        Environment env = config.environment().create();
        Map<Integer, LinearGaussianController> out = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            double[] x0 = config.conditions().get(c);
            out.put(c, s.type().equals("pd")
                    ? InitialControllers.initPd(s.pd(), config.horizon(), env.stateDim(), env.actionDim(), x0)
                    : InitialControllers.initLqr(s.lqr(), config.horizon(), env.stateDim(), env.actionDim(), x0));
        }
        return out;
    }
}
