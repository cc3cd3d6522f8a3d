package org.sparkdnn.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cli.Main;
import org.sparkdnn.config.Loss;
import org.sparkdnn.io.Storage;
import org.sparkdnn.ml.DnnModel;
import org.sparkdnn.ml.HostileModelFileTest;
import org.sparkdnn.ml.MarkerGadget;

/**
 * A model zip whose {@code preprocessor.bin} holds a class that leaves a file behind when deserialized, on a standalone
 * cluster whose executors are separate JVMs with that class on their classpath: the driver refuses the saved Spark ML
 * model, every executor refuses the zip in {@code transform}, and no JVM deserialized it (no file).
 */
class HostileModelClusterIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void driverAndExecutorsInSeparateJvmsRefuseTheZipAndNoneDeserializesIt() throws Exception {
        assertEquals(0, Main.run("train", "--config", ROOT.resolve("conf/digits.yaml").toString(), "--set",
                "cluster.engine=local", "--set", "training.maxSteps=2", "--output", tmp.resolve("run").toString()));
        Path marker = tmp.resolve("deserialized.txt");
        byte[] hostile = HostileModelFileTest.withPreprocessor(Files.readAllBytes(tmp.resolve("run/model.zip")),
                new MarkerGadget(marker.toString()));
        Files.write(tmp.resolve("hostile.zip"), hostile);
        SparkSession local = SparkSession.builder().master("local[1]").appName("save")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            DnnModel.fromFiles(Storage.withDefaults(), tmp.resolve("run/model.zip").toString(),
                    Loss.SOFTMAX_CROSS_ENTROPY).write().save(tmp.resolve("saved").toString());
        } finally {
            local.stop();
        }
        Files.write(tmp.resolve("saved/data/model.zip"), hostile);
        Files.deleteIfExists(tmp.resolve("saved/data/.model.zip.crc"));
        Path classes = jarOf(tmp.resolve("hostile-app.jar"), "org/sparkdnn/ml/HostileTransformApp.class",
                "org/sparkdnn/ml/MarkerGadget.class");

        try (StandaloneCluster cluster = new StandaloneCluster(tmp, StandaloneCluster.sparkJarsOfThisJvm(), 2)) {
            List<String> submit = cluster.java("-Xmx1g", "org.apache.spark.deploy.SparkSubmit",
                    "--master", cluster.masterUrl(),
                    "--conf", "spark.driver.host=127.0.0.1",
                    "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", StandaloneCluster.OPENS),
                    "--conf", "spark.executor.memory=1g",
                    "--conf", "spark.ui.enabled=false",
                    "--conf", "spark.task.maxFailures=1",
                    "--jars", classes.toString(),
                    "--class", "org.sparkdnn.ml.HostileTransformApp",
                    ROOT.resolve("driver/target/trainer.jar").toString(),
                    tmp.resolve("saved").toString(), tmp.resolve("hostile.zip").toString());
            Process app = cluster.process("hostile", submit).start();
            boolean done = app.waitFor(5, TimeUnit.MINUTES);
            String log = Files.readString(cluster.logs().resolve("hostile.log"));
            if (!done) {
                app.destroyForcibly();
            }
            String tail = String.join("\n", log.lines().filter(l -> !l.startsWith("\tat ") && (l.contains("REFUSED")
                    || l.contains("Exception") || l.contains("Error"))).limit(40).toList());
            assertTrue(done && app.exitValue() == 0, "both refused by name:\n" + tail);
            assertTrue(log.contains("REFUSED-ON-DRIVER true") && log.contains("REFUSED-ON-EXECUTORS true"), tail);
        }
        assertFalse(Files.exists(marker), "no JVM deserialized the gadget");
    }

    /** A jar of this JVM's test classes {@code names} (what spark-submit's --jars ships to every executor). */
    private static Path jarOf(Path jar, String... names) throws Exception {
        Path testClasses = Path.of(HostileModelClusterIT.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String name : names) {
                out.putNextEntry(new JarEntry(name));
                out.write(Files.readAllBytes(testClasses.resolve(name)));
            }
        }
        return jar;
    }
}
