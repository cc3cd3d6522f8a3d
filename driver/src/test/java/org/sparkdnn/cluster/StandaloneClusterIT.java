package org.sparkdnn.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cli.Main;

/**
 * The shaded jar submitted with SparkSubmit to a standalone master + worker in separate JVMs: class shipping, Kryo
 * with registration required, the parameter server's address and the secret all work across processes, and the
 * result is bitwise the same as the same job in local mode. DL4J's {@code shared} engine learns across processes.
 */
class StandaloneClusterIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void syncEngineOnAStandaloneClusterMatchesLocalModeBitwise() throws Exception {
        String[] job = {"--config", ROOT.resolve("conf/digits.yaml").toString(), "--set", "training.epochs=2",
                "--set", "cluster.workers=2", "--set", "cluster.engine=sync"};
        List<String> localArgs = new ArrayList<>(List.of("train"));
        localArgs.addAll(List.of(job));
        localArgs.addAll(List.of("--set", "cluster.master=local[2]", "--output", tmp.resolve("local").toString()));
        assertEquals(0, Main.run(localArgs.toArray(String[]::new)));

        try (StandaloneCluster cluster = new StandaloneCluster(tmp, StandaloneCluster.sparkJarsOfThisJvm(), 2)) {
            List<String> args = new ArrayList<>(List.of(job));
            args.addAll(List.of("--output", tmp.resolve("cluster").toString()));
            List<String> train = new ArrayList<>(List.of("train"));
            train.addAll(args);
            String log = submitWithScript(cluster, "submit", train);
            String trainLog = Files.readString(tmp.resolve("cluster/train.log"));
            assertTrue(trainLog.contains("registered worker 1"), "workers registered with the parameter server "
                    + "(train.log, under spark-submit's own Log4j configuration)");
            assertTrue(!log.contains("INFO ParameterServer"), "the console shows warnings only:\n" + tail(log));

            // predict with that model on the cluster: the executors read the file and run the network
            Path data = tmp.resolve("digits.csv.gz");
            try (var in = StandaloneClusterIT.class.getResourceAsStream("/datasets/digits.csv.gz")) {
                Files.copy(in, data);
            }
            String predictLog = submitWithScript(cluster, "predict", List.of("predict", "--model",
                    tmp.resolve("cluster/model.zip").toString(), "--data", data.toString(), "--output",
                    tmp.resolve("predictions").toString()));
            assertTrue(predictLog.contains("\"rows\":1797"), tail(predictLog));
            long predictedOnExecutors = 0;
            java.util.regex.Pattern line = java.util.regex.Pattern.compile("predicted (\\d+) rows of partition");
            try (var logs = Files.find(cluster.work(), 4, (p, a) -> p.getFileName().toString().equals("stderr"))) {
                for (Path stderr : logs.toList()) {
                    java.util.regex.Matcher m = line.matcher(Files.readString(stderr));
                    while (m.find()) {
                        predictedOnExecutors += Long.parseLong(m.group(1));
                    }
                }
            }
            assertEquals(1797, predictedOnExecutors, "every row predicted in an executor JVM (their logs)");
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode local = json.readTree(tmp.resolve("local/summary.json").toFile());
        JsonNode cluster = json.readTree(tmp.resolve("cluster/summary.json").toFile());
        assertEquals(local.get("steps").asLong(), cluster.get("steps").asLong());
        assertEquals(local.get("paramsSha256").asText(), cluster.get("paramsSha256").asText());
    }

    /**
     * DL4J's {@code shared} engine across processes: the driver's Aeron parameter server and the executor's transport
     * in separate JVMs. Asynchronous, so an accuracy band, not bitwise.
     */
    @Test
    void sharedEngineOnAStandaloneClusterLearns() throws Exception {
        try (StandaloneCluster cluster = new StandaloneCluster(tmp, StandaloneCluster.sparkJarsOfThisJvm(), 2)) {
            submitTrain(cluster, List.of("--config", ROOT.resolve("conf/digits.yaml").toString(), "--set",
                    "training.epochs=10", "--set", "cluster.engine=shared", "--set", "cluster.workers=2",
                    "--output", tmp.resolve("shared").toString()));
        }
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("shared/summary.json").toFile());
        double accuracy = summary.get("test").get("accuracy").asDouble();
        System.out.printf("shared on a standalone cluster, 10 epochs: test accuracy %.4f%n", accuracy);
        assertEquals("shared", summary.get("engine").asText());
        assertTrue(accuracy >= 0.90, "test accuracy " + accuracy);
    }

    /**
     * Spark's GPU scheduling for real, with a stand-in for the GPUs only: the worker offers two "GPUs" (a discovery
     * script printing addresses 0 and 1), {@code cluster.gpusPerWorker: 1} makes each barrier task ask for one, Spark
     * assigns each executor its own, and every task binds ND4J to it ({@code GpuBinding}; a no-op on the CPU backend).
     * The result is bitwise local mode's.
     */
    @Test
    void gpusPerWorkerGetsEachTaskItsOwnGpuFromSparkAndChangesNothingElse() throws Exception {
        String[] job = {"--config", ROOT.resolve("conf/digits.yaml").toString(), "--set", "training.epochs=1",
                "--set", "cluster.workers=2", "--set", "cluster.engine=sync"};
        List<String> localArgs = new ArrayList<>(List.of("train"));
        localArgs.addAll(List.of(job));
        localArgs.addAll(List.of("--set", "cluster.master=local[2]", "--output", tmp.resolve("local").toString()));
        assertEquals(0, Main.run(localArgs.toArray(String[]::new)));

        Path discovery = tmp.resolve("gpus.sh");
        Files.writeString(discovery, "#!/bin/sh\necho '{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}'\n");
        discovery.toFile().setExecutable(true);
        List<String> workerGpus = List.of("-Dspark.worker.resource.gpu.amount=2",
                "-Dspark.worker.resource.gpu.discoveryScript=" + discovery);
        try (StandaloneCluster cluster = new StandaloneCluster(tmp, StandaloneCluster.sparkJarsOfThisJvm(), 2,
                workerGpus)) {
            List<String> args = new ArrayList<>(List.of(job));
            args.addAll(List.of("--set", "cluster.gpusPerWorker=1", "--output", tmp.resolve("gpu").toString()));
            submitTrain(cluster, List.of("--conf", "spark.executor.resource.gpu.amount=1", "--conf",
                    "spark.executor.cores=1"), args);
            StringBuilder executors = new StringBuilder();
            try (var logs = Files.find(cluster.work(), 4, (p, a) -> p.getFileName().toString().equals("stderr"))) {
                for (Path log : logs.toList()) {
                    executors.append(Files.readString(log));
                }
            }
            String all = executors.toString();
            assertTrue(all.contains("bound to GPU 0") && all.contains("bound to GPU 1"),
                    "each executor's task bound to its own GPU:\n" + tail(all));
        }
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(tmp.resolve("local/summary.json").toFile()).get("paramsSha256").asText(),
                json.readTree(tmp.resolve("gpu/summary.json").toFile()).get("paramsSha256").asText());
    }

    private static String submitTrain(StandaloneCluster cluster, List<String> args) throws Exception {
        return submitTrain(cluster, List.of(), args);
    }

    /**
     * As the README says to: {@code SPARK_MASTER=… scripts/submit train ARGS}, here with a SPARK_HOME of jars only
     * (no bin/spark-submit: scripts/submit runs Spark's launcher from the jars).
     */
    private static String submitWithScript(StandaloneCluster cluster, String logName, List<String> trainerArgs)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("scripts/submit").toString()));
        command.addAll(trainerArgs);
        ProcessBuilder pb = cluster.process(logName, command);
        pb.environment().put("SPARK_MASTER", cluster.masterUrl());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SUBMIT_OPTS", "--conf spark.driver.host=127.0.0.1 --conf spark.executor.memory=1500m "
                + "--conf spark.ui.enabled=false");
        return await(cluster, logName, pb.start());
    }

    /**
     * spark-submits {@code train ARGS} with spark-submit's {@code options} to {@code cluster}; fails unless it exits 0
     * within 6 min; returns its log.
     */
    private static String submitTrain(StandaloneCluster cluster, List<String> options, List<String> args)
            throws Exception {
        List<String> submit = cluster.java("-Xmx1g", "org.apache.spark.deploy.SparkSubmit",
                "--master", cluster.masterUrl(),
                "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.driver.extraJavaOptions=" + String.join(" ", StandaloneCluster.OPENS),
                "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", StandaloneCluster.OPENS),
                "--conf", "spark.executor.memory=1500m",
                "--conf", "spark.ui.enabled=false");
        submit.addAll(options);
        submit.addAll(List.of("--class", "org.sparkdnn.cli.Main", ROOT.resolve("driver/target/trainer.jar").toString(),
                "train"));
        submit.addAll(args);
        return await(cluster, "submit", cluster.process("submit", submit).start());
    }

    /** Waits for a spark-submit; fails unless it exits 0 within 6 min; returns its log (logs/NAME.log). */
    private static String await(StandaloneCluster cluster, String logName, Process driver) throws Exception {
        boolean done = driver.waitFor(6, TimeUnit.MINUTES);
        String log = Files.readString(cluster.logs().resolve(logName + ".log"));
        if (!done) {
            driver.destroyForcibly();
        }
        assertTrue(done && driver.exitValue() == 0, "spark-submit failed:\n" + tail(log));
        return log;
    }

    private static String tail(String log) {
        return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
    }
}
