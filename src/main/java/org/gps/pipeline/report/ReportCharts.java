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
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report's charts. The datasets are built by separate methods so that a test can compare
 * what is plotted with the run's files; the chart methods only style them. A condition keeps
 * its colour in every chart.
 */
public final class ReportCharts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 450;

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

    /** One image of the page. */
    public record Chart(String file, String title, String caption, JFreeChart chart) {
        public void writePng(OutputStream out) throws IOException {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        }
    }

    /** A non-finite value is drawn as a gap: an infinite one would stretch the axis to nothing. */
    static double y(double v) {
        return Double.isFinite(v) ? v : Double.NaN;
    }

    static String conditionKey(int c) {
        return "condition " + c;
    }

    /** Mean sample cost per iteration (y) with a band of one standard deviation, one series per condition. */
    public static YIntervalSeriesCollection costDataset(ReportData data) {
        YIntervalSeriesCollection out = new YIntervalSeriesCollection();
        for (int c = 0; c < data.conditionCount(); c++) {
            YIntervalSeries s = new YIntervalSeries(conditionKey(c));
            for (IterationState st : data.states()) {
                IterationState.ConditionState cs = st.condition(c);
                s.add(st.iteration(), y(cs.costMean()), y(cs.costMean() - cs.costStd()), y(cs.costMean() + cs.costStd()));
            }
            out.addSeries(s);
        }
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

    /** One-step prediction error (rmse) over t of one iteration's fits, one series per condition. */
    public static XYSeriesCollection errorOverTDataset(ReportData data, int iteration) {
        XYSeriesCollection out = new XYSeriesCollection();
        for (Map.Entry<Integer, ReportData.ErrorOverT> e : data.errors().get(iteration).entrySet()) {
            XYSeries s = new XYSeries(conditionKey(e.getKey()));
            double[] rmse = e.getValue().rmse();
            for (int t = 0; t < rmse.length; t++) {
                s.add(t, y(rmse[t]));
            }
            out.addSeries(s);
        }
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

    /** The policy's mean return per iteration with a band of one standard deviation over its episodes. */
    public static YIntervalSeriesCollection policyReturnDataset(ReportData data) {
        YIntervalSeriesCollection out = new YIntervalSeriesCollection();
        YIntervalSeries s = new YIntervalSeries("policy");
        for (ReportData.PolicyEval e : data.policyEvals()) {
            s.add(e.iteration(), y(e.meanReturn()), y(e.meanReturn() - e.stdReturn()), y(e.meanReturn() + e.stdReturn()));
        }
        out.addSeries(s);
        return out;
    }

    /** The charts this run has data for, in page order. */
    public static List<Chart> charts(ReportData data) {
        List<Chart> out = new ArrayList<>();
        if (!data.states().isEmpty()) {
            out.add(new Chart("cost.png", "Cost per iteration",
                    "Mean true cost of each iteration's samples per condition; the band is one standard deviation.",
                    bandChart("Mean sample cost per iteration", "cost", costDataset(data), true)));
            out.add(new Chart("kl_step.png", "KL and step size",
                    "Top: KL of the new controller against the sampling one (solid) and its target kl_step x step_mult x T "
                            + "(dashed). Bottom: the step multiplier the C-step used (log scale when it spans more than 1.5 decades).",
                    klStepChart(data)));
        }
        int last = data.latestErrorIteration();
        if (last >= 0) {
            out.add(new Chart("prediction_error.png", "Dynamics prediction error over t",
                    "In-sample one-step rmse of x_{t+1} per time step, iteration " + last + " (dynamics/prediction_error).",
                    lineChart("One-step prediction error over t, iteration " + last, "t", "rmse",
                            errorOverTDataset(data, last), false, false)));
            out.add(new Chart("prediction_error_by_iteration.png", "Dynamics prediction error per iteration",
                    "Mean over t of the one-step rmse per iteration (dynamics/summary.json, mean_rmse; log scale when it spans "
                            + "more than 1.5 decades).",
                    lineChart("Mean one-step prediction error per iteration", "iteration", "mean rmse",
                            errorByIterationDataset(data), true, true)));
        }
        if (!data.policyEvals().isEmpty()) {
            out.add(new Chart("policy_return.png", "Policy return",
                    "Mean return of the global policy per iteration (policy_eval.json); the band is one standard deviation "
                            + "over its episodes.",
                    bandChart("Policy return per iteration", "return", policyReturnDataset(data), false)));
        }
        return out;
    }

    private static JFreeChart bandChart(String title, String yLabel, YIntervalSeriesCollection dataset,
                                        boolean byCondition) {
        NumberAxis x = iterationAxis();
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        DeviationRenderer r = new DeviationRenderer(true, true);
        r.setAlpha(0.15f);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            Paint p = byCondition ? colour(i) : PALETTE[0];
            r.setSeriesPaint(i, p);
            r.setSeriesFillPaint(i, p);
            r.setSeriesStroke(i, SOLID);
        }
        return styled(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot(dataset, x, y, r), byCondition));
    }

    private static JFreeChart lineChart(String title, String xLabel, String yLabel, XYSeriesCollection dataset,
                                        boolean iterationsOnX, boolean logY) {
        NumberAxis x = iterationsOnX ? iterationAxis() : new NumberAxis(xLabel);
        ValueAxis y = logY && wantsLog(dataset) ? logAxis(yLabel) : new NumberAxis(yLabel);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, iterationsOnX);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            r.setSeriesPaint(i, colour(conditionOf(dataset.getSeriesKey(i).toString())));
            r.setSeriesStroke(i, SOLID);
        }
        return styled(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot(dataset, x, y, r), true));
    }

    private static JFreeChart klStepChart(ReportData data) {
        XYSeriesCollection kl = klDataset(data);
        XYLineAndShapeRenderer klRenderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < kl.getSeriesCount(); i++) {
            klRenderer.setSeriesPaint(i, colour(i / 2));
            klRenderer.setSeriesStroke(i, i % 2 == 0 ? SOLID : DASHED);
            klRenderer.setSeriesShapesVisible(i, i % 2 == 0);
        }
        XYPlot top = plot(kl, null, new NumberAxis("KL"), klRenderer);
        XYSeriesCollection mult = stepMultDataset(data);
        XYLineAndShapeRenderer multRenderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < mult.getSeriesCount(); i++) {
            multRenderer.setSeriesPaint(i, colour(i));
            multRenderer.setSeriesStroke(i, SOLID);
            // The conditions are already in the legend through the KL series.
            multRenderer.setSeriesVisibleInLegend(i, false);
        }
        XYPlot bottom = plot(mult, null, wantsLog(mult) ? logAxis("step_mult") : new NumberAxis("step_mult"),
                multRenderer);
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(iterationAxis());
        combined.setGap(12);
        combined.add(top, 3);
        combined.add(bottom, 2);
        return styled(new JFreeChart("KL against its target, and the step multiplier", JFreeChart.DEFAULT_TITLE_FONT,
                combined, true));
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

    private static NumberAxis iterationAxis() {
        NumberAxis x = new NumberAxis("iteration");
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
