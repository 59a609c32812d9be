import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Torch;

/**
 * The machine's measured arithmetic ceiling through fcn4j's engine (libtorch 2.7.1: MKL for float32 matrix
 * products, oneDNN for convolutions and bfloat16), for docs/performance.md's achieved fractions of peak: the best
 * GFLOP/s of large matrix products (2048^3, 4096^3) and of a large 3x3 convolution (batch 1, 4 and 8), float32 and
 * bfloat16, NCHW and channels-last: the best of them is the ceiling a whole network's rate is measured against.
 * Each case runs warm-up passes, then the median of timed ones. One process; run on an otherwise idle machine:
 *   java -cp fcn4j-cli/target/fcn4j.jar bench/GemmCeiling.java [THREADS]
 */
public class GemmCeiling {
    private static final int WARMUP = 2;
    private static final int RUNS = 7;

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Torch.setThreads(threads);
        System.out.printf(Locale.ROOT, "GEMM ceiling, %d threads, %s%n", threads, cpu());
        double[] best = new double[2];
        try (NDManager m = Torch.newManager()) {
            for (boolean bf16 : new boolean[] {false, true}) {
                int k = bf16 ? 1 : 0;
                for (int n : new int[] {2048, 4096}) {
                    NDArray a = cast(m.randomNormal(new Shape(n, n)), bf16);
                    NDArray b = cast(m.randomNormal(new Shape(n, n)), bf16);
                    double mm = gflops(2.0 * n * n * n, () -> a.matMul(b));
                    report("matmul " + n + "^3", bf16, false, mm);
                    best[k] = Math.max(best[k], mm);
                }
                for (int batch : new int[] {1, 4, 8}) {
                    for (boolean channelsLast : new boolean[] {false, true}) {
                        // the 3x3 512->512 convolution of ResNet's layer4 / FCNHead at 64x64
                        NDArray x = layout(cast(m.randomNormal(new Shape(batch, 512, 64, 64)), bf16), channelsLast);
                        NDArray w = layout(cast(m.randomNormal(new Shape(512, 512, 3, 3)), bf16), channelsLast);
                        double macs = batch * 64.0 * 64 * 512 * 512 * 9;
                        double conv = gflops(2 * macs, () -> Functional.conv2d(x, w, null, 1, 1, 1, 1));
                        report("conv 3x3 512->512 " + batch + "x64x64", bf16, channelsLast, conv);
                        best[k] = Math.max(best[k], conv);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "ceiling: fp32 %.0f GFLOP/s, bf16 %.0f GFLOP/s%n", best[0], best[1]);
    }

    private static NDArray cast(NDArray x, boolean bf16) {
        return bf16 ? Torch.toBfloat16(x) : x;
    }

    private static NDArray layout(NDArray x, boolean channelsLast) {
        return channelsLast ? Torch.toChannelsLast(x) : x;
    }

    /** Median GFLOP/s of {@code op} (each result freed at once). */
    private static double gflops(double flop, Supplier<NDArray> op) {
        double[] seconds = new double[RUNS];
        for (int i = -WARMUP; i < RUNS; i++) {
            long t0 = System.nanoTime();
            op.get().close();
            long t1 = System.nanoTime();
            if (i >= 0) {
                seconds[i] = (t1 - t0) / 1e9;
            }
        }
        Arrays.sort(seconds);
        return flop / seconds[RUNS / 2] / 1e9;
    }

    private static void report(String what, boolean bf16, boolean channelsLast, double gflops) {
        System.out.printf(
                Locale.ROOT,
                "%-30s %-4s %-13s %7.1f GFLOP/s%n",
                what,
                bf16 ? "bf16" : "fp32",
                channelsLast ? "channels-last" : "",
                gflops);
    }

    private static String cpu() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 2))
                    .orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU";
        }
    }
}
