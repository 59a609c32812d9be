package org.fcn4j.data;

import java.util.SplittableRandom;

/**
 * mmengine's {@code InfiniteSampler}: an endless stream of dataset indices, a fresh permutation per pass
 * when shuffling. Position p of the stream is a pure function of (seed, p), so a resumed run reads the
 * same samples in the same order as an uninterrupted one.
 */
public final class InfiniteSampler {
    private final int size;
    private final boolean shuffle;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] permutation;

    public InfiniteSampler(int size, boolean shuffle, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("a sampler needs at least one sample");
        }
        this.size = size;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** The dataset index at stream position {@code position}. */
    public synchronized int index(long position) {
        int offset = (int) (position % size);
        if (!shuffle) {
            return offset;
        }
        long epoch = position / size;
        if (epoch != cachedEpoch) {
            permutation = permutation(epoch);
            cachedEpoch = epoch;
        }
        return permutation[offset];
    }

    private int[] permutation(long epoch) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
