package org.sparkdnn.ps;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Binary frames: a type byte, the record's fields in order (strings as UTF, numbers big-endian), tensors as a dtype
 * byte, a length and the raw little-endian IEEE values. Not thread-safe per stream: one writer per connection.
 */
public final class Frames {
    private static final byte HELLO = 1;
    private static final byte WELCOME = 2;
    private static final byte REJECT = 3;
    private static final byte PARAMS = 4;
    private static final byte GRADIENT = 5;
    private static final byte END_EPOCH = 6;
    private static final byte FLOAT = 'f';
    private static final byte DOUBLE = 'd';

    private Frames() {
    }

    public static void write(DataOutputStream out, PsMessage message) throws IOException {
        if (message instanceof PsMessage.Hello h) {
            out.writeByte(HELLO);
            out.writeUTF(h.jobId());
            out.writeUTF(h.secret());
            out.writeInt(h.worker());
            out.writeInt(h.stageAttempt());
            out.writeInt(h.epoch());
        } else if (message instanceof PsMessage.Welcome w) {
            out.writeByte(WELCOME);
            out.writeLong(w.nextStep());
        } else if (message instanceof PsMessage.Reject r) {
            out.writeByte(REJECT);
            out.writeUTF(r.reason());
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
        }
        out.flush();
    }

    public static PsMessage read(DataInputStream in) throws IOException {
        byte type = in.readByte();
        switch (type) {
            case HELLO:
                return new PsMessage.Hello(in.readUTF(), in.readUTF(), in.readInt(), in.readInt(), in.readInt());
            case WELCOME:
                return new PsMessage.Welcome(in.readLong());
            case REJECT:
                return new PsMessage.Reject(in.readUTF());
            case PARAMS:
                return new PsMessage.Params(in.readLong(), in.readInt(), in.readInt(), readTensor(in));
            case GRADIENT:
                return new PsMessage.Gradient(in.readUTF(), in.readInt(), in.readInt(), in.readLong(), in.readDouble(),
                        in.readInt(), in.readLong(), readTensor(in));
            case END_EPOCH:
                return new PsMessage.EndEpoch(in.readInt());
            default:
                throw new IOException("unknown frame type " + type + ": the peer is not a sparkdnn parameter-server "
                        + "endpoint of this version");
        }
    }

    static void writeTensor(DataOutputStream out, INDArray array) throws IOException {
        boolean dbl = array.dataType() == DataType.DOUBLE;
        long length = array.length();
        out.writeByte(dbl ? DOUBLE : FLOAT);
        out.writeInt((int) length);
        INDArray flat = isWholeBuffer(array) ? array : array.dup('c');
        ByteBuffer bytes = flat.data().asNio().order(ByteOrder.nativeOrder());
        bytes.limit((int) length * (dbl ? 8 : 4)).position(0);
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

    static INDArray readTensor(DataInputStream in) throws IOException {
        byte dtype = in.readByte();
        int length = in.readInt();
        if ((dtype != FLOAT && dtype != DOUBLE) || length < 0) {
            throw new IOException("corrupt tensor header (dtype " + dtype + ", length " + length + ")");
        }
        INDArray array = Nd4j.createUninitialized(dtype == DOUBLE ? DataType.DOUBLE : DataType.FLOAT, length);
        ByteBuffer target = array.data().asNio();
        byte[] chunk = new byte[1 << 16];
        int remaining = length * (dtype == DOUBLE ? 8 : 4);
        target.position(0);
        while (remaining > 0) {
            int n = Math.min(chunk.length, remaining);
            in.readFully(chunk, 0, n);
            target.put(chunk, 0, n);
            remaining -= n;
        }
        return array;
    }
}
