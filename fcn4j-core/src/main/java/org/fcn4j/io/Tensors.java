package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Tensors from raw bytes of files. */
public final class Tensors {
    private Tensors() {}

    /**
     * A tensor owning a private copy of {@code data} (little-endian, C order). DJL wraps direct
     * buffers without copying, and a tensor must never alias a mapped file or a reused buffer.
     */
    public static NDArray fromLittleEndian(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        ByteBuffer src = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || type.getNumOfBytes() == 1) {
            copy.put(src);
        } else {
            swapInto(src, copy, type.getNumOfBytes());
        }
        copy.flip();
        return manager.create(copy, shape, type);
    }

    private static void swapInto(ByteBuffer src, ByteBuffer dst, int width) {
        byte[] element = new byte[width];
        while (src.hasRemaining()) {
            src.get(element);
            for (int i = width - 1; i >= 0; i--) {
                dst.put(element[i]);
            }
        }
    }
}
