package org.fcn4j;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Float32 closeness as PyTorch's allclose: |a - b| <= atol + rtol * |b| for every element, with atol
 * relative to the reference's largest magnitude (sums of many float32 products differ in their last
 * bits when the order of accumulation differs, which is the only difference allowed).
 */
public final class Close {
    private Close() {}

    public static void assertClose(String what, NDArray actual, NDArray expected, double rtol) {
        assertThat(actual.getShape()).as(what + " shape").isEqualTo(expected.getShape());
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        float[] b = expected.toType(DataType.FLOAT32, false).toFloatArray();
        double scale = 0;
        for (float v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        double atol = rtol * scale;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < a.length; i++) {
            double excess = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
            if (Double.isNaN(excess)) {
                worstAt = i;
                break;
            }
            if (excess > worst) {
                worst = excess;
                worstAt = i;
            }
        }
        assertThat(worstAt)
                .as(
                        "%s: element %d is %s, expected %s (rtol %s, scale %s)",
                        what, worstAt, worstAt < 0 ? 0 : a[worstAt], worstAt < 0 ? 0 : b[worstAt], rtol, scale)
                .isEqualTo(-1);
    }

    /** The largest |a - b| relative to the reference's largest magnitude (for reporting). */
    public static double maxRelativeError(NDArray actual, NDArray expected) {
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        float[] b = expected.toType(DataType.FLOAT32, false).toFloatArray();
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
