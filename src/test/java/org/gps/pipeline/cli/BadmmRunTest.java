package org.gps.pipeline.cli;

import org.gps.core.control.BadmmDuals;
import org.gps.io.BadmmDualsStore;
import org.gps.spark.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A two-iteration BADMM run on the tiny MDGPS config: the inner loop, the duals, the S-step. */
class BadmmRunTest {
    @TempDir
    static Path dir;
    static String runDir;
    static CliTestSupport.Outcome run;

    @BeforeAll
    static void runTwoIterations() throws Exception {
        Path config = dir.resolve("badmm.yaml");
        Files.writeString(config, MdgpsRunTest.CONFIG.replace("algorithm: mdgps", "algorithm: badmm")
                .replace("sample_on_policy: true", "inner_iterations: 2"));
        runDir = dir.resolve("run").toString();
        run = CliTestSupport.run("run", "--config", config.toString(), "--run-dir", runDir);
    }

    @Test
    void aTwoIterationRunAlternatesCAndSStepsAndKeepsItsDuals() {
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("published policy (iteration "), run.out());
        for (String p : new String[] {"best_policy.json", "iter=0000/badmm_duals/_GPS_COMPLETE", "iter=0000/policy_inner.json",
                "iter=0000/policy.json", "iter=0001/badmm_duals/_GPS_COMPLETE", "iter=0001/policy_inner.json",
                "iter=0001/policy_eval.json", "iter=0002/controllers.json"}) {
            assertTrue(Files.exists(Path.of(runDir, p)), p);
        }
    }

    @Test
    void theDualStepsMoveTheMultipliersAndTheExpRuleDoublesOrHalvesWeightsFromIterationOne() {
        Map<Integer, BadmmDuals> d0 = BadmmDualsStore.read(SparkTestSession.get(),
                Path.of(runDir, "iter=0000/badmm_duals").toString());
        Map<Integer, BadmmDuals> d1 = BadmmDualsStore.read(SparkTestSession.get(),
                Path.of(runDir, "iter=0001/badmm_duals").toString());
        assertEquals(2, d1.size());
        boolean moved = false;
        boolean changed = false;
        for (int c = 0; c < 2; c++) {
            double[] w0 = d0.get(c).policyWeights();
            double[] w1 = d1.get(c).policyWeights();
            assertEquals(10, w1.length);
            for (int t = 0; t < w1.length; t++) {
                // Rule "exp" (the default) waits for a previous iteration's KLs: iteration 0 keeps
                // init_pol_wt; iteration 1 doubles, halves or keeps each weight (exact in binary).
                assertEquals(0.01, w0[t], 0.0, "w[" + t + "] after iteration 0");
                assertTrue(w1[t] == 0.005 || w1[t] == 0.01 || w1[t] == 0.02,
                        "w[" + t + "] after iteration 1: " + w1[t]);
                changed |= w1[t] != 0.01;
            }
            for (double[] l : d1.get(c).lambdak()) {
                moved |= l[0] != 0.0;
            }
        }
        assertTrue(changed, "no weight moved in iteration 1: the exp rule did not run");
        assertTrue(moved, "lambda_k never moved: the dual step did not run");
    }
}
