package org.sparkdnn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.cli.Main;
import org.sparkdnn.config.Loss;
import org.sparkdnn.io.Storage;

/**
 * A model zip whose {@code preprocessor.bin} holds a Java-serialized object — a class whose {@code readObject} has a
 * side effect, or a JDK collection — is refused by name on every path that loads a model (evaluate, compare, predict,
 * {@code model.init}, resume from a directory whose manifest was rewritten to match, the Spark ML model from a run, from
 * its saved form, and {@code transform} on executors), and nothing is deserialized.
 */
public class HostileModelFileTest {
    static final AtomicBoolean DESERIALIZED = new AtomicBoolean();
    private static final String DIGITS = Path.of("..", "conf", "digits.yaml").toAbsolutePath().normalize().toString();
    private static final String REFUSAL = "entry preprocessor.bin would be Java-deserialized by DL4J";

    @TempDir
    static Path tmp;
    private static SparkSession spark;

    /** Deserializing it is the side effect a gadget chain starts with. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }

    @BeforeAll
    static void aRunAndItsTamperedFiles() throws Exception {
        assertEquals(0, Main.run("train", "--config", DIGITS, "--set", "cluster.engine=local", "--set",
                "training.maxSteps=4", "--set", "checkpoint.everySteps=2", "--output", tmp.resolve("run").toString()));
        byte[] model = Files.readAllBytes(tmp.resolve("run/model.zip"));
        for (String kind : List.of("gadget", "jdk")) {
            Object payload = kind.equals("gadget") ? new Gadget() : new PriorityQueue<>(List.of(3, 1, 2));
            byte[] hostile = withPreprocessor(model, payload);
            Files.write(tmp.resolve(kind + ".zip"), hostile);
            // a checkpoint directory altered by someone who also rewrote the manifest's checksum
            Path ckpt = tmp.resolve(kind + "-checkpoints/ckpt-0000000004");
            Files.createDirectories(ckpt.getParent());
            copy(tmp.resolve("run/checkpoints/ckpt-0000000004"), ckpt);
            String before = CheckpointStore.sha256(Files.readAllBytes(ckpt.resolve("model.zip")));
            byte[] hostileCheckpoint = withPreprocessor(Files.readAllBytes(ckpt.resolve("model.zip")), payload);
            Files.write(ckpt.resolve("model.zip"), hostileCheckpoint);
            Path manifest = ckpt.resolve("manifest.json");
            String rewritten = Files.readString(manifest).replace(before, CheckpointStore.sha256(hostileCheckpoint));
            assertNotEquals(Files.readString(manifest), rewritten, "the manifest names model.zip's checksum");
            Files.writeString(manifest, rewritten);
        }
        session();
        DnnModel honest = DnnModel.fromFiles(Storage.withDefaults(), tmp.resolve("run/model.zip").toString(),
                Loss.SOFTMAX_CROSS_ENTROPY);
        honest.write().save(tmp.resolve("saved").toString());
        for (String kind : List.of("gadget", "jdk")) {
            copy(tmp.resolve("saved"), tmp.resolve(kind + "-saved"));
            Files.copy(tmp.resolve(kind + ".zip"), tmp.resolve(kind + "-saved/data/model.zip"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(tmp.resolve(kind + "-saved/data/.model.zip.crc"));
        }
    }

    /** The test's session (the commands above stop theirs, and with it any session this JVM had). */
    private static SparkSession session() {
        spark = SparkSession.builder().master("local[2]").appName("HostileModelFileTest")
                .config("spark.ui.enabled", "false").getOrCreate();
        return spark;
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static Stream<Arguments> commands() {
        List<Arguments> rows = new ArrayList<>();
        for (String kind : List.of("gadget", "jdk")) {
            String zip = tmp.resolve(kind + ".zip").toString();
            String good = tmp.resolve("run/model.zip").toString();
            String config = tmp.resolve("run/config.yaml").toString();
            rows.add(Arguments.of(kind, "evaluate", new String[] {"evaluate", "--model", zip, "--config", config}));
            rows.add(Arguments.of(kind, "compare", new String[] {"compare", zip, good}));
            rows.add(Arguments.of(kind, "predict", new String[] {"predict", "--model", zip, "--config", config,
                    "--data", "embedded:digits", "--output", tmp.resolve(kind + "-predictions").toString()}));
            rows.add(Arguments.of(kind, "model.init", new String[] {"train", "--config", DIGITS, "--set",
                    "cluster.engine=local", "--set", "training.maxSteps=1", "--set", "model.init=" + zip,
                    "--output", tmp.resolve(kind + "-init").toString()}));
            rows.add(Arguments.of(kind, "resume", new String[] {"resume", "--from",
                    tmp.resolve(kind + "-checkpoints/ckpt-0000000004").toString(), "--output",
                    tmp.resolve(kind + "-resumed").toString()}));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("commands")
    void everyCommandThatLoadsAModelRefusesItByNameAndDeserializesNothing(String kind, String path, String[] args) {
        DESERIALIZED.set(false);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = Main.run(args);
        } finally {
            System.setErr(original);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertNotEquals(0, exit, printed);
        assertTrue(printed.contains(REFUSAL), path + " says why:\n" + printed + "\n" + exit);
        assertTrue(printed.contains(kind + ".zip") || printed.contains(kind + "-checkpoints"), "names the file:\n"
                + printed);
        assertFalse(DESERIALIZED.get(), "nothing was deserialized");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void theSparkMlModelRefusesItFromARunFromItsSavedFormAndInTransformOnExecutors(String kind) throws Exception {
        DESERIALIZED.set(false);
        session();
        String zip = tmp.resolve(kind + ".zip").toString();
        IOException fromFiles = assertThrows(IOException.class,
                () -> DnnModel.fromFiles(Storage.withDefaults(), zip, Loss.SOFTMAX_CROSS_ENTROPY));
        assertTrue(fromFiles.getMessage().contains(REFUSAL), fromFiles.getMessage());
        Exception loaded = assertThrows(Exception.class, () -> DnnModel.load(tmp.resolve(kind + "-saved").toString()));
        assertTrue(causes(loaded).contains(REFUSAL), causes(loaded));

        // a model made from the bytes without the driver's check: each executor task reads the zip itself
        byte[] hostile = Files.readAllBytes(tmp.resolve(kind + ".zip"));
        DnnModel unchecked = new DnnModel("hostile", hostile, Loss.SOFTMAX_CROSS_ENTROPY, 64, 10, null, null, "{}");
        StructType schema = new StructType().add("features", new VectorUDT(), false);
        Dataset<Row> rows = spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(new double[64]))), schema);
        Exception transform = assertThrows(Exception.class, () -> unchecked.transform(rows).collectAsList());
        assertTrue(causes(transform).contains(REFUSAL), causes(transform));
        assertFalse(DESERIALIZED.get(), "nothing was deserialized");
    }

    static Stream<String> kinds() {
        return Stream.of("gadget", "jdk");
    }

    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }

    public static byte[] withPreprocessor(byte[] zip, Object payload) throws IOException {
        ByteArrayOutputStream serialized = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(serialized)) {
            out.writeObject(payload);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
             ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(in.readAllBytes());
            }
            out.putNextEntry(new ZipEntry("preprocessor.bin"));
            out.write(serialized.toByteArray());
        }
        return bytes.toByteArray();
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
