/**
 * The training pipeline: the {@link org.fcn4j.data.transform.Transform} interface (all randomness from the
 * caller's generator), {@link org.fcn4j.data.transform.TrainPipeline} (the registry of the config's
 * {@code train_pipeline} steps), the random transforms and a bit-exact port of OpenCV's 8-bit HSV conversions.
 *
 * <p>Part of the data layer (may use config, image, util). Counterpart:
 * {@code mmseg/datasets/transforms/transforms.py} and {@code mmcv/transforms/processing.py}.
 */
package org.fcn4j.data.transform;
