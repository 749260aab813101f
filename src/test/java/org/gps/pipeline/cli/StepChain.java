package org.gps.pipeline.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Test entry point: several command lines of {@link Main} in one JVM, separated by {@code --and},
 * so a test pays one JVM start (seconds on a loaded machine) for a whole iteration.
 */
public final class StepChain {
    private StepChain() {
    }

    public static void main(String[] args) {
        List<String> cmd = new ArrayList<>();
        for (int i = 0; i <= args.length; i++) {
            if (i == args.length || args[i].equals("--and")) {
                int code = Main.execute(cmd.toArray(String[]::new));
                if (code != 0) {
                    System.exit(code);
                }
                cmd.clear();
            } else {
                cmd.add(args[i]);
            }
        }
        System.exit(0);
    }
}
