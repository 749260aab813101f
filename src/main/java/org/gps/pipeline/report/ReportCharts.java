package org.gps.pipeline.report;

import org.gps.io.DynamicsStore;
import org.gps.pipeline.IterationState;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.IntervalXYDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts. The datasets are built by separate methods so that a test can compare
 * what is plotted with the run's files; the chart methods only style them. A condition keeps
 * its colour in every chart that draws conditions one by one; a chart that summarises them (a
 * median with its band) says so in its title. Axes span the data, not JFreeChart's margins.
 */
public final class ReportCharts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 450;

    /** The band's percentiles: wide enough to show the spread, and inside the values that occurred. */
    static final double BAND_LOW = 0.10;
    static final double BAND_HIGH = 0.90;

    /** The one series of a chart that summarises the conditions. */
    static final String MEDIAN = "median of conditions";

    /** Colour-blind-safe palette (Okabe and Ito), cycled when there are more conditions. */
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
            new Color(204, 121, 167), new Color(86, 180, 233), new Color(213, 94, 0), new Color(240, 228, 66),
            Color.BLACK};
    private static final BasicStroke SOLID = new BasicStroke(2f);
    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    static {
        // A report is drawn on servers and in CI without a display; AWT must not look for one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ReportCharts() {
    }

    /** One image of the page; {@code id} names it in the page ({@code chart-<id>}). */
    public record Chart(String id, String title, String caption, JFreeChart chart) {
        /** The image as PNG, {@link #WIDTH} x {@link #HEIGHT}. */
        public byte[] png() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot draw the chart " + id, e);
            }
            return out.toByteArray();
        }
    }

    /**
     * The {@code p}-quantile of the finite values, interpolated linearly between order statistics
     * (numpy's default), so it never leaves their range; NaN when there is none.
     */
    static double quantile(double[] values, double p) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        double h = (v.length - 1) * p;
        int lo = (int) Math.floor(h);
        return lo + 1 < v.length ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[lo];
    }

    /** A point with the median of {@code values} and its band. */
    private static void addMedianAndBand(YIntervalSeries s, double x, double[] values) {
        s.add(x, quantile(values, 0.5), quantile(values, BAND_LOW), quantile(values, BAND_HIGH));
    }

    /** A non-finite value is drawn as a gap: an infinite one would stretch the axis to nothing. */
    static double y(double v) {
        return Double.isFinite(v) ? v : Double.NaN;
    }

    static String conditionKey(int c) {
        return "condition " + c;
    }

    /**
     * Per iteration, the median over conditions of each condition's mean sample cost, with the
     * {@link #BAND_LOW}-{@link #BAND_HIGH} quantiles over conditions as its band: one line however
     * many conditions there are, and a band that stays within the costs that occurred.
     */
    public static YIntervalSeriesCollection costDataset(ReportData data) {
        YIntervalSeries s = new YIntervalSeries(MEDIAN);
        for (IterationState st : data.states()) {
            addMedianAndBand(s, st.iteration(), st.conditions().stream()
                    .mapToDouble(IterationState.ConditionState::costMean).toArray());
        }
        YIntervalSeriesCollection out = new YIntervalSeriesCollection();
        out.addSeries(s);
        return out;
    }

    /** KL reached and its target per iteration: series "KL c" and "target c" for each condition c, in that order. */
    public static XYSeriesCollection klDataset(ReportData data) {
        XYSeriesCollection out = new XYSeriesCollection();
        for (int c = 0; c < data.conditionCount(); c++) {
            XYSeries kl = new XYSeries("KL " + c);
            XYSeries target = new XYSeries("target " + c);
            for (IterationState st : data.states()) {
                kl.add(st.iteration(), y(st.condition(c).kl()));
                target.add(st.iteration(), y(st.condition(c).klTarget()));
            }
            out.addSeries(kl);
            out.addSeries(target);
        }
        return out;
    }

    /** The step multiplier each iteration's C-step used, one series per condition. */
    public static XYSeriesCollection stepMultDataset(ReportData data) {
        XYSeriesCollection out = new XYSeriesCollection();
        for (int c = 0; c < data.conditionCount(); c++) {
            XYSeries s = new XYSeries(conditionKey(c));
            for (IterationState st : data.states()) {
                s.add(st.iteration(), y(st.condition(c).stepMult()));
            }
            out.addSeries(s);
        }
        return out;
    }

    /**
     * One-step prediction error (rmse) over t of one iteration's fits: per t the median over
     * conditions, with the {@link #BAND_LOW}-{@link #BAND_HIGH} quantiles over conditions as its band.
     */
    public static YIntervalSeriesCollection errorOverTDataset(ReportData data, int iteration) {
        Map<Integer, ReportData.ErrorOverT> byCondition = data.errors().get(iteration);
        int steps = byCondition.values().stream().mapToInt(e -> e.rmse().length).max().orElse(0);
        YIntervalSeries s = new YIntervalSeries(MEDIAN);
        for (int t = 0; t < steps; t++) {
            final int at = t;
            // A condition fitted over fewer steps has no value at the later ones; it is left out there, not read as 0.
            addMedianAndBand(s, t, byCondition.values().stream().filter(e -> at < e.rmse().length)
                    .mapToDouble(e -> e.rmse()[at]).toArray());
        }
        YIntervalSeriesCollection out = new YIntervalSeriesCollection();
        out.addSeries(s);
        return out;
    }

    /** Mean one-step prediction error over t (summary.json's mean_rmse) per iteration, one series per condition. */
    public static XYSeriesCollection errorByIterationDataset(ReportData data) {
        XYSeriesCollection out = new XYSeriesCollection();
        for (int c = 0; c < data.conditionCount(); c++) {
            XYSeries s = new XYSeries(conditionKey(c));
            for (Map.Entry<Integer, List<DynamicsStore.ErrorSummary>> e : data.errorSummaries().entrySet()) {
                for (DynamicsStore.ErrorSummary es : e.getValue()) {
                    if (es.condition() == c) {
                        s.add((double) e.getKey(), y(es.meanRmse()));
                    }
                }
            }
            out.addSeries(s);
        }
        return out;
    }

    /**
     * The policy's mean return per iteration (the score the published policy is chosen by), with
     * the {@link #BAND_LOW}-{@link #BAND_HIGH} quantiles of its episodes' returns as the band; a
     * score file that does not list its episodes gets no band (both ends at the mean).
     */
    public static YIntervalSeriesCollection policyReturnDataset(ReportData data) {
        YIntervalSeriesCollection out = new YIntervalSeriesCollection();
        YIntervalSeries s = new YIntervalSeries("policy");
        for (ReportData.PolicyEval e : data.policyEvals()) {
            double[] band = returnBand(e);
            s.add(e.iteration(), y(e.meanReturn()), y(band[0]), y(band[1]));
        }
        out.addSeries(s);
        return out;
    }

    /** The band of a policy's returns: its episodes' quantiles, or the mean twice when they are not listed. */
    static double[] returnBand(ReportData.PolicyEval e) {
        double[] episodes = e.episodeReturns();
        return episodes == null || episodes.length == 0 ? new double[] {e.meanReturn(), e.meanReturn()}
                : new double[] {quantile(episodes, BAND_LOW), quantile(episodes, BAND_HIGH)};
    }

    /** The charts this run has data for, in page order. */
    public static List<Chart> charts(ReportData data) {
        List<Chart> out = new ArrayList<>();
        String band = percent(BAND_LOW) + "-" + percent(BAND_HIGH) + "%";
        String ofConditions = data.conditionCount() == 1 ? "the one condition" : "the " + data.conditionCount()
                + " conditions";
        if (!data.states().isEmpty()) {
            out.add(new Chart("cost", "Cost per iteration",
                    "Each condition's mean true cost of the iteration's samples: the line is the median over "
                            + ofConditions + ", the band their " + band + " range. Each condition's cost: the table of "
                            + "the last C-step below, and series.json.",
                    bandChart("Sample cost per iteration, median of " + ofConditions, "iteration", "cost",
                            costDataset(data), true)));
            out.add(new Chart("kl_step", "KL and step size",
                    "Top: KL of the new controller against the sampling one (solid) and its target kl_step x step_mult x T "
                            + "(dashed). Bottom: the step multiplier the C-step used (log scale when it spans more than 1.5 decades).",
                    klStepChart(data)));
        }
        int last = data.latestErrorIteration();
        if (last >= 0) {
            out.add(new Chart("prediction_error", "Dynamics prediction error over t",
                    "In-sample one-step rmse of x_{t+1} per time step of iteration " + last
                            + "'s fits (dynamics/prediction_error): the line is the median over " + ofConditions
                            + ", the band their " + band + " range.",
                    bandChart("One-step prediction error over t, iteration " + last + ", median of " + ofConditions,
                            "t", "rmse", errorOverTDataset(data, last), false)));
            out.add(new Chart("prediction_error_by_iteration", "Dynamics prediction error per iteration",
                    "Mean over t of the one-step rmse per iteration (dynamics/summary.json, mean_rmse; log scale when it spans "
                            + "more than 1.5 decades).",
                    lineChart("Mean one-step prediction error per iteration", "iteration", "mean rmse",
                            errorByIterationDataset(data), true, true)));
        }
        if (!data.policyEvals().isEmpty()) {
            out.add(new Chart("policy_return", "Policy return",
                    "Mean return of the global policy per iteration over its scoring episodes (policy_eval.json), the "
                            + "score the published policy is chosen by; the band is the " + band + " range of the "
                            + "episodes' returns (none for a score file that does not list them).",
                    bandChart("Policy return per iteration", "iteration", "return", policyReturnDataset(data), true)));
        }
        return out;
    }

    private static String percent(double p) {
        return Long.toString(Math.round(100 * p));
    }

    private static JFreeChart bandChart(String title, String xLabel, String yLabel, YIntervalSeriesCollection dataset,
                                        boolean markers) {
        NumberAxis x = integerAxis(xLabel);
        NumberAxis y = new NumberAxis(yLabel);
        DeviationRenderer r = new DeviationRenderer(true, markers);
        r.setAlpha(0.2f);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            r.setSeriesPaint(i, PALETTE[0]);
            r.setSeriesFillPaint(i, PALETTE[0]);
            r.setSeriesStroke(i, SOLID);
        }
        XYPlot p = plot(dataset, x, y, r);
        fitDomain(x, dataset);
        fitRange(y, dataset);
        // One line: the title and caption say what it is, a legend would only repeat it.
        return styled(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, p, false));
    }

    private static JFreeChart lineChart(String title, String xLabel, String yLabel, XYSeriesCollection dataset,
                                        boolean markers, boolean logY) {
        NumberAxis x = integerAxis(xLabel);
        ValueAxis y = logY && wantsLog(dataset) ? logAxis(yLabel) : new NumberAxis(yLabel);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, markers);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            r.setSeriesPaint(i, colour(conditionOf(dataset.getSeriesKey(i).toString())));
            r.setSeriesStroke(i, SOLID);
        }
        XYPlot p = plot(dataset, x, y, r);
        fitDomain(x, dataset);
        if (y instanceof NumberAxis linear) {
            fitRange(linear, dataset);
        }
        return styled(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, p, true));
    }

    private static JFreeChart klStepChart(ReportData data) {
        XYSeriesCollection kl = klDataset(data);
        XYLineAndShapeRenderer klRenderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < kl.getSeriesCount(); i++) {
            klRenderer.setSeriesPaint(i, colour(i / 2));
            klRenderer.setSeriesStroke(i, i % 2 == 0 ? SOLID : DASHED);
            klRenderer.setSeriesShapesVisible(i, i % 2 == 0);
        }
        NumberAxis klAxis = new NumberAxis("KL");
        fitRange(klAxis, kl);
        XYPlot top = plot(kl, null, klAxis, klRenderer);
        XYSeriesCollection mult = stepMultDataset(data);
        XYLineAndShapeRenderer multRenderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < mult.getSeriesCount(); i++) {
            multRenderer.setSeriesPaint(i, colour(i));
            multRenderer.setSeriesStroke(i, SOLID);
            // The conditions are already in the legend through the KL series.
            multRenderer.setSeriesVisibleInLegend(i, false);
        }
        ValueAxis multAxis = wantsLog(mult) ? logAxis("step_mult") : new NumberAxis("step_mult");
        if (multAxis instanceof NumberAxis linear) {
            fitRange(linear, mult);
        }
        XYPlot bottom = plot(mult, null, multAxis, multRenderer);
        NumberAxis x = integerAxis("iteration");
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(x);
        combined.setGap(12);
        combined.add(top, 3);
        combined.add(bottom, 2);
        fitDomain(x, kl);
        return styled(new JFreeChart("KL against its target, and the step multiplier", JFreeChart.DEFAULT_TITLE_FONT,
                combined, true));
    }

    /**
     * The x axis spans the data and no more: a quarter step at most beyond the first and last
     * point, so that no tick (an iteration, a t) appears that has no data.
     */
    static void fitDomain(NumberAxis x, XYDataset d) {
        double first = Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < d.getSeriesCount(); s++) {
            for (int i = 0; i < d.getItemCount(s); i++) {
                first = Math.min(first, d.getXValue(s, i));
                last = Math.max(last, d.getXValue(s, i));
            }
        }
        if (first > last) {
            return;
        }
        double pad = first == last ? 0.5 : Math.min(0.25, 0.02 * (last - first));
        x.setRange(first - pad, last + pad);
    }

    /**
     * The y axis spans the plotted values, bands included, with a small margin that does not cross
     * zero when the values do not: returns that are all at most 0 get no positive ticks, costs and
     * errors no negative ones.
     */
    static void fitRange(NumberAxis y, XYDataset d) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < d.getSeriesCount(); s++) {
            for (int i = 0; i < d.getItemCount(s); i++) {
                double[] ys = d instanceof IntervalXYDataset b
                        ? new double[] {b.getYValue(s, i), b.getStartYValue(s, i), b.getEndYValue(s, i)}
                        : new double[] {d.getYValue(s, i)};
                for (double v : ys) {
                    if (Double.isFinite(v)) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
        }
        if (min > max) {
            return;
        }
        double pad = max > min ? 0.04 * (max - min) : Math.max(0.05 * Math.abs(max), 1e-9);
        double lower = min - pad;
        double upper = max + pad;
        if (min >= 0) {
            lower = Math.max(lower, 0);
        }
        if (max <= 0) {
            upper = Math.min(upper, 0);
        }
        if (!(upper > lower)) {
            // Every value 0.
            upper = lower + 1;
        }
        y.setAutoRangeIncludesZero(false);
        y.setRange(lower, upper);
    }

    private static XYPlot plot(XYDataset dataset, ValueAxis x, ValueAxis y, XYLineAndShapeRenderer r) {
        XYPlot p = new XYPlot(dataset, x, y, r);
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(new Color(220, 220, 220));
        p.setRangeGridlinePaint(new Color(220, 220, 220));
        return p;
    }

    private static JFreeChart styled(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setTitle(new TextTitle(chart.getTitle().getText(), new Font(Font.SANS_SERIF, Font.BOLD, 16)));
        return chart;
    }

    /** An axis of iterations or time steps: whole numbers only. */
    private static NumberAxis integerAxis(String label) {
        NumberAxis x = new NumberAxis(label);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(false);
        return x;
    }

    private static LogAxis logAxis(String label) {
        LogAxis a = new LogAxis(label);
        a.setAutoRange(true);
        a.setSmallestValue(1e-12);
        // Labels as plain values (0.03, 1, 3.2) rather than LogAxis's default powers with fractional exponents.
        a.setNumberFormatOverride(new PlainOrScientific());
        return a;
    }

    /** Three significant digits, scientific outside [1e-3, 1e4). */
    static final class PlainOrScientific extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
            double a = Math.abs(v);
            boolean plain = a == 0 || (a >= 1e-3 && a < 1e4);
            return to.append(plain ? new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString()
                    : String.format(Locale.ROOT, "%.2e", v));
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
            return format((double) v, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("axis labels are only formatted");
        }
    }

    /**
     * A log scale when the values are positive and span more than 1.5 decades; over less, its
     * ticks fall at odd fractions of a decade and a linear scale reads better.
     */
    private static boolean wantsLog(XYSeriesCollection d) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int s = 0; s < d.getSeriesCount(); s++) {
            for (int i = 0; i < d.getItemCount(s); i++) {
                double v = d.getYValue(s, i);
                if (Double.isNaN(v)) {
                    continue;
                }
                if (!(v > 0)) {
                    return false;
                }
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max > 0 && max / min > 30;
    }

    private static int conditionOf(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf(' ') + 1));
    }

    private static Color colour(int condition) {
        return PALETTE[condition % PALETTE.length];
    }
}
