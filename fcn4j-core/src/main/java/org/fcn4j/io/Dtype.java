package org.fcn4j.io;

import ai.djl.ndarray.types.DataType;

/**
 * Tensor element types as checkpoint formats name them: safetensors' dtype string, the {@code torch.*Storage}
 * class a {@code .pth} pickle names (read and written from this one table), the DJL type and the width.
 */
public enum Dtype {
    F32("F32", "FloatStorage", DataType.FLOAT32, 4),
    F64("F64", "DoubleStorage", DataType.FLOAT64, 8),
    F16("F16", "HalfStorage", DataType.FLOAT16, 2),
    BF16("BF16", "BFloat16Storage", DataType.BFLOAT16, 2),
    I64("I64", "LongStorage", DataType.INT64, 8),
    I32("I32", "IntStorage", DataType.INT32, 4),
    U8("U8", "ByteStorage", DataType.UINT8, 1),
    I8("I8", "CharStorage", DataType.INT8, 1),
    BOOL("BOOL", "BoolStorage", DataType.BOOLEAN, 1);

    public final String safetensorsName;
    /** The class in module {@code torch} that a pickled storage of this type names. */
    public final String storageName;

    public final DataType djl;
    public final int bytes;

    Dtype(String safetensorsName, String storageName, DataType djl, int bytes) {
        this.safetensorsName = safetensorsName;
        this.storageName = storageName;
        this.djl = djl;
        this.bytes = bytes;
    }

    public static Dtype ofSafetensors(String name) {
        for (Dtype d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The type of {@code torch.NAME}, or null when NAME is no storage class this reader knows. */
    public static Dtype ofStorage(String name) {
        for (Dtype d : values()) {
            if (d.storageName.equals(name)) {
                return d;
            }
        }
        return null;
    }

    public static Dtype of(DataType t) {
        for (Dtype d : values()) {
            if (d.djl == t) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported element type " + t);
    }
}
