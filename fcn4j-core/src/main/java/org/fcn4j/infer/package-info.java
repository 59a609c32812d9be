/**
 * The public inference API: {@link org.fcn4j.infer.Segmenter} loads a model once and segments images (test
 * pipeline, whole or slide inference, TTA, labels at the original size), each call in its own memory scope;
 * a DJL {@code Translator} over it, and {@code Evaluation}, a segmenter over a labelled dataset.
 *
 * <p>May use: nn, config, util, image, io, data, eval, model, experiment. Counterpart:
 * {@code mmseg/apis/inference.py} and mmengine's {@code TestLoop}.
 */
package org.fcn4j.infer;
