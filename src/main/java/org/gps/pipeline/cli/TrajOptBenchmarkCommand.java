package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.bench.BenchSize;
import org.gps.bench.TrajOptBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "trajopt", mixinStandardHelpOptions = true,
        description = {"Time the cost expansion over all rollouts and the C-step (docs/benchmarks.md).",
                "Per size: rollouts of a random stable linear system are sampled and cached; after one "
                        + "warm-up, each repeat times CostEvaluation over all rollouts, the C-step of all conditions "
                        + "on Spark, and the same C-step in one driver thread.",
                "Prints a Markdown table (median and min of the repeats, peak heap) to stdout."})
final class TrajOptBenchmarkCommand implements Callable<Integer> {
    @Option(names = "--sizes", paramLabel = "LIST", defaultValue = "small,medium,large",
            description = "Comma-separated sizes: small (M=4,N=5,T=100,dX=3,dU=1), medium (8,20,100,26,7), "
                    + "large (16,40,200,26,7). Default: ${DEFAULT-VALUE}.")
    String sizes;

    @Option(names = "--export", paramLabel = "DIR",
            description = "Before timing, write each size's generated problem (rollouts, cost expansion, dynamics, "
                    + "reference controllers as .npy, settings as problem.json) to DIR/trajopt-SIZE, a new or empty "
                    + "directory, for timing another implementation on it (bench/original/README.md).")
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
        List<BenchSize> list = BenchSize.parse(sizes);
        SparkSession session = spark.session("benchmark trajopt");
        if (export != null) {
            for (BenchSize size : list) {
                TrajOptBenchmark.export(session, size, seed, export.resolve("trajopt-" + size.name()));
            }
        }
        List<TrajOptBenchmark.Measurement> results = TrajOptBenchmark.run(session, list, repeats, seed, System.err);
        String table = TrajOptBenchmark.markdown(results, repeats);
        BenchmarkCommand.emit(table, bench.out);
        return Main.EXIT_OK;
    }
}
