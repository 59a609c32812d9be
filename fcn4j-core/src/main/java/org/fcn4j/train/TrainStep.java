package org.fcn4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.fcn4j.model.CrossEntropyLoss;
import org.fcn4j.model.DecodeHead;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.nn.Autocast;
import org.fcn4j.nn.Torch;
import org.fcn4j.optim.Sgd;

/**
 * One training iteration as mmseg's {@code train_step}: forward in train mode, each head's loss (the
 * auxiliary already weighted by its loss_weight; the paper's heads' summed over the pixels when their
 * loss_decode says {@code reduction: sum}) summed, backward, then the SGD update; optionally in bfloat16
 * mixed precision. Works in its own NDManager scope, so nothing but the updated weights and buffers outlives it.
 *
 * <p>Channels-last (the config's {@code channels_last}, on by default in bfloat16 and for float32 ResNets) stores the input NHWC first.
 * libtorch's convolutions give an output in their input's layout, and the normalisation, activation, pooling
 * and elementwise operators keep it, so the activations and their gradients stay NHWC, the layout oneDNN's
 * kernels run fastest in on x86: in bfloat16 the batch-2 R-50-D8 step took 0.72x the time of an NCHW one and
 * the paper's FCN-8s 0.86-0.94x; in float32 R-50-D8 0.87-0.93x and the demo's R-18 0.83-0.85x, but FCN-8s 1.07-1.10x (docs/performance.md). The
 * weights stay NCHW, so the optimizer state and checkpoints do not change.
 */
public final class TrainStep {
    private final EncoderDecoder model;
    private final Sgd sgd;
    private final boolean bf16;
    private final boolean channelsLast;

    /** A float32 step. */
    public TrainStep(EncoderDecoder model, Sgd sgd) {
        this(model, sgd, false, false);
    }

    /**
     * @param bf16 mixed precision, as mmengine's {@code AmpOptimWrapper} with {@code dtype='bfloat16'}: forward
     *     and losses under {@link Autocast} (convolutions in bfloat16), backward and the update in float32
     * @param channelsLast the input, and so the activations, stored NHWC (the weights stay as they are);
     *     {@link org.fcn4j.experiment.TrainSettings#channelsLastByDefault} gives the config's default
     */
    public TrainStep(EncoderDecoder model, Sgd sgd, boolean bf16, boolean channelsLast) {
        this.model = model;
        this.sgd = sgd;
        this.bf16 = bf16;
        this.channelsLast = channelsLast;
    }

    /**
     * @param images normalised (N, 3, H, W); moved into the step's scope and freed with it
     * @param labels (N, H, W) int64 with 255 for ignored pixels; freed likewise
     * @return {@code loss}, {@code decode.<loss_name>} ({@code decode.loss_ce} by default),
     *     {@code decode.acc_seg} and, with an auxiliary head, {@code aux.<loss_name>}, {@code aux.acc_seg}
     * @throws TrainingException when the loss is not finite (the weights are left as they were)
     */
    public Map<String, Double> run(NDArray images, NDArray labels, double lr) {
        return run(images, labels, mult -> lr * mult);
    }

    /**
     * {@link #run(NDArray, NDArray, double)} with per-group rates ({@code paramwise_cfg}).
     *
     * @param rates a parameter's learning rate from its lr_mult ({@code LrSchedule::lr})
     */
    public Map<String, Double> run(NDArray images, NDArray labels, DoubleUnaryOperator rates) {
        return run(images, labels, rates, () -> {});
    }

    /**
     * {@link #run}, calling {@code beforeUpdate} between backward and the SGD update, while the gradients
     * are on the parameters (TrainParityTest checks them there and replaces them with PyTorch's).
     */
    Map<String, Double> run(NDArray images, NDArray labels, DoubleUnaryOperator rates, Runnable beforeUpdate) {
        try (NDManager scope = images.getManager().newSubManager()) {
            images.attach(scope);
            labels.attach(scope);
            NDArray input = channelsLast ? Torch.toChannelsLast(images) : images;
            Map<String, Double> values = new LinkedHashMap<>();
            try (GradientCollector gc = Torch.gradientCollector()) {
                NDArray total = forwardLoss(input, labels, values);
                double loss = total.getFloat();
                if (!Double.isFinite(loss)) {
                    throw new TrainingException("the loss is " + loss);
                }
                values.put("loss", loss);
                gc.backward(total);
            }
            beforeUpdate.run();
            sgd.step(rates);
            return values;
        }
    }

    /** The summed loss, under autocast as AmpOptimWrapper's optim_context runs forward and loss. */
    private NDArray forwardLoss(NDArray images, NDArray labels, Map<String, Double> values) {
        return Autocast.bf16(bf16, () -> {
            EncoderDecoder.Outputs out = model.forward(images);
            NDArray total = head("decode", out.decode(), labels, model.spec().decodeHead(), values);
            if (out.auxiliary() != null) {
                total = total.add(
                        head("aux", out.auxiliary(), labels, model.spec().auxiliaryHead(), values));
            }
            return total;
        });
    }

    private static NDArray head(
            String name, NDArray logits, NDArray labels, DecodeHead.Spec spec, Map<String, Double> values) {
        CrossEntropyLoss.HeadLoss l = CrossEntropyLoss.of(logits, labels, spec);
        // logged under each term's loss_name, as MMSegmentation's log keys (decode.loss_ce by default)
        l.terms().forEach((lossName, term) -> values.put(name + "." + lossName, (double) term.getFloat()));
        values.put(name + ".acc_seg", (double) l.accuracy().getFloat());
        return l.loss();
    }
}
