package org.gps;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The orchestration stays readable: no method of the distributed steps and the pipeline
 * ({@code org.gps.spark}, {@code org.gps.pipeline}) runs over {@link #MAX_LINES} lines from its
 * signature to its closing brace; a longer one is split into named phases. Records, classes and
 * enums are not methods (a record with several short methods is fine).
 */
class MethodLengthTest {
    /** About a screenful: what a reader takes in at once. */
    static final int MAX_LINES = 60;
    private static final List<String> CHECKED = List.of("src/main/java/org/gps/spark", "src/main/java/org/gps/pipeline");
    /** A member signature at class-body depth: modifiers, a type, a name and an open parenthesis. */
    private static final Pattern SIGNATURE = Pattern.compile(
            "^\\s+(?:(?:public|private|protected|static|final|synchronized|default|abstract)\\s+)*"
                    + "(?:<[^>]+>\\s+)?[\\w.<>\\[\\], ?]+\\s+\\w+\\s*\\(.*");
    private static final Pattern NOT_A_METHOD = Pattern.compile(
            "\\b(record|class|enum|interface|new|return|throw|else|if|for|while|switch|catch|try)\\b|=");

    @Test
    void noMethodOfTheStepsOrThePipelineIsLongerThanTheLimit() throws IOException {
        List<String> tooLong = new ArrayList<>();
        for (String dir : CHECKED) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    tooLong.addAll(longMethods(f, Files.readAllLines(f, StandardCharsets.UTF_8)));
                }
            }
        }
        assertEquals(List.of(), tooLong, "methods over " + MAX_LINES + " lines: split them into named phases");
    }

    @Test
    void aPlantedLongMethodIsFoundAndARecordIsNot() {
        List<String> lines = new ArrayList<>();
        lines.add("final class Planted {");
        lines.add("    static int tooLong(int x) {");
        for (int i = 0; i < MAX_LINES; i++) {
            lines.add("        x++;");
        }
        lines.add("    }");
        lines.add("    record Short(int a) {");
        for (int i = 0; i < MAX_LINES; i++) {
            lines.add("        // a record's body");
        }
        lines.add("    }");
        lines.add("}");
        assertEquals(List.of("Planted.java:2 tooLong: " + (MAX_LINES + 2) + " lines"),
                longMethods(Path.of("Planted.java"), lines));
    }

    static List<String> longMethods(Path file, List<String> lines) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = stripComment(lines.get(i));
            if (!SIGNATURE.matcher(line).matches() || NOT_A_METHOD.matcher(line.substring(0, line.indexOf('('))).find()) {
                continue;
            }
            int depth = 0;
            boolean opened = false;
            int j = i;
            for (; j < lines.size(); j++) {
                String l = stripComment(lines.get(j));
                if (!opened && l.strip().endsWith(";")) {
                    break;
                }
                for (char ch : l.toCharArray()) {
                    if (ch == '{') {
                        depth++;
                        opened = true;
                    } else if (ch == '}') {
                        depth--;
                    }
                }
                if (opened && depth == 0) {
                    break;
                }
            }
            if (!opened) {
                continue;
            }
            int length = j - i + 1;
            if (length > MAX_LINES) {
                String name = line.substring(0, line.indexOf('(')).strip().replaceAll(".*\\s", "");
                out.add(file.getFileName() + ":" + (i + 1) + " " + name + ": " + length + " lines");
            }
            i = j;
        }
        return out;
    }

    /** The line without a trailing // comment and without the contents of string literals (braces in text). */
    private static String stripComment(String line) {
        String noStrings = line.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("'(?:\\\\.|[^'\\\\])'", "''");
        int c = noStrings.indexOf("//");
        return c >= 0 ? noStrings.substring(0, c) : noStrings;
    }
}
