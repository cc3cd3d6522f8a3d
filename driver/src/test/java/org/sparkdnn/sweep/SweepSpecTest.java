package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdnn.checkpoint.ResumeCheck;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.MetricScope;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.config.ScheduleConfig;
import org.sparkdnn.config.ScheduleType;
import org.sparkdnn.io.Storage;

/**
 * A sweep file's base overrides and metric scope, checked before anything trains; how a run's summary is read under
 * each scope; the numbers people read in tables.
 */
class SweepSpecTest {
    static final String BASE = String.join("\n",
            "model: {layers: [{type: dense, units: 16}], loss: softmaxCrossEntropy}",
            "optimizer: {type: adam, learningRate: 0.002}",
            "data: {format: csv, train: embedded:digits, numClasses: 10, validationFraction: 0.1, testFraction: 0.2}",
            "training: {epochs: 3, batchSize: 32, seed: 42}",
            "cluster: {engine: local}",
            "");

    @TempDir
    Path tmp;

    SweepSpec load(String sweep, String... sets) throws Exception {
        Files.createDirectories(tmp.resolve("conf/sweeps"));
        Files.writeString(tmp.resolve("conf/base.yaml"), BASE);
        Path file = tmp.resolve("conf/sweeps/s.yaml");
        Files.writeString(file, "base: ../base.yaml\nspace:\n  optimizer.learningRate: {logUniform: [0.001, 0.01]}\n"
                + sweep);
        return SweepSpec.load(Storage.withDefaults(), new ConfigLoader(), file.toString(), List.of(sets));
    }

    @Test
    void baseOverridesApplyToTheBaseFileAndTheCommandLineWinsOverThem() throws Exception {
        SweepSpec spec = load("baseOverrides: {training.patience: 4, data.validationFraction: 0.2}\n");
        assertEquals(4, spec.base().training().patience());
        assertEquals(0.2, spec.base().data().validationFraction());
        assertEquals(MetricScope.BEST, spec.scope(), "patience in the base: scope best by default");
        SweepSpec cli = load("baseOverrides: {training.patience: 4}\n", "base.training.patience=6");
        assertEquals(6, cli.base().training().patience());
        assertTrue(!spec.sha256().equals(cli.sha256()), "the overrides are part of the sweep's identity");
        assertEquals(MetricScope.LAST, load("").scope(), "no patience: scope last by default");
    }

    @Test
    void includeBaseMakesTheBasesOwnValuesTheFirstTrialDefaultsIncluded() throws Exception {
        load("");
        Path file = tmp.resolve("conf/sweeps/with-base.yaml");
        Files.writeString(file, String.join("\n", "base: ../base.yaml", "space:",
                "  optimizer.learningRate: {logUniform: [0.001, 0.01]}",
                "  optimizer.weightDecay: {logUniform: [0.0001, 0.01]}",
                "  model.layers.0.units: {choice: [32, 64]}",
                "search: {type: halton, trials: 3, includeBase: true}", ""));
        List<Trial> trials = SweepSpec.load(Storage.withDefaults(), new ConfigLoader(), file.toString(), List.of())
                .trials();
        assertEquals(4, trials.size());
        assertEquals("t000", trials.get(0).id());
        Map<String, JsonNode> base = trials.get(0).params();
        assertEquals(0.002, base.get("optimizer.learningRate").asDouble());
        assertEquals(0.0, base.get("optimizer.weightDecay").asDouble(), "the default, outside the searched range");
        assertEquals(16, base.get("model.layers.0.units").asInt());
        assertTrue(trials.get(1).params().get("optimizer.weightDecay").asDouble() >= 0.0001, "then the draws");
    }

    @ParameterizedTest(name = "conf/sweeps/{0}")
    @CsvSource({"digits-asha.yaml, ../conf/digits.yaml", "mnist-asha.yaml, ../conf/mnist-mlp.yaml",
        "mnist-scaling.yaml, ''"})
    void everyShippedSweepLoadsAndTheAshaSweepsStartFromTheConfigsUsersRun(String file, String base) throws Exception {
        SweepSpec spec = SweepSpec.load(Storage.withDefaults(), new ConfigLoader(), "../conf/sweeps/" + file,
                List.of());
        assertTrue(spec.trials().size() >= 2, file);
        if (!base.isEmpty()) {
            assertEquals(Optional.of(Path.of(base).normalize()), spec.baseFile().map(f -> Path.of(f).normalize()));
            assertTrue(spec.base().training().patience() > 0, "early stopping in the sweep's base");
            assertEquals(MetricScope.BEST, spec.scope());
            assertTrue(spec.config().space().containsKey("model.dropout")
                    && spec.config().space().containsKey("optimizer.weightDecay"), "regularization searched");
            Trial t000 = spec.trials().get(0);
            RunConfig asTrial = new TrialConfigs(spec, new ConfigLoader(), tmp.toString()).config(t000, 1);
            assertEquals(List.of(), ResumeCheck.differences(new ConfigLoader().toTree(spec.base()),
                    new ConfigLoader().toTree(asTrial)), "t000 trains the base config itself");
        }
    }

    /** Rows: the sweep file's lines after base and space (';' between lines) | what the error says. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "scheduler: {scope: best}|scheduler.scope: best reads the epoch early stopping keeps, and the base config has "
            + "no training.patience",
        "baseOverrides: {training.patience: 2};scheduler: {scope: last, metric: test.accuracy}|scheduler.scope: "
            + "last with early stopping in the base or the space reads the last epoch's validation metrics only",
        "scheduler: {scope: first}|scheduler.scope: must be one of [best, last]",
        "baseOverrides: {training.patience: 2, data.validationFraction: 0}|scheduler.scope: best reads the epoch early "
            + "stopping keeps, which needs a validation split in the base",
        "space2: {};scheduler: {metric: test.loss}|scheduler.scope: last with early stopping in the base or the space",
        "baseOverrides: {training.patiense: 2}|training.patiense",
    })
    void aBadScopeOrOverrideFailsBeforeAnythingTrainsAndNamesTheKey(String sweep, String says) throws Exception {
        // "space2: {};" stands for a second space key, training.patience, that trials draw
        String text = sweep.replace("space2: {};", "  training.patience: {choice: [0, 3]}\n").replace(';', '\n') + "\n";
        ConfigException e = assertThrows(ConfigException.class, () -> load(text));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void scopeBestReadsTheDeliveredMetricsAndScopeLastTheLastEpochs() {
        Map<String, Object> restored = Map.of("deliveredEpoch", 3, "validation", Map.of("loss", 0.10),
                "last", Map.of("epoch", 9, "validation", Map.of("loss", 0.25)));
        assertEquals(new SweepRunner.Reading(0.10, 3), SweepRunner.reading(restored, "validation.loss",
                MetricScope.BEST));
        assertEquals(new SweepRunner.Reading(0.25, 9), SweepRunner.reading(restored, "validation.loss",
                MetricScope.LAST));
        Map<String, Object> lastIsBest = Map.of("deliveredEpoch", 9, "validation", Map.of("loss", 0.10));
        for (MetricScope scope : MetricScope.values()) {
            assertEquals(new SweepRunner.Reading(0.10, 9), SweepRunner.reading(lastIsBest, "validation.loss", scope));
        }
    }

    @Test
    void aSweepStateOfTheOlderFormatIsRefusedWithAMessage() throws Exception {
        Files.writeString(tmp.resolve("sweep.json"), "{\"format\": 1, \"sweepSha256\": \"x\", \"jobs\": []}");
        ConfigException e = assertThrows(ConfigException.class, () -> SweepState.open(Storage.withDefaults(),
                new ObjectMapper(), tmp.toString(), "x"));
        assertTrue(e.getMessage().contains("was written by another version of the sweep runner"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0.004838429805066204, 0.004838", "0.05, 0.05", "123.456789, 123.5", "0.000012345, 0.00001235",
        "2.5, 2.5", "0, 0"})
    void tablesShowFourSignificantDigits(double value, String shown) {
        assertEquals(shown, Leaderboard.significant(value, 4));
    }

    @Test
    void aCosineCycleIsTotalStepsOrTotalEpochsOfBatchesOrTheRunsSteps() {
        assertEquals(70, new ScheduleConfig(ScheduleType.COSINE, null, null, null, 70L, null, null).cycleSteps(40, 90));
        assertEquals(120, new ScheduleConfig(ScheduleType.COSINE, null, null, null, null, null, 3).cycleSteps(40, 90));
        assertEquals(90, new ScheduleConfig(ScheduleType.COSINE, null, null, null, null, null, null).cycleSteps(40, 90));
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ScheduleConfig(ScheduleType.COSINE, null, null, null, 70L, null, 3));
        assertTrue(e.getMessage().contains("totalEpochs: set totalSteps or totalEpochs, not both"), e.getMessage());
    }
}
