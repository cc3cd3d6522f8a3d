package org.sparkdnn.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.sparkdnn.config.FrameIntegrity;

/**
 * What {@code cluster.frameIntegrity: mac} costs, side by side in one run: first the raw throughput of the candidate
 * MACs on a 96 MiB buffer (a 24 M-parameter float frame) through javax.crypto — HMAC-SHA256 (the SHA extensions'
 * intrinsics) against AES-GCM as a MAC (GMAC: the frame as associated data) and AES-GCM encrypting (CTR + GHASH, the
 * AES-NI/CLMUL intrinsics) — fed in 64 KiB pieces as the streams feed them; then both exchanges of the {@code sync}
 * engine on loopback ({@link ExchangeBenchmark}'s paths), MAC on and off interleaved, ms per exchange (medians).
 *
 * <p>Usage: {@code IntegrityBenchmark WORKERS REPS PARAMS...}
 */
public final class IntegrityBenchmark {
    private static final int PIECE = 1 << 16;

    private IntegrityBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ExchangeBenchmark.Args parsed = ExchangeBenchmark.Args.of(args);
        int k = parsed.k();
        int reps = parsed.reps();
        long[] sizes = parsed.sizes();
        primitives(Math.max(5, reps / 2));
        System.out.printf("%nexchange on loopback, k = %d, medians of %d interleaved repetitions%n", k, reps);
        System.out.printf("%12s %14s %14s %9s %14s %14s %9s%n", "parameters", "driver mac ms", "driver off ms",
                "cost", "peer mac ms", "peer off ms", "cost");
        for (long size : sizes) {
            double[][] ms = new double[4][reps];
            try (ExchangeBenchmark.DriverPath dm = new ExchangeBenchmark.DriverPath(k, size, FrameIntegrity.MAC);
                 ExchangeBenchmark.DriverPath doff = new ExchangeBenchmark.DriverPath(k, size, FrameIntegrity.OFF);
                 ExchangeBenchmark.PeerPath pm = new ExchangeBenchmark.PeerPath(k, size, FrameIntegrity.MAC);
                 ExchangeBenchmark.PeerPath poff = new ExchangeBenchmark.PeerPath(k, size, FrameIntegrity.OFF)) {
                for (int r = -1; r < reps; r++) { // r = -1: warm-up
                    double a = time(() -> dm.exchange(1));
                    double b = time(() -> doff.exchange(1));
                    double c = time(() -> pm.exchange(1));
                    double d = time(() -> poff.exchange(1));
                    if (r >= 0) {
                        ms[0][r] = a;
                        ms[1][r] = b;
                        ms[2][r] = c;
                        ms[3][r] = d;
                    }
                }
            }
            double[] m = Arrays.stream(ms).mapToDouble(ExchangeBenchmark::median).toArray();
            System.out.printf("%12d %14.2f %14.2f %8.0f%% %14.2f %14.2f %8.0f%%%n", size, m[0], m[1],
                    100 * (m[0] / m[1] - 1), m[2], m[3], 100 * (m[2] / m[3] - 1));
        }
        System.exit(0);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static double time(Body body) throws Exception {
        long start = System.nanoTime();
        body.run();
        return (System.nanoTime() - start) / 1e6;
    }

    /** MB/s of each candidate over a 96 MiB heap buffer in 64 KiB pieces (medians). */
    private static void primitives(int reps) throws Exception {
        byte[] frame = new byte[96 << 20];
        new Random(1).nextBytes(frame);
        byte[] scratch = new byte[PIECE + 16];
        double[][] ms = new double[3][reps];
        for (int r = -2; r < reps; r++) { // two warm-ups: the intrinsics compile
            byte[] iv = ByteBuffer.allocate(12).putInt(8, r + 3).array();
            double hmac = time(() -> {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
                for (int o = 0; o < frame.length; o += PIECE) {
                    mac.update(frame, o, PIECE);
                }
                mac.doFinal();
            });
            double gmac = time(() -> {
                Cipher gcm = gcm(iv);
                for (int o = 0; o < frame.length; o += PIECE) {
                    gcm.updateAAD(frame, o, PIECE);
                }
                gcm.doFinal(scratch, 0);
            });
            iv[0] = 1;
            double encrypt = time(() -> {
                Cipher gcm = gcm(iv);
                for (int o = 0; o < frame.length; o += PIECE) {
                    gcm.update(frame, o, PIECE, scratch, 0);
                }
                gcm.doFinal(scratch, 0);
            });
            if (r >= 0) {
                ms[0][r] = hmac;
                ms[1][r] = gmac;
                ms[2][r] = encrypt;
            }
        }
        System.out.printf("MAC primitives on a 96 MiB frame, 64 KiB pieces, medians of %d (Java %s):%n", reps,
                System.getProperty("java.version"));
        String[] names = {"HmacSHA256", "AES-GCM as GMAC (updateAAD)", "AES-GCM encrypt (CTR+GHASH)"};
        for (int i = 0; i < names.length; i++) {
            double m = ExchangeBenchmark.median(ms[i]);
            System.out.printf("  %-30s %8.1f ms %8.0f MB/s%n", names[i], m, frame.length / 1e3 / m);
        }
    }

    private static Cipher gcm(byte[] iv) throws Exception {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[16], "AES"), new GCMParameterSpec(128, iv));
        return gcm;
    }
}
