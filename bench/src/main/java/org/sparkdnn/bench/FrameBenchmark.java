package org.sparkdnn.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.PsMessage;

/**
 * How to put a tensor on the parameter server's wire: the project's raw little-endian frames (copied straight from
 * and into ND4J's native memory) versus Kryo's bulk float arrays, for encode + decode of a parameter vector, side by
 * side in one run (medians of interleaved repetitions).
 *
 * <p>Usage: {@code FrameBenchmark [PARAMS...]} (default: 203,530 = MNIST 784-256-10, and 2,583,050)
 */
public final class FrameBenchmark {
    private FrameBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        long[] sizes = args.length > 0 ? Arrays.stream(args).mapToLong(Long::parseLong).toArray()
                : new long[] {203_530, 2_583_050};
        System.out.printf("%12s %14s %14s %10s%n", "parameters", "raw frame ms", "kryo ms", "kryo/raw");
        for (long size : sizes) {
            INDArray params = Nd4j.rand(DataType.FLOAT, size);
            int reps = 30;
            double[] raw = new double[reps];
            double[] kryo = new double[reps];
            Kryo k = new Kryo();
            k.register(float[].class);
            for (int r = 0; r < reps; r++) {
                raw[r] = time(() -> rawRoundTrip(params));
                kryo[r] = time(() -> kryoRoundTrip(k, params));
            }
            double rawMs = median(raw);
            double kryoMs = median(kryo);
            System.out.printf("%12d %14.2f %14.2f %9.2fx%n", size, rawMs, kryoMs, kryoMs / rawMs);
        }
    }

    private interface Body {
        void run() throws IOException;
    }

    private static double time(Body body) throws IOException {
        long start = System.nanoTime();
        body.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static void rawRoundTrip(INDArray params) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) params.length() * 4 + 64);
        Frames.write(new DataOutputStream(bytes), new PsMessage.Params(1, 0, 0, params));
        PsMessage back = Frames.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), params.length());
        check(((PsMessage.Params) back).params(), params);
    }

    private static void kryoRoundTrip(Kryo kryo, INDArray params) {
        Output out = new Output((int) params.length() * 4 + 64, -1);
        kryo.writeObject(out, params.toFloatVector());
        Input in = new Input(out.toBytes());
        INDArray back = Nd4j.createFromArray(kryo.readObject(in, float[].class));
        check(back, params);
    }

    private static void check(INDArray back, INDArray params) {
        if (back.length() != params.length()) {
            throw new IllegalStateException("round trip lost values");
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
