package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutSchema;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gps ingest} on logs as robots write them: the task as a text label, steps from 1, only a
 * timestamp or only the row order, tab-separated; and {@code gps validate} pointing such a log to ingest.
 */
class IngestLogShapesTest {
    /** Two days of a tab-separated log with text task labels, steps from 1 and ISO timestamps (generate.py). */
    static final Path TASKS = Path.of("data/logged/robot-tasks");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path copyExample(Path dir) throws Exception {
        for (String f : List.of("day1.tsv", "day2.tsv", "mapping.yaml", "mapping-timestamp.yaml")) {
            Files.copy(TASKS.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private static CliTestSupport.Outcome ingest(Path input, Path mapping, String out, String... more) {
        List<String> args = new ArrayList<>(List.of("ingest", "--input", input.toString(), "--format", "csv",
                "--mapping", mapping.toString(), "--out", out));
        args.addAll(List.of(more));
        return CliTestSupport.run(args.toArray(String[]::new));
    }

    private static List<Row> rows(String path) {
        return RolloutReader.read(SparkTestSession.get(), path)
                .orderBy(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE, RolloutSchema.T)
                .collectAsList();
    }

    /** Source rollout id -> condition, from the output's id table. */
    private static Map<String, Integer> conditionsById(String out) {
        Map<String, Integer> m = new TreeMap<>();
        for (Row r : SparkTestSession.get().read().parquet(out + "/_rollout_ids").collectAsList()) {
            m.put(r.getAs("rollout_id"), r.getAs("condition"));
        }
        return m;
    }

    private static String lastLine(String s) {
        return s.strip().lines().reduce((a, b) -> b).orElse("");
    }

    private static JsonNode json(Path p) throws Exception {
        return JSON.readTree(Files.readString(p));
    }

    @Test
    void textTaskLabelsBecomeConditionsThatKeepTheirIndicesOnTheNextIngest(@TempDir Path dir) throws Exception {
        copyExample(dir);
        Path labels = dir.resolve("condition-labels.json");
        String day1 = dir.resolve("day1").toString();
        CliTestSupport.Outcome o1 = ingest(dir.resolve("day1.tsv"), dir.resolve("mapping.yaml"), day1,
                "--delimiter", "\\t");
        assertEquals(0, o1.exitCode(), o1.err());
        assertTrue(o1.out().contains("condition 0 (reach_left): 3 rollouts, T 15"), o1.out());
        assertTrue(o1.out().contains("condition 1 (reach_right): 3 rollouts, T 15"), o1.out());
        // The labels file is beside the mapping (its relative path), and a copy travels with the data.
        assertEquals(Map.of("reach_left", 0, "reach_right", 1), labelsIn(labels));
        assertEquals(Files.readString(labels), Files.readString(Path.of(day1, "_condition_labels.json")));
        JsonNode r1 = json(Path.of(day1, "_ingest_report.json"));
        assertEquals("[\"reach_left\",\"reach_right\"]", r1.at("/condition_labels/new").toString());
        assertEquals("reach_right", r1.at("/conditions/1/label").asText());
        // generate.py: day 1 runs three reach_left episodes, then three reach_right ones.
        assertEquals(Map.of("d1-01", 0, "d1-02", 0, "d1-03", 0, "d1-04", 1, "d1-05", 1, "d1-06", 1),
                conditionsById(day1));

        // Day 2: reach_right again, and a task not seen before.
        String day2 = dir.resolve("day2").toString();
        CliTestSupport.Outcome o2 = ingest(dir.resolve("day2.tsv"), dir.resolve("mapping.yaml"), day2,
                "--delimiter", "tab");
        assertEquals(0, o2.exitCode(), o2.err());
        assertEquals(Map.of("reach_left", 0, "reach_right", 1, "place", 2), labelsIn(labels));
        assertEquals(Map.of("d2-01", 1, "d2-02", 1, "d2-03", 1, "d2-04", 2, "d2-05", 2, "d2-06", 2),
                conditionsById(day2), "reach_right keeps 1 although reach_left is absent; place is appended as 2");
        assertTrue(o2.out().contains("new: place"), o2.out());
        assertEquals("[\"place\"]", json(Path.of(day2, "_ingest_report.json")).at("/condition_labels/new").toString());

        // Day 1 again, into its own output: nothing new, the same numbers.
        CliTestSupport.Outcome again = ingest(dir.resolve("day1.tsv"), dir.resolve("mapping.yaml"), day1,
                "--delimiter", "\\t", "--overwrite");
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("no new label"), again.out());
        assertEquals(Map.of("reach_left", 0, "reach_right", 1, "place", 2), labelsIn(labels));
        assertEquals(Map.of("d1-01", 0, "d1-02", 0, "d1-03", 0, "d1-04", 1, "d1-05", 1, "d1-06", 1),
                conditionsById(day1));
        assertEquals(0, CliTestSupport.run("validate", day2).exitCode());
    }

    private static Map<String, Integer> labelsIn(Path file) throws Exception {
        Map<String, Integer> m = new TreeMap<>();
        json(file).get("labels").forEach(l -> m.put(l.get("label").asText(), l.get("condition").asInt()));
        return m;
    }

    /** One row of a log: condition, episode, step counted from 1, a timestamp in seconds, state, action, cost. */
    private static List<String> stampedLog() {
        List<String> lines = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            for (int e = 0; e < 2; e++) {
                double clock = 1000.0 * (1 + 2 * c + e);
                for (int t = 0; t < 5; t++) {
                    // Uneven intervals: the rank, not the spacing, makes t.
                    clock += 0.05 + 0.01 * ((t * 7 + e) % 3);
                    double base = 100 * c + 10 * e + t;
                    lines.add(String.format(Locale.ROOT, "%d,ep%d%d,%d,%d,%.3f,%s,%s,%s,%s", c, c, e, t, t + 1, clock,
                            base + 0.25, -base / 8, base / 3, base * base / 64));
                }
            }
        }
        return lines;
    }

    private static final String STAMPED_HEADER = "cond,episode,step0,step,stamp,p,v,force,cost\n";
    private static final String VECTORS = "condition: cond\nrollout: episode\nx: [p, v]\nu: [force]\ncost: cost\n";

    @Test
    void stepsFromOneATimestampAndTheRowOrderGiveTheRolloutsAZeroBasedStepGives(@TempDir Path dir) throws Exception {
        List<String> lines = stampedLog();
        Path ordered = dir.resolve("ordered.csv");
        Files.writeString(ordered, STAMPED_HEADER + String.join("\n", lines) + "\n");
        List<String> shuffled = new ArrayList<>(lines);
        Collections.shuffle(shuffled, new Random(5));
        Path mixed = dir.resolve("mixed.csv");
        Files.writeString(mixed, STAMPED_HEADER + String.join("\n", shuffled) + "\n");
        Map<String, Path> maps = new TreeMap<>();
        for (String[] m : new String[][] {{"zero", "t: step0\n"}, {"offset", "t: step\nt_offset: -1\n"},
                {"stamp", "t_timestamp: stamp\n"}, {"order", "t_row_order: true\n"}, {"from1", "t: step\n"}}) {
            Path p = dir.resolve(m[0] + ".yaml");
            Files.writeString(p, VECTORS + m[1]);
            maps.put(m[0], p);
        }
        String reference = dir.resolve("zero").toString();
        assertEquals(0, ingest(ordered, maps.get("zero"), reference).exitCode());
        List<Row> expected = rows(reference);
        assertEquals(20, expected.size());

        for (String way : List.of("offset", "stamp", "order")) {
            String out = dir.resolve("ordered-" + way).toString();
            CliTestSupport.Outcome o = ingest(ordered, maps.get(way), out);
            assertEquals(0, o.exitCode(), way + ": " + o.err());
            assertEquals(expected, rows(out), way + " on the file in time order");
        }
        // Shuffled rows: the step and the timestamp still say where each row goes; the row order cannot.
        for (String way : List.of("offset", "stamp")) {
            String out = dir.resolve("mixed-" + way).toString();
            assertEquals(0, ingest(mixed, maps.get(way), out).exitCode(), way);
            assertEquals(expected, rows(out), way + " on the shuffled file");
        }
        String byOrder = dir.resolve("mixed-order").toString();
        assertEquals(0, ingest(mixed, maps.get("order"), byOrder).exitCode());
        assertNotEquals(expected, rows(byOrder), "row order is the file's order, whatever the steps say");

        // Steps from 1 without the offset: every rollout lacks t = 0, and the message says what would fix it.
        CliTestSupport.Outcome from1 = ingest(ordered, maps.get("from1"), dir.resolve("from1").toString());
        assertEquals(2, from1.exitCode(), from1.out());
        assertTrue(from1.err().contains("MISSING_TIME_STEP: 4 rollouts (20 rows)"), from1.err());
        assertTrue(from1.err().contains("its steps start at 1: t_offset: -1 in the mapping"), from1.err());
        assertFalse(Files.exists(dir.resolve("from1")));
    }

    @Test
    void rowsSharingATimestampRejectTheirRolloutNamingItAndTheRows(@TempDir Path dir) throws Exception {
        copyExample(dir);
        // An exact copy of one row of d1-02 as well: the logger wrote it twice.
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("day1.tsv")));
        int copied = -1;
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).contains("\td1-02\t") && lines.get(i).contains("\t4\t")) {
                copied = i;
            }
        }
        lines.add(copied + 1, lines.get(copied));
        Files.write(dir.resolve("day1.tsv"), lines);
        // Where the stuck clock is, counted independently: data rows (after the header), 1-based.
        List<Integer> stuck = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).contains("\td1-04\t2024-05-01T09:00:17.650\t")) {
                stuck.add(i);
            }
        }
        assertEquals(2, stuck.size(), "generate.py: one stuck step in d1-04");

        String out = dir.resolve("out").toString();
        CliTestSupport.Outcome o = ingest(dir.resolve("day1.tsv"), dir.resolve("mapping-timestamp.yaml"), out,
                "--delimiter", "\\t");
        assertEquals(0, o.exitCode(), o.err());
        assertTrue(o.out().contains("accepted: 4 rollouts (60 rows)"), o.out());
        assertTrue(o.out().contains("rollout 'd1-04' (iteration 0, condition 1)") && o.out().contains(
                "data rows " + stuck.get(0) + ", " + stuck.get(1) + " of file:" + dir.resolve("day1.tsv")
                        + " share t 7 (stamp 2024-05-01T09:00:17.650); expected one row per timestamp"), o.out());
        assertTrue(o.out().contains("REPEATED_TIME_STEP: 1 rollout (15 rows)"), o.out());
        assertTrue(o.out().contains("DUPLICATE_KEY: 1 rollout (16 rows)"), o.out());
        assertTrue(o.out().contains("rollout 'd1-02'") && o.out().contains("data rows " + copied + ", " + (copied + 1)),
                o.out());
        // The step column has no such fault: with it, d1-04 is whole (only d1-02's copied row remains a fault).
        CliTestSupport.Outcome bySteps = ingest(dir.resolve("day1.tsv"), dir.resolve("mapping.yaml"),
                dir.resolve("steps").toString(), "--delimiter", "\\t");
        assertTrue(bySteps.out().contains("accepted: 5 rollouts (75 rows)"), bySteps.out());
    }

    @Test
    void rowOrderIsFileOrderAcrossSplitsAndFiles(@TempDir Path dir) throws Exception {
        // Two files, each cut into many splits; each episode's rows interleave with the others' and run
        // on from a.csv into b.csv.
        Path logs = Files.createDirectories(dir.resolve("logs"));
        StringBuilder a = new StringBuilder(STAMPED_HEADER);
        StringBuilder b = new StringBuilder(STAMPED_HEADER);
        int steps = 120;
        for (int t = 0; t < steps; t++) {
            for (int e = 0; e < 3; e++) {
                double base = 10 * e + t;
                (t < 70 ? a : b).append(String.format(Locale.ROOT, "0,ep%d,%d,%d,%.3f,%s,%s,%s,%s%n", e, t, t + 1,
                        1000.0 + t, base + 0.25, -base / 8, base / 3, base * base / 64));
            }
        }
        Files.writeString(logs.resolve("a.csv"), a.toString());
        Files.writeString(logs.resolve("b.csv"), b.toString());
        Path zero = dir.resolve("zero.yaml");
        Files.writeString(zero, VECTORS + "t: step0\n");
        Path order = dir.resolve("order.yaml");
        Files.writeString(order, VECTORS + "t_row_order: true\n");

        SparkSession spark = SparkTestSession.get();
        String oldMax = spark.conf().get("spark.sql.files.maxPartitionBytes");
        String oldOpen = spark.conf().get("spark.sql.files.openCostInBytes");
        try {
            spark.conf().set("spark.sql.files.maxPartitionBytes", "2048");
            spark.conf().set("spark.sql.files.openCostInBytes", "0");
            int partitions = spark.read().option("header", "true").csv(logs.toString()).rdd().getNumPartitions();
            assertTrue(partitions >= 10, "the files are read in many splits: " + partitions);
            String expected = dir.resolve("zero").toString();
            assertEquals(0, ingest(logs, zero, expected).exitCode());
            String byOrder = dir.resolve("order").toString();
            CliTestSupport.Outcome o = ingest(logs, order, byOrder);
            assertEquals(0, o.exitCode(), o.err());
            assertTrue(o.out().contains("accepted: 3 rollouts (360 rows)"), o.out());
            assertEquals(rows(expected), rows(byOrder));
        } finally {
            spark.conf().set("spark.sql.files.maxPartitionBytes", oldMax);
            spark.conf().set("spark.sql.files.openCostInBytes", oldOpen);
        }
    }

    @Test
    void aTabSeparatedLogIsReadWithTheDelimiterOptionAndABadOneIsRefused(@TempDir Path dir) throws Exception {
        copyExample(dir);
        // The same log with commas: the delimiter is the only difference.
        Path csv = dir.resolve("day1.csv");
        Files.writeString(csv, Files.readString(dir.resolve("day1.tsv")).replace('\t', ','));
        String fromCsv = dir.resolve("csv").toString();
        assertEquals(0, ingest(csv, dir.resolve("mapping.yaml"), fromCsv).exitCode());
        String fromTsv = dir.resolve("tsv").toString();
        assertEquals(0, ingest(dir.resolve("day1.tsv"), dir.resolve("mapping.yaml"), fromTsv, "--delimiter", "\\t")
                .exitCode());
        assertEquals(rows(fromCsv), rows(fromTsv));
        assertEquals(90, rows(fromTsv).size());
        Path semi = dir.resolve("day1.ssv");
        Files.writeString(semi, Files.readString(dir.resolve("day1.tsv")).replace('\t', ';'));
        String fromSemi = dir.resolve("semi").toString();
        assertEquals(0, ingest(semi, dir.resolve("mapping.yaml"), fromSemi, "--delimiter", ";", "--overwrite")
                .exitCode());
        assertEquals(rows(fromCsv), rows(fromSemi));

        // Without the option the header is one column holding tabs: the message names the option to add.
        String none = dir.resolve("none").toString();
        CliTestSupport.Outcome o = ingest(dir.resolve("day1.tsv"), dir.resolve("mapping.yaml"), none);
        assertEquals(2, o.exitCode());
        assertTrue(lastLine(o.err()).endsWith("--delimiter: " + dir.resolve("day1.tsv") + " reads as one column when "
                + "split at ','; its header holds 7 '\\t': expected --delimiter '\\t'"), o.err());
        String[][] bad = {{"--format", "csv", "--delimiter", ";;"}, {"--format", "jsonl", "--delimiter", ";"},
                {"--format", "csv", "--delimiter", "\""}};
        String[] says = {"--delimiter: expected one character, or \\t (or tab) for a tab, got ';;'",
                "--delimiter: only for --format csv; jsonl has no delimiter", "--delimiter: '\"' cannot separate fields"};
        for (int i = 0; i < bad.length; i++) {
            CliTestSupport.Outcome r = CliTestSupport.run("ingest", "--input", dir.resolve("day1.tsv").toString(),
                    bad[i][0], bad[i][1], bad[i][2], bad[i][3], "--mapping", dir.resolve("mapping.yaml").toString(),
                    "--out", none);
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(lastLine(r.err()).contains(says[i]), r.err());
        }
        assertFalse(Files.exists(Path.of(none)), "nothing written");
    }

    @Test
    void aBadLabelsFileOrPlaceIsRefusedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        copyExample(dir);
        Path tsv = dir.resolve("day1.tsv");
        Path labels = dir.resolve("condition-labels.json");
        String damaged = "{\"format\": \"gps-condition-labels\", \"version\": 1, \"labels\": ["
                + "{\"label\": \"reach_left\", \"condition\": 0}, {\"label\": \"reach_right\", \"condition\": 0}]}";
        Files.writeString(labels, damaged);
        String out = dir.resolve("out").toString();
        CliTestSupport.Outcome o = ingest(tsv, dir.resolve("mapping.yaml"), out, "--delimiter", "\\t");
        assertEquals(2, o.exitCode(), o.out());
        assertTrue(lastLine(o.err()).startsWith("gps ingest: error: " + labels
                + ": labels[1].condition: 0 is also the index of 'reach_left'"), o.err());
        assertFalse(Files.exists(Path.of(out)));
        assertEquals(damaged, Files.readString(labels), "left as it was");
        Files.delete(labels);

        // Inside the input folder it would be read as a log; inside the output it would be replaced.
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.copy(tsv, logs.resolve("day1.tsv"));
        Path inside = dir.resolve("inside.yaml");
        Files.writeString(inside, Files.readString(dir.resolve("mapping.yaml"))
                .replace("condition_labels: condition-labels.json", "condition_labels: logs/labels.json"));
        CliTestSupport.Outcome in = ingest(logs, inside, out, "--delimiter", "\\t");
        assertEquals(2, in.exitCode());
        assertTrue(lastLine(in.err()).contains("condition_labels: " + logs.resolve("labels.json")
                + " lies inside --input " + logs), in.err());
        Path intoOut = dir.resolve("into-out.yaml");
        Files.writeString(intoOut, Files.readString(dir.resolve("mapping.yaml"))
                .replace("condition_labels: condition-labels.json", "condition_labels: out/labels.json"));
        CliTestSupport.Outcome io = ingest(tsv, intoOut, out, "--delimiter", "\\t");
        assertEquals(2, io.exitCode());
        assertTrue(lastLine(io.err()).contains("--out " + out + ": contains the input condition_labels"), io.err());

        // Every rollout rejected (no such columns as numbers): the labels file is not created.
        Path noState = dir.resolve("text-state.yaml");
        Files.writeString(noState, Files.readString(dir.resolve("mapping.yaml")).replace("x: [pos, vel]",
                "x: [pos, task]"));
        CliTestSupport.Outcome rejected = ingest(tsv, noState, out, "--delimiter", "\\t");
        assertEquals(2, rejected.exitCode(), rejected.out());
        assertTrue(lastLine(rejected.err()).contains("every rollout of " + tsv + " was rejected; nothing written to " + out
                + "; most rejected for WRONG_TYPE (90 rows), e.g. file:" + tsv + ": rollout 'd1-01', t 0 (step 1): x[1]: "
                + "column 'task' holds 'reach_left', not a number"), rejected.err());
        assertFalse(Files.exists(labels), "no labels file for an ingest that wrote nothing");
        assertFalse(Files.exists(Path.of(out)));
    }
}
