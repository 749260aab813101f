package org.gps.pipeline.cli;

import org.gps.core.env.Environments;
import org.gps.pipeline.config.ConfigReader;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "config-keys", mixinStandardHelpOptions = true,
        description = {"List every experiment-config key with its default, its bound and what it means.",
                "Section by section, from the declarations the config reader reads through (docs/formats.md "
                        + "renders the same declarations as tables), then each environment type's parameters. "
                        + "Starts no Spark."})
final class ConfigKeysCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.print(ConfigReader.keysHelp());
        out.println("environment (by type):");
        out.print(Environments.help().indent(2));
        out.flush();
        return Main.EXIT_OK;
    }
}
