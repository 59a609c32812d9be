/**
 * PyTorch's building blocks over DJL NDArrays: stateless operators ({@link org.fcn4j.nn.Functional}, as
 * {@code torch.nn.functional}), a module tree whose dotted names are the state_dict keys ({@link
 * org.fcn4j.nn.Module}), conv/BN/dropout/pooling layers, mmcv's {@code ConvModule}, BatchNorm folding and
 * bf16/channels-last weights, and the memory rules ({@link org.fcn4j.nn.Scope}). {@link org.fcn4j.nn.Torch} is
 * the one class that touches the DJL engine.
 *
 * <p>A foundation layer: it uses no other fcn4j package. Counterpart: {@code torch.nn} and {@code mmcv/cnn}.
 */
package org.fcn4j.nn;
