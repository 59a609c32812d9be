import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.fcn4j.experiment.Config;
import org.fcn4j.model.CrossEntropyLoss;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.nn.Autocast;
import org.fcn4j.nn.Torch;
import org.fcn4j.optim.Sgd;

/**
 * The float32 (or, with a third argument bf16, AmpOptimWrapper bf16, channels-last) training step of FCN-R50-D8
 * by phase, as TrainStep runs it: forward (both heads), loss (resize to
 * the labels, cross-entropy, decode + 0.4 x auxiliary, read back), backward, SGD update (lr 0.01, momentum 0.9,
 * weight decay 5e-4). Median of 5 steps after 2, fresh random data per step made before the clock. The PyTorch
 * counterpart is {@code bench/pytorch_reference.py --phases}; run both with the same allocator settings:
 *   ./fcn4j is not used here, so its allocator settings come from malloc-env.sh:
 *   (. ./malloc-env.sh; java -cp fcn4j-cli/target/fcn4j.jar bench/StepPhases.java [BATCH] [HxW] [bf16])
 */
public class StepPhases {
    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int size = args.length > 1 ? Integer.parseInt(args[1].split("x")[0]) : 512;
        boolean bf16 = args.length > 2 && args[2].equals("bf16");
        Torch.setThreads(2);
        try (NDManager root = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(root, Config.load("fcn_r50-d8_4xb2-40k_cityscapes-512x1024").model());
            model.train(true);
            Sgd sgd = new Sgd(model.stateDict(), Set.of(), 0.9, 5e-4, 0);
            int runs = 5;
            double[][] t = new double[4][runs];
            for (int i = -2; i < runs; i++) {
                try (NDManager step = root.newSubManager()) {
                    NDArray random = step.randomNormal(new Shape(batch, 3, size, size));
                    NDArray x = bf16 ? Torch.toChannelsLast(random) : random;
                    NDArray y = step.randomInteger(0, 19, new Shape(batch, size, size), DataType.INT64);
                    long t0 = System.nanoTime();
                    long t1;
                    long t2;
                    try (GradientCollector gc = Torch.gradientCollector()) {
                        EncoderDecoder.Outputs out = Autocast.bf16(bf16, () -> model.forward(x));
                        t1 = System.nanoTime(); // libtorch's CPU kernels have finished when a call returns
                        NDArray loss = Autocast.bf16(bf16, () -> CrossEntropyLoss.of(
                                        out.decode(), y, model.spec().decodeHead())
                                .loss()
                                .add(CrossEntropyLoss.of(out.auxiliary(), y, model.spec().auxiliaryHead())
                                        .loss()));
                        loss.getFloat();
                        t2 = System.nanoTime();
                        gc.backward(loss);
                    }
                    long t3 = System.nanoTime();
                    sgd.step(0.01);
                    long t4 = System.nanoTime();
                    if (i >= 0) {
                        t[0][i] = (t1 - t0) / 1e9;
                        t[1][i] = (t2 - t1) / 1e9;
                        t[2][i] = (t3 - t2) / 1e9;
                        t[3][i] = (t4 - t3) / 1e9;
                    }
                }
            }
            String[] names = {"forward", "loss", "backward", "sgd"};
            double total = 0;
            StringBuilder line = new StringBuilder(
                    "fcn4j " + (bf16 ? "bf16" : "fp32") + " step phases, batch " + batch + ", " + size + "x" + size + ":");
            for (int p = 0; p < 4; p++) {
                Arrays.sort(t[p]);
                total += t[p][runs / 2];
                line.append(String.format(Locale.ROOT, " %s %.3f s", names[p], t[p][runs / 2]));
            }
            System.out.println(line.append(String.format(Locale.ROOT, ", sum of medians %.3f s", total)));
        }
    }
}
