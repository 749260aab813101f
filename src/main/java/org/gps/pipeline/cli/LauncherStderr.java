package org.gps.pipeline.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.Charset;

/**
 * Standard error written straight to the console descriptor the launcher hands over
 * ({@code jobs/gps-jvm}: {@value #PROPERTY}), not through the filter on the JVM's own fd 2 that
 * drops the JVM's incubator-module warning: our messages then reach the console as they are
 * written, and none can come after the process has ended. Without the property (spark-submit, the
 * tests' own JVM) nothing changes.
 */
final class LauncherStderr {
    static final String PROPERTY = "gps.stderr.fd";

    private LauncherStderr() {
    }

    static void install() {
        String fd = System.getProperty(PROPERTY);
        if (fd == null) {
            return;
        }
        try {
            // The JDK has no public way to wrap an inherited descriptor; java.io is opened to us by
            // jobs/jvm.options (Spark needs it too). Reopening /dev/fd/N instead would truncate a file
            // the console was redirected to and write at an offset of its own.
            FileDescriptor descriptor = new FileDescriptor();
            Field f = FileDescriptor.class.getDeclaredField("fd");
            f.setAccessible(true);
            f.setInt(descriptor, Integer.parseInt(fd.trim()));
            String encoding = System.getProperty("sun.stderr.encoding");
            Charset charset = encoding != null ? Charset.forName(encoding) : Charset.defaultCharset();
            System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(descriptor), 128), true,
                    charset));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Standard error stays the JVM's fd 2: everything still reaches the console, through the filter.
        }
    }
}
