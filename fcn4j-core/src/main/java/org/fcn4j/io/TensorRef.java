package org.fcn4j.io;

import java.util.Arrays;

/**
 * A tensor as a pickle describes it: a view ({@code offset}, {@code size}, {@code stride}, in
 * elements) of a storage. Validated against the storage before any data is read.
 */
record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    /** libtorch's own limit on dimensions. */
    static final int MAX_DIMS = 64;

    /** Refuses views that reach outside their storage, negative or overflowing sizes, and tensors over 2 GiB. */
    TensorRef {
        if (size.length != stride.length) {
            throw new CheckpointException("tensor has " + size.length + " sizes but " + stride.length + " strides");
        }
        if (size.length > MAX_DIMS) {
            throw new CheckpointException(
                    "tensor has " + size.length + " dimensions (libtorch allows " + MAX_DIMS + ")");
        }
        if (offset < 0) {
            throw new CheckpointException(
                    "tensor has a negative offset " + offset + " into storage '" + storage.key() + "'");
        }
        long count = 1;
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || stride[i] < 0) {
                throw new CheckpointException("tensor has a negative " + (size[i] < 0 ? "size " : "stride ")
                        + Arrays.toString(size) + " / " + Arrays.toString(stride));
            }
            count = multiply(count, size[i]);
        }
        if (count > StorageRef.MAX_BYTES / storage.dtype().bytes) {
            throw new CheckpointException(
                    "tensor of " + count + " elements is more than the 2 GiB a tensor may have here");
        }
        long end = end(offset, size, stride);
        if (end > storage.numel()) {
            throw new CheckpointException("storage '" + storage.key() + "' holds " + storage.numel()
                    + " elements but a tensor views it up to element " + end);
        }
    }

    /** One past the last element viewed (0 for an empty tensor, which reads nothing). */
    private static long end(long offset, long[] size, long[] stride) {
        long last = offset;
        for (int i = 0; i < size.length; i++) {
            if (size[i] == 0) {
                return 0;
            }
            last = add(last, multiply(size[i] - 1, stride[i]));
        }
        return add(last, 1);
    }

    long numel() {
        long n = 1;
        for (long s : size) {
            n *= s;
        }
        return n;
    }

    /** Bytes of the storage this view needs read: up to its last element. */
    long storageBytesNeeded() {
        return end(offset, size, stride) * storage.dtype().bytes;
    }

    boolean contiguous() {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    /** Equal for equal views of one storage (tied weights), which then share one array. */
    String viewKey() {
        return storage.key() + "@" + offset + Arrays.toString(size) + Arrays.toString(stride);
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new CheckpointException("tensor size overflows: " + a + " x " + b);
        }
    }

    private static long add(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new CheckpointException("tensor extent overflows");
        }
    }
}
