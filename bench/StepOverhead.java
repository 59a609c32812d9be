import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.fcn4j.bench.Stats;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.fcn4j.optim.Sgd;
import org.fcn4j.train.TrainStep;

/**
 * fcn4j's own overhead on the float32 training step of FCN-R50-D8: TrainStep beside the same network and losses
 * traced to TorchScript from the PyTorch reference ({@code bench/pytorch_reference.py --save-train-script}), both
 * in this process, so both run libtorch 2.7.1's kernels under one allocator; the difference is what fcn4j's Java
 * side adds (its op-by-op calls, scopes and reads). The TorchScript graph runs op by op (graph executor
 * optimisation off, as eager PyTorch runs). Both steps: forward, losses and accuracies read back, backward, the
 * same in-place SGD (lr 0.01, momentum 0.9, weight decay 5e-4) with fresh random data per step, made before the
 * clock. The two alternate step by step (PAIRS pairs after one untimed pair), so that the machine's drift, which
 * here moves a step by 10 % within minutes, falls on both alike. With bf16 last, fcn4j's step is AmpOptimWrapper's
 * and the trace must have been made under autocast ({@code --mode bf16}), so that it holds autocast's casts; both
 * run NCHW, as the trace was made (TrainStep's bf16 default is channels-last).
 *   python3 bench/pytorch_reference.py --batch 2 --shape 512x512 --save-train-script r50_train.pt
 *   (. ./malloc-env.sh; java -cp fcn4j-cli/target/fcn4j.jar bench/StepOverhead.java r50_train.pt [BATCH] [HxW]
 *        [PAIRS] [bf16])
 */
public class StepOverhead {
    private static final double LR = 0.01;

    public static void main(String[] args) {
        Path script = Path.of(args[0]);
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int size = args.length > 2 ? Integer.parseInt(args[2].split("x")[0]) : 512;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        boolean bf16 = args.length > 4 && args[4].equals("bf16");
        Torch.setThreads(2);
        Shape input = new Shape(batch, 3, size, size);
        Shape labels = new Shape(batch, size, size);
        try (NDManager root = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(
                    root, Config.load("fcn_r50-d8_4xb2-40k_cityscapes-512x1024").model());
            model.train(true);
            TrainStep fcn4j = new TrainStep(model, new Sgd(model.stateDict(), Set.of(), 0.9, 5e-4, 0), bf16, false);
            Traced traced = new Traced(root, script);
            long ownWeights = model.stateDict().values().stream()
                    .filter(Tensor::trainable)
                    .mapToLong(t -> t.get().getShape().size())
                    .sum();
            long tracedWeights =
                    traced.params.stream().mapToLong(a -> a.getShape().size()).sum();
            if (ownWeights != tracedWeights) {
                throw new IllegalStateException("the traced model trains " + tracedWeights + " weights, fcn4j's " + ownWeights);
            }
            System.out.printf(
                    Locale.ROOT,
                    "step overhead: %s, batch %d, %dx%d, %d cores,%s%n",
                    bf16 ? "bf16 (AmpOptimWrapper; the trace made under autocast)" : "fp32",
                    batch,
                    size,
                    size,
                    Runtime.getRuntime().availableProcessors(),
                    System.getenv().getOrDefault("LD_PRELOAD", "").contains("jemalloc") ? " jemalloc" : " glibc");
            double[] own = new double[steps];
            double[] ref = new double[steps];
            double[] ratio = new double[steps];
            for (int i = -1; i < steps; i++) {
                double a = timed(root, input, labels, (x, y) -> fcn4j.run(x, y, LR));
                double b = timed(root, input, labels, traced::step);
                if (i >= 0) {
                    own[i] = a;
                    ref[i] = b;
                    ratio[i] = a / b;
                    System.out.printf(Locale.ROOT, "pair %d: fcn4j %.3f s, TorchScript %.3f s%n", i + 1, a, b);
                }
            }
            Stats ownStats = Stats.of(own);
            Stats refStats = Stats.of(ref);
            Stats ratioStats = Stats.of(ratio);
            System.out.printf(
                    Locale.ROOT,
                    "medians of %d pairs: fcn4j %.3f s, TorchScript %.3f s; fcn4j / TorchScript %.3f "
                            + "(the pairs' ratios: median %.3f, %.3f-%.3f)%n",
                    steps,
                    ownStats.median(),
                    refStats.median(),
                    ownStats.median() / refStats.median(),
                    ratioStats.median(),
                    ratioStats.min(),
                    ratioStats.max());
        }
    }

    private interface Step {
        void run(NDArray images, NDArray labels);
    }

    /** Seconds of one step on fresh data, made before the clock. */
    private static double timed(NDManager root, Shape input, Shape labelShape, Step step) {
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.randomNormal(input);
            NDArray y = m.randomInteger(0, 19, labelShape, DataType.INT64);
            long t0 = System.nanoTime();
            step.run(x, y);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** The traced reference: its parameters, their momentum buffers, and one step. */
    private static final class Traced {
        private final PtSymbolBlock module;
        private final List<NDArray> params = new ArrayList<>();
        private final List<NDArray> buffers = new ArrayList<>();
        private final double[] lrs;
        private final double[] decays;

        Traced(NDManager root, Path file) {
            JniUtils.setGraphExecutorOptimize(false);
            module = JniUtils.loadModule((PtNDManager) root, file, false, new String[0], new String[0], true);
            JniUtils.enableTrainingMode(module);
            for (NDArray p : JniUtils.moduleGetParams(module, (PtNDManager) root)) {
                if (p.hasGradient()) {
                    params.add(p);
                    buffers.add(root.zeros(p.getShape()));
                }
            }
            lrs = new double[params.size()];
            decays = new double[params.size()];
            Arrays.fill(lrs, LR);
            Arrays.fill(decays, 5e-4);
        }

        void step(NDArray images, NDArray labels) {
            NDManager m = images.getManager();
            try (GradientCollector gc = Torch.gradientCollector()) {
                NDArray out = IValueUtils.forward(module, new NDList(images, labels), true)
                        .singletonOrThrow();
                out.attach(m);
                // the loss, its terms and the accuracies read back, as TrainStep reads them (the trace's stack is
                // float64: its accuracy scalars promote, a cost of five numbers)
                out.toType(DataType.FLOAT64, false).toDoubleArray();
                gc.backward(out.get(0));
            }
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : params) {
                NDArray g = p.getGradient();
                g.attach(m);
                grads.add(g);
            }
            Torch.withoutGrad(() -> {
                Functional.sgdStep(params, grads, buffers, lrs, decays, 0.9);
                return null;
            });
        }
    }
}
