package org.sparkdnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.TrainingRun;

/** Test fixture: trains a config file from conf/ in-process (local engine) and reads what its report drew. */
final class ReportRuns {
    static final Path CONF = Path.of("..", "conf").toAbsolutePath().normalize();

    private ReportRuns() {
    }

    static Path train(String confFile, Path out, String... overrides) throws Exception {
        List<String> sets = new ArrayList<>(List.of(overrides));
        sets.add("output.dir=" + out);
        Storage storage = Storage.withDefaults();
        new TrainingRun(new ConfigLoader().load(storage, CONF.resolve(confFile).toString(), sets), storage,
                new PrintStream(OutputStream.nullOutputStream()), System::nanoTime).execute();
        return out;
    }

    /** The chart options embedded in a report page, by chart id. */
    static JsonNode chartOptions(String html) throws Exception {
        String open = "<script type=\"application/json\" id=\"chart-options\">";
        int from = html.indexOf(open) + open.length();
        return new ObjectMapper().readTree(html.substring(from, html.indexOf("</script>", from)));
    }

    static JsonNode chartOptions(Path reportFile) throws Exception {
        return chartOptions(Files.readString(reportFile));
    }

    /** Chart title → number of data values over all its series. */
    static java.util.Map<String, Integer> pointsByTitle(JsonNode options) {
        java.util.Map<String, Integer> points = new java.util.LinkedHashMap<>();
        options.forEach(chart -> {
            int n = 0;
            for (JsonNode series : chart.get("series")) {
                n += series.get("data").size();
            }
            points.put(chart.get("title").get("text").asText(), n);
        });
        return points;
    }
}
