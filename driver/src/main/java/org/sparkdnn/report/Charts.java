package org.sparkdnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * ECharts options for the charts reports use: lines over a numeric x axis (optionally log y), a heatmap with a log
 * colour scale and grouped bars. Non-finite values (a diverged run's last losses) are left out: JSON has no NaN.
 * Animation is off so a screenshot shows the finished chart.
 */
public final class Charts {
    private final ObjectMapper json;

    public Charts(ObjectMapper json) {
        this.json = json;
    }

    /** Line colours; reports give each run one of them when they overlay several runs. */
    public static final List<String> PALETTE = List.of("#5470c6", "#ee6666", "#91cc75", "#fac858", "#73c0de",
            "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc");

    /**
     * A named line of (x, y) points; without a colour ECharts picks the next of its palette.
     *
     * @param lineType "solid", "dashed" or "dotted"
     */
    public record Series(String name, List<double[]> points, String lineType, Optional<String> colour) {
        public Series(String name, List<double[]> points, String lineType) {
            this(name, points, lineType, Optional.empty());
        }

        public boolean isEmpty() {
            return points.stream().noneMatch(p -> Double.isFinite(p[0]) && Double.isFinite(p[1]));
        }
    }

    /** A chart of several series: an axis tooltip, a scrolling legend and room for both above the grid. */
    private ObjectNode withLegend(String title) {
        ObjectNode o = base(title);
        o.putObject("tooltip").put("trigger", "axis");
        o.putObject("legend").put("top", 26).put("type", "scroll");
        o.putObject("grid").put("top", 64).put("left", 70).put("right", 40).put("bottom", 46);
        return o;
    }

    public ObjectNode lines(String title, String xName, String yName, List<Series> series, boolean logY) {
        ObjectNode o = withLegend(title);
        axis(o.putObject("xAxis"), "value", xName).put("min", "dataMin").put("max", "dataMax");
        ObjectNode y = axis(o.putObject("yAxis"), logY ? "log" : "value", yName).put("scale", true).put("nameGap", 52);
        if (logY) {
            y.putObject("axisLabel").put("formatter", "@exp"); // 1e-94, not 0.000…1 cut off at the edge
        }
        ArrayNode all = o.putArray("series");
        for (Series s : series) {
            ObjectNode line = all.addObject().put("name", s.name()).put("type", "line").put("showSymbol",
                    s.points().size() < 40);
            ObjectNode style = line.putObject("lineStyle").put("type", s.lineType());
            s.colour().ifPresent(c -> {
                style.put("color", c);
                line.putObject("itemStyle").put("color", c);
            });
            ArrayNode data = line.putArray("data");
            for (double[] p : s.points()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1]) && (!logY || p[1] > 0)) {
                    data.addArray().add(p[0]).add(p[1]);
                }
            }
        }
        return o;
    }

    /**
     * A heatmap of positive values on a log colour scale: rows are {@code rows} (bottom to top), columns are
     * {@code columns}; {@code values[row][column]} (non-positive or non-finite cells are left empty).
     */
    public ObjectNode logHeatmap(String title, String seriesName, String columnName, List<String> columns,
                                 String rowName, List<String> rows, double[][] values) {
        return logHeatmap(title, seriesName, columnName, columns, rowName, rows, values, Optional.empty());
    }

    /** @param logRange the colour scale's [min, max] in log10 units (to share one scale between heatmaps) */
    public ObjectNode logHeatmap(String title, String seriesName, String columnName, List<String> columns,
                                 String rowName, List<String> rows, double[][] values, Optional<double[]> logRange) {
        ObjectNode o = base(title);
        o.putObject("tooltip").put("position", "top").put("formatter", "@heat");
        o.putObject("grid").put("top", 40).put("left", 110).put("right", 40).put("bottom", 90);
        ArrayNode xs = axis(o.putObject("xAxis"), "category", columnName).putArray("data");
        columns.forEach(xs::add);
        ArrayNode ys = axis(o.putObject("yAxis"), "category", rowName).put("nameGap", 80).putArray("data");
        rows.forEach(ys::add);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        ArrayNode data = json.createArrayNode();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                double v = values[r][c];
                if (Double.isFinite(v) && v > 0) {
                    double log = Math.log10(v);
                    min = Math.min(min, log);
                    max = Math.max(max, log);
                    data.addArray().add(c).add(r).add(log);
                }
            }
        }
        ObjectNode map = o.putObject("visualMap").put("calculable", true).put("orient", "horizontal")
                .put("left", "center").put("bottom", 8).put("formatter", "@pow10")
                .put("min", logRange.map(r -> r[0]).orElse(data.isEmpty() ? 0 : Math.floor(min)))
                .put("max", logRange.map(r -> r[1]).orElse(data.isEmpty() ? 1 : Math.ceil(max)));
        map.putArray("text").add("norm (log scale)").add("");
        ArrayNode colours = map.putObject("inRange").putArray("color");
        for (String c : new String[] {"#313695", "#4575b4", "#74add1", "#e0f3f8", "#fee090", "#f46d43", "#a50026"}) {
            colours.add(c);
        }
        ObjectNode series = o.putArray("series").addObject().put("name", seriesName).put("type", "heatmap");
        series.set("data", data);
        return o;
    }

    /** Grouped bars: one group per category, one bar per series ({@code values.get(s)[category]}). */
    public ObjectNode bars(String title, String yName, List<String> categories, List<String> seriesNames,
                           List<double[]> values) {
        ObjectNode o = withLegend(title);
        ArrayNode xs = axis(o.putObject("xAxis"), "category", "").putArray("data");
        categories.forEach(xs::add);
        axis(o.putObject("yAxis"), "value", yName).put("nameGap", 52);
        ArrayNode all = o.putArray("series");
        for (int s = 0; s < seriesNames.size(); s++) {
            ArrayNode data = all.addObject().put("name", seriesNames.get(s)).put("type", "bar").putArray("data");
            for (double v : values.get(s)) {
                if (Double.isFinite(v)) {
                    data.add(v);
                } else {
                    data.addNull();
                }
            }
        }
        return o;
    }

    /** One axis of a parallel-coordinates chart: numeric (optionally log) or categorical. */
    public record Axis(String name, List<String> categories, boolean log) {
    }

    /**
     * Parallel coordinates: one polyline per row through the axes; colour by the last axis (the metric).
     *
     * @param rows per line, one value per axis (a number, or a category's text)
     */
    public ObjectNode parallel(String title, List<Axis> axes, List<List<JsonNode>> rows) {
        ObjectNode o = base(title);
        o.putObject("parallel").put("left", 80).put("right", 110).put("top", 60).put("bottom", 40);
        ArrayNode list = o.putArray("parallelAxis");
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < axes.size(); i++) {
            Axis a = axes.get(i);
            ObjectNode axis = list.addObject().put("dim", i).put("name", a.name());
            if (!a.categories().isEmpty()) {
                ArrayNode data = axis.put("type", "category").putArray("data");
                a.categories().forEach(data::add);
            } else {
                axis.put("type", a.log() ? "log" : "value").put("scale", true);
            }
        }
        ArrayNode data = json.createArrayNode();
        for (List<JsonNode> row : rows) {
            ArrayNode line = data.addArray();
            row.forEach(line::add);
            JsonNode last = row.get(row.size() - 1);
            if (last.isNumber()) {
                min = Math.min(min, last.asDouble());
                max = Math.max(max, last.asDouble());
            }
        }
        if (min <= max) {
            ObjectNode map = o.putObject("visualMap").put("dimension", axes.size() - 1).put("min", min)
                    .put("max", max).put("calculable", true).put("precision", 4).put("right", 10).put("top", 60);
            ArrayNode colours = map.putObject("inRange").putArray("color");
            for (String c : new String[] {"#313695", "#74add1", "#fee090", "#f46d43", "#a50026"}) {
                colours.add(c);
            }
        }
        ObjectNode series = o.putArray("series").addObject().put("type", "parallel").put("name", title);
        series.putObject("lineStyle").put("width", 1.5).put("opacity", 0.7);
        series.set("data", data);
        return o;
    }

    /**
     * Points (x, y); a categorical x when {@code categories} is not empty (then x is the category's text).
     */
    public ObjectNode scatter(String title, String xName, String yName, List<String> categories, boolean logX,
                              List<JsonNode[]> points) {
        ObjectNode o = base(title);
        o.putObject("tooltip").put("trigger", "item");
        o.putObject("grid").put("top", 40).put("left", 70).put("right", 30).put("bottom", 46);
        ObjectNode x = axis(o.putObject("xAxis"), categories.isEmpty() ? (logX ? "log" : "value") : "category", xName);
        if (categories.isEmpty()) {
            x.put("scale", true);
        } else {
            ArrayNode c = x.putArray("data");
            categories.forEach(c::add);
        }
        axis(o.putObject("yAxis"), "value", yName).put("scale", true).put("nameGap", 52);
        ArrayNode data = o.putArray("series").addObject().put("type", "scatter").put("name", yName)
                .put("symbolSize", 9).putArray("data");
        for (JsonNode[] p : points) {
            if (p[1].isNumber() && Double.isFinite(p[1].asDouble())) {
                data.addArray().add(p[0]).add(p[1]);
            }
        }
        return o;
    }

    private ObjectNode base(String title) {
        ObjectNode o = json.createObjectNode().put("animation", false);
        o.putObject("title").put("text", title).put("left", "center").putObject("textStyle").put("fontSize", 14);
        return o;
    }

    private static ObjectNode axis(ObjectNode axis, String type, String name) {
        return axis.put("type", type).put("name", name).put("nameLocation", "middle").put("nameGap", 28);
    }
}
