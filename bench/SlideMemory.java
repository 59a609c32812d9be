import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.nn.TensorFormat;
import org.fcn4j.nn.Torch;
import org.fcn4j.util.ProcessMemory;

/**
 * Memory of slide inference against one whole window, in one process: FCN-R50-D8 (random weights), a 512x1024
 * window forward, then slide inference of 1024x2048 at crop 512x1024 / stride 341x683, three rounds; prints
 * each run's peak resident memory above the resident memory just before it (sampled every 2 ms).
 * Run with big blocks mmapped, so that freed memory leaves the process and RSS follows live memory:
 *   MALLOC_MMAP_THRESHOLD_=65536 java -cp fcn4j-cli/target/fcn4j.jar bench/SlideMemory.java [--channels-last]
 */
public class SlideMemory {
    private static final AtomicLong PEAK = new AtomicLong();

    public static void main(String[] args) {
        Torch.setThreads(2);
        Thread sampler = new Thread(() -> {
            while (true) {
                PEAK.accumulateAndGet((long) ProcessMemory.residentMb(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        Config cfg = Config.load("fcn_r50-d8_4xb2-40k_cityscapes-512x1024", List.of());
        try (NDManager m = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(m, cfg.model());
            model.eval();
            if (List.of(args).contains("--channels-last")) {
                model.freezeForInference(new TensorFormat(false, true));
            }
            for (int round = 1; round <= 3; round++) {
                measure(m, "window 512x1024, whole", new Shape(1, 3, 512, 1024), x -> model.encodeDecode(x));
                measure(m, "1024x2048, slide (9 windows)", new Shape(1, 3, 1024, 2048),
                        x -> model.slideInference(x, new int[] {512, 1024}, new int[] {341, 683}));
            }
        }
    }

    private static void measure(NDManager m, String what, Shape input, java.util.function.Function<NDArray, NDArray> run) {
        try (NDManager scope = m.newSubManager()) {
            NDArray x = scope.randomNormal(input); // counted in the base: the caller owns the input
            long base = (long) ProcessMemory.residentMb();
            PEAK.set(base);
            run.apply(x).close();
            System.out.printf("%-30s RSS before %5d MiB, peak above it %4d MiB%n", what, base, PEAK.get() - base);
        }
    }
}
