package org.fcn4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * The one place fcn4j touches the DJL engine: offline switches, managers, threads, seeds and grad mode.
 *
 * <p>The offline properties are set in the static initialiser, before DJL's engine class is loaded, so
 * every entry point (CLI, tests, library users) runs without a download or telemetry connection.
 */
public final class Torch {
    static {
        // natives come from the pytorch-native-cpu jar on the classpath; never download
        System.setProperty("ai.djl.offline", "true");
        // DJL pings a tracking endpoint on engine start unless this is set
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private Torch() {}

    /** The PyTorch engine, started (natives unpacked) on first use. */
    public static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    /** A new root manager on the CPU; close it to free every array it owns. */
    public static NDManager newManager() {
        return engine().newBaseManager();
    }

    /** Sets libtorch's intra-op thread count (PyTorch's {@code torch.set_num_threads}). */
    public static void setThreads(int threads) {
        engine();
        JniUtils.setNumThreads(threads);
    }

    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /** Seeds libtorch's generator (dropout masks, random init). */
    public static void seed(long seed) {
        engine().setRandomSeed((int) seed);
    }

    /** Whether autograd records operations right now (PyTorch's {@code torch.is_grad_enabled}). */
    public static boolean gradEnabled() {
        engine();
        return JniUtils.isGradMode();
    }

    /** Records operations for {@code backward} until closed (enables grad mode meanwhile). */
    public static GradientCollector gradientCollector() {
        return engine().newGradientCollector();
    }

    /** Zeroes a parameter's accumulated gradient in place (libtorch accumulates across backward calls). */
    public static void zeroGrad(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }
}
