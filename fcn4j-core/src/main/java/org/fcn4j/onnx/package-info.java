/**
 * ONNX: {@code fcn4j export} ({@link org.fcn4j.onnx.OnnxExport}, the graph recorded from a forward pass by
 * {@link org.fcn4j.nn.OnnxTrace}) and ONNX Runtime as a second inference engine
 * ({@link org.fcn4j.onnx.OrtSegmentor}) behind the same {@link org.fcn4j.model.Segmentor} as fcn4j's own model.
 */
package org.fcn4j.onnx;
