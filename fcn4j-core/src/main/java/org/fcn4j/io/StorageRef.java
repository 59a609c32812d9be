package org.fcn4j.io;

/** A pickled storage: its element type, its key (zip entry or legacy record) and its element count. */
record StorageRef(Dtype dtype, String key, long numel) {
    /** A storage larger than this is taken for a corrupt or hostile file, not a model. */
    static final long MAX_BYTES = 64L << 30;

    StorageRef {
        if (numel < 0 || numel > MAX_BYTES / dtype.bytes) {
            throw new CheckpointException("storage '" + key + "' declares an absurd size of " + numel + " elements");
        }
    }

    long bytes() {
        return numel * dtype.bytes;
    }
}
