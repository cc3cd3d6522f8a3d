package org.sparkdnn.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backend [--require cpu|cuda]}: which ND4J backend this jar loads here (CPU or CUDA), its devices and
 * environment, and a check that it computes: a 64×64 matrix product compared with plain Java, then the speed of a
 * 1024×1024 product. What {@code scripts/gpu-check} runs first on a GPU machine.
 */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = "Show the ND4J backend this jar uses here (CPU or CUDA), its devices, and check that it "
                + "computes correctly. Exit status 0: it does (and is the --require'd one); 8: no backend loads, or "
                + "another one than --require'd; 70: it computes wrong.")
final class BackendCommand implements Callable<Integer> {
    enum Kind { CPU, CUDA }

    @Option(names = "--require", paramLabel = "KIND",
            description = "Fail (exit 8) unless the backend in use is this one: ${COMPLETION-CANDIDATES}.")
    private Kind require;

    @Override
    public Integer call() {
        Properties env;
        try {
            env = Nd4j.getExecutioner().getEnvironmentInformation();
        } catch (ExceptionInInitializerError | NoClassDefFoundError | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.err.println("error: no ND4J backend of this jar loads here: " + root.getMessage()
                    + " (ND4J's warning above says why each was skipped; the CUDA build needs an NVIDIA driver, "
                    + "libcuda.so.1, and the CUDA 11.6 runtime)");
            return ExitStatus.BACKEND;
        }
        Kind kind = kindOf(String.valueOf(env.getOrDefault("backend", "")),
                Nd4j.getBackend().getClass().getName());
        System.out.println("backend: " + kind + " (" + Nd4j.getBackend().getClass().getName() + ")");
        System.out.println("devices: " + Nd4j.getAffinityManager().getNumberOfDevices());
        Map<String, String> sorted = new TreeMap<>();
        env.forEach((k, v) -> sorted.put(String.valueOf(k), String.valueOf(v)));
        sorted.forEach((k, v) -> System.out.println("  " + k + ": " + v));

        double error = productError(64);
        System.out.printf(Locale.ROOT, "check: 64x64 product, max relative error vs plain Java %.2e%n", error);
        if (!(error < 1e-9)) {
            System.err.println("error: the " + kind + " backend computes a matrix product wrongly (max relative "
                    + "error " + error + ")");
            return ExitStatus.INTERNAL;
        }
        System.out.printf(Locale.ROOT, "speed: 1024x1024 float product %.1f GFLOP/s%n", gflops(1024));
        if (require != null && require != kind) {
            System.err.println("error: the ND4J backend in use is " + kind + ", not " + require
                    + (require == Kind.CUDA ? " (a jar built with -Pcuda, an NVIDIA driver and the CUDA 11.6 runtime "
                    + "are needed)" : ""));
            return ExitStatus.BACKEND;
        }
        return ExitStatus.OK;
    }

    static Kind kindOf(String backendProperty, String backendClass) {
        String s = (backendProperty + " " + backendClass).toLowerCase(Locale.ROOT);
        return s.contains("cuda") || s.contains("cublas") ? Kind.CUDA : Kind.CPU;
    }

    /** Max |ND4J − Java| / max |Java| of an n×n double product of fixed pseudo-random matrices. */
    private static double productError(int n) {
        double[][] a = new double[n][n];
        double[][] b = new double[n][n];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = random.nextDouble(-1, 1);
                b[i][j] = random.nextDouble(-1, 1);
            }
        }
        INDArray c = Nd4j.create(a).mmul(Nd4j.create(b));
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += a[i][k] * b[k][j];
                }
                maxDiff = Math.max(maxDiff, Math.abs(sum - c.getDouble(i, j)));
                maxAbs = Math.max(maxAbs, Math.abs(sum));
            }
        }
        return maxDiff / maxAbs;
    }

    /** GFLOP/s of an n×n float product, best of 5 after a warm-up. */
    private static double gflops(int n) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        a.mmuli(b, c);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            a.mmuli(b, c);
            c.getFloat(0); // waits for an asynchronous (CUDA) product to finish
            best = Math.min(best, System.nanoTime() - start);
        }
        return 2.0 * n * n * n / best;
    }
}
