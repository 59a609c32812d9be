package org.fcn4j.model;

/**
 * A training batch ready for the model: normalised images (N, 3, H, W) and labels (N, H, W), padded to
 * a common size with the preprocessor's pad values.
 */
public record TrainBatch(int n, int height, int width, float[] images, long[] labels) {}
