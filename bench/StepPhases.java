import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.CrossEntropyLoss;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.nn.Autocast;
import org.fcn4j.nn.Torch;
import org.fcn4j.optim.Sgd;

/**
 * The float32 (or, with a third argument bf16, AmpOptimWrapper bf16) training step of FCN-R50-D8 (or the preset
 * named fifth) by phase, as TrainStep runs it: forward (both heads), loss (resize to the labels, cross-entropy,
 * decode + 0.4 x auxiliary, read back), backward, SGD update (lr 0.01, momentum 0.9, weight decay 5e-4). Median of 5 steps after 2, fresh
 * random data per step made before the clock. The input is stored as TrainStep stores it (channels-last in bf16,
 * NCHW in fp32); a fourth argument "layouts" runs an NCHW and a channels-last step in turn on the same weights
 * and prints both and their ratio. The PyTorch counterpart is {@code bench/pytorch_reference.py --phases}; run
 * both with the same allocator settings (./fcn4j is not used here, so they come from malloc-env.sh):
 *   (. ./malloc-env.sh; java -cp fcn4j-cli/target/fcn4j.jar bench/StepPhases.java [BATCH] [HxW] [bf16|fp32]
 *        [layouts|one] [PRESET])
 */
public class StepPhases {
    private static final String[] PHASES = {"forward", "loss", "backward", "sgd"};
    private static final int RUNS = 5;

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int size = args.length > 1 ? Integer.parseInt(args[1].split("x")[0]) : 512;
        boolean bf16 = args.length > 2 && args[2].equals("bf16");
        List<Boolean> layouts = args.length > 3 && args[3].equals("layouts") ? List.of(false, true) : List.of(bf16);
        String preset = args.length > 4 ? args[4] : "fcn_r50-d8_4xb2-40k_cityscapes-512x1024";
        Torch.setThreads(2);
        try (NDManager root = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(root, Config.load(preset).model());
            model.train(true);
            Sgd sgd = new Sgd(model.stateDict(), Set.of(), 0.9, 5e-4, 0);
            double[][][] t = new double[layouts.size()][PHASES.length][RUNS];
            for (int i = -2; i < RUNS; i++) {
                for (int l = 0; l < layouts.size(); l++) {
                    double[] phases = step(root, model, sgd, batch, size, bf16, layouts.get(l));
                    for (int p = 0; i >= 0 && p < PHASES.length; p++) {
                        t[l][p][i] = phases[p];
                    }
                }
            }
            double[] sums = new double[layouts.size()];
            for (int l = 0; l < layouts.size(); l++) {
                StringBuilder line = new StringBuilder(String.format(
                        Locale.ROOT,
                        "fcn4j %s %s step phases, %s, batch %d, %dx%d:",
                        preset,
                        bf16 ? "bf16" : "fp32",
                        layouts.get(l) ? "channels-last" : "NCHW",
                        batch,
                        size,
                        size));
                for (int p = 0; p < PHASES.length; p++) {
                    Arrays.sort(t[l][p]);
                    sums[l] += t[l][p][RUNS / 2];
                    line.append(String.format(Locale.ROOT, " %s %.3f s", PHASES[p], t[l][p][RUNS / 2]));
                }
                System.out.println(line.append(String.format(Locale.ROOT, ", sum of medians %.3f s", sums[l])));
            }
            if (layouts.size() == 2) {
                System.out.printf(Locale.ROOT, "channels-last / NCHW, sums of medians: %.3f%n", sums[1] / sums[0]);
            }
        }
    }

    /** One training step on fresh random data: the seconds of its forward, loss, backward and SGD update. */
    private static double[] step(
            NDManager root, EncoderDecoder model, Sgd sgd, int batch, int size, boolean bf16, boolean channelsLast) {
        try (NDManager step = root.newSubManager()) {
            NDArray random = step.randomNormal(new Shape(batch, 3, size, size));
            NDArray x = channelsLast ? Torch.toChannelsLast(random) : random;
            NDArray y = step.randomInteger(0, model.numClasses(), new Shape(batch, size, size), DataType.INT64);
            long t0 = System.nanoTime();
            long t1;
            long t2;
            try (GradientCollector gc = Torch.gradientCollector()) {
                EncoderDecoder.Outputs out = Autocast.bf16(bf16, () -> model.forward(x));
                t1 = System.nanoTime(); // libtorch's CPU kernels have finished when a call returns
                NDArray loss = Autocast.bf16(bf16, () -> {
                    NDArray decode = CrossEntropyLoss.of(out.decode(), y, model.spec().decodeHead())
                            .loss();
                    return out.auxiliary() == null
                            ? decode
                            : decode.add(CrossEntropyLoss.of(out.auxiliary(), y, model.spec().auxiliaryHead())
                                    .loss());
                });
                loss.getFloat();
                t2 = System.nanoTime();
                gc.backward(loss);
            }
            long t3 = System.nanoTime();
            sgd.step(0.01);
            long t4 = System.nanoTime();
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9};
        }
    }
}
