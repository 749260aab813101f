package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.bench.DynamicsBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "dynamics", mixinStandardHelpOptions = true,
        description = {"Time the dynamics step: GMM EM and the per-(condition, t) fits, separately "
                        + "(docs/benchmarks.md).",
                "Rollouts of a random stable linear system are generated on the executors and cached; after "
                        + "the warm-up rounds, each repeat runs a cold EM and the fits. Prints a Markdown table to "
                        + "stdout."})
final class DynamicsBenchmarkCommand implements Callable<Integer> {
    @Option(names = "--sizes", paramLabel = "LIST", defaultValue = "small,medium,large,logged-1M",
            description = "Comma-separated: small (M=4,N=5,T=100,dX=3,dU=1), medium (8,20,100,26,7), large "
                    + "(16,40,200,26,7), logged-1M (100 x 100 x 100 steps, dX=26, dU=7, one shared GMM). "
                    + "Default: ${DEFAULT-VALUE}.")
    String sizes;

    @Option(names = "--em-in-task-max-points", paramLabel = "N", defaultValue = "10000",
            description = "GMMs on at most N points run EM inside one task, and fit sets of at most N rows their"
                    + " fits; 0 makes every EM pass a distributed job and spreads every fit set over tasks."
                    + " Default: ${DEFAULT-VALUE} (the dynamics.em_in_task_max_points default).")
    long inTaskMaxPoints;

    @Option(names = "--em-init", paramLabel = "START", defaultValue = "auto",
            description = "Cold start of EM: auto (random_assignment up to 3 D points per cluster, else"
                    + " sampled_means), kmeans, sampled_means or random_assignment (the dynamics.em_init values)."
                    + " Default: ${DEFAULT-VALUE}.")
    String emInit;

    @Option(names = "--warmups", paramLabel = "N", defaultValue = "1",
            description = "Untimed rounds per size before the repeats: the JIT keeps compiling the hot loops for"
                    + " about ten rounds at medium, so use 10-15 for steady-state times. Default: ${DEFAULT-VALUE}.")
    int warmups;

    @Option(names = "--export", paramLabel = "DIR",
            description = "Before timing, write each size's generated problem (rollouts as .npy, settings as "
                    + "problem.json) to DIR/dynamics-SIZE, a new or empty directory, for timing another "
                    + "implementation on it (bench/original/README.md).")
    java.nio.file.Path export;

    @Mixin
    BenchmarkOptions bench;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        int repeats = bench.repeats();
        bench.checkOut();
        long seed = bench.seed;
        org.gps.core.gmm.GmmOptions.Initialization start;
        try {
            start = org.gps.core.gmm.GmmOptions.Initialization.fromConfigName(emInit);
        } catch (IllegalArgumentException e) {
            throw new org.gps.core.BadInputException("--em-init: " + e.getMessage());
        }
        if (warmups < 0) {
            throw new org.gps.core.BadInputException("--warmups must be >= 0, got " + warmups);
        }
        SparkSession session = spark.session("benchmark dynamics");
        List<DynamicsBenchmark.Measurement> results = new ArrayList<>();
        List<org.gps.bench.BenchSize> list = new ArrayList<>();
        for (String s : sizes.split(",")) {
            list.add(DynamicsBenchmark.parse(s));
        }
        // Every export before any timing: a refused directory then stops the command before minutes of work.
        if (export != null) {
            for (org.gps.bench.BenchSize size : list) {
                DynamicsBenchmark.export(session, size, seed, inTaskMaxPoints, start,
                        export.resolve("dynamics-" + size.name()));
            }
        }
        for (org.gps.bench.BenchSize size : list) {
            results.add(DynamicsBenchmark.run(session, size, warmups, repeats, seed, inTaskMaxPoints, start,
                    System.err));
        }
        String table = DynamicsBenchmark.markdown(results, repeats);
        BenchmarkCommand.emit(table, bench.out);
        return Main.EXIT_OK;
    }
}
