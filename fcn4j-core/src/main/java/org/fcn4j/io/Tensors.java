package org.fcn4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Tensors from the raw bytes of checkpoint files. */
public final class Tensors {
    private Tensors() {}

    /**
     * A tensor owning a private copy of {@code data} (little-endian, C order). Floating-point data of
     * any width arrives as float32, the model's type: float16 and float64 are converted by libtorch,
     * bfloat16 here (its bits are the top half of a float32; DJL cannot create bfloat16 from a buffer).
     */
    public static NDArray fromLittleEndian(NDManager manager, ByteBuffer data, Shape shape, Dtype type) {
        ByteBuffer src = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (type == Dtype.BF16) {
            ByteBuffer f32 = ByteBuffer.allocateDirect(src.remaining() * 2).order(ByteOrder.nativeOrder());
            while (src.remaining() >= 2) {
                f32.putInt((src.getShort() & 0xffff) << 16);
            }
            f32.flip();
            return manager.create(f32, shape, DataType.FLOAT32);
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
        copy.put(src);
        copy.flip();
        NDArray array = manager.create(copy, shape, type.djl);
        if (type == Dtype.F16 || type == Dtype.F64) {
            NDArray f32 = array.toType(DataType.FLOAT32, false);
            array.close();
            return f32;
        }
        return array;
    }
}
