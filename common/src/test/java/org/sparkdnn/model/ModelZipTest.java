package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.OptimizerType;

/**
 * The model-file reader refuses what DL4J would Java-deserialize (a {@code preprocessor.bin} with a class whose
 * {@code readObject} runs, or a JDK collection) before anything is deserialized, bounds what it inflates and what ND4J
 * allocates, and restores an honest model exactly.
 */
class ModelZipTest {
    /** Set when a {@link Gadget} is deserialized: what a gadget chain's first step would be. */
    static final AtomicBoolean DESERIALIZED = new AtomicBoolean();
    private static byte[] model;

    /** A class whose deserialization has a side effect. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }

    @BeforeAll
    static void aTrainedModel() throws IOException {
        IoShape shape = new IoShape(3, 2);
        ComputationGraph net = TestModels.build(TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY, Activation.RELU,
                List.of(LayerConfig.dense(4, Activation.TANH))), new OptimizerConfig(OptimizerType.ADAM, 0.01, null, null, null,
                null, null, null, null, null, null), TestModels.SEED, shape);
        net.fit(TestModels.classification(6, shape, 5));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        model = bytes.toByteArray();
    }

    @Test
    void anHonestModelIsRestoredExactlyWithItsUpdaterState() throws IOException {
        ComputationGraph dl4j = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model), true);
        ComputationGraph ours = ModelZip.read("model.zip", model, true);
        assertArrayEquals(TestModels.values(dl4j.params()), TestModels.values(ours.params()), 0.0);
        assertArrayEquals(TestModels.values(dl4j.getUpdater().getStateViewArray()),
                TestModels.values(ours.getUpdater().getStateViewArray()), 0.0);
        assertEquals(dl4j.getConfiguration().toJson(), ours.getConfiguration().toJson());
    }

    @Test
    void dl4jItselfDeserializesAPreprocessorEntryWhichIsWhyWeReadZipsOurselves() throws IOException {
        byte[] hostile = with(model, "preprocessor.bin", serialized(new Gadget()));
        DESERIALIZED.set(false);
        assertThrows(Exception.class, () -> ModelSerializer.restoreComputationGraph(
                new ByteArrayInputStream(hostile), false));
        assertTrue(DESERIALIZED.get(), "DL4J 1.0.0-M2.1 runs readObject of preprocessor.bin; if this fails, DL4J no "
                + "longer does and ModelZip's refusal could be revisited");
        DESERIALIZED.set(false);
    }

    @Test
    void aPreprocessorEntryIsRefusedByNameAndNothingIsDeserialized() throws IOException {
        for (Serializable payload : List.of(new Gadget(), new PriorityQueue<>(List.of(3, 1, 2)))) {
            byte[] hostile = with(model, "preprocessor.bin", serialized(payload));
            DESERIALIZED.set(false);
            IOException e = assertThrows(IOException.class, () -> ModelZip.read("/runs/x/model.zip", hostile, false));
            assertTrue(e.getMessage().startsWith("/runs/x/model.zip: entry preprocessor.bin would be "
                    + "Java-deserialized"), e.getMessage());
            assertFalse(DESERIALIZED.get(), "nothing deserialized");
            assertThrows(IOException.class, () -> ModelZip.check("m.zip", hostile));
        }
    }

    @Test
    void unexpectedAndRepeatedEntriesAreRefused() throws IOException {
        IOException other = assertThrows(IOException.class,
                () -> ModelZip.read("m.zip", with(model, "normalizer.bin", new byte[] {1}), false));
        assertEquals("m.zip: unexpected entry normalizer.bin (a model zip holds only configuration.json, "
                + "coefficients.bin, updaterState.bin); refusing to load it", other.getMessage());
        IOException twice = assertThrows(IOException.class, () -> ModelZip.read("m.zip",
                with(model, "coefficients.bin", entries(model).get("coefficients.bin")), false));
        assertTrue(twice.getMessage().contains("entry coefficients.bin appears twice"), twice.getMessage());
        IOException notZip = assertThrows(IOException.class, () -> ModelZip.read("m.zip", "hello".getBytes(), false));
        assertTrue(notZip.getMessage().contains("no configuration.json"), notZip.getMessage());
    }

    @Test
    void aZipBombStopsAtTheEntryCapWhateverItsHeaderSays() throws IOException {
        byte[] bomb = zip(Map.of("configuration.json", new byte[(int) ModelZip.MAX_CONFIG_BYTES + 1]));
        assertTrue(bomb.length < 100_000, "16 MiB of zeros deflate to " + bomb.length + " bytes");
        IOException e = assertThrows(IOException.class, () -> ModelZip.read("bomb.zip", bomb, false));
        assertEquals("bomb.zip: entry configuration.json inflates to more than 16777216 bytes, the limit for it; "
                + "refusing to load it", e.getMessage());
    }

    @Test
    void anArrayDeclaringMoreValuesThanItsBytesHoldIsRefusedBeforeNd4jAllocates() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF("MIXED_DATA_TYPES");
            out.writeLong(1L << 40); // a terabyte of shape information
            out.writeUTF("LONG");
            out.write(new byte[64]);
        }
        Map<String, byte[]> parts = entries(model);
        parts.put("coefficients.bin", bytes.toByteArray());
        IOException e = assertThrows(IOException.class, () -> ModelZip.read("m.zip", zip(parts), false));
        assertTrue(e.getMessage().startsWith("m.zip: entry coefficients.bin declares a shape buffer of 1099511627776 "
                + "LONG values in 64 remaining bytes"), e.getMessage());
    }

    static byte[] serialized(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    /** The zip's entries plus one more, appended even when the name is already there. */
    static byte[] with(byte[] zip, String name, byte[] content) throws IOException {
        // ZipOutputStream refuses a repeated name: write a placeholder of the same length, then rename it in the bytes
        String placeholder = name.substring(0, name.length() - 1) + "\u0001";
        Map<String, byte[]> all = entries(zip);
        all.put(placeholder, content);
        String bytes = new String(zip(all), StandardCharsets.ISO_8859_1);
        return bytes.replace(placeholder, name).getBytes(StandardCharsets.ISO_8859_1);
    }

    static Map<String, byte[]> entries(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
            }
        }
        return bytes.toByteArray();
    }
}
