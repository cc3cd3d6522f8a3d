package org.sparkdnn.metrics;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code paramsSha256}: SHA-256 of the flattened parameters in order, each as a little-endian IEEE float (or double
 * for a double-precision model). Equal hashes mean bitwise-equal parameters.
 */
public final class ParamsHash {
    private ParamsHash() {
    }

    public static String sha256(INDArray params) {
        INDArray flat = params.reshape(params.length());
        boolean dbl = flat.dataType() == DataType.DOUBLE;
        ByteBuffer buf = ByteBuffer.allocate((int) flat.length() * (dbl ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        if (dbl) {
            for (double v : flat.toDoubleVector()) {
                buf.putDouble(v);
            }
        } else {
            for (float v : flat.toFloatVector()) {
                buf.putFloat(v);
            }
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
