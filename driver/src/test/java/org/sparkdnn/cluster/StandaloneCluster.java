package org.sparkdnn.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on 127.0.0.1 from Maven's jars (no Spark distribution): a SPARK_HOME folder with
 * an empty RELEASE file and jars/ linking Spark's runtime jars; Master and Worker in their own JVMs. Always stopped.
 */
final class StandaloneCluster implements AutoCloseable {
    static final List<String> OPENS = SparkJvm.OPENS;

    private final Path home;
    private final Path logs;
    private final int port;
    private final List<Process> daemons = new ArrayList<>();

    /**
     * @param sparkJars Spark's runtime jars (in tests: this JVM's classpath without the trainer's own libraries,
     *                  which reach executors only inside the submitted jar)
     */
    StandaloneCluster(Path dir, List<Path> sparkJars, int workerCores) throws IOException, InterruptedException {
        this(dir, sparkJars, workerCores, List.of());
    }

    /**
     * @param workerOptions JVM options of the worker (e.g. {@code -Dspark.worker.resource.gpu.amount=2} with a
     *                      discovery script: resources the worker offers)
     */
    StandaloneCluster(Path dir, List<Path> sparkJars, int workerCores, List<String> workerOptions)
            throws IOException, InterruptedException {
        this.home = dir.resolve("spark-home");
        this.logs = dir.resolve("logs");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(logs);
        Files.createFile(home.resolve("RELEASE"));
        for (Path jar : sparkJars) {
            Path link = home.resolve("jars").resolve(jar.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, jar);
            }
        }
        this.port = freePort();
        daemons.add(start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(freePort())));
        awaitPort(port, Duration.ofSeconds(60));
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(workerOptions);
        daemons.add(process("worker", SparkJvm.command(jvm, home.resolve("jars") + File.separator + "*",
                "org.apache.spark.deploy.worker.Worker", List.of("--cores", String.valueOf(workerCores), "--memory",
                        "3g", "--webui-port", String.valueOf(freePort()), "--work-dir", work().toString(),
                        masterUrl()))).start());
    }

    /** This JVM's classpath jars minus DL4J/ND4J/JavaCPP, the trainer's modules and test libraries. */
    static List<Path> sparkJarsOfThisJvm() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            boolean trainerOwn = e.contains("/org/deeplearning4j/") || e.contains("/org/nd4j/")
                    || e.contains("/org/bytedeco/") || e.contains("sparkdnn") || e.contains("/org/junit/")
                    || e.contains("/info/picocli/");
            if (e.endsWith(".jar") && !trainerOwn) {
                jars.add(Path.of(entry));
            }
        }
        return jars;
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    Path home() {
        return home;
    }

    Path logs() {
        return logs;
    }

    /** The worker's work dir: {@code app-*&#47;N/stderr} are the executors' logs. */
    Path work() {
        return home.getParent().resolve("work");
    }

    /** A java command line with Spark's jars on the classpath and the opens list. */
    List<String> java(String heap, String mainClass, String... args) {
        return new ArrayList<>(SparkJvm.command(List.of(heap), home.resolve("jars") + File.separator + "*", mainClass,
                List.of(args)));
    }

    ProcessBuilder process(String name, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb;
    }

    private Process start(String name, String mainClass, String... args) throws IOException {
        return process(name, java("-Xmx256m", mainClass, args)).start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IOException("the Spark master did not open port " + port + " within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
