package org.gps.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.gps.core.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a step's output so that a half-written output is never read (docs/architecture.md, "Run
 * directory and the job contract"): the output is written into a hidden temporary sibling
 * {@code .<name>._tmp-<uuid>}, the previous output (if any) is deleted, the temporary folder is
 * renamed to the final path, and only then is the marker {@value #MARKER} written inside it.
 * A reader of a run's own outputs calls {@link #requireComplete} first, which refuses a folder
 * without the marker; so a crash at any point leaves either the old complete output, nothing, or
 * an unmarked folder that the next run of the step replaces.
 *
 * <p>The marker goes last (rather than into the temporary folder before the rename) because a
 * rename is a copy on object stores such as S3, where a marker copied early could announce files
 * not yet copied.
 *
 * <p>The contract is one writer per output at a time, as a pipeline step has: a publish deletes
 * the temporary siblings left behind by killed earlier attempts at the same output.
 */
public final class AtomicOutput {
    /** Name of the completion marker file inside a published folder. */
    public static final String MARKER = "_GPS_COMPLETE";

    private static final String TMP_INFIX = "._tmp-";
    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);

    private AtomicOutput() {
    }

    /** Writes an output folder into the temporary path it is given. */
    @FunctionalInterface
    public interface FolderWriter {
        /**
         * @param tempPath where to write (does not exist yet; Spark's {@code write().parquet(tempPath)} creates it)
         * @return the number of rows written, or -1 when the output is not a table
         */
        long writeTo(String tempPath) throws IOException;
    }

    public static CompletionMarker publish(SparkSession spark, String path, String writtenBy, FolderWriter writer) {
        return publish(HadoopFiles.conf(spark), path, writtenBy, writer);
    }

    /**
     * Writes through {@code writer} into a temporary sibling of {@code path}, then replaces
     * {@code path} with it and marks it complete.
     *
     * @return the marker written
     */
    public static CompletionMarker publish(Configuration conf, String path, String writtenBy, FolderWriter writer) {
        Path target = new Path(path);
        Path parent = requireParent(target);
        FileSystem fs = HadoopFiles.fileSystem(conf, target);
        Path tmp = new Path(parent, tempName(target));
        long rows;
        try {
            rows = writer.writeTo(tmp.toString());
            if (!fs.exists(tmp)) {
                throw new IOException("the writer produced nothing at " + tmp);
            }
        } catch (IOException e) {
            deleteQuietly(fs, tmp);
            throw new UncheckedIOException("writing " + path + " failed", e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(fs, tmp);
            throw e;
        }
        CompletionMarker marker = new CompletionMarker(writtenBy, Instant.now(), rows);
        try {
            replace(fs, tmp, target);
            HadoopFiles.writeUtf8(conf, new Path(target, MARKER), marker.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("publishing " + tmp + " as " + path + " failed", e);
        }
        deleteStaleTemps(fs, target);
        LOG.info("published {} ({} rows, {})", path, rows, writtenBy);
        return marker;
    }

    /**
     * Replaces a single small file (a JSON state, a config copy) atomically: write a temporary
     * sibling, then rename it over the old one. No marker: the rename itself publishes it.
     */
    public static void writeFile(Configuration conf, String path, byte[] content) {
        Path target = new Path(path);
        Path parent = requireParent(target);
        FileSystem fs = HadoopFiles.fileSystem(conf, target);
        Path tmp = new Path(parent, tempName(target));
        try {
            try (OutputStream out = HadoopFiles.sideFileSystem(conf, tmp).create(tmp, false)) {
                out.write(content);
            }
            replace(fs, tmp, target);
        } catch (IOException e) {
            deleteQuietly(fs, tmp);
            throw new UncheckedIOException("writing " + path + " failed", e);
        }
        // A killed earlier attempt leaves its hidden temporary beside the file; a rerun that
        // succeeds leaves the folder as an uninterrupted run would.
        deleteStaleTemps(fs, target);
    }

    /**
     * Removes a published output (file or folder) so that readers see it missing. A step whose
     * outputs must agree with each other (a C-step's controllers and its state) withdraws the
     * one that vouches for the others before replacing them, so that a step killed halfway
     * leaves no old file claiming the new outputs complete.
     */
    public static void withdraw(Configuration conf, String path) {
        Path p = new Path(path);
        FileSystem fs = HadoopFiles.fileSystem(conf, p);
        try {
            if (fs.exists(p) && !fs.delete(p, true)) {
                throw new IOException("delete returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot withdraw " + path, e);
        }
    }

    /** True when {@code path} is a folder published by {@link #publish} (it holds the marker). */
    public static boolean isComplete(Configuration conf, String path) {
        return HadoopFiles.isFile(conf, new Path(path, MARKER));
    }

    public static CompletionMarker requireComplete(SparkSession spark, String path) {
        return requireComplete(HadoopFiles.conf(spark), path);
    }

    /**
     * Refuses an output that is missing or was not completely published.
     *
     * @return its marker
     * @throws BadInputException naming the path when it does not exist or has no readable marker
     */
    public static CompletionMarker requireComplete(Configuration conf, String path) {
        if (!HadoopFiles.exists(conf, path)) {
            throw new BadInputException(path + " does not exist; expected a completed output of an earlier step");
        }
        if (!isComplete(conf, path)) {
            throw new BadInputException(path + " is incomplete: it has no " + MARKER
                    + " marker, so the step that writes it did not finish; rerun that step");
        }
        Path marker = new Path(path, MARKER);
        try {
            return CompletionMarker.fromJson(HadoopFiles.readUtf8(conf, marker));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(marker + " is not a valid completion marker (" + e.getMessage()
                    + "); rerun the step that writes " + path, e);
        }
    }

    /** True when {@code name} is a hidden temporary sibling of the output named {@code outputName}. */
    public static boolean isTemporaryOf(String name, String outputName) {
        return name.startsWith("." + outputName + TMP_INFIX);
    }

    private static Path requireParent(Path target) {
        Path parent = target.getParent();
        if (parent == null) {
            throw new BadInputException("cannot publish to " + target + ": the output must not be a file system root");
        }
        return parent;
    }

    private static String tempName(Path target) {
        // A leading dot hides it from Spark's and Hadoop's listings of the parent folder.
        return "." + target.getName() + TMP_INFIX + UUID.randomUUID();
    }

    private static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
        if (fs.exists(target) && !fs.delete(target, true)) {
            throw new IOException("cannot delete the previous output " + target);
        }
        fs.mkdirs(target.getParent());
        // rename into an existing folder would nest tmp inside it, hence the delete above.
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    private static void deleteStaleTemps(FileSystem fs, Path target) {
        String prefix = "." + target.getName() + TMP_INFIX;
        try {
            for (FileStatus s : fs.listStatus(target.getParent(), p -> p.getName().startsWith(prefix))) {
                LOG.info("deleting {} left by an earlier attempt", s.getPath());
                deleteQuietly(fs, s.getPath());
            }
        } catch (FileNotFoundException e) {
            // parent gone: nothing to clean
        } catch (IOException e) {
            LOG.warn("cannot list {} to clean temporary outputs: {}", target.getParent(), e.toString());
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.toString());
        }
    }
}
