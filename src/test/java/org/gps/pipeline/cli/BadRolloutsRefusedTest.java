package org.gps.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.spark.sql.types.DataTypes;
import org.gps.io.FaultKind;
import org.gps.io.RolloutSchema;
import org.gps.pipeline.cli.BadRollouts.Fault;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bad-input corpus ({@link BadRollouts}) through every command that reads rollouts:
 * {@code validate}, {@code inspect} and {@code fit-dynamics} on logged data, {@code fit-dynamics}
 * {@code trajopt} and {@code train-policy} on a run whose rollouts were damaged, {@code ingest}
 * on unreadable input. Each refusal must exit 2 with its last line naming the fault, print no
 * stack trace and write nothing. ({@code evaluate} and {@code report} read no rollouts.)
 */
@Tag("slow")
class BadRolloutsRefusedTest {
    private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at ");

    @TempDir
    static Path corpus;
    private static final Map<Fault, Path> LOGGED = new EnumMap<>(Fault.class);

    @TempDir
    Path dir;

    @BeforeAll
    static void writeCorpus() {
        for (Fault f : Fault.values()) {
            LOGGED.put(f, BadRollouts.write(f, corpus));
        }
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** Exit 2, no stack trace, and a last line holding every part. */
    private static void assertRefused(CliTestSupport.Outcome o, String... parts) {
        String all = o.out() + o.err();
        assertEquals(2, o.exitCode(), all);
        assertFalse(STACK_FRAME.matcher(all).find(), "no stack trace for bad input: " + all);
        String last = lastLine(o.err());
        for (String p : parts) {
            assertTrue(last.contains(p), "'" + p + "' not in the last line: " + last + "\n(all: " + all + ")");
        }
    }

    /** What a step's last line must say for the fault. */
    private static String[] stepNames(Fault f) {
        return switch (f) {
            case TRUNCATED_FILE, ZERO_BYTE_FILE, NOT_PARQUET -> new String[] {"not a readable Parquet dataset"};
            case UNSUPPORTED_VERSION -> new String[] {f.names};
            case MISSING_COLUMN_X, X_AS_TEXT -> new String[] {f.names};
            default -> new String[] {f.kind.name(), f.names};
        };
    }

    /**
     * The faults ValidateDamagedRolloutsTest already takes through validate, message by message,
     * are left out here (validate's report costs a few seconds of Spark jobs per dataset).
     */
    @ParameterizedTest
    @EnumSource(value = Fault.class, mode = EnumSource.Mode.EXCLUDE, names = {"NAN_IN_X", "SHORT_VECTOR",
            "MISSING_COLUMN_X", "X_AS_TEXT", "MISSING_TIME_STEP", "DUPLICATED_TIME_STEP", "REPEATED_TIME_STEP",
            "SHORTER_TRAJECTORY", "EMPTY", "UNSUPPORTED_VERSION"})
    void validateNamesTheFault(Fault f) {
        Path data = LOGGED.get(f);
        List<String> before = BadRollouts.listing(data);
        CliTestSupport.Outcome o = CliTestSupport.run("validate", data.toString());
        assertRefused(o);
        assertTrue(o.err().contains("  " + f.kind + ": "), o.err());
        // One fault, one finding: no second report of the same rows as unreadable.
        if (f.kind != org.gps.io.FaultKind.UNREADABLE_PATH) {
            assertFalse(o.err().contains("UNREADABLE_PATH"), o.err());
        }
        assertEquals(before, BadRollouts.listing(data), "validate writes nothing");
    }

    /**
     * inspect refuses through the validator's report, whose every kind {@link #validateNamesTheFault}
     * covers: one fault of each sort (row, trajectory, dataset, schema, file) suffices here.
     */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"NAN_IN_X", "NEGATIVE_CONDITION", "SHORTER_TRAJECTORY", "MISSING_TIME_STEP",
            "PART_FILE_DELETED", "MISSING_COLUMN_X", "TRUNCATED_FILE", "UNSUPPORTED_VERSION"})
    void inspectRefusesWithTheFault(Fault f) {
        Path data = LOGGED.get(f);
        List<String> before = BadRollouts.listing(data);
        assertRefused(CliTestSupport.run("inspect", "--rollouts", data.toString()), f.kind.name());
        assertEquals(before, BadRollouts.listing(data), "inspect writes nothing");
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void fitDynamicsOnLoggedDataRefusesWithTheFault(Fault f) {
        Path out = dir.resolve("dynamics");
        assertRefused(CliTestSupport.run("fit-dynamics", "--rollouts", LOGGED.get(f).toString(), "--out", out.toString()),
                stepNames(f));
        assertEquals(List.of(""), BadRollouts.listing(dir), "nothing written beside or at --out");
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void fitDynamicsInARunRefusesDamagedRollouts(Fault f) {
        assertStepRefusesDamagedRun(TinyRun.sampled(), f, "fit-dynamics");
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void trajOptRefusesDamagedRollouts(Fault f) {
        assertStepRefusesDamagedRun(TinyRun.fitted(), f, "trajopt");
    }

    /**
     * train-policy reads its rollouts through the same checked reader as fit-dynamics (which
     * {@link #fitDynamicsInARunRefusesDamagedRollouts} takes through every fault): one fault of
     * each sort suffices here.
     */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"NAN_IN_X", "NEGATIVE_CONDITION", "MIXED_STATE_DIMENSIONS",
            "MISSING_TIME_STEP", "DUPLICATED_TIME_STEP", "MISSING_COLUMN_X", "TRUNCATED_FILE"})
    void trainPolicyRefusesDamagedRollouts(Fault f) {
        assertStepRefusesDamagedRun(BadRollouts.mdgpsOptimised(), f, "train-policy");
    }

    /** A copy of {@code stage} with iteration 0's rollouts damaged by {@code f}: the step refuses and writes nothing. */
    private void assertStepRefusesDamagedRun(Path stage, Fault f, String step) {
        Path run = TinyRun.copy(stage, dir.resolve("run"));
        BadRollouts.damageRun(f, run);
        List<String> before = BadRollouts.listing(run);
        assertRefused(CliTestSupport.run(step, "--run-dir", run.toString(), "--iteration", "0"), stepNames(f));
        assertEquals(before, BadRollouts.listing(run), "the run directory is unchanged");
    }

    @Test
    void fitDynamicsRefusesTrajectoriesTooShortToFit() {
        Path out = dir.resolve("dynamics");
        assertRefused(CliTestSupport.run("fit-dynamics", "--rollouts", BadRollouts.writeSingleStep(corpus.resolve("t1"))
                .toString(), "--out", out.toString()), "has T=1", "expected at least 2 time steps");
        assertFalse(Files.exists(out));
    }

    @Test
    void fitDynamicsRefusesAStateTooWideToHoldItsMatrices() {
        Path out = dir.resolve("dynamics");
        assertRefused(CliTestSupport.run("fit-dynamics", "--rollouts",
                BadRollouts.writeWideState(corpus.resolve("wide")).toString(), "--out", out.toString()),
                "joint dimension of 10001", "expected a joint dimension of at most");
        assertFalse(Files.exists(out));
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"TRUNCATED_FILE", "ZERO_BYTE_FILE", "NOT_PARQUET"})
    void ingestRefusesUnreadableInput(Fault f) throws Exception {
        Path out = dir.resolve("ingested");
        assertRefused(CliTestSupport.run("ingest", "--input", LOGGED.get(f).toString(), "--format", "parquet",
                "--mapping", mapping().toString(), "--out", out.toString()), "--input", LOGGED.get(f).toString(),
                "not a readable Parquet dataset", "not a readable Parquet file (truncated, empty or another format)");
        assertFalse(Files.exists(out));
    }

    @Test
    void ingestRefusesFilesThatDisagreeOnAColumnType() throws Exception {
        Path input = dir.resolve("mixed-types");
        BadRollouts.validRows().coalesce(1).write().parquet(input.resolve("a").toString());
        BadRollouts.validRows().withColumn(RolloutSchema.CONDITION,
                        org.apache.spark.sql.functions.col(RolloutSchema.CONDITION).cast(DataTypes.StringType))
                .coalesce(1).write().parquet(input.resolve("b").toString());
        // One folder of Parquet files, as logged data arrive: move b's file beside a's.
        for (Path p : BadRollouts.parts(input.resolve("b"))) {
            Files.move(p, input.resolve("a").resolve("part-b.snappy.parquet"));
        }
        Path out = dir.resolve("ingested");
        assertRefused(CliTestSupport.run("ingest", "--input", input.resolve("a").toString(), "--format", "parquet",
                "--mapping", mapping().toString(), "--out", out.toString()), "--input", "condition");
        assertFalse(Files.exists(out));
    }

    private Path mapping() throws Exception {
        Path m = dir.resolve("mapping.yaml");
        Files.writeString(m, "iteration: iteration\ncondition: condition\nrollout: sample\nt: t\nx: x\nu: u\no: o\n"
                + "cost: cost\n");
        return m;
    }

    @Test
    void undamagedRolloutsPassEveryCommand() {
        Path valid = corpus.resolve("valid");
        BadRollouts.validRows().coalesce(1).write().parquet(valid.toString());
        assertEquals(0, CliTestSupport.run("validate", valid.toString()).exitCode());
        CliTestSupport.Outcome o = CliTestSupport.run("fit-dynamics", "--rollouts", valid.toString(), "--out",
                dir.resolve("dynamics").toString());
        assertEquals(0, o.exitCode(), o.err());
    }

    @Test
    void theCorpusHoldsEveryFaultKind() {
        java.util.Set<FaultKind> covered = java.util.EnumSet.noneOf(FaultKind.class);
        for (Fault f : Fault.values()) {
            covered.add(f.kind);
        }
        assertEquals(java.util.EnumSet.allOf(FaultKind.class), covered);
    }
}
