/**
 * Self-contained HTML reports (one file, Apache ECharts inlined, opens with no network): {@link HtmlPage} is the
 * page machinery (sections, tables, charts as ECharts options), {@link Charts} builds the chart options,
 * {@link RunData} reads a run's output directory and {@link RunReport} lays out the run report — one run, or several
 * overlaid for comparison. The sweep report builds on the same three.
 */
package org.sparkdnn.report;
