package org.gps.pipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gps.io.RolloutReader;
import org.gps.io.RolloutSchema;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gps ingest}: logs in other shapes become schema v1; what breaks the rules is rejected and counted. */
class IngestCommandTest {
    static final String EXAMPLE = "data/logged/robot-log";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The source log of the format tests: condition, episode id, t, state (2), action (1), cost. */
    record Step(int condition, String episode, int t, double x0, double x1, double u, double cost) {
    }

    /** 2 conditions x 2 episodes x T = 4; the values are arbitrary but distinct, so that any mix-up shows. */
    static List<Step> log() {
        List<Step> out = new ArrayList<>();
        String[][] episodes = {{"e7", "e3"}, {"e9", "e1"}};
        for (int c = 0; c < 2; c++) {
            for (int e = 0; e < 2; e++) {
                for (int t = 0; t < 4; t++) {
                    double base = 100 * c + 10 * e + t;
                    out.add(new Step(c, episodes[c][e], t, base + 0.25, -base / 8, base / 3, base * base / 64));
                }
            }
        }
        return out;
    }

    private static String d(double v) {
        return Double.toString(v);
    }

    static void writeCsv(Path file, List<Step> steps) throws Exception {
        StringBuilder b = new StringBuilder("cond,episode,step,p,v,force,cost\n");
        for (Step s : steps) {
            b.append(String.join(",", Integer.toString(s.condition()), s.episode(), Integer.toString(s.t()),
                    d(s.x0()), d(s.x1()), d(s.u()), d(s.cost()))).append('\n');
        }
        Files.writeString(file, b.toString());
    }

    private static Path write(Path dir, String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static List<Row> rows(String path) {
        Dataset<Row> d = RolloutReader.read(SparkTestSession.get(), path);
        return d.orderBy(RolloutSchema.ITERATION, RolloutSchema.CONDITION, RolloutSchema.SAMPLE, RolloutSchema.T)
                .collectAsList();
    }

    private static JsonNode report(String out) throws Exception {
        return JSON.readTree(Files.readString(Path.of(out, "_ingest_report.json")));
    }

    @Test
    void theAppliedActionIsMappedLikeTheActionAndMustHaveItsLength(@TempDir Path dir) throws Exception {
        // JSON lines with the applied action as an array column: the command clipped to 20, as a plant with a
        // limit applies it; one row of rollout (condition 1, e1) has two elements.
        StringBuilder jl = new StringBuilder();
        for (Step s : log()) {
            String applied = s.condition() == 1 && s.episode().equals("e1") && s.t() == 2 ? "[1.0, 2.0]"
                    : "[" + d(Math.min(20.0, s.u())) + "]";
            jl.append(String.format(Locale.ROOT, "{\"task\": %d, \"run\": \"%s\", \"k\": %d, \"p\": %s, \"v\": %s, "
                    + "\"act\": %s, \"applied\": %s}%n", s.condition(), s.episode(), s.t(), d(s.x0()), d(s.x1()),
                    d(s.u()), applied));
        }
        Path jsonl = write(dir, "log.jsonl", jl.toString());
        Path map = write(dir, "map.yaml", "condition: task\nrollout: run\nt: k\nx: [p, v]\nu: act\nu_applied: applied\n");
        String out = dir.resolve("out").toString();

        CliTestSupport.Outcome o = CliTestSupport.run("ingest", "--input", jsonl.toString(), "--format", "jsonl",
                "--mapping", map.toString(), "--out", out);

        assertEquals(0, o.exitCode(), o.err() + o.out());
        assertTrue(o.out().contains("accepted: 3 rollouts (12 rows)"), o.out());
        assertTrue(o.out().contains("INCONSISTENT_VECTOR_LENGTH")
                && o.out().contains("u_applied: column 'applied' has 2 elements; expected 1 (the length of u)"), o.out());
        int clipped = 0;
        for (Row r : rows(out)) {
            double u = r.<Double>getList(r.fieldIndex(RolloutSchema.U)).get(0);
            assertEquals(List.of(Math.min(20.0, u)), r.getList(r.fieldIndex(RolloutSchema.U_APPLIED)));
            clipped += u > 20.0 ? 1 : 0;
        }
        assertTrue(clipped > 0, "some actions beyond the limit");

        Path twoForOne = write(dir, "two.yaml", "condition: task\nrollout: run\nt: k\nx: [p, v]\nu: act\n"
                + "u_applied: [act, act]\n");
        CliTestSupport.Outcome bad = CliTestSupport.run("ingest", "--input", jsonl.toString(), "--format", "jsonl",
                "--mapping", twoForOne.toString(), "--out", dir.resolve("out2").toString());
        assertEquals(2, bad.exitCode(), bad.out());
        assertTrue(bad.err().contains(twoForOne + ": u_applied: 2 element(s); expected 1"), bad.err());
        assertFalse(Files.exists(dir.resolve("out2")), "nothing written");
    }

    /**
     * An array column is checked element by element, whether its elements are text to parse (the
     * state below) or numbers (the action): one rollout per rule broken, each rejected with the rule
     * and the column named; the one clean rollout passes.
     */
    @Test
    void arrayElementsThatAreEmptyNotNumbersNonFiniteOrTooLargeRejectTheirRollouts(@TempDir Path dir)
            throws Exception {
        StringBuilder jl = new StringBuilder();
        for (Step s : log()) {
            String state = "[\"" + d(s.x0()) + "\", \"" + d(s.x1()) + "\"]";
            String act = "[" + d(s.u()) + "]";
            String run = s.condition() + "/" + s.episode();
            if (run.equals("0/e7") && s.t() == 1) {
                state = "[\"1.0\", \"abc\"]";
            } else if (run.equals("0/e3") && s.t() == 2) {
                state = "[\"NaN\", \"1.0\"]";
            } else if (run.equals("1/e9") && s.t() == 0) {
                state = "[\"1e200\", \"1.0\"]";
            }
            jl.append(String.format(Locale.ROOT, "{\"task\": %d, \"run\": \"%s\", \"k\": %d, \"state\": %s, "
                    + "\"act\": %s}%n", s.condition(), s.episode(), s.t(), state, act));
        }
        jl.append("{\"task\": 1, \"run\": \"e5\", \"k\": 0, \"state\": [null, \"1.0\"], \"act\": [0.5]}\n");
        jl.append("{\"task\": 1, \"run\": \"e6\", \"k\": 0, \"state\": [\"1.0\", \"1.0\"], \"act\": [1e200]}\n");
        Path jsonl = write(dir, "log.jsonl", jl.toString());
        Path map = write(dir, "map.yaml", "condition: task\nrollout: run\nt: k\nx: state\nu: act\n");
        String out = dir.resolve("out").toString();

        CliTestSupport.Outcome o = CliTestSupport.run("ingest", "--input", jsonl.toString(), "--format", "jsonl",
                "--mapping", map.toString(), "--out", out);

        assertEquals(0, o.exitCode(), o.err() + o.out());
        JsonNode r = report(out);
        assertEquals(java.util.Map.of("WRONG_TYPE", 1L, "NON_FINITE", 1L, "VALUE_TOO_LARGE", 2L, "NULL_VALUE", 1L),
                counts(r.get("rejected_rows")), r.toString());
        assertEquals(1, r.at("/rollouts/accepted").asLong(), r.toString());
        for (String said : List.of("x: column 'state' has an element that is not a number",
                "x: column 'state' has a NaN or infinite element",
                "x: column 'state' has an element of magnitude above 1e150",
                "u: column 'act' has an element of magnitude above 1e150",
                "x: column 'state' has an empty element")) {
            assertTrue(o.out().contains(said), said + " in:\n" + o.out());
        }
    }

    @Test
    void csvJsonLinesAndRenamedParquetGiveTheSameSchemaV1Rows(@TempDir Path dir) throws Exception {
        List<Step> steps = log();
        // CSV: one scalar column per vector element.
        Path csv = dir.resolve("log.csv");
        writeCsv(csv, steps);
        Path csvMap = write(dir, "csv.yaml", "condition: cond\nrollout: episode\nt: step\nx: [p, v]\nu: [force]\ncost: cost\n");
        // JSON lines: the state as one array column, the action as one scalar column named alone, reward not cost.
        StringBuilder jl = new StringBuilder();
        for (Step s : steps) {
            jl.append(String.format(Locale.ROOT, "{\"task\": %d, \"run\": \"%s\", \"k\": %d, \"state\": [%s, %s], "
                            + "\"act\": %s, \"r\": %s}%n", s.condition(), s.episode(), s.t(), d(s.x0()), d(s.x1()),
                    d(s.u()), d(-s.cost())));
        }
        jl.append("{\"task\": 0, \"run\": \"e7\", \"k\": 4,\n");   // a truncated line: rejected, belongs to no rollout
        Path jsonl = write(dir, "log.jsonl", jl.toString());
        Path jsonMap = write(dir, "json.yaml", "condition: task\nrollout: run\nt: k\nx: state\nu: act\nreward: r\n");
        // Parquet with other names and types: long indices, the state as array, the observation given explicitly.
        StructType schema = new StructType().add("c", DataTypes.LongType).add("id", DataTypes.StringType)
                .add("time", DataTypes.LongType).add("s", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("a", DataTypes.createArrayType(DataTypes.DoubleType)).add("loss", DataTypes.DoubleType);
        List<Row> prow = new ArrayList<>();
        for (Step s : steps) {
            prow.add(RowFactory.create((long) s.condition(), s.episode(), (long) s.t(), List.of(s.x0(), s.x1()),
                    List.of(s.u()), s.cost()));
        }
        Path parquet = dir.resolve("log.parquet");
        SparkTestSession.get().createDataFrame(prow, schema).repartition(3).write().mode(SaveMode.ErrorIfExists)
                .parquet(parquet.toString());
        Path parquetMap = write(dir, "parquet.yaml", "condition: c\nrollout: id\nt: time\nx: s\nu: a\no: s\ncost: loss\n");

        String[][] runs = {{csv.toString(), "csv", csvMap.toString()}, {jsonl.toString(), "jsonl", jsonMap.toString()},
                {parquet.toString(), "parquet", parquetMap.toString()}};
        List<List<Row>> results = new ArrayList<>();
        for (String[] r : runs) {
            String out = dir.resolve("out-" + r[1]).toString();
            CliTestSupport.Outcome o = CliTestSupport.run("ingest", "--input", r[0], "--format", r[1], "--mapping", r[2],
                    "--out", out);
            assertEquals(0, o.exitCode(), r[1] + ": " + o.err() + o.out());
            assertTrue(o.out().contains("accepted: 4 rollouts (16 rows)"), o.out());
            if (r[1].equals("jsonl")) {
                assertEquals(1, report(out).at("/rows/without_rollout").asLong(), o.out());
                assertTrue(o.out().contains("WRONG_TYPE: 1 row") && o.out().contains("the line is not valid JSON"), o.out());
            }
            if (r[1].equals("csv")) {
                // The others hold the same rows (asserted below), written the same way.
                CliTestSupport.Outcome v = CliTestSupport.run("validate", out);
                assertEquals(0, v.exitCode(), v.err());
            }
            assertTrue(Files.exists(Path.of(out, "_GPS_COMPLETE")), "published with its marker");
            results.add(rows(out));
        }
        assertEquals(16, results.get(0).size());
        assertEquals(results.get(0), results.get(1), "csv and jsonl");
        assertEquals(results.get(0), results.get(2), "csv and parquet");
        // Samples are numbered in the order of the episode ids: condition 0 has e3 (sample 0) and e7 (sample 1).
        Row first = results.get(0).get(0);
        Step e3 = steps.stream().filter(s -> s.episode().equals("e3") && s.t() == 0).findFirst().orElseThrow();
        assertEquals(List.of(0, 0, 0, 0), List.of(first.getInt(0), first.getInt(1), first.getInt(2), first.getInt(3)));
        assertEquals(List.of(e3.x0(), e3.x1()), first.getList(4));
        assertEquals(List.of(e3.u()), first.getList(5));
        assertEquals(first.getList(4), first.getList(6), "o defaults to x");
        assertEquals(e3.cost(), first.getDouble(7), 0.0);
        assertEquals("logged", first.getString(8));
    }

    @Test
    void theExampleLogLosesItsTwoDamagedEpisodesAndTheRestValidatesAndFitsDynamics(@TempDir Path dir) throws Exception {
        String out = dir.resolve("v1").toString();
        CliTestSupport.Outcome o = CliTestSupport.run("ingest", "--input", EXAMPLE + "/episodes.csv", "--format", "csv",
                "--mapping", EXAMPLE + "/mapping.yaml", "--out", out);
        assertEquals(0, o.exitCode(), o.err());
        // generate.py: 2 conditions x 4 episodes x T = 20, minus one lost row (episode 108, t 7), one NaN (107, t 5).
        assertTrue(o.out().contains("read: 159 rows, 8 rollouts"), o.out());
        assertTrue(o.out().contains("accepted: 6 rollouts (120 rows)"), o.out());
        assertTrue(o.out().contains("episodes.csv: rollout '107', t 5: x[1]: column 'vel' is NaN"), o.out());
        JsonNode r = report(out);
        assertEquals(159, r.at("/rows/read").asLong());
        assertEquals(120, r.at("/rows/accepted").asLong());
        assertEquals(2, r.at("/rollouts/rejected").asLong());
        assertEquals("NON_FINITE", r.at("/rejected_rows/0/reason").asText());
        assertEquals(1, r.at("/rejected_rows/0/count").asLong());
        assertEquals("NON_FINITE", r.at("/rejected_rollouts/0/reason").asText());
        assertEquals(20, r.at("/rejected_rollouts/0/rows").asLong());
        assertEquals("MISSING_TIME_STEP", r.at("/rejected_rollouts/1/reason").asText());
        assertEquals(19, r.at("/rejected_rollouts/1/rows").asLong());
        assertTrue(r.at("/rejected_rollouts/1/examples/0").asText().contains("rollout '108' (iteration 0, condition 1)"),
                r.toString());
        assertTrue(r.at("/rejected_rollouts/1/examples/0").asText().contains("lacks t=7"), r.toString());
        assertEquals(0, CliTestSupport.run("validate", out).exitCode());
        CliTestSupport.Outcome fit = CliTestSupport.run("fit-dynamics", "--rollouts", out, "--out",
                dir.resolve("dyn").toString());
        assertEquals(0, fit.exitCode(), fit.err());
        assertTrue(Files.exists(dir.resolve("dyn/_GPS_COMPLETE")));
        // Rewards became costs: cost = -reward of the first row of episode 101.
        Row first = rows(out).get(0);
        assertEquals(1.0431294907111857, first.getDouble(7), 0.0);
    }

    @Test
    void eachKindOfBadRowOrRolloutIsRejectedWithItsReasonAndCount(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.csv");
        writeCsv(good, log());
        StringBuilder b = new StringBuilder(Files.readString(good));
        // cond,episode,step,p,v,force,cost; 7 damaged episodes of 4 rows, 2 extra rows (b4, b5), b6 of 3 rows, 1 row without id
        String ok = ",1.0,2.0,3.0,4.0\n";
        for (int t = 0; t < 4; t++) {
            b.append("0,b1,").append(t).append(t == 2 ? ",1.0,abc,3.0,4.0\n" : ok);        // not a number
            b.append("0,b2,").append(t == 2 ? "2.5" : t).append(ok);                          // fractional t
            b.append("1,b3,").append(t).append(t == 1 ? ",1.0,2.0,,4.0\n" : ok);           // empty cell
            b.append("1,b4,").append(t).append(ok).append(t == 1 ? "1,b4,1" + ok : "");      // same row twice
            b.append("1,b5,").append(t).append(ok).append(t == 3 ? "1,b5,3,9.0,2.0,3.0,4.0\n" : ""); // t twice, different
            b.append("1,b7,").append(t + 1).append(ok);                                        // t from 1
            b.append("0,b8,").append(t).append(t == 0 ? ",1.0,2.0,3.0,Infinity\n" : ok);   // infinite cost
        }
        for (int t = 0; t < 3; t++) {
            b.append("0,b6,").append(t).append(ok);                                            // T = 3, not 4
        }
        b.append("0,,0").append(ok);                                                           // no episode id
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, b.toString());
        Path map = write(dir, "map.yaml", "condition: cond\nrollout: episode\nt: step\nx: [p, v]\nu: [force]\ncost: cost\n");
        String out = dir.resolve("out").toString();
        CliTestSupport.Outcome o = CliTestSupport.run("ingest", "--input", csv.toString(), "--format", "csv",
                "--mapping", map.toString(), "--out", out);
        assertEquals(0, o.exitCode(), o.err());
        JsonNode r = report(out);
        assertEquals(16 + 7 * 4 + 2 + 3 + 1, r.at("/rows/read").asLong(), r.toString());
        assertEquals(16, r.at("/rows/accepted").asLong());
        assertEquals(1, r.at("/rows/without_rollout").asLong());
        assertEquals(12, r.at("/rollouts/read").asLong());
        assertEquals(4, r.at("/rollouts/accepted").asLong());
        assertEquals(java.util.Map.of("WRONG_TYPE", 2L, "NULL_VALUE", 2L, "NON_FINITE", 1L), counts(r.get("rejected_rows")));
        assertEquals(java.util.Map.of("WRONG_TYPE", 2L, "NULL_VALUE", 1L, "NON_FINITE", 1L, "DUPLICATE_KEY", 1L,
                "REPEATED_TIME_STEP", 1L, "MISSING_TIME_STEP", 1L, "UNEQUAL_TRAJECTORY_LENGTHS", 1L),
                counts(r.get("rejected_rollouts")));
        assertTrue(o.out().contains("v: column 'v' holds 'abc', not a number") || o.out().contains("x[1]: column 'v' holds 'abc'"),
                o.out());
        assertTrue(o.out().contains("t: column 'step' holds 2.5, not an integer"), o.out());
        assertTrue(o.out().contains("T = 3, while the most common T of condition 0 is 4"), o.out());
        // What passed is exactly the clean log.
        assertEquals(0, CliTestSupport.run("validate", out).exitCode());
        String clean = dir.resolve("clean").toString();
        assertEquals(0, CliTestSupport.run("ingest", "--input", good.toString(), "--format", "csv", "--mapping",
                map.toString(), "--out", clean).exitCode());
        assertEquals(rows(clean), rows(out));
    }

    private static java.util.Map<String, Long> counts(JsonNode faults) {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        faults.forEach(f -> m.put(f.get("reason").asText(), f.get("count").asLong()));
        return m;
    }

    @Test
    void aMappingThatNamesAMissingColumnOrIsMalformedExitsTwoNamingFileAndKey(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("log.csv");
        writeCsv(csv, log());
        String out = dir.resolve("out").toString();
        String[][] cases = {
                {"condition: cond\nrollout: episode\nt: step\nx: [p, velocity]\nu: [force]\n",
                        "x[1]: column 'velocity' does not exist in " + csv},
                {"rollout: episode\nstp: step\nx: [p, v]\nu: [force]\n", "stp: unknown key"},
                {"rollout: episode\nx: [p, v]\nu: [force]\n", "t: missing"},
                {"rollout: episode\nt: step\nx: [p, v\nu: [force]\n", "not valid YAML"},
                {"rollout: episode\nt: step\nx: {a: p}\nu: [force]\n", "x: expected a non-empty list"},
                {"rollout: episode\nt: step\nx: [p, v]\nu: [force]\ncost: cost\nreward: cost\n", "reward: give either"},
        };
        for (int i = 0; i < cases.length; i++) {
            Path map = write(dir, "map" + i + ".yaml", cases[i][0]);
            CliTestSupport.Outcome o = CliTestSupport.run("ingest", "--input", csv.toString(), "--format", "csv",
                    "--mapping", map.toString(), "--out", out);
            assertEquals(2, o.exitCode(), o.err());
            assertTrue(o.err().contains(map + ": " + cases[i][1]) || o.err().contains(map + ": ")
                    && o.err().contains(cases[i][1]), "case " + i + ": " + o.err());
            String last = o.err().strip().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.contains(map + ": ") && last.contains(cases[i][1]), "case " + i + ", last line: " + last);
            assertFalse(Files.exists(Path.of(out)), "nothing written");
        }
    }

    @Test
    void whenEveryRolloutIsRejectedNothingIsWrittenAndTheExitCodeIsTwo(@TempDir Path dir) throws Exception {
        List<Step> nan = log().stream().map(s -> new Step(s.condition(), s.episode(), s.t(), Double.NaN, s.x1(), s.u(),
                s.cost())).toList();
        Path csv = dir.resolve("nan.csv");
        writeCsv(csv, nan);
        Path map = write(dir, "map.yaml", "condition: cond\nrollout: episode\nt: step\nx: [p, v]\nu: [force]\n");
        String out = dir.resolve("out").toString();
        CliTestSupport.Outcome o = CliTestSupport.run("ingest", "--input", csv.toString(), "--format", "csv",
                "--mapping", map.toString(), "--out", out);
        assertEquals(2, o.exitCode(), o.out());
        assertTrue(o.err().contains("NON_FINITE: 16 rows"), o.err());
        assertTrue(o.err().contains("NON_FINITE: 4 rollouts (16 rows)"), o.err());
        assertTrue(o.err().contains("every rollout of " + csv + " was rejected"), o.err());
        assertFalse(Files.exists(Path.of(out)));
    }
}
