package org.gps.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.spark.sql.SparkSession;
import org.gps.core.control.LinearGaussianController;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small table read whole by the driver is asked of Spark once per process while its files stay the
 * same (each read is two Spark jobs: footers, then rows), is not asked of Spark at all when this
 * process published it, and is read again as soon as any of its files changes.
 */
class SmallTablesTest {
    @TempDir
    Path dir;

    private static SparkSession spark() {
        return SparkTestSession.get();
    }

    private static Map<Integer, LinearGaussianController> read(String path, int expectedJobs) {
        AtomicReference<Map<Integer, LinearGaussianController>> out = new AtomicReference<>();
        int jobs = SparkJobCount.of(spark(), () -> out.set(ControllerStore.read(spark(), path)));
        assertEquals(expectedJobs, jobs, "Spark jobs to read " + path);
        return out.get();
    }

    private static void assertSameBits(Map<Integer, LinearGaussianController> expected,
                                       Map<Integer, LinearGaussianController> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((c, e) -> {
            LinearGaussianController a = actual.get(c);
            for (int t = 0; t < e.horizon(); t++) {
                assertArrayEquals(e.gain(t).toRowMajor(), a.gain(t).toRowMajor());
                assertArrayEquals(e.offset(t), a.offset(t));
                assertArrayEquals(e.covariance(t).toRowMajor(), a.covariance(t).toRowMajor());
            }
        });
    }

    @Test
    void aSecondReadOfUnchangedFilesRunsNoSparkJob() {
        String path = dir.resolve("controllers").toString();
        Map<Integer, LinearGaussianController> in = ControllerStoreTest.controllers();
        spark().createDataFrame(ControllerStore.rows(in), ControllerStore.SCHEMA).coalesce(1).write().parquet(path);

        Map<Integer, LinearGaussianController> first = read(path, 2);
        Map<Integer, LinearGaussianController> second = read(path, 0);

        assertSameBits(in, first);
        assertSameBits(in, second);
        // Each read parses objects of its own: a caller cannot change what another one gets.
        assertEquals(first, second);
        first.get(0).offset(0)[0] = 42;
        assertSameBits(in, read(path, 0));
    }

    @Test
    void whatThisProcessPublishedIsReadBackWithoutASparkJobAsTheFilesWouldGiveIt() {
        String path = dir.resolve("published").toString();
        Map<Integer, LinearGaussianController> in = ControllerStoreTest.controllers();
        spark().createDataFrame(ControllerStore.rows(in), ControllerStore.SCHEMA).coalesce(1).write().parquet(path);

        int jobs = SparkJobCount.of(spark(), () -> ControllerStore.published(spark(), path, in));

        assertEquals(0, jobs, "Spark jobs to note what was published");
        assertSameBits(ControllerStore.fromDataFrame(spark().read().parquet(path), path), read(path, 0));
    }

    @Test
    void aChangedFileIsReadAgain() {
        String path = dir.resolve("changed").toString();
        Map<Integer, LinearGaussianController> in = ControllerStoreTest.controllers();
        spark().createDataFrame(ControllerStore.rows(in), ControllerStore.SCHEMA).coalesce(1).write().parquet(path);
        read(path, 2);

        Map<Integer, LinearGaussianController> other = new TreeMap<>(Map.of(5, in.get(3)));
        spark().createDataFrame(ControllerStore.rows(other), ControllerStore.SCHEMA).coalesce(1).write().mode("overwrite").parquet(path);

        assertSameBits(other, read(path, 2));
    }

    @Test
    void theCacheKeepsAtMostItsCapacityAndOnlyForTheSameListing() {
        FolderCache<String> cache = new FolderCache<>(2);
        cache.put("a", "a 1 1\n", "A");
        cache.put("b", "b 1 1\n", "B");
        assertSame("A", cache.get("a", "a 1 1\n"));
        cache.put("c", "c 1 1\n", "C");

        assertEquals(2, cache.size());
        assertNull(cache.get("b", "b 1 1\n"), "the least recently used is dropped");
        assertNull(cache.get("a", "a 1 2\n"), "another listing is a miss");
        cache.put("a", null, "A2");
        assertNull(cache.get("a", "a 1 1\n"), "a folder that could not be listed is not kept");
        assertEquals(1, cache.size());
    }
}
