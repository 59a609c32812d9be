package org.fcn4j.data;

import java.nio.file.Path;
import java.util.List;
import org.fcn4j.image.LabelMap;

/**
 * MMSegmentation's datasets as file lists: {@code BaseSegDataset} (a folder of images and a folder of
 * label maps with matching names and given suffixes, searched recursively, or the stems of an
 * {@code ann_file}), and its presets {@code CityscapesDataset}, {@code ADE20KDataset} (reduce_zero_label)
 * and {@code PascalVOCDataset} (split file), listed from a {@link DatasetSpec}.
 */
public record SegDataset(String type, List<Sample> samples, boolean reduceZeroLabel, Path root, DatasetMeta metainfo) {
    /** One image and its label map (null when the dataset has none). */
    public record Sample(Path image, Path labels) {}

    /** Class names and colours: the config's metainfo, else those fcn4j knows for the type, else generated. */
    public DatasetMeta meta(int numClasses) {
        if (metainfo != null && metainfo.classes().size() == numClasses) {
            return metainfo;
        }
        return DatasetMeta.forDataset(type, numClasses);
    }

    /** A sample's labels as the metric sees them (reduce_zero_label applied: 0 -> 255, v -> v - 1). */
    public LabelMap labels(Sample s) {
        return labels(s, reduceZeroLabel);
    }

    /** A sample's labels, with or without the reduce_zero_label mapping. */
    public static LabelMap labels(Sample s, boolean reduceZeroLabel) {
        LabelMap raw = Images.readLabel(s.labels());
        return reduceZeroLabel ? reduceZeroLabel(raw) : raw;
    }

    /** mmseg's {@code reduce_zero_label} (LoadAnnotations): 0 -> 255 (ignore), v -> v - 1, 255 stays 255. */
    public static LabelMap reduceZeroLabel(LabelMap raw) {
        int[] out = new int[raw.labels().length];
        for (int i = 0; i < out.length; i++) {
            int v = raw.labels()[i];
            out[i] = v == 0 || v == 255 ? 255 : v - 1;
        }
        return new LabelMap(raw.height(), raw.width(), out);
    }
}
