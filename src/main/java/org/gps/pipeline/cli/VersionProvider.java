package org.gps.pipeline.cli;

import org.gps.io.BuildInfo;
import picocli.CommandLine;

/**
 * What {@code gps --version} prints: the project's version and the git commit the classes were
 * built from, the same {@link BuildInfo} every output records.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
    static String[] lines(BuildInfo info) {
        return new String[] {"gps " + info.version(), "commit " + info.describeCommit()};
    }

    @Override
    public String[] getVersion() {
        return lines(BuildInfo.current());
    }
}
