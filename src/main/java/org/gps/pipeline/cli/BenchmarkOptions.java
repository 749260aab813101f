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

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the Markdown table to FILE.")
    Path out;

    int repeats() {
        if (repeats < 1) {
            throw new BadInputException("--repeats must be >= 1, got " + repeats);
        }
        return repeats;
    }
}
