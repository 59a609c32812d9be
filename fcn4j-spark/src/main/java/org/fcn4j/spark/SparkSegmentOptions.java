package org.fcn4j.spark;

import java.io.Serializable;
import java.util.Locale;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.SegmentOptions;
import org.fcn4j.nn.TensorFormat;

/**
 * What an executor needs to segment as {@code fcn4j predict} would: the config, resolved on the driver
 * ({@code _base_} files and {@code --cfg-options} already applied, so executors need no config files), the
 * checkpoint's name among the files shipped with {@code SparkContext.addFile}, and the inference options.
 * Equal options share one loaded model per executor JVM.
 *
 * @param configYaml the resolved config ({@link Config#yaml()})
 * @param checkpointName the checkpoint's file name, as {@code SparkFiles.get} finds it on an executor
 * @param precision fp32 or bf16, as {@code predict --precision}
 * @param overlay also write {@code NAME_overlay.png}
 * @param saveLogits also write {@code NAME.npy}
 */
public record SparkSegmentOptions(
        String configYaml,
        String checkpointName,
        boolean tta,
        String precision,
        boolean channelsLast,
        boolean overlay,
        boolean saveLogits)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public SparkSegmentOptions {
        precision = checkedPrecision(precision);
    }

    /** fp32 or bf16, in any case; anything else is refused with the value. */
    static String checkedPrecision(String precision) {
        String p = precision.toLowerCase(Locale.ROOT);
        if (!p.equals("fp32") && !p.equals("bf16")) {
            throw new IllegalArgumentException("--precision: expected fp32 or bf16 but got '" + precision + "'");
        }
        return p;
    }

    /** Options for {@code config} and a checkpoint shipped under {@code checkpointName}: whole inference, fp32. */
    public static SparkSegmentOptions of(Config config, String checkpointName) {
        return new SparkSegmentOptions(config.yaml(), checkpointName, false, "fp32", false, false, false);
    }

    public SparkSegmentOptions withTta(boolean on) {
        return new SparkSegmentOptions(configYaml, checkpointName, on, precision, channelsLast, overlay, saveLogits);
    }

    public SparkSegmentOptions withFormat(String newPrecision, boolean newChannelsLast) {
        return new SparkSegmentOptions(
                configYaml, checkpointName, tta, newPrecision, newChannelsLast, overlay, saveLogits);
    }

    public SparkSegmentOptions withOutputs(boolean newOverlay, boolean newSaveLogits) {
        return new SparkSegmentOptions(
                configYaml, checkpointName, tta, precision, channelsLast, newOverlay, newSaveLogits);
    }

    /** The fast path to freeze the model into, or null for the exact float32 model (as {@code predict}). */
    TensorFormat format() {
        boolean bf16 = precision.equals("bf16");
        return bf16 || channelsLast ? new TensorFormat(bf16, channelsLast) : null;
    }

    SegmentOptions segmentOptions() {
        return SegmentOptions.DEFAULT.withTta(tta).withScores(saveLogits);
    }
}
