package org.fcn4j.data;

import org.fcn4j.image.LabelMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;

/**
 * MMSegmentation's datasets as file lists: {@code BaseSegDataset} (a folder of images and a folder of
 * label maps with matching names and given suffixes, searched recursively, or the stems of an
 * {@code ann_file}), and its presets {@code CityscapesDataset}, {@code ADE20KDataset} (reduce_zero_label)
 * and {@code PascalVOCDataset} (split file).
 */
public record SegDataset(String type, List<Sample> samples, boolean reduceZeroLabel, Path root, DatasetMeta metainfo) {
    /** One image and its label map (null when the dataset has none). */
    public record Sample(Path image, Path labels) {}

    /** Reads {@code dataset}; with {@code needLabels} every image must have its label map. */
    public static SegDataset parse(ConfigNode n, boolean needLabels) {
        String type = n.oneOf("type", "BaseSegDataset", "BaseSegDataset", "CityscapesDataset", "ADE20KDataset",
                "PascalVOCDataset");
        String imgSuffix = n.string("img_suffix", defaultImgSuffix(type));
        String segSuffix = n.string("seg_map_suffix", defaultSegSuffix(type));
        boolean reduceZero = n.bool("reduce_zero_label", type.equals("ADE20KDataset"));
        Path root = Path.of(n.string("data_root", ""));
        ConfigNode prefix = n.dict("data_prefix");
        String imgDir = prefix == null ? "" : prefix.string("img_path", "");
        String segDir = prefix == null ? "" : prefix.string("seg_map_path", "");
        if (prefix != null) {
            prefix.finish();
        }
        String annFile = n.string("ann_file", "");
        if (type.equals("PascalVOCDataset") && annFile.isEmpty()) {
            throw n.error("ann_file", "PascalVOCDataset needs a split file (e.g. ImageSets/Segmentation/val.txt)");
        }
        DatasetMeta metainfo = metainfo(n);
        n.accept("pipeline", "serialize_data", "lazy_init", "test_mode", "backend_args", "ignore_index",
                "indices", "max_refetch");
        n.finish();
        Path images = root.resolve(imgDir);
        Path labels = root.resolve(segDir);
        List<Sample> samples = new ArrayList<>();
        try {
            if (!annFile.isEmpty()) {
                Path split = root.resolve(annFile);
                if (!Files.isRegularFile(split)) {
                    throw new ConfigException(n.pathOf("ann_file") + ": no such split file " + split);
                }
                for (String line : Files.readAllLines(split)) {
                    String stem = line.trim();
                    if (!stem.isEmpty()) {
                        samples.add(new Sample(images.resolve(stem + imgSuffix), labels.resolve(stem + segSuffix)));
                    }
                }
            } else {
                if (!Files.isDirectory(images)) {
                    throw new ConfigException(n.pathOf("data_prefix") + ".img_path: no such folder " + images);
                }
                try (Stream<Path> s = Files.walk(images)) {
                    s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(imgSuffix)).sorted()
                            .forEach(p -> {
                                String rel = images.relativize(p).toString();
                                String seg = rel.substring(0, rel.length() - imgSuffix.length()) + segSuffix;
                                samples.add(new Sample(p, labels.resolve(seg)));
                            });
                }
            }
        } catch (IOException e) {
            throw new ConfigException(n.path() + ": cannot list the dataset: " + e.getMessage(), e);
        }
        if (samples.isEmpty()) {
            throw new ConfigException(n.path() + ": no images ending in '" + imgSuffix + "' under " + images);
        }
        if (needLabels) {
            for (Sample s : samples) {
                if (!Files.isRegularFile(s.labels())) {
                    throw new ConfigException(n.path() + ": image " + s.image() + " has no label map " + s.labels());
                }
            }
        }
        return new SegDataset(type, samples, reduceZero, root, metainfo);
    }

    /** {@code metainfo: {classes: [...], palette: [[r, g, b], ...]}}, or null when absent. */
    private static DatasetMeta metainfo(ConfigNode n) {
        ConfigNode m = n.dict("metainfo");
        if (m == null) {
            return null;
        }
        Object classes = m.value("classes");
        if (!(classes instanceof List) || ((List<?>) classes).isEmpty()) {
            throw m.error("classes", "expected a non-empty list of class names");
        }
        List<String> names = new ArrayList<>();
        ((List<?>) classes).forEach(c -> names.add(String.valueOf(c)));
        int[][] palette = DatasetMeta.generated(names.size()).palette();
        if (m.value("palette") != null) {
            Object p = m.value("palette");
            if (!(p instanceof List) || ((List<?>) p).size() != names.size()) {
                throw m.error("palette", "expected one [r, g, b] per class (" + names.size() + ")");
            }
            for (int i = 0; i < names.size(); i++) {
                Object rgb = ((List<?>) p).get(i);
                if (!(rgb instanceof List) || ((List<?>) rgb).size() != 3) {
                    throw m.error("palette", "entry " + i + " is not [r, g, b]");
                }
                for (int c = 0; c < 3; c++) {
                    palette[i][c] = ((Number) ((List<?>) rgb).get(c)).intValue();
                }
            }
        }
        m.finish();
        return new DatasetMeta(names, palette);
    }

    /** Class names and colours: the config's metainfo, else those fcn4j knows for the type, else generated. */
    public DatasetMeta meta(int numClasses) {
        if (metainfo != null && metainfo.classes().size() == numClasses) {
            return metainfo;
        }
        return DatasetMeta.forDataset(type, numClasses);
    }

    private static String defaultImgSuffix(String type) {
        return type.equals("CityscapesDataset") ? "_leftImg8bit.png" : ".jpg";
    }

    private static String defaultSegSuffix(String type) {
        return type.equals("CityscapesDataset") ? "_gtFine_labelTrainIds.png" : ".png";
    }

    /** A sample's labels as the metric sees them (reduce_zero_label applied: 0 -> 255, v -> v - 1). */
    public LabelMap labels(Sample s) {
        return labels(s, reduceZeroLabel);
    }

    /** A sample's labels, with or without the reduce_zero_label mapping. */
    public static LabelMap labels(Sample s, boolean reduceZeroLabel) {
        LabelMap raw = Images.readLabel(s.labels());
        if (!reduceZeroLabel) {
            return raw;
        }
        int[] out = new int[raw.labels().length];
        for (int i = 0; i < out.length; i++) {
            int v = raw.labels()[i];
            out[i] = v == 0 || v == 255 ? 255 : v - 1;
        }
        return new LabelMap(raw.height(), raw.width(), out);
    }
}
