package org.sparkdnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparkdnn.checkpoint.Checkpoint;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code resume --from CHECKPOINT [--output DIR] [--set key=value]…}: continue a run from one checkpoint. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue training from a checkpoint directory with the config recorded in its manifest. "
                + "(train resumes automatically from the newest valid checkpoint of its checkpoint.dir.)")
final class ResumeCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "URI", description = "A checkpoint directory (…/ckpt-0000000120).")
    private String from;

    @Option(names = "--output", paramLabel = "DIR", description = "Output directory (default: the recorded output.dir).")
    private String output;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key that may change on resume: "
            + "cluster.*, output.*, checkpoint.*, training.epochs, training.maxSteps (repeatable).")
    private List<String> overrides = new ArrayList<>();

    @Mixin
    private ProgressOption progress = new ProgressOption();

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        ConfigLoader loader = new ConfigLoader();
        String parent = from.replaceAll("/+$", "");
        parent = parent.substring(0, Math.max(0, parent.lastIndexOf('/')));
        Checkpoint checkpoint = new CheckpointStore(parent, storage.hadoopConf(), loader.json()).load(from);
        List<String> sets = new ArrayList<>(overrides);
        if (output != null) {
            sets.add("output.dir=" + output);
        }
        RunConfig config = loader.parseWritten(from + "/manifest.json", loader.yaml(checkpoint.manifest().config()),
                sets);
        new TrainingRun(config, storage, System.out, System::nanoTime).resumingFrom(from)
                .showingProgressBar(progress.bar()).execute();
        return 0;
    }
}
