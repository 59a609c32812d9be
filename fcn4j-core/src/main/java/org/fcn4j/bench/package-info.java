/**
 * {@code fcn4j bench}: times an eval-mode forward (whole or slide) and a training step on random data, with
 * the achieved FLOP rate and peak resident memory.
 *
 * <p>An application layer; may use: nn, util, image, viz, data, optim, model, infer, train. Counterpart:
 * MMSegmentation's {@code tools/analysis_tools/benchmark.py}.
 */
package org.fcn4j.bench;
