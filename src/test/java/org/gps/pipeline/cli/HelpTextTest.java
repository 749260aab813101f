package org.gps.pipeline.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Help texts read well at 80 columns: picocli wraps each element of a description as one
 * paragraph, so an element that is a line fragment ("... and writes the") prints as a ragged short
 * line followed by a new one. Every element must therefore end a sentence (or a list item's clause).
 */
class HelpTextTest {
    private static final Pattern PARAGRAPH_END = Pattern.compile("[.:!?)]$");

    private static List<CommandLine> allCommands(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            out.addAll(allCommands(sub));
        }
        return out;
    }

    @Test
    void everyDescriptionElementIsAWholeParagraph() {
        List<String> fragments = new ArrayList<>();
        for (CommandLine cl : allCommands(Main.commandLine())) {
            CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
            for (String line : spec.usageMessage().description()) {
                if (!PARAGRAPH_END.matcher(line.replace("%n", "").strip()).find()) {
                    fragments.add(spec.qualifiedName() + ": \"" + line + "\"");
                }
            }
            for (CommandLine.Model.OptionSpec o : spec.options()) {
                for (String line : o.description()) {
                    if (!line.isBlank() && !PARAGRAPH_END.matcher(line.strip()).find()) {
                        fragments.add(spec.qualifiedName() + " " + o.longestName() + ": \"" + line + "\"");
                    }
                }
            }
        }
        assertEquals(List.of(), fragments, "description elements that end mid-sentence (picocli starts a new line "
                + "after each element)");
    }

    @Test
    void everyHelpFitsEightyColumns() {
        for (CommandLine cl : allCommands(Main.commandLine())) {
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (String line : help.lines().toList()) {
                assertTrue(line.length() <= 80, cl.getCommandSpec().qualifiedName() + ": " + line.length()
                        + " characters: " + line);
            }
        }
    }
}
