/**
 * Optimisation: {@link org.fcn4j.optim.Sgd} with PyTorch's update rule and optional global-norm clipping, and
 * {@link org.fcn4j.optim.LrSchedule} with mmengine's chainable {@code PolyLR} and {@code LinearLR}.
 *
 * <p>May use: config, nn. Counterpart: {@code torch/optim/sgd.py} and {@code mmengine/optim/scheduler}.
 */
package org.fcn4j.optim;
