package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;

/**
 * Stateless operators over NCHW float tensors with PyTorch's semantics ({@code torch.nn.functional}).
 *
 * <p>Results live in the manager of the first tensor argument, so a caller that runs a forward pass
 * in its own sub-manager gets every intermediate freed when it closes that manager.
 *
 * <p>Under autograd, never combine a tensor with a plain number through DJL ({@code x.mul(2f)}): DJL wraps
 * the number in a tensor over a Java buffer and closes it right after the call, autograd keeps that
 * tensor for backward, and once the garbage collector frees the buffer backward reads whatever memory is
 * there. Use {@link #scalar}.
 */
public final class Functional {
    private Functional() {}

    /** {@code F.conv2d}; {@code bias} may be null. */
    public static NDArray conv2d(
            NDArray x, NDArray weight, NDArray bias, int stride, int padding, int dilation, int groups) {
        NDManager m = x.getManager();
        NDArray y = JniUtils.convolution(
                (PtNDArray) Autocast.lower(x, m),
                (PtNDArray) Autocast.lower(weight, m),
                (PtNDArray) Autocast.lower(bias, m),
                new Shape(stride, stride),
                new Shape(padding, padding),
                new Shape(dilation, dilation),
                groups);
        OnnxTrace.conv(x, weight, bias, stride, padding, dilation, groups, y);
        return y;
    }

    /**
     * {@code F.conv_transpose2d} with square arguments; {@code weight} is (in, out / groups, k, k) and
     * {@code bias} may be null. Output size: (in - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1.
     *
     * <p>DJL 0.36 binds no transposed convolution, so PyTorch's own runs from a TorchScript module
     * (tools/torchscript/gen_ops.py) through the one DJL entry point that leaves autograd on
     * ({@code IValueUtils.forward(.., true)}: it records while a gradient collector is open, as the
     * bound operators do). That entry point takes tensors only, so the integers travel as one int64
     * tensor, and it reads a dotted array name as a dict key, which arrays here never have.
     *
     * <p>The FCN paper's upsamplers (kernel twice the stride, no padding, groups or dilation) run there as the
     * same sums rearranged, a 2x2 convolution to out * stride^2 channels and a pixel shuffle: libtorch's
     * transposed convolution is several times slower on them (figures in gen_ops.py).
     */
    public static NDArray convTranspose2d(
            NDArray x,
            NDArray weight,
            NDArray bias,
            int stride,
            int padding,
            int outputPadding,
            int groups,
            int dilation) {
        NDManager m = x.getManager();
        NDArray params = m.create(new long[] {stride, padding, outputPadding, groups, dilation});
        NDList operands = new NDList(Autocast.lower(x, m), Autocast.lower(weight, m), params);
        NDArray y =
                IValueUtils.forward(Scripts.CONV_TRANSPOSE2D, operands, true).singletonOrThrow();
        y.attach(m);
        params.close();
        // as PyTorch's kernel, per output channel after the transposed convolution (whose backward
        // does not read its output, so the in-place add is safe under autograd)
        NDArray out = bias == null ? y : y.addi(Autocast.lower(bias, m).reshape(1, -1, 1, 1));
        OnnxTrace.convTranspose(x, weight, bias, stride, padding, outputPadding, groups, dilation, out);
        return out;
    }

    /**
     * One SGD update of {@code params} in place, in one native call (tools/torchscript/gen_ops.py's
     * {@code SgdStep}, PyTorch's {@code _single_tensor_sgd}): per parameter g = grad + decay * p, buf = momentum
     * * buf + g, p -= lr * buf; then its gradient is zeroed. Autograd must be off ({@link Torch#withoutGrad}):
     * the parameters are leaves that require grad.
     *
     * @param buffers one momentum buffer per parameter (zero before the first step), or empty when momentum is 0
     */
    public static void sgdStep(
            List<NDArray> params,
            List<NDArray> grads,
            List<NDArray> buffers,
            double[] lrs,
            double[] decays,
            double momentum) {
        IValue[] args = {
            tensors(params),
            tensors(grads),
            tensors(buffers),
            IValue.listFrom(lrs),
            IValue.listFrom(decays),
            IValue.from(momentum)
        };
        try {
            IValueUtils.forward(Scripts.SGD_STEP, args).close();
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    /**
     * {@code x.argmax(dim=1)} as int32: each position's first maximal channel, NaN counting as the maximum,
     * computed as {@code torch.max(x, 1).indices} (tools/torchscript/gen_ops.py's {@code ArgmaxChannels}).
     * libtorch's CPU argmax over a dimension that is not the innermost takes a slow path, 5-13x slower on
     * segmentation logits; a label map's argmax would otherwise cost a fifth of a small model's forward.
     */
    public static NDArray argmaxChannels(NDArray x) {
        NDArray out = IValueUtils.forward(Scripts.ARGMAX_CHANNELS, new NDList(x), false)
                .singletonOrThrow();
        out.attach(x.getManager());
        return out;
    }

    private static IValue tensors(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new));
    }

    /** The TorchScript operators, loaded on first use. */
    private static final class Scripts {
        static final PtSymbolBlock CONV_TRANSPOSE2D = Torch.loadScript("conv_transpose2d.pt");
        static final PtSymbolBlock SGD_STEP = Torch.loadScript("sgd_step.pt");
        static final PtSymbolBlock MAX_POOL2X2 = Torch.loadScript("max_pool2x2.pt");
        static final PtSymbolBlock ARGMAX_CHANNELS = Torch.loadScript("argmax_channels.pt");
    }

    /**
     * {@code F.batch_norm}: in training mode it normalises with the batch statistics and updates the
     * running mean and (unbiased) variance in place with {@code momentum}; otherwise it uses them.
     */
    public static NDArray batchNorm(
            NDArray x,
            NDArray runningMean,
            NDArray runningVar,
            NDArray weight,
            NDArray bias,
            boolean training,
            double momentum,
            double eps) {
        // JniUtils names its parameters gamma, beta, mean, var, but the native call takes
        // (input, running_mean, running_var, weight, bias), as DJL's own BatchNorm passes them
        NDArray y = JniUtils.batchNorm(
                (PtNDArray) x,
                (PtNDArray) runningMean,
                (PtNDArray) runningVar,
                (PtNDArray) weight,
                (PtNDArray) bias,
                training,
                momentum,
                eps);
        OnnxTrace.batchNorm(x, runningMean, runningVar, weight, bias, training, eps, y);
        return y;
    }

    public static NDArray relu(NDArray x) {
        NDArray y = JniUtils.relu((PtNDArray) x);
        OnnxTrace.unary("Relu", x, y);
        return y;
    }

    /**
     * {@code F.max_pool2d} with a square kernel. {@code ceilMode} rounds the output size up (a last,
     * partial window) unless that window would start in the right or bottom padding, as PyTorch does.
     * VGG's 2x2 pool outside autograd runs as {@link #maxPool2x2}; under autograd libtorch's kernel records
     * the indices backward routes the gradient through.
     */
    public static NDArray maxPool2d(NDArray x, int kernel, int stride, int padding, boolean ceilMode) {
        NDArray y = kernel == 2 && stride == 2 && padding == 0 && !JniUtils.isGradMode()
                ? maxPool2x2(x, ceilMode)
                : JniUtils.maxPool(
                        (PtNDArray) x,
                        new Shape(kernel, kernel),
                        new Shape(stride, stride),
                        new Shape(padding, padding),
                        ceilMode);
        OnnxTrace.maxPool(x, kernel, stride, padding, ceilMode, y);
        return y;
    }

    /**
     * VGG's pool outside autograd through tools/torchscript/gen_ops.py's {@code MaxPool2x2}: on NCHW inputs the
     * same values as libtorch's max_pool2d, 3-7x faster, since that kernel always computes the indices that
     * only backward needs.
     */
    private static NDArray maxPool2x2(NDArray x, boolean ceilMode) {
        NDManager m = x.getManager();
        try (NDArray params = m.create(new int[] {ceilMode ? 1 : 0})) {
            NDArray y = IValueUtils.forward(Scripts.MAX_POOL2X2, new NDList(x, params), false)
                    .singletonOrThrow();
            y.attach(m);
            return y;
        }
    }

    /** {@code F.dropout}: element-wise, survivors scaled by 1/(1-p); identity when not training. */
    public static NDArray dropout(NDArray x, double p, boolean training) {
        if (!training || p == 0) {
            return x;
        }
        return JniUtils.dropout((PtNDArray) x, p, true);
    }

    /**
     * {@code F.dropout2d}: zeroes whole channels of an (N,C,H,W) tensor with probability p and scales
     * the survivors by 1/(1-p); identity when not training. libtorch has no channel dropout kernel,
     * so it is a Bernoulli (N,C,1,1) mask.
     */
    public static NDArray dropout2d(NDArray x, double p, boolean training) {
        if (!training || p == 0) {
            return x;
        }
        Shape s = x.getShape();
        NDManager m = x.getManager();
        NDArray keep =
                m.randomUniform(0f, 1f, new Shape(s.get(0), s.get(1), 1, 1)).gte((float) p);
        NDArray mask = typeOf(x, keep.toType(DataType.FLOAT32, false)).divi((float) (1 - p));
        return x.mul(mask);
    }

    /**
     * A 0-d tensor of {@code value} with {@code like}'s type, in its manager: allocated by libtorch, so
     * autograd can keep it for backward (see the class comment). DJL reports a bfloat16 tensor's type as
     * UNKNOWN, and asking it to fill one of that type aborts the process, so that scalar is made in float32
     * and cast by {@link Torch#toBfloat16}.
     */
    public static NDArray scalar(NDArray like, double value) {
        if (like.getDataType() == DataType.UNKNOWN) {
            try (NDArray f = like.getManager().full(new Shape(), (float) value, DataType.FLOAT32)) {
                return Torch.toBfloat16(f);
            }
        }
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    /**
     * A float32 {@code t} in {@code like}'s floating type: bfloat16 (which DJL reports as UNKNOWN and cannot
     * convert to itself), float64, or t as it is.
     */
    static NDArray typeOf(NDArray like, NDArray t) {
        DataType type = like.getDataType();
        if (type == t.getDataType()) {
            return t;
        }
        return type == DataType.UNKNOWN ? Torch.toBfloat16(t) : t.toType(type, false);
    }

    /** {@code torch.cat} along {@code axis}. */
    public static NDArray cat(int axis, NDArray... xs) {
        NDArray y = NDArrays.concat(new NDList(xs), axis);
        OnnxTrace.concat(axis, xs, y);
        return y;
    }

    /**
     * {@code F.interpolate(x, size, mode='bilinear', align_corners)} for upsampling and downsampling.
     *
     * <p>Computed as {@code Wh @ x @ Ww^T} with the interpolation matrices PyTorch's kernel implies:
     * exact for both align_corners values, differentiable, and without the antialiasing that the
     * engine's own resize applies when shrinking.
     */
    public static NDArray resizeBilinear(NDArray x, int outH, int outW, boolean alignCorners) {
        Shape s = x.getShape();
        int inH = (int) s.get(s.dimension() - 2);
        int inW = (int) s.get(s.dimension() - 1);
        if (inH == outH && inW == outW) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray rows = m.create(interpolationMatrix(inH, outH, alignCorners), new Shape(outH, inH));
        NDArray colsT = m.create(interpolationMatrix(inW, outW, alignCorners), new Shape(outW, inW))
                .transpose();
        rows = typeOf(x, rows);
        colsT = typeOf(x, colsT);
        NDArray half = x.matMul(colsT);
        NDArray y = rows.matMul(half);
        Scope.discard(half); // as the loss's other full-size intermediates: autograd keeps what it needs
        OnnxTrace.resizeBilinear(x, outH, outW, alignCorners, y);
        return y;
    }

    /**
     * The (out x in) matrix of 1-D linear interpolation, row i holding the two weights of output i.
     * Source coordinates follow ATen's {@code area_pixel_compute_source_index}, in float as ATen does.
     */
    static float[] interpolationMatrix(int in, int out, boolean alignCorners) {
        float[] w = new float[out * in];
        float scale;
        if (alignCorners) {
            scale = out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        } else {
            scale = (float) in / out;
        }
        for (int i = 0; i < out; i++) {
            float src = alignCorners ? scale * i : Math.max(scale * (i + 0.5f) - 0.5f, 0f);
            int i0 = Math.min((int) src, in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            float l1 = src - i0;
            w[i * in + i0] += 1f - l1;
            w[i * in + i1] += l1;
        }
        return w;
    }
}
