package org.sparkdnn.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One self-contained HTML page: headings, notes, tables, preformatted text and charts. A chart is an Apache ECharts
 * option (JSON); every option goes into one JSON block and ECharts itself (the WebJar's {@code echarts.min.js}) is
 * inlined, so the file opens anywhere without a network. After drawing, each chart's element carries
 * {@code data-points} (the data points it drew), which is what the browser test reads.
 */
public final class HtmlPage {
    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    private final String title;
    private final ObjectMapper json;
    private final StringBuilder body = new StringBuilder();
    private final ObjectNode charts;

    public HtmlPage(String title, ObjectMapper json) {
        this.title = title;
        this.json = json;
        this.charts = json.createObjectNode();
    }

    public HtmlPage heading(String text) {
        body.append("<h2>").append(escape(text)).append("</h2>\n");
        return this;
    }

    public HtmlPage note(String text) {
        body.append("<p class=\"note\">").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A chart from an ECharts option; {@code height} in pixels. */
    public HtmlPage chart(ObjectNode option, int height) {
        String id = "chart" + charts.size();
        charts.set(id, option);
        body.append("<div class=\"chart\" id=\"").append(id).append("\" style=\"height:").append(height)
                .append("px\"></div>\n");
        return this;
    }

    public HtmlPage table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            row.forEach(c -> body.append("<td>").append(escape(c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** Preformatted text under a collapsible summary line. */
    public HtmlPage details(String summary, String text) {
        body.append("<details><summary>").append(escape(summary)).append("</summary><pre>").append(escape(text))
                .append("</pre></details>\n");
        return this;
    }

    /** Small pictures in a row, each with its caption (drawn pixel for pixel: no smoothing). */
    public HtmlPage pictures(List<RunImages.Picture> pictures) {
        body.append("<div class=\"pictures\">");
        for (RunImages.Picture p : pictures) {
            body.append("<figure><img src=\"").append(escape(p.uri())).append("\" alt=\"").append(escape(p.caption()))
                    .append("\"><figcaption>").append(escape(p.caption())).append("</figcaption></figure>");
        }
        body.append("</div>\n");
        return this;
    }

    public int chartCount() {
        return charts.size();
    }

    public String render() {
        String options;
        try {
            options = json.writeValueAsString(charts).replace("<", "\\u003c"); // "<" occurs only in strings
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("chart options are not JSON", e);
        }
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title>\n<style>" + STYLE + "</style></head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body
                + "<script type=\"application/json\" id=\"chart-options\">" + options + "</script>\n<script>"
                + echarts() + "</script>\n<script>" + BOOT + "</script>\n</body></html>\n";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String echarts() {
        try (InputStream in = HtmlPage.class.getResourceAsStream(ECHARTS)) {
            if (in == null) {
                throw new IllegalStateException("ECharts is missing from the classpath: " + ECHARTS);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ECHARTS, e);
        }
    }

    private static final String STYLE = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1300px}"
            + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
            + ".chart{width:100%;margin:8px 0}.note{color:#555;font-size:14px}"
            + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
            + ".pictures{display:flex;flex-wrap:wrap;gap:6px}.pictures figure{margin:0;font-size:11px;color:#555}"
            + ".pictures img{image-rendering:pixelated;display:block;border:1px solid #ddd}"
            + "th{background:#f3f3f3}td:first-child{text-align:left}td:last-child{text-align:left}pre{background:#f7f7f7;padding:8px;font-size:12px}";

    /**
     * Draws every chart. Strings "@pow10" in an option are replaced by a formatter that prints 10^v (log colour
     * scales), "@exp" by one that prints tiny and huge axis values as 1e-94 (log axes); after drawing, data-points =
     * the number of data values drawn.
     */
    private static final String BOOT = String.join("\n",
            "(function(){",
            "function esc(s){return String(s).replace(/[&<>\"']/g,function(c){return '&#'+c.charCodeAt(0)+';';});}",
            "var FORMATTERS={'@pow10':function(v){return Number(Math.pow(10,v)).toPrecision(3);},",
            " '@exp':function(v){var a=Math.abs(v);return (a!==0&&(a<1e-3||a>=1e4))?Number(v).toExponential(0)",
            "  :String(Number(Number(v).toPrecision(3)));},",
            " '@heat':function(p){return esc(p.seriesName)+'<br>step '+esc(p.name)+'<br>norm '",
            "  +Number(Math.pow(10,p.value[2])).toPrecision(3);}};",
            "function hydrate(o){if(Array.isArray(o)){return o.map(hydrate);}",
            " if(o&&typeof o==='object'){var r={};for(var k in o){r[k]=hydrate(o[k]);}return r;}",
            " return (typeof o==='string'&&FORMATTERS[o])?FORMATTERS[o]:o;}",
            "var options=JSON.parse(document.getElementById('chart-options').textContent);",
            "Object.keys(options).forEach(function(id){",
            " var el=document.getElementById(id);var chart=echarts.init(el,null,{renderer:'canvas'});",
            " chart.setOption(hydrate(options[id]));",
            " var n=0;(chart.getOption().series||[]).forEach(function(s){n+=(s.data||[]).length;});",
            " el.setAttribute('data-points',String(n));",
            " window.addEventListener('resize',function(){chart.resize();});",
            "});",
            "document.body.setAttribute('data-charts-drawn',String(Object.keys(options).length));",
            "})();");
}
