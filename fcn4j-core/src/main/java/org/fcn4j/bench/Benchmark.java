package org.fcn4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Supplier;
import org.fcn4j.experiment.TrainSettings;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.Segmentor;
import org.fcn4j.nn.MacCounter;
import org.fcn4j.nn.Torch;
import org.fcn4j.train.TrainStep;
import org.fcn4j.train.Trainer;
import org.fcn4j.util.ProcessMemory;

/**
 * Times a model on random data the way a user runs it: an eval-mode forward pass without autograd
 * (logits at the input size, from one whole pass or from the sliding windows of the config's
 * {@code model.test_cfg}, as {@code fcn4j test} runs it), and one training iteration ({@link TrainStep}
 * with the config's SGD at its base learning rate on random labels, in float32 or bfloat16 mixed precision).
 * Warm-up runs come first and are not timed; the first one also counts the convolution MACs, so the achieved
 * FLOP rate needs no extra pass.
 */
public final class Benchmark {
    private Benchmark() {}

    public record Settings(int batch, int height, int width, int warmup, int iters, boolean forwardOnly) {
        public Settings {
            if (batch < 1 || height < 1 || width < 1 || warmup < 1 || iters < 1) {
                throw new IllegalArgumentException("batch, shape, warm-up and iterations must be positive");
            }
        }
    }

    /**
     * @param forwardMacs convolution MACs of one forward pass (decode head only, as at inference)
     * @param forwardPeakMb peak RSS of the process once the forward runs are done (model included)
     * @param train null with forward-only
     * @param trainForwardMacs MACs of a training forward pass (both heads); 0 with forward-only
     * @param peakMb peak RSS of the process at the end
     */
    public record Result(
            Stats forward, long forwardMacs, double forwardPeakMb, Stats train, long trainForwardMacs, double peakMb) {
        public Result withForwardMacs(long macs) {
            return new Result(forward, macs, forwardPeakMb, train, trainForwardMacs, peakMb);
        }

        /** Forward GFLOP/s at the median time, counting 2 FLOP per MAC. */
        public double forwardGflops() {
            return 2.0 * forwardMacs / forward.median() / 1e9;
        }

        /**
         * Training GFLOP/s at the median time, by the usual convention that the backward pass costs twice
         * the forward (gradients for inputs and for weights); the SGD update is not counted.
         */
        public double trainGflops() {
            return 3 * 2.0 * trainForwardMacs / train.median() / 1e9;
        }
    }

    /**
     * Times only the eval forward pass of {@code engine} (another engine's, an exported graph in ONNX Runtime,
     * or fcn4j's own model in eval mode) in {@code m}. The MAC count is fcn4j's convolutions only, so 0 for
     * another engine: {@link Result#withForwardMacs} adds it from {@link #forwardMacs}.
     */
    public static Result forward(Segmentor engine, NDManager m, Settings s) {
        Torch.seed(0);
        Shape input = new Shape(s.batch(), engine.spec().backbone().inChannels(), s.height(), s.width());
        NDArray x = m.randomNormal(input);
        Timed forward =
                time(s, () -> () -> engine.inference(x, engine.spec().testCfg()).close());
        double peak = ProcessMemory.peakResidentMb();
        return new Result(forward.stats, forward.macs, peak, null, 0, peak);
    }

    /** Convolution MACs of one eval forward of {@code model} at the settings' input. */
    public static long forwardMacs(EncoderDecoder model, Settings s) {
        model.eval();
        try (NDManager m = model.manager().newSubManager();
                MacCounter c = MacCounter.start()) {
            Shape input = new Shape(s.batch(), model.backbone().spec().inChannels(), s.height(), s.width());
            model.inference(m.randomNormal(input), model.spec().testCfg()).close();
            return c.macs();
        }
    }

    /**
     * Runs the forward timings and, unless forward-only, the float32 train-step timings with {@code train}'s
     * optimizer, channels-last when {@code trainChannelsLast}; leaves the model in eval mode.
     */
    public static Result run(EncoderDecoder model, Settings s, TrainSettings train, boolean trainChannelsLast) {
        Result forward;
        try (NDManager m = model.manager().newSubManager()) {
            model.eval();
            forward = forward(model, m, s);
        }
        return s.forwardOnly() ? forward : withTrainStep(forward, model, s, train, false, trainChannelsLast);
    }

    /**
     * {@code forward}'s result with {@code model}'s training step timed too (random labels, fresh data per
     * step), in bfloat16 mixed precision when {@code bf16}, channels-last when {@code channelsLast}
     * ({@link TrainStep}); leaves the model in eval mode. The update is {@code optim}'s SGD at its base rate, as
     * {@code fcn4j train} would run it: a fixed rate would diverge to a NaN loss within a few steps on the
     * paper's FCNs, whose summed loss wants lr 1e-10.
     */
    public static Result withTrainStep(
            Result forward, EncoderDecoder model, Settings s, TrainSettings optim, boolean bf16, boolean channelsLast) {
        Shape input = new Shape(s.batch(), model.backbone().spec().inChannels(), s.height(), s.width());
        Shape labelShape = new Shape(s.batch(), s.height(), s.width());
        try (NDManager m = model.manager().newSubManager()) {
            model.train(true);
            TrainStep step = new TrainStep(model, Trainer.optimizer(model, optim), bf16, channelsLast);
            // fresh inputs per step (the step frees them), made before the clock starts
            Timed train = time(s, () -> {
                NDArray images = m.randomNormal(input);
                NDArray labels = m.randomInteger(0, model.numClasses(), labelShape, DataType.INT64);
                return (Runnable) () -> step.run(images, labels, mult -> optim.lr() * mult);
            });
            return new Result(
                    forward.forward(),
                    forward.forwardMacs(),
                    forward.forwardPeakMb(),
                    train.stats,
                    train.macs,
                    ProcessMemory.peakResidentMb());
        } finally {
            model.eval();
        }
    }

    private record Timed(Stats stats, long macs) {}

    /**
     * Runs warm-up + iters times the operation {@code prepare} returns and times the iterations;
     * {@code prepare}'s own work stays outside the clock.
     */
    private static Timed time(Settings s, Supplier<Runnable> prepare) {
        long macs = 0;
        double[] seconds = new double[s.iters()];
        for (int i = -s.warmup(); i < s.iters(); i++) {
            Runnable prepared = prepare.get();
            try (MacCounter c = i == -s.warmup() ? MacCounter.start() : null) {
                long t0 = System.nanoTime();
                prepared.run();
                long t1 = System.nanoTime();
                if (c != null) {
                    macs = c.macs();
                }
                if (i >= 0) {
                    seconds[i] = (t1 - t0) / 1e9;
                }
            }
        }
        return new Timed(Stats.of(seconds), macs);
    }
}
