package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.function.Function;

/**
 * Runs a computation in its own sub-manager so its intermediates are freed when it returns: only the
 * result survives, attached to the input's manager. Without this every activation of a long run
 * stays alive until the root manager closes.
 */
public final class Scope {
    private Scope() {}

    public static NDArray run(NDArray input, Function<NDArray, NDArray> f) {
        return runAll(input, x -> new NDList(f.apply(x))).singletonOrThrow();
    }

    /** As {@link #run}, for computations with several results. */
    public static NDList runAll(NDArray input, Function<NDArray, NDList> f) {
        NDManager caller = input.getManager();
        try (NDManager scope = caller.newSubManager()) {
            input.tempAttach(scope);
            NDList out = f.apply(input);
            out.attach(caller);
            return out;
        }
    }

    /**
     * Frees intermediates as soon as a forward pass no longer needs them, as PyTorch's reference
     * counting does; without this a pass holds every activation until its scope closes (13 GB instead
     * of a few for a 1024x2048 R-50-D8 image at inference). Safe while autograd records too: closing
     * drops only this handle, and the graph keeps its own reference to whatever backward needs (a conv
     * output that BN saved), so only tensors that nothing else holds (a BN output once ReLU has run)
     * go back to the allocator.
     */
    public static void discard(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
    }
}
