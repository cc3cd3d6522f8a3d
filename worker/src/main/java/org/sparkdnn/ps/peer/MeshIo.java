package org.sparkdnn.ps.peer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The mesh's byte-level helpers: tensors' native memory as byte buffers, quiet closing. */
final class MeshIo {
    private static final Logger LOG = LoggerFactory.getLogger(MeshIo.class);

    private MeshIo() {
    }

    /**
     * A flat view of an array that covers its whole buffer in order (the frames move its native bytes): a network's
     * {@code params()} is such a view of its flat parameters.
     */
    static INDArray flat(INDArray a) {
        if (a.offset() != 0 || a.data().offset() != 0 || a.data().length() != a.length() || a.ordering() != 'c'
                || a.elementWiseStride() != 1) {
            throw new IllegalArgumentException("the exchange needs whole-buffer arrays");
        }
        return a.reshape(a.length());
    }

    /** Values [from, from + count) of a whole-buffer array as a byte buffer over its native memory. */
    static ByteBuffer region(INDArray values, long from, long count) {
        int width = values.dataType().width();
        ByteBuffer body = values.data().asNio().duplicate();
        body.limit((int) ((from + count) * width)).position((int) (from * width));
        return body;
    }

    static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a peer connection: {}", e.toString());
            }
        }
    }
}
