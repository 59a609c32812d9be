package org.fcn4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;

/**
 * A {@code dataset} section, checked when the config loads (no file is touched then); {@link #load}
 * lists its files when a command needs them.
 *
 * @param path the section's key path, for messages
 */
public record DatasetSpec(
        String path,
        String type,
        Path root,
        String imgDir,
        String segDir,
        String imgSuffix,
        String segSuffix,
        String annFile,
        boolean reduceZeroLabel,
        DatasetMeta metainfo) {

    public static DatasetSpec parse(ConfigNode n) {
        String type = n.oneOf(
                "type", "BaseSegDataset", "BaseSegDataset", "CityscapesDataset", "ADE20KDataset", "PascalVOCDataset");
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
        n.accept(
                "pipeline",
                "serialize_data",
                "lazy_init",
                "test_mode",
                "backend_args",
                "ignore_index",
                "indices",
                "max_refetch");
        n.finish();
        return new DatasetSpec(
                n.path(), type, root, imgDir, segDir, imgSuffix, segSuffix, annFile, reduceZero, metainfo);
    }

    /** Lists the samples; with {@code needLabels} every image must have its label map. */
    public SegDataset load(boolean needLabels) {
        Path images = root.resolve(imgDir);
        Path labels = root.resolve(segDir);
        List<SegDataset.Sample> samples = new ArrayList<>();
        try {
            if (!annFile.isEmpty()) {
                Path split = root.resolve(annFile);
                if (!Files.isRegularFile(split)) {
                    throw new ConfigException(path + ".ann_file: no such split file " + split);
                }
                for (String line : Files.readAllLines(split)) {
                    String stem = line.trim();
                    if (!stem.isEmpty()) {
                        samples.add(new SegDataset.Sample(
                                images.resolve(stem + imgSuffix), labels.resolve(stem + segSuffix)));
                    }
                }
            } else {
                if (!Files.isDirectory(images)) {
                    throw new ConfigException(path + ".data_prefix.img_path: no such folder " + images);
                }
                try (Stream<Path> s = Files.walk(images)) {
                    s.filter(p -> Files.isRegularFile(p)
                                    && p.getFileName().toString().endsWith(imgSuffix))
                            .sorted()
                            .forEach(p -> {
                                String rel = images.relativize(p).toString();
                                String seg = rel.substring(0, rel.length() - imgSuffix.length()) + segSuffix;
                                samples.add(new SegDataset.Sample(p, labels.resolve(seg)));
                            });
                }
            }
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot list the dataset: " + e.getMessage(), e);
        }
        if (samples.isEmpty()) {
            throw new ConfigException(path + ": no images ending in '" + imgSuffix + "' under " + images);
        }
        if (needLabels) {
            for (SegDataset.Sample s : samples) {
                if (!Files.isRegularFile(s.labels())) {
                    throw new ConfigException(path + ": image " + s.image() + " has no label map " + s.labels());
                }
            }
        }
        return new SegDataset(type, samples, reduceZeroLabel, root, metainfo);
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

    private static String defaultImgSuffix(String type) {
        return type.equals("CityscapesDataset") ? "_leftImg8bit.png" : ".jpg";
    }

    private static String defaultSegSuffix(String type) {
        return type.equals("CityscapesDataset") ? "_gtFine_labelTrainIds.png" : ".png";
    }
}
