package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvModule;
import org.fcn4j.nn.Layer;
import org.fcn4j.nn.MaxPool2d;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Relu;
import org.fcn4j.nn.Scope;
import org.fcn4j.nn.Sequential;
import org.fcn4j.nn.Tensor;

/**
 * MMSegmentation's {@code ResNet} / {@code ResNetV1c}: a stem (one 7x7 conv, or three 3x3 convs for V1c),
 * a 3x3 max-pool, then {@code layer1..layerN} of Basic or Bottleneck blocks with per-stage stride and
 * dilation. Returns the outputs of the stages listed in {@code out_indices}.
 */
public final class ResNet extends Module {
    private final BackboneSpec spec;
    /** The V1c deep stem, or null for the 7x7 stem ({@code conv1}, {@code bn1}). */
    private final Sequential stem;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final MaxPool2d maxpool = new MaxPool2d(3, 2, 1, false);
    private final List<Sequential> stages = new ArrayList<>();

    public ResNet(NDManager m, BackboneSpec spec) {
        this.spec = spec;
        int s = spec.stemChannels();
        if (spec.deepStem()) {
            stem = child(
                    "stem",
                    new Sequential(
                            new Conv2d(m, spec.inChannels(), s / 2, 3, 2, 1, 1, false),
                            new BatchNorm2d(m, s / 2),
                            new Relu(),
                            new Conv2d(m, s / 2, s / 2, 3, 1, 1, 1, false),
                            new BatchNorm2d(m, s / 2),
                            new Relu(),
                            new Conv2d(m, s / 2, s, 3, 1, 1, 1, false),
                            new BatchNorm2d(m, s),
                            new Relu()));
            conv1 = null;
            bn1 = null;
        } else {
            stem = null;
            conv1 = child("conv1", new Conv2d(m, spec.inChannels(), s, 7, 2, 3, 1, false));
            bn1 = child("bn1", new BatchNorm2d(m, s));
        }
        int inplanes = s;
        int[] blocks = spec.stageBlocks();
        for (int i = 0; i < spec.numStages(); i++) {
            int planes = spec.baseChannels() << i;
            int[] grid = i == spec.numStages() - 1 ? spec.multiGrid() : null;
            stages.add(child(
                    "layer" + (i + 1),
                    resLayer(m, inplanes, planes, blocks[i], spec.strides()[i], spec.dilations()[i], grid)));
            inplanes = planes * spec.expansion();
        }
        if (spec.zeroInitResidual()) {
            zeroLastNorms();
        }
    }

    /** mmseg's ResLayer: block 0 takes the stride (and the contracted or multi-grid dilation). */
    private Sequential resLayer(NDManager m, int inplanes, int planes, int n, int stride, int dilation, int[] grid) {
        int outplanes = planes * spec.expansion();
        Layer downsample = null;
        if (stride != 1 || inplanes != outplanes) {
            downsample = new Sequential(
                    new Conv2d(m, inplanes, outplanes, 1, stride, 0, 1, false), new BatchNorm2d(m, outplanes));
        }
        int first = grid != null ? grid[0] : (dilation > 1 && spec.contractDilation() ? dilation / 2 : dilation);
        Sequential layer = new Sequential(block(m, inplanes, planes, stride, first, downsample));
        for (int b = 1; b < n; b++) {
            layer.add(block(m, outplanes, planes, 1, grid != null ? grid[b] : dilation, null));
        }
        return layer;
    }

    private Layer block(NDManager m, int inplanes, int planes, int stride, int dilation, Layer downsample) {
        return spec.bottleneck()
                ? new Bottleneck(m, inplanes, planes, stride, dilation, downsample)
                : new BasicBlock(m, inplanes, planes, stride, dilation, downsample);
    }

    /** zero_init_residual: each block starts as the identity (its last BN weight is 0). */
    private void zeroLastNorms() {
        for (Sequential stage : stages) {
            for (int b = 0; b < stage.size(); b++) {
                Layer block = stage.get(b);
                Tensor w = block instanceof Bottleneck
                        ? ((Bottleneck) block).bn3.weight()
                        : ((BasicBlock) block).bn2.weight();
                w.get().muli(0);
            }
        }
    }

    public BackboneSpec spec() {
        return spec;
    }

    public Sequential stage(int i) {
        return stages.get(i);
    }

    /** The stage outputs listed in out_indices. */
    public List<NDArray> forward(NDArray x) {
        NDArray stemOut = stem != null ? stem.forward(x) : ConvModule.convBnRelu(conv1, bn1, x);
        x = maxpool.forward(stemOut);
        Scope.discard(stemOut);
        List<NDArray> outs = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            NDArray in = x;
            x = stages.get(i).forward(in);
            if (outs.stream().noneMatch(o -> o == in)) {
                Scope.discard(in); // a stage input that is not an output is no longer needed
            }
            for (int idx : spec.outIndices()) {
                if (idx == i) {
                    outs.add(x);
                }
            }
        }
        return outs;
    }

    /** norm_eval keeps every BN in eval mode (frozen running statistics) even while training. */
    @Override
    public void train(boolean mode) {
        super.train(mode);
        if (mode && spec.normEval()) {
            freezeNorms(this);
        }
    }

    private static void freezeNorms(Module module) {
        for (Module c : module.children().values()) {
            if (c instanceof BatchNorm2d) {
                c.eval();
            } else {
                freezeNorms(c);
            }
        }
    }
}
