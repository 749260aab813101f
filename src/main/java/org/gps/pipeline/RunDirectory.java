package org.gps.pipeline;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.gps.core.BadInputException;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.gps.io.DirectoryLease;
import org.gps.io.HadoopFiles;
import org.gps.pipeline.config.ConfigReader;
import org.gps.pipeline.config.ExperimentConfig;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * The layout of a run directory (docs/architecture.md, "Run directory and the job contract"); a Hadoop
 * FileSystem URI, so local paths, {@code file:}, {@code hdfs:} and {@code s3a:} all work.
 *
 * <pre>
 * R/config.yaml                 the config as the user wrote it
 * R/config.json                 the resolved config (every default), read by every later step
 * R/iter=0000/controllers/      controllers sampled at this iteration (Parquet)
 * R/iter=0000/controllers.json  the same, plain JSON for deployment
 * R/iter=0000/rollouts/         the iteration's samples (rollout schema v2)
 * R/iter=0000/dynamics/         fitted dynamics, x0 statistics, GMM, prediction error
 * R/iter=0000/state.json        eta, step multiplier, costs, KL of the C-step
 * R/iter=0000/policy_initial.json  MDGPS/BADMM: the policy caught up to the initial controllers
 * R/iter=0000/policy_linearization/ MDGPS/BADMM: the policy linearized around the samples (controllers)
 * R/iter=0000/badmm_duals/       BADMM: Lagrange multipliers and policy weights after the C-step (Parquet)
 * R/iter=0000/policy_inner.json BADMM: the policy after the C-step's inner S-steps
 * R/iter=0000/policy.json       MDGPS/BADMM: the policy after this iteration's S-step (plain JSON weights)
 * R/iter=0000/policy_eval.json  its score from the start distribution (episodes, mean_return, std_return, ...)
 * R/best_policy.json           MDGPS/BADMM: which iteration's policy the run publishes (the best scored)
 * R/_gps.lock                   while a command writes into R: its lease (docs/run-directory.md)
 * </pre>
 * Every directory output carries a completion marker; see {@link org.gps.io.AtomicOutput}.
 */
public final class RunDirectory {
    public static final String CONFIG_SOURCE = "config.yaml";
    public static final String CONFIG_RESOLVED = "config.json";

    private final Path root;
    private final Configuration conf;

    public RunDirectory(String uri, Configuration conf) {
        this.root = new Path(uri);
        this.conf = conf;
    }

    public Path root() {
        return root;
    }

    public Configuration hadoopConf() {
        return conf;
    }

    public Path configSource() {
        return new Path(root, CONFIG_SOURCE);
    }

    public Path configResolved() {
        return new Path(root, CONFIG_RESOLVED);
    }

    public Path iteration(int i) {
        return new Path(root, String.format(Locale.ROOT, "iter=%04d", i));
    }

    public Path controllers(int i) {
        return new Path(iteration(i), "controllers");
    }

    public Path controllersJson(int i) {
        return new Path(iteration(i), "controllers.json");
    }

    public Path rollouts(int i) {
        return new Path(iteration(i), "rollouts");
    }

    public Path dynamics(int i) {
        return new Path(iteration(i), "dynamics");
    }

    public Path state(int i) {
        return new Path(iteration(i), "state.json");
    }

    public Path policy(int i) {
        return new Path(iteration(i), "policy.json");
    }

    public Path policyInitial() {
        return new Path(iteration(0), "policy_initial.json");
    }

    public Path policyLinearization(int i) {
        return new Path(iteration(i), "policy_linearization");
    }

    public Path badmmDuals(int i) {
        return new Path(iteration(i), "badmm_duals");
    }

    public Path policyInner(int i) {
        return new Path(iteration(i), "policy_inner.json");
    }

    public Path policyEval(int i) {
        return new Path(iteration(i), "policy_eval.json");
    }

    /** With {@code gps run --profile}: where the iteration's wall time went (docs/formats.md). */
    public Path profile(int i) {
        return new Path(iteration(i), "profile.json");
    }

    public Path bestPolicy() {
        return new Path(root, "best_policy.json");
    }

    /**
     * Runs {@code body} while holding the run directory's lease, so that no second writer works in
     * it meanwhile (docs/run-directory.md). The lease is released when the body ends, whatever the
     * outcome, and on SIGTERM/SIGINT. Should the heartbeat find the lease taken over by another
     * writer, the session's Spark jobs are cancelled and the command ends with that reason.
     *
     * @param command how the lease names its holder's work, e.g. {@code gps trajopt --iteration 3}
     * @throws BadInputException when another live writer holds the lease (the message names it)
     */
    public static <T> T whileLocked(SparkSession spark, String runDirUri, String command, Supplier<T> body) {
        SparkContext sc = spark.sparkContext();
        DirectoryLease lease = DirectoryLease.acquire(sc.hadoopConfiguration(), runDirUri, "run directory", command,
                reason -> sc.cancelAllJobs());
        // Jobs submitted after the loss was seen are cancelled as they start.
        SparkListener stopAfterLoss = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                if (lease.lostReason() != null) {
                    sc.cancelJob(start.jobId());
                }
            }
        };
        sc.addSparkListener(stopAfterLoss);
        try {
            T result = body.get();
            if (lease.lostReason() != null) {
                throw new BadInputException(lease.lostReason());
            }
            return result;
        } catch (Throwable e) { // Spark's SparkException arrives undeclared (Scala), hence Throwable
            if (lease.lostReason() != null) {
                throw new BadInputException(lease.lostReason(), e);
            }
            throw e;
        } finally {
            sc.removeSparkListener(stopAfterLoss);
            lease.close();
        }
    }

    /**
     * Before any Spark session exists: a local run directory's frozen config, refused as
     * {@link #config} refuses it, and {@code iteration} (when not null) checked against it; a
     * directory on another file system is checked when the step opens it.
     */
    public static void checkLocal(String uri, Integer iteration) {
        if (!HadoopFiles.isLocal(uri)) {
            return;
        }
        RunDirectory run = new RunDirectory(uri, HadoopFiles.localConf());
        ExperimentConfig config = run.config();
        if (iteration != null) {
            run.requireIteration(iteration, config);
        }
    }

    public boolean isInitialised() {
        return HadoopFiles.exists(conf, configResolved().toString());
    }

    /** The frozen config; a run directory without one was never initialised. */
    public ExperimentConfig config() {
        if (!isInitialised()) {
            throw new BadInputException(root + ": not a run directory (no " + CONFIG_RESOLVED
                    + "); create one with 'gps init --config C --run-dir " + root + "'");
        }
        Path p = configResolved();
        return ConfigReader.parse(p.toString(), HadoopFiles.readUtf8(conf, p));
    }

    public void requireIteration(int i, ExperimentConfig config) {
        if (i < 0 || i >= config.iterations()) {
            throw new BadInputException("--iteration: expected an integer from 0 to " + (config.iterations() - 1)
                    + " (" + configResolved() + " sets iterations: " + config.iterations() + "), got " + i);
        }
    }
}
