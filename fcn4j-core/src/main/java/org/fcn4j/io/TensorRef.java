package org.fcn4j.io;

/**
 * A tensor as a pickle describes it: a view ({@code offset}, {@code size}, {@code stride}, in
 * elements) of a storage. Validated against the storage before any data is read.
 */
record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    /** Refuses views that reach outside their storage, negative sizes and absurd element counts. */
    TensorRef {
        if (size.length != stride.length) {
            throw new CheckpointException("tensor has " + size.length + " sizes but " + stride.length + " strides");
        }
        long extent = offset;
        long count = 1;
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || stride[i] < 0) {
                throw new CheckpointException("tensor has a negative size or stride");
            }
            count = multiply(count, size[i]);
            if (size[i] > 0) {
                extent = add(extent, multiply(size[i] - 1, stride[i]));
            }
        }
        if (offset < 0 || (count > 0 && extent + 1 > storage.numel())) {
            throw new CheckpointException("storage '" + storage.key() + "' holds " + storage.numel()
                    + " elements but a tensor views it up to element " + (extent + 1));
        }
    }

    long numel() {
        long n = 1;
        for (long s : size) {
            n *= s;
        }
        return n;
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
