package org.sparkdnn.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.experiment.ExperimentRunner;
import org.sparkdnn.experiment.ExperimentSpec;
import org.sparkdnn.experiment.Gallery;
import org.sparkdnn.io.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code experiment NAME|all [--scale small|full]}: a lecture claim as a run experiment, and the gallery page. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a lecture experiment (conf/experiments/NAME.yaml), or all of them: train its runs, compute "
                + "each pre-declared check's verdict from the recorded metrics, and write OUTPUT/NAME/experiment.json "
                + "and the gallery OUTPUT/index.html.")
final class ExperimentCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "An experiment under --conf, or all.")
    private String name;

    @Option(names = "--scale", defaultValue = "small",
            description = "small (seconds: what the tests run) or full (the real experiment). Default: small.")
    private String scale;

    @Option(names = "--conf", defaultValue = "conf/experiments", paramLabel = "DIR",
            description = "Where the experiments are. Default: conf/experiments.")
    private String conf;

    @Option(names = "--root", defaultValue = ".", paramLabel = "DIR",
            description = "The project root, against which an experiment's base config is resolved. Default: here.")
    private String root;

    @Option(names = "--output", defaultValue = "runs/experiments", paramLabel = "DIR",
            description = "Where the runs, the verdicts and the gallery go. Default: runs/experiments.")
    private String output;

    @Option(names = "--render", description = "Draw the gallery again from the results already in --output "
            + "(experiment.json and the runs), training nothing.")
    private boolean render;

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        List<String> names = new ArrayList<>();
        if ("all".equals(name)) {
            try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(conf))) {
                files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")).sorted()
                        .forEach(f -> names.add(f.substring(0, f.length() - ".yaml".length())));
            }
        } else {
            names.add(name);
        }
        List<ExperimentRunner.Result> results = new ArrayList<>();
        ExperimentRunner runner = new ExperimentRunner(storage, root, System.out);
        for (String n : names) {
            String file = conf + "/" + n + ".yaml";
            if (!storage.exists(file)) {
                throw new ConfigException("NAME", "no experiment " + file, n);
            }
            ExperimentSpec spec = ExperimentSpec.parse(file, storage.readString(file));
            long start = System.nanoTime();
            results.add(render ? runner.load(n, spec, output) : runner.run(n, spec, scale, output));
            if (!render) {
                System.out.printf("experiment %s: %.1f s%n", n, (System.nanoTime() - start) / 1e9);
            }
        }
        String gallery = output + "/index.html";
        storage.writeAtomically(gallery, new Gallery(new ConfigLoader().json()).render(results)
                .getBytes(StandardCharsets.UTF_8));
        long held = results.stream().flatMap(r -> r.verdicts().stream()).filter(v -> v.verdict().equals("held"))
                .count();
        long all = results.stream().mapToLong(r -> r.verdicts().size()).sum();
        System.out.printf("%d of %d claims held; gallery: %s%n", held, all, gallery);
        return 0;
    }
}
