package org.gps.pipeline.steps;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.gps.core.control.InitialControllers;
import org.gps.core.control.LinearGaussianController;
import org.gps.core.env.Environment;
import org.gps.core.random.Seeds;
import org.gps.io.HadoopFiles;
import org.gps.io.AtomicOutput;
import org.gps.io.DirectoryLease;
import org.gps.io.OutputGuard;
import org.gps.pipeline.RunDirectory;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.config.ExperimentConfig;
import org.gps.pipeline.config.InitialControllerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
        } else {
            requireNewOrOwnLeftovers(run, configPath, text);
        }
        AtomicOutput.writeFile(run.hadoopConf(), run.configSource().toString(), text.getBytes(StandardCharsets.UTF_8));
        AtomicOutput.writeFile(run.hadoopConf(), run.configResolved().toString(), resolved.getBytes(StandardCharsets.UTF_8));
        Map<Integer, LinearGaussianController> controllers = initialControllers(config);
        ControllerOutputs.write(spark, run, 0, controllers, "init");
        LOG.info("initialised {}: {} conditions, T={}, N={}, algorithm {}", run.root(), config.conditionCount(),
                config.horizon(), config.samples(), config.algorithm());
        return config;
    }

    /**
     * A run starts only in a new or empty folder, so that init never mixes a run into someone's
     * files. What an init of this same config killed before config.json was written leaves
     * (config.yaml with the same text, the hidden temporaries of its two files, the lease) is
     * ours, so that a scheduler's retry goes through.
     */
    static void requireNewOrOwnLeftovers(RunDirectory run, String configPath, String text) {
        Configuration conf = run.hadoopConf();
        String label = "--run-dir " + run.root();
        if (HadoopFiles.isFile(conf, run.root())) {
            throw new BadInputException(label + ": is a regular file; expected a new or empty folder for the run");
        }
        OutputGuard.requireApart(conf, label, run.root().toString(),
                List.of(new OutputGuard.Input("--config", configPath)));
        if (!HadoopFiles.isDirectory(conf, run.root().toString())) {
            return;
        }
        FileStatus[] children;
        try {
            children = HadoopFiles.fileSystem(conf, run.root()).listStatus(run.root());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + run.root(), e);
        }
        for (FileStatus c : children) {
            String name = c.getPath().getName();
            boolean ours = name.equals(DirectoryLease.FILE) || name.startsWith("." + DirectoryLease.FILE)
                    || AtomicOutput.isTemporaryOf(name, RunDirectory.CONFIG_SOURCE)
                    || AtomicOutput.isTemporaryOf(name, RunDirectory.CONFIG_RESOLVED)
                    || (name.equals(RunDirectory.CONFIG_SOURCE) && c.isFile()
                        && HadoopFiles.readUtf8(conf, c.getPath()).equals(text));
            if (!ours) {
                throw new BadInputException(label + ": is not empty and holds no run (no " + RunDirectory.CONFIG_RESOLVED
                        + "; found '" + name + "'); gps init starts a run only in a new or empty folder");
            }
        }
    }

    public static Map<Integer, LinearGaussianController> initialControllers(ExperimentConfig config) {
        InitialControllerSpec s = config.initialController();
        Environment env = config.environment().create();
        Map<Integer, LinearGaussianController> out = new TreeMap<>();
        for (int c = 0; c < config.conditionCount(); c++) {
            double[] x0 = config.conditions().get(c);
            LinearGaussianController built = s.type().equals("pd")
                    ? InitialControllers.initPd(s.pd(), config.horizon(), env.stateDim(), env.actionDim(), x0)
                    : InitialControllers.initLqr(s.lqr(), config.horizon(), env.stateDim(), env.actionDim(), x0);
            out.put(c, s.offsets().applyTo(built,
                    new SplittableRandom(Seeds.derive(config.seed(), "initial-offsets", c))));
        }
        return out;
    }
}
