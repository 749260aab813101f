package org.gps.pipeline.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show what a rollout dataset or a run holds.")
final class InspectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return Main.EXIT_OK;
    }
}
