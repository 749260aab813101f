package org.gps.io;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Small file operations through the Hadoop FileSystem API, so that a local path, {@code file:},
 * {@code hdfs:} and {@code s3a:} URIs behave the same (docs/architecture.md, "Run directory and the job
 * contract": never {@code java.io.File} only). IO failures surface as {@link UncheckedIOException}.
 */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /** The Hadoop configuration of the session: carries fs.defaultFS, S3 credentials providers and so on. */
    public static Configuration conf(SparkSession spark) {
        return spark.sparkContext().hadoopConfiguration();
    }

    /**
     * A configuration for the files a command reads before its session exists, opening local paths
     * as the session will ({@link ForklessLocalFileSystem}).
     */
    public static Configuration localConf() {
        return ForklessLocalFileSystem.preferIn(new Configuration());
    }

    /** The file system that holds {@code path} (the default file system when the path has no scheme). */
    public static FileSystem fileSystem(Configuration conf, Path path) {
        try {
            return FileSystem.get(path.toUri(), conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + path, e);
        }
    }

    /**
     * Whether {@code uri} is on the local file system (no scheme, or {@code file:}): a command can
     * read it before it starts Spark, so that its argument errors come in the time the JVM takes to
     * start rather than after the session's. Other URIs need the session's file systems.
     */
    public static boolean isLocal(String uri) {
        String scheme = new Path(uri).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    public static boolean exists(Configuration conf, String path) {
        Path p = new Path(path);
        try {
            return fileSystem(conf, p).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check whether " + path + " exists", e);
        }
    }

    public static boolean isDirectory(Configuration conf, String path) {
        Path p = new Path(path);
        try {
            return fileSystem(conf, p).getFileStatus(p).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + path, e);
        }
    }

    /** True when {@code path} exists and is a file (not a folder). */
    public static boolean isFile(Configuration conf, Path path) {
        try {
            return fileSystem(conf, path).getFileStatus(path).isFile();
        } catch (FileNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + path, e);
        }
    }

    /**
     * The file system for small JSON side files (markers, sidecars, states): on the local file
     * system, the raw one, so that no {@code .crc} file is written beside them and a file edited
     * or copied by hand is not refused with a checksum error; checksums add nothing to 100 bytes
     * of JSON.
     */
    static FileSystem sideFileSystem(Configuration conf, Path path) {
        FileSystem fs = fileSystem(conf, path);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    /** Reads a small text file whole. */
    public static String readUtf8(Configuration conf, Path path) {
        try (InputStream in = sideFileSystem(conf, path).open(path)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Writes a small text file, replacing it if present. Not atomic: see {@link AtomicOutput#writeFile}. */
    public static void writeUtf8(Configuration conf, Path path, String text) {
        try (OutputStream out = sideFileSystem(conf, path).create(path, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /**
     * Names, sizes and modification times of the files directly in folder {@code path}, in name
     * order, or null when it cannot be listed: what a per-process cache of a folder's content is
     * keyed by, so that any file written, replaced or removed since is noticed.
     */
    public static String listing(Configuration conf, String path) {
        try {
            Path dir = new Path(path);
            FileStatus[] files = fileSystem(conf, dir).listStatus(dir);
            Arrays.sort(files, Comparator.comparing(f -> f.getPath().getName()));
            StringBuilder b = new StringBuilder();
            for (FileStatus f : files) {
                b.append(f.getPath().getName()).append(' ').append(f.getLen()).append(' ')
                        .append(f.getModificationTime()).append('\n');
            }
            return b.toString();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
