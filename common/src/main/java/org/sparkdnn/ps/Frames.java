package org.sparkdnn.ps;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Binary frames: a type byte, the record's fields in order (strings as UTF, numbers big-endian, byte strings as a
 * one-byte length and the bytes), tensors as a dtype byte, a length and the raw little-endian IEEE values. Readers
 * bound every size before allocating: nonces and MACs to exactly {@link Handshake#NONCE_BYTES} and
 * {@link Handshake#MAC_BYTES}, other byte strings to 64 bytes, a Reject's reason to {@link #MAX_REASON} characters,
 * tensors to the caller's parameter count and to {@link #MAX_TENSOR_BYTES} (sizes are computed in {@code long}, so no
 * length overflows into a small allocation); before authentication a server reads nothing but a Hello
 * ({@link #readHello}). Not thread-safe per stream: one writer per connection.
 */
public final class Frames {
    private static final byte HELLO = 1;
    private static final byte WELCOME = 2;
    private static final byte REJECT = 3;
    private static final byte PARAMS = 4;
    private static final byte GRADIENT = 5;
    private static final byte END_EPOCH = 6;
    private static final byte CHALLENGE = 7;
    private static final byte STEP = 8;
    private static final byte STEP_DONE = 9;
    private static final byte FETCH = 10;
    private static final byte STATE = 11;
    private static final byte PEER_ADDRESS = 12;
    private static final byte PEERS = 13;
    private static final byte BATCH_NORM_STATS = 14;
    private static final byte BATCH_NORM_MERGED = 15;
    /** A BatchNorm statistics vector: 3 + 2·channels values, fewer than the layer's 4·channels parameters + 3. */
    private static final int BATCH_NORM_HEADER = 3;
    /** The most workers a {@code Peers} frame may list, and the longest "host:port" it may carry. */
    private static final int MAX_PEERS = 4096;
    private static final int MAX_ADDRESS = 300;
    /** DL4J's updater state is at most two values per parameter (Adam's moments). */
    private static final int STATE_VALUES_PER_PARAMETER = 2;
    private static final int MAX_BYTES = 64;
    /** The longest reason a Reject may carry (the server's text: it never echoes what a client sent). */
    public static final int MAX_REASON = 300;
    /** The most bytes one tensor or vector may take: one Java array or NIO buffer (2^31 − 1 bytes). */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;
    private static final byte FLOAT = 'f';
    private static final byte DOUBLE = 'd';

    private Frames() {
    }

    public static void write(DataOutputStream out, PsMessage message) throws IOException {
        if (message instanceof PsMessage.Challenge c) {
            out.writeByte(CHALLENGE);
            writeExactly(out, c.nonce(), Handshake.NONCE_BYTES, "challenge nonce");
        } else if (message instanceof PsMessage.Hello h) {
            out.writeByte(HELLO);
            out.writeUTF(h.jobId());
            out.writeInt(h.worker());
            out.writeInt(h.stageAttempt());
            out.writeInt(h.epoch());
            writeExactly(out, h.clientNonce(), Handshake.NONCE_BYTES, "client nonce");
            writeExactly(out, h.mac(), Handshake.MAC_BYTES, "Hello MAC");
        } else if (message instanceof PsMessage.Welcome w) {
            out.writeByte(WELCOME);
            out.writeLong(w.nextStep());
            writeExactly(out, w.proof(), Handshake.MAC_BYTES, "Welcome proof");
        } else if (message instanceof PsMessage.Reject r) {
            out.writeByte(REJECT);
            out.writeUTF(checkReason(r.reason()));
        } else if (message instanceof PsMessage.Params p) {
            out.writeByte(PARAMS);
            out.writeLong(p.step());
            out.writeInt(p.epoch());
            out.writeInt(p.batch());
            writeTensor(out, p.params());
        } else if (message instanceof PsMessage.Gradient g) {
            out.writeByte(GRADIENT);
            out.writeUTF(g.jobId());
            out.writeInt(g.worker());
            out.writeInt(g.stageAttempt());
            out.writeLong(g.step());
            out.writeDouble(g.lossSum());
            out.writeInt(g.examples());
            out.writeLong(g.computeNanos());
            writeTensor(out, g.gradient());
        } else if (message instanceof PsMessage.EndEpoch e) {
            out.writeByte(END_EPOCH);
            out.writeInt(e.epoch());
        } else if (message instanceof PsMessage.Step st) {
            out.writeByte(STEP);
            out.writeLong(st.step());
            out.writeInt(st.epoch());
            out.writeInt(st.batch());
            out.writeInt(st.batchSize());
            out.writeBoolean(st.norms());
        } else if (message instanceof PsMessage.StepDone d) {
            out.writeByte(STEP_DONE);
            out.writeUTF(d.jobId());
            out.writeInt(d.worker());
            out.writeInt(d.stageAttempt());
            out.writeLong(d.step());
            out.writeDouble(d.lossSum());
            out.writeInt(d.examples());
            out.writeLong(d.computeNanos());
            out.writeLong(d.exchangeNanos());
            out.writeLong(d.applyNanos());
            writeOptionalTensor(out, d.norms());
        } else if (message instanceof PsMessage.PeerAddress a) {
            out.writeByte(PEER_ADDRESS);
            out.writeUTF(a.jobId());
            out.writeInt(a.worker());
            out.writeInt(a.stageAttempt());
            out.writeLong(a.step());
            out.writeUTF(a.address());
        } else if (message instanceof PsMessage.Peers p) {
            out.writeByte(PEERS);
            out.writeLong(p.step());
            out.writeInt(p.addresses().size());
            for (String a : p.addresses()) {
                out.writeUTF(a);
            }
        } else if (message instanceof PsMessage.Fetch f) {
            out.writeByte(FETCH);
            out.writeLong(f.step());
        } else if (message instanceof PsMessage.State st) {
            out.writeByte(STATE);
            out.writeUTF(st.jobId());
            out.writeInt(st.worker());
            out.writeInt(st.stageAttempt());
            out.writeLong(st.step());
            out.writeInt(st.epoch());
            writeBytes(out, st.digest());
            writeOptionalTensor(out, st.params());
            writeOptionalTensor(out, st.updaterState());
        } else if (message instanceof PsMessage.BatchNormStats b) {
            out.writeByte(BATCH_NORM_STATS);
            out.writeUTF(b.jobId());
            out.writeInt(b.worker());
            out.writeInt(b.stageAttempt());
            out.writeLong(b.step());
            out.writeInt(b.pass());
            writeDoubles(out, b.values());
        } else if (message instanceof PsMessage.BatchNormMerged m) {
            out.writeByte(BATCH_NORM_MERGED);
            out.writeLong(m.step());
            out.writeInt(m.pass());
            out.writeInt(m.writer());
            writeDoubles(out, m.values());
        } else {
            throw new IOException("no frame for " + message.getClass().getSimpleName());
        }
        out.flush();
    }

    /** The first frame of a connection, on the server: a Hello and nothing else. */
    public static PsMessage.Hello readHello(DataInputStream in) throws IOException {
        byte type = in.readByte();
        if (type != HELLO) {
            throw new IOException("expected a Hello frame before authentication, got frame type " + type);
        }
        return hello(in);
    }

    private static PsMessage.Hello hello(DataInputStream in) throws IOException {
        return new PsMessage.Hello(in.readUTF(), in.readInt(), in.readInt(), in.readInt(),
                readExactly(in, Handshake.NONCE_BYTES, "client nonce"), readExactly(in, Handshake.MAC_BYTES, "Hello MAC"));
    }

    /** @param maxTensorLength the largest tensor the peer may legitimately send (the model's parameter count) */
    public static PsMessage read(DataInputStream in, long maxTensorLength) throws IOException {
        byte type = in.readByte();
        switch (type) {
            case CHALLENGE:
                return new PsMessage.Challenge(readExactly(in, Handshake.NONCE_BYTES, "challenge nonce"));
            case HELLO:
                return hello(in);
            case WELCOME:
                return new PsMessage.Welcome(in.readLong(), readExactly(in, Handshake.MAC_BYTES, "Welcome proof"));
            case REJECT:
                return new PsMessage.Reject(checkReason(in.readUTF()));
            case PARAMS:
                return new PsMessage.Params(in.readLong(), in.readInt(), in.readInt(), readTensor(in, maxTensorLength));
            case GRADIENT:
                return new PsMessage.Gradient(in.readUTF(), in.readInt(), in.readInt(), in.readLong(), in.readDouble(),
                        in.readInt(), in.readLong(), readTensor(in, maxTensorLength));
            case END_EPOCH:
                return new PsMessage.EndEpoch(in.readInt());
            case STEP:
                return new PsMessage.Step(in.readLong(), in.readInt(), in.readInt(), in.readInt(), in.readBoolean());
            case STEP_DONE:
                return new PsMessage.StepDone(in.readUTF(), in.readInt(), in.readInt(), in.readLong(), in.readDouble(),
                        in.readInt(), in.readLong(), in.readLong(), in.readLong(), readOptionalTensor(in, maxTensorLength));
            case FETCH:
                return new PsMessage.Fetch(in.readLong());
            case PEER_ADDRESS:
                return new PsMessage.PeerAddress(in.readUTF(), in.readInt(), in.readInt(), in.readLong(), address(in));
            case PEERS:
                return peers(in);
            case STATE:
                return new PsMessage.State(in.readUTF(), in.readInt(), in.readInt(), in.readLong(), in.readInt(),
                        readBytes(in), readOptionalTensor(in, maxTensorLength),
                        readOptionalTensor(in, STATE_VALUES_PER_PARAMETER * maxTensorLength));
            case BATCH_NORM_STATS:
                return new PsMessage.BatchNormStats(in.readUTF(), in.readInt(), in.readInt(), in.readLong(),
                        in.readInt(), readDoubles(in, maxTensorLength + BATCH_NORM_HEADER));
            case BATCH_NORM_MERGED:
                return new PsMessage.BatchNormMerged(in.readLong(), in.readInt(), in.readInt(),
                        readDoubles(in, maxTensorLength + BATCH_NORM_HEADER));
            default:
                throw new IOException("unknown frame type " + type + ": the peer is not a sparkdnn parameter-server "
                        + "endpoint of this version");
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    /** A length-prefixed double array of at most {@code max} values, checked before it is allocated. */
    private static double[] readDoubles(DataInputStream in, long max) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > max) {
            throw new IOException("a statistics vector of " + length + " values declared; this model allows " + max);
        }
        checkBytes(length, Double.BYTES, "statistics vector");
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }

    private static String checkReason(String reason) throws IOException {
        if (reason.length() > MAX_REASON) {
            throw new IOException("a Reject reason of " + reason.length() + " characters; frames allow " + MAX_REASON);
        }
        return reason;
    }

    /** A nonce or MAC: exactly {@code expected} bytes, else the frame is refused (never a shorter or longer one). */
    private static void writeExactly(DataOutputStream out, byte[] bytes, int expected, String what) throws IOException {
        if (bytes.length != expected) {
            throw new IOException("a " + what + " of " + bytes.length + " bytes; frames carry exactly " + expected);
        }
        writeBytes(out, bytes);
    }

    private static byte[] readExactly(DataInputStream in, int expected, String what) throws IOException {
        int length = in.readUnsignedByte();
        if (length != expected) {
            throw new IOException("a " + what + " of " + length + " bytes declared; frames carry exactly " + expected);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /**
     * The size in bytes of {@code length} values of {@code width} bytes, computed in {@code long}; refused with the
     * sizes when over {@link #MAX_TENSOR_BYTES} (one buffer), before anything is allocated.
     */
    static long checkBytes(long length, int width, String what) throws IOException {
        if (length < 0 || length > MAX_TENSOR_BYTES / width) {
            throw new IOException("a " + what + " of " + length + " values of " + width + " bytes; frames carry at most "
                    + MAX_TENSOR_BYTES + " bytes (" + MAX_TENSOR_BYTES / width + " such values) per tensor");
        }
        return length * width;
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes.length > MAX_BYTES) {
            throw new IOException("byte string of " + bytes.length + " bytes; frames allow " + MAX_BYTES);
        }
        out.writeByte(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readUnsignedByte();
        if (length > MAX_BYTES) {
            throw new IOException("byte string of " + length + " bytes declared; frames allow " + MAX_BYTES);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private static String address(DataInputStream in) throws IOException {
        String address = in.readUTF();
        if (address.length() > MAX_ADDRESS) {
            throw new IOException("a peer address of " + address.length() + " characters; frames allow " + MAX_ADDRESS);
        }
        return address;
    }

    private static PsMessage.Peers peers(DataInputStream in) throws IOException {
        long step = in.readLong();
        int count = in.readInt();
        if (count <= 0 || count > MAX_PEERS) {
            throw new IOException("a list of " + count + " peers declared; frames allow 1.." + MAX_PEERS);
        }
        List<String> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            addresses.add(address(in));
        }
        return new PsMessage.Peers(step, List.copyOf(addresses));
    }

    private static void writeOptionalTensor(DataOutputStream out, INDArray array) throws IOException {
        out.writeBoolean(array != null);
        if (array != null) {
            writeTensor(out, array);
        }
    }

    private static INDArray readOptionalTensor(DataInputStream in, long maxLength) throws IOException {
        return in.readBoolean() ? readTensor(in, maxLength) : null;
    }

    static void writeTensor(DataOutputStream out, INDArray array) throws IOException {
        boolean dbl = array.dataType() == DataType.DOUBLE;
        long length = array.length();
        long size = checkBytes(length, dbl ? Double.BYTES : Float.BYTES, "tensor");
        out.writeByte(dbl ? DOUBLE : FLOAT);
        out.writeInt((int) length);
        INDArray flat = isWholeBuffer(array) ? array : array.dup('c');
        ByteBuffer bytes = flat.data().asNio().order(ByteOrder.nativeOrder());
        bytes.limit((int) size).position(0);
        copy(bytes.slice().order(ByteOrder.nativeOrder()), out);
    }

    /** Native memory is little-endian on every platform ND4J ships natives for; refuse anything else loudly. */
    private static void copy(ByteBuffer nativeBytes, DataOutputStream out) throws IOException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IOException("big-endian platforms are not supported by the parameter-server frames");
        }
        byte[] chunk = new byte[1 << 16];
        while (nativeBytes.hasRemaining()) {
            int n = Math.min(chunk.length, nativeBytes.remaining());
            nativeBytes.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    private static boolean isWholeBuffer(INDArray array) {
        return !array.isView() && array.data().offset() == 0 && array.data().length() == array.length()
                && array.ordering() == 'c';
    }

    static INDArray readTensor(DataInputStream in, long maxLength) throws IOException {
        byte dtype = in.readByte();
        int length = in.readInt();
        if ((dtype != FLOAT && dtype != DOUBLE) || length <= 0) {
            throw new IOException("corrupt tensor header (dtype " + dtype + ", length " + length + ")");
        }
        if (length > maxLength) {
            throw new IOException("tensor of " + length + " values declared; this model has " + maxLength);
        }
        long remaining = checkBytes(length, dtype == DOUBLE ? Double.BYTES : Float.BYTES, "tensor");
        INDArray array = Nd4j.createUninitialized(dtype == DOUBLE ? DataType.DOUBLE : DataType.FLOAT, length);
        ByteBuffer target = array.data().asNio();
        byte[] chunk = new byte[1 << 16];
        target.position(0);
        while (remaining > 0) {
            int n = (int) Math.min(chunk.length, remaining);
            in.readFully(chunk, 0, n);
            target.put(chunk, 0, n);
            remaining -= n;
        }
        return array;
    }
}
