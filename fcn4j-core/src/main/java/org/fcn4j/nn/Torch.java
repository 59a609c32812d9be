package org.fcn4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

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

    /**
     * Runs {@code work} with autograd off in this thread. libtorch's grad mode is per thread, and DJL turns it
     * off only in the thread that starts the engine: in any other (an HTTP handler, a Spark task) a forward
     * records a graph it never needs, and loading weights fails on parameters that require grad.
     */
    public static <T> T withoutGrad(Supplier<T> work) {
        engine();
        boolean on = JniUtils.isGradMode();
        if (on) {
            JniUtils.setGradMode(false);
        }
        try {
            return work.get();
        } finally {
            if (on) {
                JniUtils.setGradMode(true);
            }
        }
    }

    /** Seeds libtorch's generator (dropout masks, random init). */
    public static void seed(long seed) {
        engine().setRandomSeed((int) seed);
    }

    /** Records operations for {@code backward} until closed (enables grad mode meanwhile). */
    public static GradientCollector gradientCollector() {
        return engine().newGradientCollector();
    }

    /** Zeroes a parameter's accumulated gradient in place (libtorch accumulates across backward calls). */
    public static void zeroGrad(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }

    /**
     * {@code x.to(torch.bfloat16)}, in x's manager. DJL 0.36's own conversion aborts the process for bfloat16
     * (its native dtype table stops short of it), so a one-line TorchScript module does the cast
     * (tools/torchscript/gen_conversions.py). DJL reports the result's type as UNKNOWN; operators work on it,
     * and {@code toType(DataType.FLOAT32, false)} converts it back. Autograd records the cast (mixed-precision
     * training's weight casts, {@link Autocast}) whenever grad mode is on.
     */
    public static NDArray toBfloat16(NDArray x) {
        return Conversions.apply(Conversions.TO_BFLOAT16, x);
    }

    /**
     * {@code x.to(torch.float32)}, in x's manager, recorded by autograd: DJL's {@code toType} converts a bfloat16
     * tensor's values but drops it from the graph, so backward would stop there.
     */
    public static NDArray toFloat32(NDArray x) {
        return Conversions.apply(Conversions.TO_FLOAT32, x);
    }

    /**
     * {@code x.contiguous(memory_format=torch.channels_last)}, in x's manager: the same values, stored
     * NHWC, the layout oneDNN's convolutions prefer; operators keep it. DJL has no memory-format argument,
     * so a TorchScript module does it, as for {@link #toBfloat16}.
     */
    public static NDArray toChannelsLast(NDArray x) {
        return Conversions.apply(Conversions.TO_CHANNELS_LAST, x);
    }

    /** The conversion modules, loaded on first use. */
    private static final class Conversions {
        static final PtSymbolBlock TO_BFLOAT16 = loadScript("to_bfloat16.pt");
        static final PtSymbolBlock TO_FLOAT32 = loadScript("to_float32.pt");
        static final PtSymbolBlock TO_CHANNELS_LAST = loadScript("to_channels_last.pt");

        static NDArray apply(PtSymbolBlock module, NDArray x) {
            // the entry point that leaves autograd to the thread's grad mode (see Functional.convTranspose2d)
            NDArray out = IValueUtils.forward(module, new NDList(x), true).singletonOrThrow();
            out.attach(x.getManager());
            return out;
        }
    }

    /** A TorchScript module from this package's resources, in a manager that lives as long as the process. */
    static PtSymbolBlock loadScript(String resource) {
        try (InputStream in = Torch.class.getResourceAsStream(resource)) {
            return JniUtils.loadModule((PtNDManager) newManager(), in, false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the TorchScript module " + resource, e);
        }
    }
}
