package org.gps.pipeline.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code gps run} prints as it goes, on a two-iteration MDGPS run of 20 conditions: a line as
 * each step starts and ends, rows of at most 100 characters with an ETA, the wide rows with
 * --wide, only the results with --quiet.
 */
class RunProgressTest {
    static final int CONDITIONS = 20;
    /** A row of the default table: iteration, cost_avg, ret_avg, ret_min, pol_ret, KL/target, step_mult, seconds, eta. */
    static final Pattern ROW = Pattern.compile("^\\s*(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+\\S+/\\S+\\s+\\S+"
            + "\\s+(\\d+\\.\\d)\\s+(\\S+)( \\(done before\\))?$");
    static final Pattern DURATION = Pattern.compile("(?:(\\d+)m)?(\\d+)s");
    static final List<String> STEPS = List.of("sample", "fit-dynamics", "trajopt", "train-policy", "evaluate");

    @TempDir
    static Path dir;
    static Path config;
    static String runDir;
    static CliTestSupport.Outcome run;

    @BeforeAll
    static void runTwoIterationsOfTwentyConditions() throws Exception {
        StringBuilder conditions = new StringBuilder();
        for (int c = 0; c < CONDITIONS; c++) {
            conditions.append(c == 0 ? "" : ", ").append("[").append(-3.0 + 0.3 * c).append(", 0.0]");
        }
        config = dir.resolve("mdgps20.yaml");
        Files.writeString(config, MdgpsRunTest.CONFIG
                .replace("samples: 3", "samples: 2")
                .replace("conditions: [[3.141592653589793, 0.0], [0.5, 0.0]]", "conditions: [" + conditions + "]")
                .replace("hidden: [8]", "hidden: [4]")
                .replace("train_iterations: 20", "train_iterations: 5")
                .replace("eval_episodes: 5", "eval_episodes: 2"));
        runDir = dir.resolve("run").toString();
        run = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", runDir);
    }

    private static List<String> lines(CliTestSupport.Outcome o) {
        return o.out().lines().toList();
    }

    /** The lines printed while the loop runs: up to the final evaluation's first line. */
    private static List<String> progress(CliTestSupport.Outcome o) {
        List<String> l = lines(o);
        int end = l.indexOf("iter 2  evaluate ...");
        assertTrue(end > 0, o.out());
        return l.subList(0, end);
    }

    @Test
    void noDefaultRowOfATwentyConditionRunExceedsOneHundredCharacters() {
        assertEquals(0, run.exitCode(), run.err());
        int rows = 0;
        for (String line : progress(run)) {
            // The run's first line names the run directory, whose length is the user's.
            if (!line.startsWith("run " + runDir + ": ")) {
                assertTrue(line.length() <= 100, line.length() + " characters: " + line + "\n" + run.out());
            }
            rows += ROW.matcher(line).matches() ? 1 : 0;
        }
        assertEquals(2, rows, run.out());
        assertFalse(run.out().contains("cost19"), "one column per condition only with --wide:\n" + run.out());
    }

    @Test
    void theFirstLineComesBeforeAnyStepAndEveryStepHasAStartAndAnEndLine() {
        assertEquals(0, run.exitCode(), run.err());
        List<String> l = progress(run);
        List<String> expected = new ArrayList<>(List.of("init ...", "init done in #", "run " + runDir + ": mdgps, 2 "
                + "iterations, 20 conditions x 2 samples x T=10"));
        for (int i = 0; i < 2; i++) {
            for (String step : STEPS) {
                expected.add("iter " + i + "  " + step + " ...");
                expected.add("iter " + i + "  " + step + " done in #");
            }
            expected.add("iter  cost_avg  ret_avg  ret_min  pol_ret     KL/target step_mult seconds     eta");
            expected.add("#row " + i);
        }
        assertEquals(expected.size(), l.size(), run.out());
        for (int k = 0; k < l.size(); k++) {
            String e = expected.get(k);
            if (e.endsWith(" done in #")) {
                assertTrue(l.get(k).matches(Pattern.quote(e.substring(0, e.length() - 1)) + "\\d+\\.\\d+ s"), l.get(k));
            } else if (e.startsWith("#row ")) {
                Matcher m = ROW.matcher(l.get(k));
                assertTrue(m.matches() && m.group(1).equals(e.substring(5)), l.get(k));
            } else {
                assertEquals(e, l.get(k));
            }
        }
    }

    @Test
    void theEtaAfterTheFirstIterationIsItsTimeForTheOneLeftAndNothingAfterTheLast() {
        List<Matcher> rows = progress(run).stream().map(ROW::matcher).filter(Matcher::matches).toList();
        Matcher first = rows.get(0);
        Matcher d = DURATION.matcher(first.group(7));
        assertTrue(d.matches(), first.group(0));
        double eta = (d.group(1) == null ? 0 : 60 * Integer.parseInt(d.group(1))) + Integer.parseInt(d.group(2));
        // One iteration left at iteration 0's time: printed to 0.1 s, the ETA to the second.
        assertEquals(Double.parseDouble(first.group(6)), eta, 0.55, first.group(0));
        assertEquals("0s", rows.get(1).group(7), rows.get(1).group(0));
        // The summary columns hold numbers: the mean and the worst condition's return, the policy's.
        double mean = Double.parseDouble(first.group(3));
        assertTrue(Double.parseDouble(first.group(4)) <= mean && mean < 0, first.group(0));
        assertTrue(Double.parseDouble(first.group(5)) < 0, first.group(0));
    }

    @Test
    void wideRowsHaveAColumnPerConditionAndQuietPrintsOnlyTheResults() {
        CliTestSupport.Outcome wide = CliTestSupport.run("run", "--wide", "--run-dir", runDir);
        assertEquals(0, wide.exitCode(), wide.err());
        assertTrue(lines(wide).contains("iter 0  sample, fit-dynamics, trajopt, train-policy done before"), wide.out());
        String header = lines(wide).stream().filter(x -> x.startsWith("iter ") && x.contains(" cost0 ")).findFirst()
                .orElseThrow(() -> new AssertionError(wide.out()));
        assertTrue(header.contains(" cost19 ") && header.contains(" ret19 ") && header.contains(" env_steps "), header);
        assertEquals(2, lines(wide).stream().filter(x -> x.matches("\\s+[01]\\s.*\\(done before\\)")).count(),
                wide.out());

        CliTestSupport.Outcome quiet = CliTestSupport.run("run", "--quiet", "--run-dir", runDir);
        assertEquals(0, quiet.exitCode(), quiet.err());
        List<String> q = lines(quiet);
        assertEquals("final controllers (iteration 2):", q.get(0), quiet.out());
        assertEquals(2 + 1 + CONDITIONS, q.indexOf(q.stream().filter(x -> x.startsWith("published policy (iteration "))
                .findFirst().orElseThrow(() -> new AssertionError(quiet.out()))), "the table, then the policy: "
                + quiet.out());
        assertTrue(q.get(q.size() - 1).startsWith("report: "), quiet.out());
        assertFalse(quiet.out().contains("iter "), quiet.out());
    }

    @Test
    void wideAndQuietTogetherAreRefusedNamingBoth() {
        CliTestSupport.Outcome o = CliTestSupport.run("run", "--quiet", "--wide", "--run-dir", runDir);
        assertEquals(2, o.exitCode(), o.err());
        assertEquals("gps run: error: --wide: not with --quiet, which prints no rows; give one of them",
                o.err().strip().lines().reduce((a, b) -> b).orElse(""));
    }

    @Test
    void stepCommandsPrintTheirStepLinesAndNoneWithQuiet() throws Exception {
        String r = dir.resolve("steps").toString();
        Path tiny = dir.resolve("tiny.yaml");
        Files.writeString(tiny, RunAndResumeTest.CONFIG);
        CliTestSupport.Outcome init = CliTestSupport.run("init", "--config", tiny.toString(), "--run-dir", r);
        assertEquals(0, init.exitCode(), init.err());
        assertEquals("init ...", lines(init).get(0));
        assertTrue(lines(init).get(1).matches("init done in \\d+\\.\\d+ s"), init.out());
        CliTestSupport.Outcome sample = CliTestSupport.run("sample", "--run-dir", r, "--iteration", "0");
        assertEquals(0, sample.exitCode(), sample.err());
        assertEquals("iter 0  sample ...", lines(sample).get(0));
        assertTrue(lines(sample).get(1).matches("iter 0  sample done in \\d+\\.\\d+ s"), sample.out());
        CliTestSupport.Outcome quiet = CliTestSupport.run("fit-dynamics", "--quiet", "--run-dir", r, "--iteration", "0");
        assertEquals(0, quiet.exitCode(), quiet.err());
        // The result, the error table, is kept; the step lines go.
        assertEquals("one-step prediction error (in-sample) per condition:", lines(quiet).get(0), quiet.out());
        assertFalse(quiet.out().contains("iter 0"), quiet.out());
    }
}
