package org.gps.pipeline.steps;

import org.gps.pipeline.IterationState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gps run's rows: what the summary columns hold, their width bound, and the ETA rule. */
class ProgressRowsTest {
    /** An iteration of {@code conditions} conditions: condition c costs cost + c and returns ret - c. */
    private static RunLoop.Progress iteration(int i, int conditions, double cost, double ret, double kl, double target,
                                              double mult, Double policyReturn, double seconds, boolean resumed,
                                              boolean allStepsRun) {
        List<IterationState.ConditionState> cs = new ArrayList<>();
        List<EvaluateStep.ConditionResult> rs = new ArrayList<>();
        for (int c = 0; c < conditions; c++) {
            cs.add(new IterationState.ConditionState(c, cost + c, 1, mult, 1, kl, target, 3, true, null, null));
            rs.add(new EvaluateStep.ConditionResult(c, ret - c, 1, 0.5));
        }
        EvaluateStep.PolicyScore policy = policyReturn == null ? null
                : new EvaluateStep.PolicyScore(10, 200, policyReturn, 1, 4000, null, null, "even", null);
        return new RunLoop.Progress(i, new IterationState(i, "mdgps", cs), new EvaluateStep.Result(i, 2, rs), policy,
                seconds, resumed, allStepsRun);
    }

    private static RunLoop.Progress took(int i, double seconds, boolean allStepsRun) {
        return iteration(i, 2, 10, -100, 1, 2, 1, null, seconds, !allStepsRun, allStepsRun);
    }

    @Test
    void theDefaultRowSummarisesTheConditionsUnderItsHeader() {
        // Costs 10..13 (mean 11.5), returns -100..-103 (mean -101.5, worst -103).
        RunLoop.Progress p = iteration(3, 4, 10, -100, 24.6, 30, 1.5, -552.6, 4.44, false, true);
        assertEquals("iter  cost_avg  ret_avg  ret_min  pol_ret     KL/target step_mult seconds     eta",
                ProgressRows.header(true));
        assertEquals("   3     11.50   -101.5   -103.0   -552.6   24.6/30.0       1.500     4.4   1m05s",
                ProgressRows.row(p, 65));
        // The KL and its target share the column at its slash, under the header's.
        assertEquals(ProgressRows.header(true).indexOf('/'), ProgressRows.row(p, 65).indexOf('/'));
        assertEquals("iter  cost_avg  ret_avg  ret_min     KL/target step_mult seconds     eta",
                ProgressRows.header(false));
    }

    @Test
    void noDefaultRowOfTwentyConditionsExceedsOneHundredCharactersWhateverTheNumbers() {
        double[] extremes = {0, -0.0, 1e-300, 123456.789, -123456.789, 9.99e7, -9.99e7, 1e300, -1e300,
                Double.MAX_VALUE, -Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        int widest = 0;
        for (double v : extremes) {
            for (boolean resumed : new boolean[] {false, true}) {
                // KL and its target are never negative; every other number takes every extreme.
                double kl = Double.isNaN(v) ? v : Math.abs(v);
                RunLoop.Progress p = iteration(9999, 20, v, v, kl, kl, v, v, Math.abs(v), resumed, !resumed);
                for (double eta : new double[] {Double.NaN, 0, 1e9, Math.abs(v)}) {
                    String row = ProgressRows.row(p, eta);
                    assertTrue(row.length() <= ProgressRows.MAX_WIDTH, row.length() + ": " + row);
                    widest = Math.max(widest, row.length());
                }
            }
        }
        // Every column full and the resumed marker: 95 characters, for runs of up to 10,000 iterations.
        assertEquals(95, widest);
        assertTrue(ProgressRows.header(true).length() <= ProgressRows.MAX_WIDTH);
    }

    @Test
    void theWideRowHasAColumnPerConditionAndTheEta() {
        RunLoop.Progress p = iteration(0, 20, 10, -100, 24.6, 30, 1, -552.6, 33.04, false, true);
        String header = ProgressRows.wideHeader(20, true);
        String row = ProgressRows.wideRow(p, 66);
        assertTrue(header.contains(" cost19 ") && header.contains(" ret19 ") && header.endsWith(" seconds     eta"),
                header);
        assertTrue(row.contains("     29.00 ") && row.contains("  -119.0 ") && row.endsWith("    33.0   1m06s"), row);
        assertEquals(header.length(), row.length(), header + "\n" + row);
    }

    @Test
    void numbersKeepTheirDecimalsWhenTheyFitAndAreNeverWiderThanTheirColumn() {
        assertEquals("123.46", ProgressRows.fit(123.456, 9, 2));
        assertEquals("-1234567.9", ProgressRows.fit(-1234567.89, 10, 2));
        assertEquals("-1234568", ProgressRows.fit(-1234567.89, 8, 1));
        assertEquals("1.00e+12", ProgressRows.fit(1e12, 8, 1));
        assertEquals("-1e+300", ProgressRows.fit(-1e300, 7, 1));
        assertEquals("nan", ProgressRows.fit(Double.NaN, 7, 1));
        assertEquals("-inf", ProgressRows.fit(Double.NEGATIVE_INFINITY, 7, 1));
    }

    @Test
    void durationsAreShortAtEveryScale() {
        assertEquals("-", ProgressRows.duration(Double.NaN));
        assertEquals("0s", ProgressRows.duration(0.4));
        assertEquals("59s", ProgressRows.duration(59.4));
        assertEquals("1m00s", ProgressRows.duration(59.6));
        assertEquals("3m07s", ProgressRows.duration(187));
        assertEquals("1h00m", ProgressRows.duration(3599.6));
        assertEquals("2h05m", ProgressRows.duration(2 * 3600 + 5 * 60 + 10));
        assertEquals("100h", ProgressRows.duration(100 * 3600));
        assertEquals(">9999h", ProgressRows.duration(1e300));
    }

    @Test
    void afterTheFirstIterationTheEtaIsItsTimeForEachIterationLeft() {
        // 10 iterations: 9 left after iteration 0's 100 s.
        assertEquals(900, ProgressRows.etaSeconds(List.of(took(0, 100, true)), 10), 1e-9);
    }

    @Test
    void laterIterationsLeaveTheSlowFirstOneOut() {
        // 8 left at iteration 1's 20 s: iteration 0's 100 s would say 480 s instead of 160 s.
        assertEquals(160, ProgressRows.etaSeconds(List.of(took(0, 100, true), took(1, 20, true)), 10), 1e-9);
    }

    @Test
    void theEtaAveragesTheLastThreeIterations() {
        List<RunLoop.Progress> done = new ArrayList<>();
        double[] seconds = {100, 10, 20, 30, 40, 50};
        for (int i = 0; i < seconds.length; i++) {
            done.add(took(i, seconds[i], true));
        }
        // 4 left at the mean of 30, 40 and 50 s.
        assertEquals(160, ProgressRows.etaSeconds(done, 10), 1e-9);
    }

    @Test
    void iterationsDoneBeforeInWholeOrInPartGiveNoEstimate() {
        List<RunLoop.Progress> done = new ArrayList<>(List.of(took(0, 0.2, false), took(1, 3, false)));
        assertTrue(Double.isNaN(ProgressRows.etaSeconds(done, 10)));
        done.add(took(2, 30, true));
        // Only iteration 2 ran every step: 7 left at its 30 s.
        assertEquals(210, ProgressRows.etaSeconds(done, 10), 1e-9);
    }

    @Test
    void theLastIterationLeavesNothingToWaitFor() {
        assertEquals(0, ProgressRows.etaSeconds(List.of(took(0, 0.2, false), took(1, 0.3, false)), 2), 0.0);
        assertEquals("0s", ProgressRows.duration(ProgressRows.etaSeconds(List.of(took(0, 50, true)), 1)));
    }
}
