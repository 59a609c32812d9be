package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.ConvModule;
import org.fcn4j.nn.Layer;
import org.fcn4j.nn.Scope;

/**
 * ResNet-50/101/152 block, 'pytorch' style: 1x1 conv1, then the 3x3 conv2 carrying stride and dilation
 * (padding = dilation), then 1x1 conv3 to 4x planes; identity or downsample shortcut.
 */
public final class Bottleneck extends Layer {
    public static final int EXPANSION = 4;

    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final Conv2d conv2;
    public final BatchNorm2d bn2;
    public final Conv2d conv3;
    public final BatchNorm2d bn3;
    public final Layer downsample;

    Bottleneck(NDManager m, int inplanes, int planes, int stride, int dilation, Layer downsample) {
        conv1 = child("conv1", Conv2d.conv1x1(m, inplanes, planes, 1));
        bn1 = child("bn1", new BatchNorm2d(m, planes));
        conv2 = child("conv2", Conv2d.conv3x3(m, planes, planes, stride, dilation));
        bn2 = child("bn2", new BatchNorm2d(m, planes));
        conv3 = child("conv3", Conv2d.conv1x1(m, planes, planes * EXPANSION, 1));
        bn3 = child("bn3", new BatchNorm2d(m, planes * EXPANSION));
        this.downsample = downsample == null ? null : child("downsample", downsample);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray out = ConvModule.convBnRelu(conv1, bn1, x);
        NDArray next = ConvModule.convBnRelu(conv2, bn2, out);
        Scope.discard(out);
        out = ConvModule.convBn(conv3, bn3, next);
        Scope.discard(next);
        return ConvModule.residual(out, x, downsample);
    }
}
