package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.Dropout;
import org.fcn4j.nn.Functional;
import org.fcn4j.nn.Layer;
import org.fcn4j.nn.MaxPool2d;
import org.fcn4j.nn.Scope;

/**
 * The FCN paper's VGG trunk: five blocks of 3x3 convolutions with bias and ReLU ({@code conv1_1} ...
 * {@code conv5_3}), each block closed by a 2x2 stride-2 max pool in ceil mode, then VGG's fully connected
 * layers as convolutions: {@code fc6} 7x7 without padding and {@code fc7} 1x1, each with ReLU and Dropout2d.
 * {@code conv1_1} pads by 100, so pool5 = ceil((H + 198) / 32) >= 7 for every H >= 1: any input fits fc6,
 * and the decode head's fixed crop offsets stay inside its maps (floor-mode pools would break both).
 * Returns pool3, pool4 and fc7 (strides 8, 16 and 32 of the padded input).
 */
public final class VGG extends Backbone {
    private static final int FIRST_PADDING = 100;

    private final VGGSpec spec;
    private final List<List<Conv2d>> blocks = new ArrayList<>();
    private final MaxPool2d pool = new MaxPool2d(2, 2, 0, true);
    private final Conv2d fc6;
    private final Dropout drop6;
    private final Conv2d fc7;
    private final Dropout drop7;

    public VGG(NDManager m, VGGSpec spec) {
        this.spec = spec;
        int in = spec.inChannels();
        for (int b = 0; b < 5; b++) {
            List<Conv2d> block = new ArrayList<>();
            int out = spec.blockChannels(b);
            for (int i = 0; i < spec.blockConvs(b); i++) {
                int padding = b == 0 && i == 0 ? FIRST_PADDING : 1;
                block.add(child("conv" + (b + 1) + "_" + (i + 1), new Conv2d(m, in, out, 3, 1, padding, 1, true)));
                in = out;
            }
            blocks.add(block);
        }
        fc6 = child("fc6", new Conv2d(m, in, spec.fcChannels(), 7, 1, 0, 1, true));
        drop6 = child("drop6", Dropout.channels(spec.dropoutRatio()));
        fc7 = child("fc7", new Conv2d(m, spec.fcChannels(), spec.fcChannels(), 1, 1, 0, 1, true));
        drop7 = child("drop7", Dropout.channels(spec.dropoutRatio()));
    }

    @Override
    public VGGSpec spec() {
        return spec;
    }

    /** [pool3, pool4, fc7]. */
    @Override
    public List<NDArray> forward(NDArray x) {
        NDArray pool1 = block(0, x);
        NDArray pool2 = block(1, pool1);
        Scope.discard(pool1);
        NDArray pool3 = block(2, pool2);
        Scope.discard(pool2);
        NDArray pool4 = block(3, pool3);
        NDArray pool5 = block(4, pool4);
        NDArray h6 = reluDropout(fc6, drop6, pool5);
        Scope.discard(pool5);
        NDArray h7 = reluDropout(fc7, drop7, h6);
        Scope.discard(h6);
        return List.of(pool3, pool4, h7);
    }

    /** Block b's convolutions and ReLUs, then its pool; frees everything in between, but not x. */
    private NDArray block(int b, NDArray x) {
        NDArray h = x;
        for (Conv2d conv : blocks.get(b)) {
            NDArray next = reluConv(conv, h);
            if (h != x) {
                Scope.discard(h);
            }
            h = next;
        }
        NDArray pooled = pool.forward(h);
        Scope.discard(h);
        return pooled;
    }

    private static NDArray reluDropout(Conv2d conv, Layer dropout, NDArray x) {
        NDArray h = reluConv(conv, x);
        NDArray out = dropout.forward(h);
        if (out != h) {
            Scope.discard(h);
        }
        return out;
    }

    /** relu(conv(x)), freeing the conv output (ReLU's backward reads its own output, not its input). */
    private static NDArray reluConv(Conv2d conv, NDArray x) {
        NDArray c = conv.forward(x);
        NDArray out = Functional.relu(c);
        Scope.discard(c);
        return out;
    }
}
