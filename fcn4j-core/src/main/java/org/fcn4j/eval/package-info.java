/**
 * Metrics: MMSegmentation's {@link org.fcn4j.eval.IoUMetric} (a label outside the classes is an error here),
 * the {@code val_evaluator} / {@code test_evaluator} sections ({@code EvaluatorSpec}) and
 * {@code metrics.json}.
 *
 * <p>May use: config, util. Counterpart: {@code mmseg/evaluation/metrics/iou_metric.py}.
 */
package org.fcn4j.eval;
