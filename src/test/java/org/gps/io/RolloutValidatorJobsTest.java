package org.gps.io;

import static org.gps.io.RolloutFixtures.I_COST;
import static org.gps.io.RolloutFixtures.find;
import static org.gps.io.RolloutFixtures.spark;
import static org.gps.io.RolloutFixtures.validRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many Spark jobs {@code gps validate} starts on a small dataset: on such data each query costs
 * far more than its rows, so the checks share queries rather than run one each. The counts are those
 * of the tests' session (local, adaptive execution on, where each shuffle of a query is a job of its
 * own); a check that goes back to a query of its own adds jobs and fails here.
 */
class RolloutValidatorJobsTest {
    @TempDir
    Path dir;

    /**
     * Seven jobs: the Parquet footers (one); the pass over the rows, grouped by source (its shuffle and
     * its result); the key checks (the shuffles by key, by trajectory and by condition and length, and
     * the result).
     */
    @Test
    void aValidDatasetIsCheckedInOnePassOverTheRowsAndOneOverTheKeys() throws Exception {
        String path = dir.resolve("valid").toString();
        RolloutWriter.write(RolloutFixtures.frame(validRows(), RolloutSchema.STRUCT), path);

        int jobs = jobsToValidate(path, Set.of());

        assertEquals(7, jobs, "Spark jobs to validate a valid dataset");
    }

    /**
     * The seven jobs of a valid dataset, then only what the examples of the two faults take: the key
     * of the row with a NaN cost (one job); the trajectory that lacks a step, taken from the trajectory
     * table, which is built then and kept for the examples of any other trajectory rule (its two
     * shuffles, storing it, the result: four); the steps that trajectory has (a shuffle and the result).
     */
    @Test
    void aFaultAddsOnlyTheQueriesThatFetchItsExamples() throws Exception {
        List<Object[]> rows = validRows();
        find(rows, 0, 1, 2)[I_COST] = Double.NaN;
        rows.remove(find(rows, 1, 1, 2));
        String path = RolloutFixtures.writeRaw(dir, "faults", rows);

        int jobs = jobsToValidate(path, Set.of(FaultKind.NON_FINITE, FaultKind.MISSING_TIME_STEP));

        assertEquals(14, jobs, "Spark jobs to validate a dataset with a NaN cost and a missing time step");
    }

    /** The Spark jobs {@link RolloutValidator#validate} starts on the dataset, which must have exactly {@code kinds}. */
    private static int jobsToValidate(String path, Set<FaultKind> kinds) {
        AtomicReference<ValidationReport> report = new AtomicReference<>();
        int jobs = SparkJobCount.of(spark(), () -> report.set(RolloutValidator.validate(spark(), path)));
        assertEquals(kinds, report.get().kinds(), report.get().format());
        return jobs;
    }
}
