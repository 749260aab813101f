package org.gps.io;

import org.gps.core.BadInputException;

import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Well-known failures of reading a file, as Java, Hadoop, Parquet and Spark report them (often
 * several layers deep in a task's failure), said in plain words naming the file: "permission
 * denied" rather than Spark's "could not read footer" around it.
 */
public final class ReadFailures {
    // Parquet: "file:/d/part-0.parquet is not a Parquet file (length is too low: 0)" or "... Expected magic number ...".
    private static final Pattern NOT_PARQUET = Pattern.compile("(\\S+) is not a Parquet file");
    // Spark's error classes: "[FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] Encountered error while reading file F. ..."
    private static final Pattern SPARK_FILE = Pattern.compile("Encountered error while reading file (\\S+?)\\.?(\\s|$)");
    // Parquet's footer reader: "could not read footer for file: FileStatus{path=F; isDirectory=false; ...}".
    private static final Pattern FOOTER = Pattern.compile("(?i)could not read footer for file: FileStatus\\{path=([^;}]+)");
    // HDFS: "Permission denied: user=u, access=READ, inode=\"/d/f\":..."
    private static final Pattern INODE = Pattern.compile("inode=\"?([^\":]+)");
    private static final String DENIED = "Permission denied";

    private ReadFailures() {
    }

    /**
     * The plain-words form of {@code t} when a cause in its chain is a well-known read failure; null
     * otherwise. Permission problems win over what they caused (a footer that could not be read).
     */
    public static BadInputException plain(Throwable t) {
        for (Throwable c = t; c != null; c = next(c)) {
            String path = deniedPath(c);
            if (path != null) {
                return new BadInputException(path + ": permission denied", t);
            }
        }
        for (Throwable c = t; c != null; c = next(c)) {
            String m = String.valueOf(c.getMessage());
            Matcher np = NOT_PARQUET.matcher(m);
            if (np.find()) {
                return notParquet(np.group(1), t);
            }
        }
        for (Throwable c = t; c != null; c = next(c)) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("CANNOT_READ_FILE_FOOTER")) {
                Matcher sf = SPARK_FILE.matcher(m);
                if (sf.find()) {
                    return notParquet(sf.group(1), t);
                }
            }
            Matcher f = FOOTER.matcher(m);
            if (f.find()) {
                return notParquet(f.group(1), t);
            }
        }
        for (Throwable c = t; c != null; c = next(c)) {
            if (c instanceof NoSuchFileException n && n.getFile() != null) {
                return new BadInputException(local(n.getFile()) + ": not found", t);
            }
            if (c instanceof FileNotFoundException) {
                String m = String.valueOf(c.getMessage());
                Matcher sf = SPARK_FILE.matcher(m);
                String file = sf.find() ? sf.group(1) : firstPath(m);
                return new BadInputException((file == null ? m : local(file))
                        + ": not found (removed while the step ran?)", t);
            }
        }
        return null;
    }

    private static BadInputException notParquet(String file, Throwable t) {
        return new BadInputException(local(file) + ": not a readable Parquet file (truncated, empty or another format)", t);
    }

    private static String deniedPath(Throwable c) {
        if (c instanceof AccessDeniedException a) {
            return a.getFile() == null ? String.valueOf(a.getMessage()) : local(a.getFile());
        }
        String m = c.getMessage();
        if (m == null || !m.contains(DENIED)) {
            return null;
        }
        // java.io: "/d/f (Permission denied)"
        int paren = m.indexOf(" (" + DENIED + ")");
        if (paren > 0) {
            return local(m.substring(0, paren).trim());
        }
        Matcher inode = INODE.matcher(m);
        if (inode.find()) {
            return local(inode.group(1));
        }
        String p = firstPath(m);
        return p == null ? m : local(p);
    }

    /** The first thing in {@code m} that looks like a path or URI. */
    private static String firstPath(String m) {
        Matcher p = Pattern.compile("((?:[a-z0-9]+:)?/[^\\s:;,'\"()]+)").matcher(m);
        return p.find() ? p.group(1) : null;
    }

    /** Local paths as the user typed them: without the file: scheme Hadoop adds. */
    private static String local(String path) {
        if (path.startsWith("file:///")) {
            return path.substring("file://".length());
        }
        return path.startsWith("file:/") ? path.substring("file:".length()) : path;
    }

    private static Throwable next(Throwable c) {
        Throwable n = c.getCause();
        return n == c ? null : n;
    }
}
