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
        return adopt(manager, copy, shape, type);
    }

    /**
     * A tensor over {@code direct} itself, which must be a direct native-order buffer nobody else writes:
     * DJL's PyTorch engine then uses that memory as the tensor's (no copy). Types libtorch must convert
     * to float32 get a new tensor, and {@code direct} becomes garbage.
     */
    static NDArray adopt(NDManager manager, ByteBuffer direct, Shape shape, Dtype type) {
        if (type == Dtype.BF16) {
            return fromLittleEndian(manager, direct, shape, type);
        }
        NDArray array = manager.create(direct, shape, type.djl);
        if (type == Dtype.F16 || type == Dtype.F64) {
            NDArray f32 = array.toType(DataType.FLOAT32, false);
            array.close();
            return f32;
        }
        return array;
    }

    /**
     * The tensor {@code t} views in {@code storage} (little-endian, positioned at the storage's start).
     * With {@code sole}, {@code storage} holds exactly this contiguous view and is handed over without a copy.
     */
    static NDArray view(NDManager manager, ByteBuffer storage, TensorRef t, boolean sole) {
        int width = t.storage().dtype().bytes;
        Shape shape = new Shape(t.size());
        long bytes = t.numel() * width;
        if (sole
                && t.contiguous()
                && t.offset() == 0
                && bytes == storage.capacity()
                && storage.isDirect()
                && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return adopt(
                    manager,
                    storage.order(ByteOrder.nativeOrder()),
                    shape,
                    t.storage().dtype());
        }
        ByteBuffer packed;
        if (t.contiguous()) {
            packed = storage.duplicate().position((int) (t.offset() * width)).limit((int) (t.offset() * width + bytes));
        } else {
            packed = gather(t, storage.duplicate(), width);
        }
        return fromLittleEndian(manager, packed, shape, t.storage().dtype());
    }

    /** Copies a strided view element by element in C order. */
    private static ByteBuffer gather(TensorRef t, ByteBuffer src, int width) {
        ByteBuffer dst = ByteBuffer.allocate((int) (t.numel() * width));
        int dims = t.size().length;
        long[] index = new long[dims];
        byte[] element = new byte[width];
        for (long n = 0; n < t.numel(); n++) {
            long at = t.offset();
            for (int d = 0; d < dims; d++) {
                at += index[d] * t.stride()[d];
            }
            src.position((int) (at * width));
            src.get(element);
            dst.put(element);
            for (int d = dims - 1; d >= 0; d--) {
                if (++index[d] < t.size()[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return dst.flip();
    }

    /** Reverses each element's bytes in place: a big-endian storage becomes little-endian. */
    static void swapBytes(ByteBuffer storage, int width) {
        for (int at = 0; at + width <= storage.limit(); at += width) {
            for (int i = 0, j = width - 1; i < j; i++, j--) {
                byte b = storage.get(at + i);
                storage.put(at + i, storage.get(at + j));
                storage.put(at + j, b);
            }
        }
    }
}
