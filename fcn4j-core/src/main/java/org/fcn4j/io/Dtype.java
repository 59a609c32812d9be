package org.fcn4j.io;

import ai.djl.ndarray.types.DataType;

/** Tensor element types as checkpoint formats name them, with their DJL type and width. */
public enum Dtype {
    F32("F32", DataType.FLOAT32, 4),
    F64("F64", DataType.FLOAT64, 8),
    F16("F16", DataType.FLOAT16, 2),
    BF16("BF16", DataType.BFLOAT16, 2),
    I64("I64", DataType.INT64, 8),
    I32("I32", DataType.INT32, 4),
    U8("U8", DataType.UINT8, 1),
    I8("I8", DataType.INT8, 1),
    BOOL("BOOL", DataType.BOOLEAN, 1);

    public final String safetensorsName;
    public final DataType djl;
    public final int bytes;

    Dtype(String safetensorsName, DataType djl, int bytes) {
        this.safetensorsName = safetensorsName;
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

    public static Dtype of(DataType t) {
        for (Dtype d : values()) {
            if (d.djl == t) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported element type " + t);
    }
}
