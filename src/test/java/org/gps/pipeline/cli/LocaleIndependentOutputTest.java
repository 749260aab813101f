package org.gps.pipeline.cli;

import org.gps.pipeline.config.TestConfigs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the commands print and write does not depend on the machine's locale: under Turkish
 * (whose lower case of I is a dotless i), German (decimal commas) and Egyptian Arabic (Arabic-Indic
 * digits) the same steps print and write exactly what they do under {@link Locale#ROOT}.
 */
class LocaleIndependentOutputTest {
    /** A tiny run whose EM stops at its iteration cap, so that summary.json holds "max_iterations" (an I to lower). */
    private static final String CONFIG = """
            name: tiny-locale
            seed: 5
            iterations: 1
            horizon: 12
            samples: 3
            """ + TestConfigs.TINY_PENDULUM_TASK + """
            dynamics: {em_init: kmeans, em_max_iterations: 1}
            """;
    private static final Pattern STOP_REASON = Pattern.compile("\"stop_reason\" : \"([^\"]*)\"");

    @Test
    void tablesAndSummariesAreTheSameUnderTurkishGermanAndArabicLocales(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, CONFIG);
        String run = dir.resolve("run").toString();
        ok(CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run));
        ok(CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0"));

        Map<Locale, String> outputs = new LinkedHashMap<>();
        for (Locale l : List.of(Locale.ROOT, new Locale("tr", "TR"), Locale.GERMANY, new Locale("ar", "EG"))) {
            outputs.put(l, underLocale(l, () -> {
                // A rerun of a step replaces its own output: each locale fits and scores the same samples.
                String fit = ok(CliTestSupport.run("fit-dynamics", "--run-dir", run, "--iteration", "0", "--held-out"));
                String summary = Files.readString(Path.of(run, "iter=0000", "dynamics", "summary.json"),
                        StandardCharsets.UTF_8);
                String evaluate = ok(CliTestSupport.run("evaluate", "--run-dir", run, "--episodes", "2"));
                return fit + "\n" + summary + "\n" + evaluate;
            }));
        }

        String root = outputs.get(Locale.ROOT);
        // The reference itself has what the locales would change: decimals, and a stop reason with an i.
        assertTrue(Pattern.compile("\\d\\.\\d").matcher(root).find(), root);
        List<String> reasons = new ArrayList<>();
        Matcher m = STOP_REASON.matcher(root);
        while (m.find()) {
            reasons.add(m.group(1));
        }
        assertEquals(List.of("max_iterations", "max_iterations"), reasons, root);
        for (Map.Entry<Locale, String> e : outputs.entrySet()) {
            String out = e.getValue();
            assertFalse(out.contains("\u0131") || out.contains("\u0130"),
                    e.getKey() + ": a dotless or dotted I:\n" + out);
            assertFalse(Pattern.compile("\\d,\\d").matcher(out).find(), e.getKey() + ": a decimal comma:\n" + out);
            // The step lines' wall times differ from run to run (their decimal point is checked above).
            assertEquals(withoutWallTimes(root), withoutWallTimes(out), e.getKey() + " against Locale.ROOT");
        }
    }

    private static String withoutWallTimes(String out) {
        return out.replaceAll("done in \\d+\\.\\d+ s", "done in - s");
    }

    /**
     * The report's chart axes are drawn by a library that formats with the default locale: in
     * process under German they get decimal commas, and the launcher ({@link Main#main}) therefore
     * sets {@link Locale#ROOT}, so that its charts under German are the same pixels as under ROOT.
     */
    @Tag("slow")
    @Test
    void theLaunchersReportChartsAreTheSameUnderAGermanLocale(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, CONFIG);
        String run = dir.resolve("run").toString();
        ok(CliTestSupport.run("init", "--config", config.toString(), "--run-dir", run));
        ok(CliTestSupport.run("sample", "--run-dir", run, "--iteration", "0"));
        ok(CliTestSupport.run("fit-dynamics", "--run-dir", run, "--iteration", "0"));
        ok(CliTestSupport.run("trajopt", "--run-dir", run, "--iteration", "0"));

        Path rootReport = dir.resolve("root/index.html");
        Path germanInProcess = dir.resolve("de-in-process/index.html");
        Path germanLauncher = dir.resolve("de-launcher/index.html");
        underLocale(Locale.ROOT, () -> ok(CliTestSupport.run("report", "--run-dir", run, "--out",
                rootReport.toString())));
        underLocale(Locale.GERMANY, () -> ok(CliTestSupport.run("report", "--run-dir", run, "--out",
                germanInProcess.toString())));
        Path log = dir.resolve("launcher.log");
        Process p = StepJvm.startMain(dir.resolve("work"), dir.resolve("tmp"), log,
                List.of("-Duser.language=de", "-Duser.country=DE"), "report", "--run-dir", run, "--out",
                germanLauncher.toString(), "--master", "local[1]");
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the launcher's report did not end");
        assertEquals(0, p.exitValue(), Files.readString(log));

        Map<String, byte[]> root = charts(rootReport);
        assertFalse(root.isEmpty(), "no chart in " + rootReport.getParent());
        Map<String, byte[]> inProcess = charts(germanInProcess);
        assertFalse(root.keySet().stream().allMatch(k -> Arrays.equals(root.get(k), inProcess.get(k))),
                "every chart drawn in process under German matches ROOT: nothing here depends on the locale");
        Map<String, byte[]> launcher = charts(germanLauncher);
        assertEquals(root.keySet(), launcher.keySet());
        for (String chart : root.keySet()) {
            assertArrayEquals(root.get(chart), launcher.get(chart), chart + " differs under German");
        }
    }

    /** The PNG charts inlined in a report page, by image id. */
    private static Map<String, byte[]> charts(Path page) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        Matcher m = Pattern.compile("<img id=\"([^\"]+)\" src=\"data:image/png;base64,([^\"]+)\"")
                .matcher(Files.readString(page));
        while (m.find()) {
            out.put(m.group(1), Base64.getDecoder().decode(m.group(2)));
        }
        return out;
    }

    private interface Body {
        String run() throws IOException;
    }

    /** Runs {@code body} with every default locale category set to {@code l}, and restores them after. */
    private static String underLocale(Locale l, Body body) throws IOException {
        Locale all = Locale.getDefault();
        Locale display = Locale.getDefault(Locale.Category.DISPLAY);
        Locale format = Locale.getDefault(Locale.Category.FORMAT);
        try {
            Locale.setDefault(l);
            return body.run();
        } finally {
            Locale.setDefault(all);
            Locale.setDefault(Locale.Category.DISPLAY, display);
            Locale.setDefault(Locale.Category.FORMAT, format);
        }
    }

    private static String ok(CliTestSupport.Outcome o) {
        assertEquals(0, o.exitCode(), o.err());
        return o.out();
    }
}
