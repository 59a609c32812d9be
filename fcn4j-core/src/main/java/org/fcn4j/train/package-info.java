/**
 * Training: {@link org.fcn4j.train.Trainer} (the iteration loop with validation, checkpoints, bit-exact resume
 * and Ctrl-C handling), {@link org.fcn4j.train.TrainStep} (forward, losses, backward and the SGD update in one
 * memory scope) and {@code log.jsonl}.
 *
 * <p>May use: nn, config, util, image, io, data, optim, model, experiment, infer, eval. Counterpart:
 * mmengine's {@code IterBasedTrainLoop} ({@code mmengine/runner/loops.py}) and MMSegmentation's
 * {@code tools/train.py}.
 */
package org.fcn4j.train;
