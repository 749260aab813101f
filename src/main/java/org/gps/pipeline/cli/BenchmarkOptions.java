package org.gps.pipeline.cli;

import org.gps.core.BadInputException;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** --repeats, --seed and --out, shared by every benchmark. */
public final class BenchmarkOptions {
    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
            description = "Timed repeats per size after the warm-up round(s). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the generated problems. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the Markdown table to FILE (a new file; "
            + "an existing one only with --overwrite).")
    Path out;

    @Option(names = "--overwrite", description = "Replace FILE if it exists.")
    boolean overwrite;

    /** Refuses --out before the benchmark runs (minutes) rather than after. */
    void checkOut() {
        if (out != null) {
            org.gps.io.OutputGuard.checkFile(new org.apache.hadoop.conf.Configuration(),
                    new org.gps.io.OutputGuard.Output("--out", out.toAbsolutePath().toUri().toString(), "gps benchmark",
                            "gps benchmark", overwrite), null, java.util.List.of());
        }
    }

    int repeats() {
        if (repeats < 1) {
            throw new BadInputException("--repeats must be >= 1, got " + repeats);
        }
        return repeats;
    }
}
