package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.function.Supplier;

/**
 * {@code torch.autocast("cpu", dtype=torch.bfloat16)} for fcn4j's operators: while open in a thread, the
 * operators PyTorch's CPU autocast runs in lower precision (convolutions, transposed ones included, as
 * PyTorch 2.x lists them) cast their float32 operands to bfloat16; the rest run in whatever type reaches
 * them, as autocast leaves them (BatchNorm takes bfloat16 activations with float32 weights and statistics).
 * The losses cast to float32 themselves ({@code CrossEntropyLoss}). Weights stay float32: the casts are
 * recorded by autograd, so their gradients come back to the float32 master weights as float32.
 *
 * <p>Thread-local, as PyTorch's autocast state is; a nested block restores the outer state when it ends.
 */
public final class Autocast {
    private static final ThreadLocal<Boolean> BF16 = ThreadLocal.withInitial(() -> false);

    private Autocast() {}

    /** Runs {@code work} autocast to bfloat16 when {@code enabled}, otherwise in plain float32. */
    public static <T> T bf16(boolean enabled, Supplier<T> work) {
        boolean outer = BF16.get();
        BF16.set(enabled);
        try {
            return work.get();
        } finally {
            BF16.set(outer);
        }
    }

    /** Whether this thread is inside an enabled {@link #bf16} block. */
    private static boolean enabled() {
        return BF16.get();
    }

    /**
     * A lower-precision operator's operand: a float32 {@code t} cast to bfloat16 in {@code scope} (the
     * caller's pass, so that a weight's copy is freed with it), or {@code t} itself when autocast is off, t is
     * null or already bfloat16.
     */
    static NDArray lower(NDArray t, NDManager scope) {
        if (!enabled() || t == null || t.getDataType() != DataType.FLOAT32) {
            return t;
        }
        NDArray out = Torch.toBfloat16(t);
        out.attach(scope);
        return out;
    }
}
