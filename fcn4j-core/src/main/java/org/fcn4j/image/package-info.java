/**
 * Image value types shared by data, model, viz and infer: {@link org.fcn4j.image.RgbImage} (8-bit HWC, RGB
 * order), {@link org.fcn4j.image.LabelMap} (a class index per pixel) and {@link org.fcn4j.image.LabeledImage}
 * (the two, of one size).
 *
 * <p>A foundation layer: it uses no other fcn4j package. Counterpart: the {@code img} and {@code gt_seg_map}
 * arrays of an mmcv pipeline's results dict.
 */
package org.fcn4j.image;
