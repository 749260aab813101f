package org.gps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers of docs/architecture.md hold: every main source file uses only names of its own layer
 * and the layers below it, and core names no Spark, Hadoop or Scala type. Both import lines and
 * fully qualified names in code count; comments and string literals do not, since they are no
 * dependency. Each finding is reported as {@code path:line: name (rule)}.
 */
class LayeringTest {
    /** Where the tests run: Maven starts them in the project's base directory. */
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String MAIN = "src/main/java";

    /**
     * Lowest first: a layer may use its own names and those of the layers before it. The command
     * line sits above the benchmarks because it names them as subcommands, while the benchmarks
     * drive runs through the pipeline's steps.
     */
    static final List<String> LAYERS = List.of("org.gps.core", "org.gps.io", "org.gps.spark", "org.gps.pipeline",
            "org.gps.bench", "org.gps.pipeline.cli");
    /** What the Spark-free math may not name, on top of the layers above it. */
    static final List<String> NOT_IN_CORE = List.of("org.apache.spark", "org.apache.hadoop", "scala");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern NAME = Pattern.compile(
            "(?<![\\w.])(?:org\\.gps|org\\.apache\\.spark|org\\.apache\\.hadoop|scala)(?:\\s*\\.\\s*[\\w*]+)+");

    @Test
    void everyMainSourceFileKeepsToItsLayer() throws IOException {
        Path main = ROOT.resolve(MAIN);
        assertTrue(Files.isDirectory(main), "tests must run in the project's base directory, not " + ROOT);
        List<Path> files = javaFiles(main);
        // A scan that found no files would pass whatever the code says.
        assertTrue(files.size() > 100, "expected the main sources under " + main + ", found " + files.size());
        List<String> findings = violations(ROOT, MAIN);
        assertTrue(findings.isEmpty(), findings.size() + " use(s) of a layer from below it (docs/architecture.md, "
                + "\"Layers\"):\n" + String.join("\n", findings));
    }

    @Test
    void everyLayerSaysWhatItMayImport() {
        for (String layer : LAYERS) {
            Path info = ROOT.resolve(MAIN).resolve(layer.replace('.', '/')).resolve("package-info.java");
            assertTrue(Files.isRegularFile(info), "missing " + ROOT.relativize(info));
        }
    }

    /** The checker itself, on a planted tree: each kind of crossing is found, at its line, and nothing else. */
    @Test
    void theCheckerFindsEveryPlantedCrossingAndNothingElse(@TempDir Path dir) throws IOException {
        plant(dir, "org/gps/core/Plant.java",
                "package org.gps.core;",
                "import org.gps.core.linalg.Mat;",
                "import org.gps.spark.SparkSessions;",
                "import static org.gps.io.HadoopFiles.conf;",
                "import java.util.List;",
                "// org.apache.spark.sql.Row in a comment is no dependency",
                "/* nor in a block comment: org.gps.pipeline.RunDirectory */",
                "class Plant {",
                "    String key = \"org.apache.hadoop.fs.defaultFS\";",
                "    char quote = '\"';",
                "    String block = \"\"\"",
                "        org.apache.spark.sql.Row in a text block",
                "        \"\"\";",
                "    org.apache.spark.sql.Row row;",
                "    scala.Tuple2<Integer, Integer> pair;",
                "    org.gps.core.linalg.Mat m;",
                "}");
        plant(dir, "org/gps/io/Plant.java",
                "package org.gps.io;",
                "import org.apache.spark.sql.Row;",
                "import org.gps.core.BadInputException;",
                "import org.gps.spark.DynamicsFitting;");
        plant(dir, "org/gps/pipeline/steps/Plant.java",
                "package org.gps.pipeline.steps;",
                "import org.gps.spark.DynamicsWriter;",
                "import org.gps.bench.*;",
                "import org.gps.pipeline.cli.Main;");
        plant(dir, "org/gps/pipeline/cli/Plant.java",
                "package org.gps.pipeline.cli;",
                "import org.gps.bench.BenchSize;",
                "import org.gps.pipeline.steps.RunLoop;");
        plant(dir, "org/gps/bench/Plant.java",
                "package org.gps.bench;",
                "import org.gps.pipeline.steps.RunLoop;",
                "import org.gps.pipeline.cli.Main;");
        plant(dir, "org/gps/Stray.java",
                "package org.gps;",
                "class Stray {",
                "}");

        assertEquals(List.of(
                "src/org/gps/Stray.java:1: package org.gps (in no layer; expected one of " + LAYERS + ")",
                "src/org/gps/bench/Plant.java:3: import org.gps.pipeline.cli.Main (bench may use core, io, spark, "
                        + "pipeline outside pipeline.cli, bench)",
                "src/org/gps/core/Plant.java:3: import org.gps.spark.SparkSessions (core may use core)",
                "src/org/gps/core/Plant.java:4: import static org.gps.io.HadoopFiles.conf (core may use core)",
                "src/org/gps/core/Plant.java:14: org.apache.spark.sql.Row (core may not use org.apache.spark, "
                        + "org.apache.hadoop, scala)",
                "src/org/gps/core/Plant.java:15: scala.Tuple2 (core may not use org.apache.spark, org.apache.hadoop, "
                        + "scala)",
                "src/org/gps/io/Plant.java:4: import org.gps.spark.DynamicsFitting (io may use core, io)",
                "src/org/gps/pipeline/steps/Plant.java:3: import org.gps.bench.* (pipeline may use core, io, "
                        + "spark, pipeline outside pipeline.cli)",
                "src/org/gps/pipeline/steps/Plant.java:4: import org.gps.pipeline.cli.Main (pipeline may use core, "
                        + "io, spark, pipeline outside pipeline.cli)"),
                violations(dir, "src"));
    }

    /** Every use of a name from a layer above, or of what core may not name, as path:line: name (rule). */
    static List<String> violations(Path root, String sources) throws IOException {
        List<String> findings = new ArrayList<>();
        for (Path file : javaFiles(root.resolve(sources))) {
            String where = root.relativize(file).toString().replace('\\', '/') + ":";
            String[] lines = code(Files.readString(file, StandardCharsets.UTF_8)).split("\n", -1);
            Integer own = null;
            for (int i = 0; i < lines.length && own == null; i++) {
                Matcher p = PACKAGE.matcher(lines[i]);
                if (p.find()) {
                    own = layerOf(p.group(1));
                    if (own < 0) {
                        findings.add(where + (i + 1) + ": package " + p.group(1) + " (in no layer; expected one of "
                                + LAYERS + ")");
                    }
                }
            }
            if (own == null) {
                findings.add(where + "1: no package declaration (expected one of " + LAYERS + ")");
            }
            if (own == null || own < 0) {
                continue;
            }
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (PACKAGE.matcher(line).find()) {
                    continue;
                }
                String imp = line.startsWith("import static ") ? "import static "
                        : line.startsWith("import ") ? "import " : "";
                Matcher m = NAME.matcher(line);
                while (m.find()) {
                    String name = m.group().replaceAll("\\s", "");
                    String rule = breaks(own, name);
                    if (rule != null) {
                        findings.add(where + (i + 1) + ": " + imp + name + " (" + rule + ")");
                    }
                }
            }
        }
        return findings;
    }

    /** The rule a file of layer {@code own} breaks by naming {@code name}, or null when it may. */
    private static String breaks(int own, String name) {
        if (own == 0) {
            for (String p : NOT_IN_CORE) {
                if (within(name, p)) {
                    return shortName(0) + " may not use " + String.join(", ", NOT_IN_CORE);
                }
            }
        }
        if (!within(name, "org.gps")) {
            return null;
        }
        int used = layerOf(name);
        if (used >= 0 && used <= own) {
            return null;
        }
        List<String> may = new ArrayList<>();
        int pipeline = LAYERS.indexOf("org.gps.pipeline");
        int cli = LAYERS.indexOf("org.gps.pipeline.cli");
        for (int l = 0; l <= own; l++) {
            may.add(l == pipeline && own < cli ? "pipeline outside pipeline.cli" : shortName(l));
        }
        return shortName(own) + " may use " + String.join(", ", may);
    }

    private static String shortName(int layer) {
        return LAYERS.get(layer).substring("org.gps.".length());
    }

    /** Index in {@link #LAYERS} of the deepest layer whose package holds {@code name}, or -1. */
    static int layerOf(String name) {
        int best = -1;
        for (int l = 0; l < LAYERS.size(); l++) {
            if (within(name, LAYERS.get(l)) && (best < 0 || LAYERS.get(l).length() > LAYERS.get(best).length())) {
                best = l;
            }
        }
        return best;
    }

    private static boolean within(String name, String pkg) {
        return name.equals(pkg) || name.startsWith(pkg + ".");
    }

    /**
     * The source with comments, string, text-block and char literals blanked out (newlines kept,
     * so line numbers still match): what is left is what the compiler resolves names in.
     */
    static String code(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            if (src.startsWith("//", i)) {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (src.startsWith("/*", i)) {
                i = blank(src, i + 2, "*/", false, out);
            } else if (src.startsWith("\"\"\"", i)) {
                i = blank(src, i + 3, "\"\"\"", true, out);
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                i = blank(src, i + 1, String.valueOf(src.charAt(i)), true, out);
            } else {
                out.append(src.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * Skips to just past {@code end}, appending only the newlines passed and one space; in a
     * literal ({@code escapes}) a backslash escapes the next character.
     */
    private static int blank(String src, int i, String end, boolean escapes, StringBuilder out) {
        int n = src.length();
        while (i < n && !src.startsWith(end, i)) {
            int step = escapes && src.charAt(i) == '\\' ? 2 : 1;
            for (int k = i; k < Math.min(n, i + step); k++) {
                if (src.charAt(k) == '\n') {
                    out.append('\n');
                }
            }
            i += step;
        }
        out.append(' ');
        return Math.min(n, i + end.length());
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    private static void plant(Path root, String file, String... lines) throws IOException {
        Path p = root.resolve("src").resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }
}
