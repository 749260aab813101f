package org.gps.pipeline.cli;

import org.gps.core.linalg.Mat;
import org.gps.io.BuildInfo;
import picocli.CommandLine;

import java.util.Arrays;

/**
 * What {@code gps --version} prints: the project's version and the git commit the classes were
 * built from, the same {@link BuildInfo} every output records, and the arithmetic kernels this JVM
 * computes with (results are reproducible bit for bit for the same code, seed and kernels).
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
    static String[] lines(BuildInfo info) {
        return new String[] {"gps " + info.version(), "commit " + info.describeCommit()};
    }

    @Override
    public String[] getVersion() {
        String[] build = lines(BuildInfo.current());
        String[] all = Arrays.copyOf(build, build.length + 1);
        all[build.length] = "kernels " + Mat.kernels();
        return all;
    }
}
