package org.gps.pipeline.cli;

import org.apache.spark.sql.SparkSession;
import org.gps.io.PhaseProfile;
import picocli.CommandLine.Option;

import java.util.function.Supplier;

/**
 * {@code --profile} of the per-step jobs: the step's phases, timed as one iteration, and the JVM's
 * start before it, printed as the table {@code gps run --profile} ends with. A step is a part of an
 * iteration, so it writes no {@code profile.json}.
 */
public final class ProfileOption {
    @Option(names = "--profile", description = "Print where the step's wall time went, by phase, with the Spark jobs "
            + "each ran and the JVM and Spark start before it (the table of 'gps run --profile'; no file is written). "
            + "Off by default; the outputs are the same bits either way.")
    boolean profile;

    /** The profile of this thread, started now (right after the session, which it times from the JVM's start); null when off. */
    PhaseProfile start(SparkSession spark) {
        return profile ? PhaseProfile.start(spark.sparkContext()) : null;
    }

    /** Runs the step as the profile's iteration {@code iteration}; just runs it without a profile. */
    static <T> T step(PhaseProfile profile, int iteration, Supplier<T> body) {
        if (profile == null) {
            return body.get();
        }
        profile.beginIteration(iteration);
        T result = body.get();
        profile.endIteration();
        return result;
    }

    /** Prints the profile's table to standard output; nothing without a profile. */
    static void print(PhaseProfile profile) {
        if (profile != null) {
            System.out.print(profile.table());
            System.out.flush();
        }
    }
}
