package org.fcn4j.nn;

import ai.djl.ndarray.NDArray;

/** A module with one input and one output tensor. */
public abstract class Layer extends Module {
    public abstract NDArray forward(NDArray x);
}
