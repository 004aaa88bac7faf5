package dev.loyalty.local.bench;

import java.util.List;
import java.util.Locale;

/**
 * The results as a markdown table and as an SVG bar chart of the ratios, written by hand (no
 * plotting library): one horizontal bar per row with a ratio, on a log scale (the ratios span
 * 0.01x to 100x), a line at 1x, and a red mark where a row's target is itself a ratio.
 */
final class Report {
    /** The chart's log axis, in decades: 10^-2 .. 10^3. */
    static final int DECADE_MIN = -2;
    static final int DECADE_MAX = 3;
    static final int LABEL_WIDTH = 500;
    static final int PLOT_WIDTH = 440;
    static final int BAR_HEIGHT = 18;
    static final int ROW_HEIGHT = 26;
    static final int TOP = 46;

    private Report() {
    }

    static String markdown(String header, List<Row> rows) {
        StringBuilder md = new StringBuilder(header)
                .append("| scenario | figure | baseline (same run) | ratio | target | verdict |\n")
                .append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(cell(r.scenario())).append(" | ").append(cell(r.figure())).append(" | ")
                    .append(cell(r.baseline())).append(" | ").append(cell(r.ratioText())).append(" | ")
                    .append(cell(r.target() == null ? "" : r.target())).append(" | ").append(r.verdict()).append(" |\n");
        }
        return md.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    static String svg(String title, List<Row> rows) {
        List<Row> bars = rows.stream().filter(r -> !Double.isNaN(r.ratio()) && r.ratio() > 0).toList();
        int height = TOP + bars.size() * ROW_HEIGHT + 40;
        int width = LABEL_WIDTH + PLOT_WIDTH + 90;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">").append(escape(title)).append("</text>\n");
        s.append("<text x=\"10\" y=\"36\" fill=\"#555\">ratio to the same-run baseline, log scale; red mark: target"
                + " (where the target is a ratio)</text>\n");
        int plotBottom = TOP + bars.size() * ROW_HEIGHT;
        for (int d = DECADE_MIN; d <= DECADE_MAX; d++) {
            double x = xOf(Math.pow(10, d));
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n",
                    x, TOP - 4, x, plotBottom, d == 0 ? "#000" : "#ddd"));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%sx</text>\n",
                    x, plotBottom + 16, trim(Math.pow(10, d))));
        }
        for (int i = 0; i < bars.size(); i++) {
            Row r = bars.get(i);
            int y = TOP + i * ROW_HEIGHT;
            double x0 = xOf(Math.pow(10, DECADE_MIN));
            double x1 = xOf(r.ratio());
            String color = r.met() == null ? "#4a78b5" : r.met() ? "#3c9a4a" : "#d08a2c";
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                    LABEL_WIDTH - 8, y + 13, escape(shorten(r.scenario(), 68))));
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                    x0, y, Math.max(1, x1 - x0), BAR_HEIGHT, color));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>\n", x1 + 4, y + 13, escape(Row.x(r.ratio()))));
            if (!Double.isNaN(r.targetRatio())) {
                double xt = xOf(r.targetRatio());
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d22\" stroke-width=\"3\"/>\n",
                        xt, y - 3, xt, y + BAR_HEIGHT + 3));
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** The x of a ratio on the log axis, clamped to the plot. */
    static double xOf(double ratio) {
        double decades = Math.log10(Math.max(Math.pow(10, DECADE_MIN), Math.min(Math.pow(10, DECADE_MAX), ratio)));
        return LABEL_WIDTH + (decades - DECADE_MIN) / (DECADE_MAX - DECADE_MIN) * PLOT_WIDTH;
    }

    private static String trim(double v) {
        return v >= 1 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
