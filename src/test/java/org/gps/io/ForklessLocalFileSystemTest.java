package org.gps.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Local files through java.nio's modes: the same files, checksums and modes as Hadoop's own local file system. */
class ForklessLocalFileSystemTest {
    @TempDir
    java.nio.file.Path dir;

    private static FileSystem open(Class<? extends FileSystem> impl) throws Exception {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", impl.getName());
        return FileSystem.newInstance(URI.create("file:///"), conf);
    }

    /** Every mode without the sticky bit: the nine permission bits java.nio sets are the ones Hadoop names. */
    @Test
    void everyModeMapsToTheSamePosixPermissions() {
        for (short mode = 0; mode < 01000; mode++) {
            FsPermission p = new FsPermission(mode);
            assertEquals(PosixFilePermissions.fromString(p.toString()), ForklessLocalFileSystem.Raw.posix(p),
                    "mode " + Integer.toOctalString(mode));
        }
    }

    @Test
    void filesDirectoriesAndChecksumsComeOutAsWithHadoopsOwnLocalFileSystem() throws Exception {
        try (FileSystem ours = open(ForklessLocalFileSystem.class); FileSystem stock = open(LocalFileSystem.class)) {
            assertInstanceOf(ForklessLocalFileSystem.class, ours);
            for (FileSystem fs : new FileSystem[] {ours, stock}) {
                String name = fs == ours ? "ours" : "stock";
                Path base = new Path(dir.toUri().toString(), name);
                fs.mkdirs(new Path(base, "a/b"));
                fs.mkdirs(new Path(base, "private"), new FsPermission((short) 0700));
                try (FSDataOutputStream out = fs.create(new Path(base, "a/b/data.txt"), true)) {
                    out.write("rows".getBytes(StandardCharsets.UTF_8));
                }
                try (FSDataOutputStream out = fs.create(new Path(base, "secret.txt"), new FsPermission((short) 0640),
                        true, 4096, (short) 1, 1 << 20, null)) {
                    out.write("key".getBytes(StandardCharsets.UTF_8));
                }
            }
            for (String file : new String[] {"a", "a/b", "private", "a/b/data.txt", "a/b/.data.txt.crc", "secret.txt",
                    ".secret.txt.crc"}) {
                java.nio.file.Path a = dir.resolve("ours").resolve(file);
                java.nio.file.Path b = dir.resolve("stock").resolve(file);
                assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(b)),
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(a)), file);
                if (Files.isRegularFile(b)) {
                    assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a), file);
                }
            }
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("ours/private"))));
            assertEquals("rw-r-----", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("ours/secret.txt"))));
        }
    }

    @Test
    void theSessionAndThePreSessionReadsOpenLocalPathsWithIt() {
        String name = ForklessLocalFileSystem.class.getName();
        assertEquals(name, HadoopFiles.conf(SparkTestSession.get()).get("fs.file.impl"));
        assertEquals(name, HadoopFiles.localConf().get("fs.file.impl"));
    }

    @Test
    void aFileSystemTheConfigurationAlreadyNamesIsKept() {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", LocalFileSystem.class.getName());
        assertEquals(LocalFileSystem.class.getName(), ForklessLocalFileSystem.preferIn(conf).get("fs.file.impl"));
    }
}
