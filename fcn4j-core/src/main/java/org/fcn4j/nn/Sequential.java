package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/** {@code nn.Sequential}: children named 0, 1, 2, ... applied in order. */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    public Sequential add(Layer layer) {
        child(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    public Layer get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public NDArray forward(NDArray input) {
        NDArray x = input;
        for (Layer l : layers) {
            NDArray y = l.forward(x);
            if (x != input && y != x) {
                Scope.discard(x);
            }
            x = y;
        }
        return x;
    }
}
