package org.gps.pipeline.steps;

import org.gps.pipeline.IterationState;

import java.util.List;
import java.util.Locale;

/**
 * The per-iteration rows of {@code gps run}. The default row summarises the conditions (the mean
 * over conditions of the sample cost and of the controllers' return, and the worst condition's
 * return) so that it stays within {@link #MAX_WIDTH} characters for any number of conditions and any
 * magnitude of the numbers; the wide row has a column per condition, as the run's log file keeps it.
 */
final class ProgressRows {
    /** The widest default row, a terminal's usual width less a margin. */
    static final int MAX_WIDTH = 100;
    private static final String DONE_BEFORE = " (done before)";

    private ProgressRows() {
    }

    static String header(boolean policy) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4s %9s %8s %8s", "iter", "cost_avg",
                "ret_avg", "ret_min"));
        if (policy) {
            sb.append(String.format(Locale.ROOT, " %8s", "pol_ret"));
        }
        sb.append(String.format(Locale.ROOT, " %13s %9s %7s %7s", "KL/target", "step_mult", "seconds", "eta"));
        return sb.toString();
    }

    /**
     * cost_avg: the iteration's mean sample cost, averaged over conditions; ret_avg, ret_min: the mean
     * return of the iteration's controllers, averaged over conditions and of the worst condition;
     * pol_ret (MDGPS, BADMM): the policy's mean return after the S-step; KL/target, step_mult: the
     * C-step, averaged over conditions; eta: {@code etaSeconds} as a duration, {@code -} when NaN.
     */
    static String row(RunLoop.Progress p, double etaSeconds) {
        List<IterationState.ConditionState> cs = p.state().conditions();
        double cost = 0;
        for (IterationState.ConditionState c : cs) {
            cost += c.costMean() / cs.size();
        }
        double ret = 0;
        double worst = Double.POSITIVE_INFINITY;
        List<EvaluateStep.ConditionResult> rs = p.evaluation().conditions();
        for (EvaluateStep.ConditionResult r : rs) {
            ret += r.meanReturn() / rs.size();
            worst = Math.min(worst, r.meanReturn());
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4d %9s %8s %8s",
                p.iteration(), fit(cost, 9, 2), fit(ret, 8, 1), fit(worst, 8, 1)));
        if (p.policy() != null) {
            sb.append(String.format(Locale.ROOT, " %8s", fit(p.policy().meanReturn(), 8, 1)));
        }
        double[] c = cStep(cs);
        sb.append(String.format(Locale.ROOT, " %6s/%-6s %9s %7s %7s", fit(c[0], 6, 1), fit(c[1], 6, 1),
                fit(c[2], 9, 3), fit(p.seconds(), 7, 1), duration(etaSeconds)));
        return sb.append(p.resumed() ? DONE_BEFORE : "").toString();
    }

    static String wideHeader(int conditions, boolean policy) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4s", "iter"));
        for (int c = 0; c < conditions; c++) {
            sb.append(String.format(Locale.ROOT, " %9s", "cost" + c));
        }
        for (int c = 0; c < conditions; c++) {
            sb.append(String.format(Locale.ROOT, " %8s", "ret" + c));
        }
        sb.append(String.format(Locale.ROOT, " %9s %11s %13s", "|angle|0", "KL/target", "step_mult"));
        if (policy) {
            sb.append(String.format(Locale.ROOT, " %10s %10s", "pol_ret", "env_steps"));
        }
        sb.append(String.format(Locale.ROOT, " %7s %7s", "seconds", "eta"));
        return sb.toString();
    }

    /**
     * costN: mean sample cost of condition N (docs/algorithm.md section 2); retN: mean Gym-style return of
     * condition N's controllers over the horizon; |angle|0: Pendulum, condition 0, mean |angle| over the
     * last 20 steps; KL/target and step_mult: the C-step, averaged over conditions; pol_ret (MDGPS,
     * BADMM): mean return of the neural policy after the iteration's S-step over its scoring starts,
     * env_steps: the environment steps it was trained from.
     */
    static String wideRow(RunLoop.Progress p, double etaSeconds) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%4d", p.iteration()));
        List<IterationState.ConditionState> cs = p.state().conditions();
        for (IterationState.ConditionState c : cs) {
            sb.append(String.format(Locale.ROOT, " %9.2f", c.costMean()));
        }
        for (EvaluateStep.ConditionResult r : p.evaluation().conditions()) {
            sb.append(String.format(Locale.ROOT, " %8.1f", r.meanReturn()));
        }
        double[] c = cStep(cs);
        double angle = p.evaluation().conditions().get(0).finalAbsAngle();
        sb.append(String.format(Locale.ROOT, " %9s %5.1f/%-5.1f %13.3f",
                Double.isNaN(angle) ? "-" : String.format(Locale.ROOT, "%.3f", angle), c[0], c[1], c[2]));
        if (p.policy() != null) {
            sb.append(String.format(Locale.ROOT, " %10.1f %10d", p.policy().meanReturn(), p.policy().trainingEnvSteps()));
        }
        sb.append(String.format(Locale.ROOT, " %7.1f %7s", p.seconds(), duration(etaSeconds)));
        return sb.append(p.resumed() ? DONE_BEFORE : "").toString();
    }

    /** KL, its target and the step multiplier, each averaged over conditions. */
    private static double[] cStep(List<IterationState.ConditionState> cs) {
        double[] m = new double[3];
        for (IterationState.ConditionState c : cs) {
            m[0] += c.kl() / cs.size();
            m[1] += c.klTarget() / cs.size();
            m[2] += c.stepMult() / cs.size();
        }
        return m;
    }

    /**
     * {@code v} in at most {@code width} characters (width at least 7): with {@code decimals} decimals
     * when it fits, fewer when not, and in scientific notation when no fixed notation fits.
     * Non-finite values are {@code nan}, {@code inf}, {@code -inf}.
     */
    static String fit(double v, int width, int decimals) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        for (int d = decimals; d >= 0; d--) {
            String s = String.format(Locale.ROOT, "%." + d + "f", v);
            if (s.length() <= width) {
                return s;
            }
        }
        for (int d = width; d > 0; d--) {
            String s = String.format(Locale.ROOT, "%." + d + "e", v);
            if (s.length() <= width) {
                return s;
            }
        }
        // "-1e+308": seven characters at most.
        return String.format(Locale.ROOT, "%.0e", v);
    }

    /** A duration such as 42s, 3m07s, 2h05m, 130h, at most 6 characters ({@code >9999h}); {@code -} for NaN (no estimate). */
    static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        long s = Math.round(Math.max(0, seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        long m = Math.round(s / 60.0);
        if (m < 100 * 60) {
            return String.format(Locale.ROOT, "%dh%02dm", m / 60, m % 60);
        }
        long h = Math.round(s / 3600.0);
        return h < 10_000 ? h + "h" : ">9999h";
    }

    /** How many of the latest iterations, at most, the estimate averages: recent enough to follow a run that slows as its data grow. */
    static final int ETA_WINDOW = 3;

    /**
     * The estimated seconds to the end of the loop after {@code done}, of {@code iterations} in all:
     * the iterations still to run times the mean time of the last {@value #ETA_WINDOW} iterations that
     * this process ran every step of, leaving iteration 0 out (it also starts the JVM's compilation and
     * the policy's catch-up S-step) unless it is the only one. NaN when no iteration qualifies (all
     * were done before, in part or in whole). The final evaluation and the report are not counted.
     */
    static double etaSeconds(List<RunLoop.Progress> done, int iterations) {
        if (done.isEmpty()) {
            return Double.NaN;
        }
        int remaining = iterations - 1 - done.get(done.size() - 1).iteration();
        double sum = 0;
        int n = 0;
        RunLoop.Progress first = null;
        for (int k = done.size() - 1; k >= 0 && n < ETA_WINDOW; k--) {
            RunLoop.Progress p = done.get(k);
            if (!p.allStepsRun()) {
                continue;
            }
            if (p.iteration() == 0) {
                first = p;
                continue;
            }
            sum += p.seconds();
            n++;
        }
        if (n == 0 && first != null) {
            sum = first.seconds();
            n = 1;
        }
        if (n == 0) {
            return remaining == 0 ? 0 : Double.NaN;
        }
        return remaining * sum / n;
    }
}
