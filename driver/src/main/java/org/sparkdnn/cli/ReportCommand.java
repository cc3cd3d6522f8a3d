package org.sparkdnn.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;
import org.sparkdnn.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code report RUN_DIR… [--output FILE]}: the HTML report of one run, or of several overlaid. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write the HTML report (loss/accuracy curves, learning rate, throughput, gradient-norm heatmap, "
                + "time per phase, config) of one run, or of several runs with their curves overlaid. A run that is "
                + "still training, was killed or failed is reported from its metrics so far.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run output directories (local or Hadoop URIs).")
    private List<String> runs = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE",
            description = "Where to write the report (default: RUN_DIR/report.html for one run, report.html here for several).")
    private String output;

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        List<RunData> data = new ArrayList<>();
        for (String run : runs) {
            data.add(RunData.load(storage, run));
        }
        String target = output != null ? output : runs.size() == 1 ? data.get(0).dir() + "/report.html" : "report.html";
        String html = new RunReport(new ConfigLoader().json()).render(data);
        storage.writeAtomically(target, html.getBytes(StandardCharsets.UTF_8));
        System.out.println("report: " + target);
        return 0;
    }
}
