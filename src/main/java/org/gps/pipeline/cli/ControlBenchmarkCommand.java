package org.gps.pipeline.cli;

import org.gps.bench.ControlBenchmark;
import org.gps.bench.ControlBenchmarkReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "control", mixinStandardHelpOptions = true,
        description = {"How reliably a config learns to control, over training seeds (see docs/benchmarks.md).",
                "Runs the config once per seed (its seed: replaced) into DIR/seed=S/ with the loop of 'gps "
                        + "run' (a seed whose run is complete is not run again, an incomplete one resumes), scores "
                        + "every seed's final policy (TrajOpt: final controllers) on one evaluation seed, and writes "
                        + "DIR/control.md, DIR/control.json and DIR/control.png. Prints the table at the end."})
final class ControlBenchmarkCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "C", required = true, description = "Experiment config (YAML or JSON).")
    String config;

    @Option(names = "--seeds", paramLabel = "LIST", required = true,
            description = "Comma-separated training seeds, e.g. 0,1,2,3,4.")
    String seeds;

    @Option(names = "--eval-seed", paramLabel = "S",
            description = "Seed of the evaluation's random starts, the same for every training seed. Default: "
                    + ControlBenchmark.DEFAULT_EVAL_SEED + ".")
    Long evalSeed;

    @Option(names = "--eval-episodes", paramLabel = "N",
            description = "Evaluation episodes (default: the config's policy.eval_episodes; TrajOpt: episodes per "
                    + "condition, default samples).")
    Integer evalEpisodes;

    @Option(names = "--budget", paramLabel = "STEPS",
            description = "Also score each seed's policy as its run would have published it after STEPS "
                    + "environment steps of training (the best policy_eval.json among the iterations trained "
                    + "from at most STEPS steps, by best_policy.json's rule), on the same evaluation starts; the "
                    + "table gains its iteration and return. Configs that train a policy only.")
    Long budget;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Output folder: new, empty, or an earlier control benchmark's output to resume.")
    Path out;

    @Mixin
    SparkOptions spark;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<Long> list = ControlBenchmark.parseSeeds(seeds);
        ControlBenchmark.checkLocalConfig(config);
        PrintWriter stdout = spec.commandLine().getOut();
        // The seeds' runs are progress: --quiet leaves the table of results alone.
        boolean quiet = Main.quiet(spec);
        PrintWriter log = quiet ? new PrintWriter(Writer.nullWriter()) : stdout;
        ControlBenchmark.Result r = ControlBenchmark.run(spark.session("benchmark control"), config, list, evalSeed,
                evalEpisodes, budget, out, log);
        if (!quiet) {
            stdout.println();
        }
        stdout.print(ControlBenchmarkReport.markdown(r));
        stdout.printf(Locale.ROOT, "written: %s, %s, %s%n", out.resolve("control.md"), out.resolve("control.json"),
                out.resolve("control.png"));
        stdout.flush();
        return Main.EXIT_OK;
    }
}
