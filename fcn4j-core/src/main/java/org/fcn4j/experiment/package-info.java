/**
 * The whole resolved config of a run: {@link org.fcn4j.experiment.Config} parses and checks every section
 * when it loads, before any tensor or file; {@link org.fcn4j.experiment.TrainSettings} holds the training
 * sections (loop, hooks, optimizer, schedule, data).
 *
 * <p>May use: config, data, eval, model, optim. Counterpart: an mmengine {@code Config} as
 * {@code mmengine/runner/runner.py} builds a run from it.
 */
package org.fcn4j.experiment;
