package org.sparkdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code trainer backend}: on this machine (no GPU, CPU build) it reports ND4J's CPU backend, which computes right. */
class BackendCommandTest {
    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int status = Main.run(args);
            return new Result(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void reportsTheCpuBackendAndChecksItsProduct() {
        Result r = run("backend", "--require", "cpu");
        assertEquals(ExitStatus.OK, r.status(), r.err());
        assertTrue(r.out().startsWith("backend: CPU (org.nd4j.linalg.cpu.nativecpu.CpuBackend)"), r.out());
        assertTrue(r.out().contains("check: 64x64 product, max relative error vs plain Java"), r.out());
        assertTrue(r.out().matches("(?s).*speed: 1024x1024 float product [0-9.]+ GFLOP/s.*"), r.out());
    }

    @Test
    void requiringCudaOnTheCpuBuildFailsWithItsOwnStatus() {
        Result r = run("backend", "--require", "cuda");
        assertEquals(ExitStatus.BACKEND, r.status());
        assertTrue(r.err().contains("the ND4J backend in use is CPU, not CUDA"), r.err());
    }

    @Test
    void kindComesFromTheBackendNameOrClass() {
        assertEquals(BackendCommand.Kind.CUDA, BackendCommand.kindOf("CUDA", "org.nd4j.linalg.jcublas.JCublasBackend"));
        assertEquals(BackendCommand.Kind.CUDA, BackendCommand.kindOf("", "org.nd4j.linalg.jcublas.JCublasBackend"));
        assertEquals(BackendCommand.Kind.CPU, BackendCommand.kindOf("CPU", "org.nd4j.linalg.cpu.nativecpu.CpuBackend"));
    }
}
