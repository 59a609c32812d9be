package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvModule;
import org.fcn4j.nn.Layer;
import org.fcn4j.nn.Scope;

/** ResNet-18/34 block: stride and dilation on conv1 (3x3), a plain 3x3 conv2, identity or downsample shortcut. */
public final class BasicBlock extends Layer {
    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final Conv2d conv2;
    public final BatchNorm2d bn2;
    public final Layer downsample;

    BasicBlock(NDManager m, int inplanes, int planes, int stride, int dilation, Layer downsample) {
        conv1 = child("conv1", Conv2d.conv3x3(m, inplanes, planes, stride, dilation));
        bn1 = child("bn1", new BatchNorm2d(m, planes));
        conv2 = child("conv2", Conv2d.conv3x3(m, planes, planes, 1, 1));
        bn2 = child("bn2", new BatchNorm2d(m, planes));
        this.downsample = downsample == null ? null : child("downsample", downsample);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray out = ConvModule.convBnRelu(conv1, bn1, x);
        NDArray c2 = ConvModule.convBn(conv2, bn2, out);
        Scope.discard(out);
        return ConvModule.residual(c2, x, downsample);
    }
}
