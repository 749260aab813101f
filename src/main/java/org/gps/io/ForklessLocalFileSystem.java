package org.gps.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Hadoop's local file system with file modes set through java.nio. Without Hadoop's native library
 * (which no Debian package or Maven artifact provides) every file Hadoop creates on a local disk,
 * its checksum file and every directory it makes are followed by a {@code chmod} process: one
 * process per data file, checksum and directory, about 5 ms for each file Spark, Parquet or the
 * run directory's writers create, where setting the same mode through java.nio takes microseconds.
 * The files, their checksums and their modes are the same. Modes java.nio cannot set (the sticky
 * bit) and systems without POSIX attributes go through Hadoop's own way.
 */
public class ForklessLocalFileSystem extends LocalFileSystem {
    static final String IMPL_KEY = "fs.file.impl";

    public ForklessLocalFileSystem() {
        super(new Raw());
    }

    /**
     * Makes {@code conf} open this file system for {@code file:} paths unless it names another one.
     * Hadoop keeps one file system per scheme and user, made with the configuration of the first
     * call: every configuration that may be first (the session's, and those of the commands that
     * read local files before their session starts) must say the same.
     */
    public static Configuration preferIn(Configuration conf) {
        if (conf.get(IMPL_KEY) == null) {
            conf.set(IMPL_KEY, ForklessLocalFileSystem.class.getName());
        }
        return conf;
    }

    static final class Raw extends RawLocalFileSystem {
        private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

        @Override
        public void setPermission(Path p, FsPermission permission) throws IOException {
            if (NativeIO.isAvailable() || !POSIX || permission.getStickyBit()) {
                super.setPermission(p, permission);
                return;
            }
            Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission));
        }

        static Set<PosixFilePermission> posix(FsPermission permission) {
            Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
            add(s, permission.getUserAction(), PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE);
            add(s, permission.getGroupAction(), PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE);
            add(s, permission.getOtherAction(), PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            return s;
        }

        private static void add(Set<PosixFilePermission> s, FsAction a, PosixFilePermission read,
                                PosixFilePermission write, PosixFilePermission execute) {
            if (a.implies(FsAction.READ)) {
                s.add(read);
            }
            if (a.implies(FsAction.WRITE)) {
                s.add(write);
            }
            if (a.implies(FsAction.EXECUTE)) {
                s.add(execute);
            }
        }
    }
}
