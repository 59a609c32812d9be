/**
 * Data as MMSegmentation's loaders see it: image and label decoding ({@link org.fcn4j.data.Images}),
 * bit-exact {@code cv2.resize} ({@link org.fcn4j.data.CvResize}), datasets as file lists ({@link
 * org.fcn4j.data.SegDataset}, {@code DatasetSpec}), class names and palettes, the test
 * pipeline, mmengine's {@code InfiniteSampler} and the threaded {@link org.fcn4j.data.BatchLoader}, which
 * yields augmented uint8 samples (normalising is the model's {@code SegDataPreProcessor}).
 *
 * <p>May use: config, image, util. Counterpart: {@code mmseg/datasets}, {@code mmcv/image}, mmengine's
 * samplers.
 */
package org.fcn4j.data;
