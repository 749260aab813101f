package org.gps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository explains itself: no source, doc, launcher, notebook or data file points a reader
 * at design files that are not in the repository or at tracker issue numbers, and every relative
 * link of the Markdown docs leads to a file that exists. Each finding is reported as
 * {@code path:line: what}, so a failure says where to look.
 */
class DocsSelfContainedTest {
    /** Where the tests run: Maven starts them in the project's base directory. */
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final List<String> SCANNED = List.of("src", "docs", "README.md", "jobs", "notebooks", "data",
            "pom.xml", ".ci");

    // Built from pieces so that this file does not itself hold what it looks for.
    private static final String MD = ".md";
    private static final List<String> OUTSIDE_FILES = List.of("ALGORITHM" + MD, "ALGORITHM-PILQR" + MD,
            "DESIGN" + MD, ".." + "/shared");
    /** The word issue (or issues) followed by a number, with or without #: a number only the tracker can explain. */
    private static final Pattern ISSUE_NUMBER = Pattern.compile("(?i)\\bissues?\\s*#?\\s*\\d+");
    private static final Pattern INLINE_LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_LINK = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void noFileCitesDocumentsOutsideTheRepositoryOrIssueNumbers() throws IOException {
        assertTrue(Files.isRegularFile(ROOT.resolve("README.md")), "tests must run in the project's base directory, "
                + "not " + ROOT);
        List<String> findings = references(ROOT, SCANNED);
        assertTrue(findings.isEmpty(), findings.size() + " reference(s) to files outside the repository or to issue "
                + "numbers; say what they meant, or point at docs/algorithm.md or docs/architecture.md:\n"
                + String.join("\n", findings));
    }

    @Test
    void everyRelativeMarkdownLinkInTheDocsPointsAtAnExistingFile() throws IOException {
        List<Path> pages = markdownPages(ROOT);
        assertTrue(pages.size() >= 3, "expected README.md and the pages of docs/, found " + pages);
        List<String> findings = brokenLinks(ROOT, pages);
        assertTrue(findings.isEmpty(), findings.size() + " relative link(s) to missing files:\n"
                + String.join("\n", findings));
    }

    /** The scans themselves, on a planted tree: each kind of bad reference is found, at its line, and nothing else. */
    @Test
    void theScansFindEveryPlantedReferenceAndNothingElse(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("src/a"));
        Files.writeString(dir.resolve("src/a/Plant.java"), String.join("\n",
                "// fine: docs/algorithm.md section 3 and docs/architecture.md",
                "// see " + "ALGORITHM" + MD + " section 3",
                "// see " + "ALGORITHM-PILQR" + MD + " section 14",
                "/** " + "DESIGN" + MD + ", job contract */",
                "String s = \"" + ".." + "/shared/spec\";",
                "// fixed with " + "iss" + "ue 12",
                "// see " + "Iss" + "ue #4",
                "// a known issue of parquet-java, and tissue samples 3 to 5",
                ""));
        Files.createDirectories(dir.resolve("docs/img"));
        Files.writeString(dir.resolve("docs/img/chart.png"), "");
        Files.writeString(dir.resolve("docs/other.md"), "# Other\n");
        Files.writeString(dir.resolve("docs/page.md"), String.join("\n",
                "[ok](other.md) and [ok with anchor](other.md#other) and ![chart](img/chart.png)",
                "[missing](nope.md#x) and [`code text`](other.md)",
                "[anchor only](#here), [web](https://example.org/a.md), [mail](mailto:a@b.c)",
                "```",
                "[inside a fence](absent.md)",
                "```",
                "`[inside a code span](absent.md)` and ![missing image](img/gone.png)",
                "[ref]: gone.md",
                "[up](../README.md) [file in src](../src/a/Plant.java)",
                ""));
        Files.writeString(dir.resolve("README.md"), "[docs](docs/page.md) [bad](docs/absent.md)\n");
        // A binary file (it holds a NUL byte) is not text a reader follows: skipped, whatever it contains.
        Files.write(dir.resolve("src/a/blob.bin"), ("DESIGN" + MD + "\0").getBytes(StandardCharsets.US_ASCII));

        assertEquals(List.of(
                "src/a/Plant.java:2: " + "ALGORITHM" + MD,
                "src/a/Plant.java:3: " + "ALGORITHM-PILQR" + MD,
                "src/a/Plant.java:4: " + "DESIGN" + MD,
                "src/a/Plant.java:5: " + ".." + "/shared",
                "src/a/Plant.java:6: issue number '" + "iss" + "ue 12'",
                "src/a/Plant.java:7: issue number '" + "Iss" + "ue #4'"),
                references(dir, List.of("src", "docs", "README.md", "jobs")));
        assertEquals(List.of(
                "README.md:1: docs/absent.md",
                "docs/page.md:2: nope.md#x",
                "docs/page.md:7: img/gone.png",
                "docs/page.md:8: gone.md"),
                brokenLinks(dir, markdownPages(dir)));
    }

    /** Every reference to a file outside the repository or to an issue number, as path:line: what. */
    static List<String> references(Path root, List<String> roots) throws IOException {
        List<String> findings = new ArrayList<>();
        for (Path file : textFiles(root, roots)) {
            List<String> lines = lines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = root.relativize(file).toString().replace('\\', '/') + ":" + (i + 1) + ": ";
                for (String s : OUTSIDE_FILES) {
                    if (line.contains(s)) {
                        findings.add(where + s);
                    }
                }
                Matcher m = ISSUE_NUMBER.matcher(line);
                while (m.find()) {
                    findings.add(where + "issue number '" + m.group() + "'");
                }
            }
        }
        return findings;
    }

    /**
     * Relative links (inline, images, reference definitions) outside code whose file does not
     * exist, as path:line: target. Anchors are ignored; links with a scheme are not checked.
     */
    static List<String> brokenLinks(Path root, List<Path> pages) throws IOException {
        List<String> findings = new ArrayList<>();
        for (Path page : pages) {
            List<String> lines = lines(page);
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String trimmed = line.stripLeading();
                if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                List<String> targets = new ArrayList<>();
                // A code span inside a link's text (README's [`docs/x.md`](docs/x.md)) leaves the link.
                String text = CODE_SPAN.matcher(line).replaceAll(cs -> isLinkText(line, cs) ? "code" : "");
                Matcher m = INLINE_LINK.matcher(text);
                while (m.find()) {
                    targets.add(m.group(1));
                }
                Matcher r = REFERENCE_LINK.matcher(text);
                if (r.matches()) {
                    targets.add(r.group(1));
                }
                for (String target : targets) {
                    if (!resolves(root, page, target)) {
                        findings.add(root.relativize(page).toString().replace('\\', '/') + ":" + (i + 1) + ": "
                                + target);
                    }
                }
            }
        }
        return findings;
    }

    /** Whether the code span is the text of a link: directly after '[' and directly before "](". */
    private static boolean isLinkText(String line, java.util.regex.MatchResult span) {
        return span.start() > 0 && line.charAt(span.start() - 1) == '['
                && line.startsWith("](", span.end());
    }

    private static boolean resolves(Path root, Path page, String target) {
        if (target.startsWith("#") || SCHEME.matcher(target).find()) {
            return true;
        }
        String path = target.replaceFirst("[#?].*$", "");
        if (path.isEmpty()) {
            return true;
        }
        path = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        Path resolved = path.startsWith("/") ? root.resolve(path.substring(1)) : page.getParent().resolve(path);
        return Files.exists(resolved.normalize());
    }

    /** README.md and the pages of docs/. */
    static List<Path> markdownPages(Path root) throws IOException {
        List<Path> pages = new ArrayList<>();
        if (Files.isRegularFile(root.resolve("README.md"))) {
            pages.add(root.resolve("README.md"));
        }
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> s = Files.list(docs)) {
                s.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p)).sorted()
                        .forEach(pages::add);
            }
        }
        return pages;
    }

    /** The text files under the roots (a root may be a file), sorted; files holding a NUL byte are binary and skipped. */
    private static List<Path> textFiles(Path root, List<String> roots) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String r : roots) {
            Path p = root.resolve(r);
            if (Files.isRegularFile(p)) {
                files.add(p);
            } else if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            }
        }
        List<Path> text = new ArrayList<>();
        for (Path f : files) {
            if (!isBinary(f)) {
                text.add(f);
            }
        }
        return text;
    }

    private static boolean isBinary(Path file) throws IOException {
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(8192);
        }
        for (byte b : head) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    private static List<String> lines(Path file) throws IOException {
        // Decoded leniently: a stray byte must not hide the rest of the file from the scan.
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    }
}
