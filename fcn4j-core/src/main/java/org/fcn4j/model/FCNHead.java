package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvModule;
import org.fcn4j.nn.Dropout;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Identity;
import org.fcn4j.nn.Layer;
import org.fcn4j.nn.Scope;
import org.fcn4j.nn.Sequential;

/**
 * MMSegmentation's {@code FCNHead} ({@code mmseg/models/decode_heads/fcn_head.py}), the decode head of
 * Long, Shelhamer and Darrell, "Fully Convolutional Networks for Semantic Segmentation" (CVPR 2015) as
 * MMSegmentation puts it on a dilated backbone: {@code num_convs} ConvModules ({@code convs}, identity
 * when 0), an optional {@code conv_cat} over [input, convs(input)], Dropout2d, and the 1x1 classifier
 * {@code conv_seg}. The paper's own skip-fusion heads are {@link FCNSkipHead}.
 */
public final class FCNHead extends DecodeHead {
    private final HeadSpec spec;
    private final Layer convs;
    private final ConvModule convCat;
    private final Dropout dropout;
    private final Conv2d convSeg;

    public FCNHead(NDManager m, HeadSpec spec) {
        this.spec = spec;
        int k = spec.kernelSize();
        int pad = (k / 2) * spec.dilation();
        if (spec.numConvs() == 0) {
            convs = child("convs", new Identity());
        } else {
            Sequential seq = new Sequential();
            for (int i = 0; i < spec.numConvs(); i++) {
                int in = i == 0 ? spec.inChannels() : spec.channels();
                seq.add(new ConvModule(m, in, spec.channels(), k, pad, spec.dilation()));
            }
            convs = child("convs", seq);
        }
        convCat = spec.concatInput()
                ? child(
                        "conv_cat",
                        new ConvModule(m, spec.inChannels() + spec.channels(), spec.channels(), k, k / 2, 1))
                : null;
        // conv_seg comes last in a checkpoint's state_dict, so it is registered last
        convSeg = new Conv2d(m, spec.channels(), spec.numClasses(), 1, 1, 0, 1, true);
        convSeg.weight()
                .set(m.randomNormal(
                        0f,
                        0.01f,
                        convSeg.weight().get().getShape(),
                        convSeg.weight().get().getDataType()));
        // a child (though it has no tensors) so that eval() switches it off
        dropout = child(
                "dropout",
                spec.channelDropout() ? Dropout.channels(spec.dropoutRatio()) : Dropout.elements(spec.dropoutRatio()));
        child("conv_seg", convSeg);
    }

    @Override
    public HeadSpec spec() {
        return spec;
    }

    public Conv2d convSeg() {
        return convSeg;
    }

    /** Whether conv_cat exists (concat_input). */
    public boolean hasConvCat() {
        return convCat != null;
    }

    public Layer convs() {
        return convs;
    }

    /** Logits at the resolution of the backbone output that in_index names. */
    @Override
    public NDArray forward(List<NDArray> features, int height, int width) {
        return forward(features.get(spec.inputIndex(features.size())));
    }

    /** Logits (N, num_classes, h, w) at the input feature's resolution. */
    public NDArray forward(NDArray x) {
        NDArray out = convs.forward(x);
        if (convCat != null) {
            NDArray cat = Functional.cat(1, x, out);
            if (out != x) {
                Scope.discard(out);
            }
            out = convCat.forward(cat);
            Scope.discard(cat);
        }
        NDArray logits = convSeg.forward(dropout.forward(out));
        if (out != x) {
            Scope.discard(out);
        }
        return logits;
    }
}
