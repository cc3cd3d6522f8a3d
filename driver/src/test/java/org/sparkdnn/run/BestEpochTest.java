package org.sparkdnn.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;

/**
 * With early stopping on, a run delivers its best epoch's parameters even when it runs out of epochs before its
 * patience does (as Hugging Face's {@code load_best_model_at_end}); its checkpoint keeps the last parameters, so a
 * longer run (a promoted sweep trial) continues from them to what a straight run gives. The config overfits early
 * (Adam at lr 0.03): epoch 2's validation loss is worse than epoch 1's.
 */
class BestEpochTest {
    static final String CONFIG = String.join("\n",
            "model: {layers: [{type: dense, units: 256}], loss: softmaxCrossEntropy}",
            "optimizer: {type: adam, learningRate: 0.03}",
            "data: {format: csv, train: 'embedded:digits', numClasses: 10, scaling: standardize,",
            "       validationFraction: 0.1, testFraction: 0.2}",
            "training: {epochs: 4, batchSize: 64, seed: 42, patience: 10}",
            "checkpoint: {everyEpochs: 0}", // only the run's end writes one
            "cluster: {engine: local}");

    @TempDir
    Path tmp;

    JsonNode train(Path out, int epochs) throws Exception {
        new TrainingRun(new ConfigLoader().parse("best.yaml", CONFIG, List.of("output.dir=" + out,
                "training.epochs=" + epochs)), Storage.withDefaults(),
                new PrintStream(OutputStream.nullOutputStream()), System::nanoTime).execute();
        return new ConfigLoader().json().readTree(out.resolve("summary.json").toFile());
    }

    static List<Double> validationLosses(Path out) throws Exception {
        return RunData.load(Storage.withDefaults(), out.toString()).ofType("epoch").stream()
                .map(e -> RunData.number(e, "validation.loss")).toList();
    }

    @Test
    void aRunEndingOnAWorseEpochDeliversItsBestAndALongerRunContinuesFromItsLast() throws Exception {
        JsonNode straight = train(tmp.resolve("straight"), 4);
        JsonNode shortRun = train(tmp.resolve("rungs"), 2);
        List<Double> two = validationLosses(tmp.resolve("rungs"));
        assertTrue(two.get(1) > two.get(0), "the premise: epoch 2 is worse than epoch 1, " + two);
        assertFalse(shortRun.get("stoppedEarly").asBoolean());
        assertEquals(1, shortRun.get("deliveredEpoch").asInt());
        assertEquals(two.get(0), shortRun.at("/validation/loss").asDouble(), 1e-9, "the delivered model is epoch 1's");
        assertEquals(2, shortRun.at("/last/epoch").asInt());
        assertEquals(two.get(1), shortRun.at("/last/validation/loss").asDouble(), 1e-9);

        JsonNode continued = train(tmp.resolve("rungs"), 4);
        assertTrue(continued.get("resumedFrom").asText().endsWith(String.format("ckpt-%010d",
                shortRun.get("steps").asLong())), continued.get("resumedFrom").asText());
        assertEquals(straight.get("paramsSha256").asText(), continued.get("paramsSha256").asText(),
                "2 + 2 epochs == 4 epochs, bitwise");
        assertEquals(straight.get("deliveredEpoch").asInt(), continued.get("deliveredEpoch").asInt());
        @SuppressWarnings("unchecked")
        Map<String, Object> s = new ConfigLoader().json().convertValue(straight, Map.class);
        List<Double> four = validationLosses(tmp.resolve("straight"));
        double min = four.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertEquals(four.indexOf(min) + 1, ((Number) s.get("deliveredEpoch")).intValue());
    }
}
