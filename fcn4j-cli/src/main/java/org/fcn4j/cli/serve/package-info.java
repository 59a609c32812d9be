/**
 * {@code fcn4j serve}: an HTTP server on Jetty's core API around one loaded {@code Segmenter}
 * ({@code POST /v1/segment}, {@code GET /healthz}, {@code GET /metrics}), with bounded admission, body and pixel
 * limits, connection limits and deadlines against slow or hostile clients, Prometheus metrics and a graceful
 * drain on SIGTERM.
 *
 * <p>May use the fcn4j-core packages (infer, data, image, model, viz); the commands in {@code org.fcn4j.cli}
 * start it. No MMSegmentation counterpart (its closest is the TorchServe handler in {@code tools/torchserve}).
 */
package org.fcn4j.cli.serve;
