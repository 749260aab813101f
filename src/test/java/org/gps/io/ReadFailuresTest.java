package org.gps.io;

import org.apache.hadoop.security.AccessControlException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The failures of reading a file, as the layers under a Spark job wrap them, said in plain words. */
class ReadFailuresTest {
    static String plain(Throwable t) {
        return ReadFailures.plain(t).getMessage();
    }

    static SparkException inTask(Throwable cause) {
        return new SparkException("Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times", cause);
    }

    @Test
    void permissionDeniedIsNamedWhateverItCaused() {
        Throwable javaIo = new RuntimeException("[FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] Encountered error while "
                + "reading file file:/d/part-1.parquet. Could not read footer.",
                new FileNotFoundException("/d/part-1.parquet (Permission denied)"));
        assertEquals("/d/part-1.parquet: permission denied", plain(inTask(javaIo)));
        assertEquals("/d/config.yaml: permission denied",
                plain(new UncheckedIOException("cannot read /d/config.yaml", new AccessDeniedException("/d/config.yaml"))));
        assertEquals("/gps/runs/p/config.json: permission denied", plain(new AccessControlException(
                "Permission denied: user=etl, access=READ, inode=\"/gps/runs/p/config.json\":gps:gps:-rw-------")));
    }

    @Test
    void fileThatIsNotParquetIsNamed() {
        String expected = "/d/part-0.parquet: not a readable Parquet file (truncated, empty or another format)";
        assertEquals(expected, plain(inTask(new SparkException("[FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] Encountered "
                + "error while reading file file:/d/part-0.parquet. Could not read footer.\nIf not, please convert it",
                new RuntimeException("file:/d/part-0.parquet is not a Parquet file (length is too low: 0)")))));
        assertEquals(expected, plain(new RuntimeException("[FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] Encountered "
                + "error while reading file file:/d/part-0.parquet. Could not read footer.")));
        assertEquals(expected, plain(new RuntimeException("could not read footer for file: FileStatus{path=file:/d/"
                + "part-0.parquet; isDirectory=false; length=12}")));
    }

    @Test
    void fileRemovedWhileReadingIsNamed() {
        assertEquals("/d/part-2.parquet: not found (removed while the step ran?)",
                plain(inTask(new FileNotFoundException("File file:/d/part-2.parquet does not exist"))));
    }

    @Test
    void otherFailuresAreNotGuessedAt() {
        assertNull(ReadFailures.plain(inTask(new IllegalStateException("index 3 out of bounds"))));
        assertNull(ReadFailures.plain(new OutOfMemoryError("Java heap space")));
    }
}
