package org.fcn4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny R-18 FCN for command tests: the core tests' checkpoint fixtures/ckpt/mmseg_zip.pth (5 classes) and a config
 * for it whose test pipeline resizes to 64x48 and whose test set lives under {@code dir/data}.
 */
public record SmallModel(Path config, Path checkpoint) {
    public static SmallModel write(Path dir) throws Exception {
        Path ckpt = dir.resolve("model.pth");
        try (var in = SmallModel.class.getResourceAsStream("/mmseg_zip.pth")) { // a file, or inside the test jar
            Files.copy(in, ckpt);
        }
        Path config = dir.resolve("cfg.yaml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "_base_: fcn_r18-d8_4xb2-80k_cityscapes-512x1024",
                        "model:",
                        "  backbone: {stem_channels: 16, base_channels: 8}",
                        "  decode_head: {in_channels: 64, channels: 16, num_classes: 5}",
                        "  auxiliary_head: {in_channels: 32, channels: 8, num_classes: 5}",
                        "test_pipeline: [{type: LoadImageFromFile}, {type: Resize, scale: [64, 48], keep_ratio: true}, "
                                + "{type: LoadAnnotations}, {type: PackSegInputs}]",
                        "test_dataloader:",
                        "  dataset: {type: BaseSegDataset, data_root: " + dir.resolve("data") + ", img_suffix: .jpg, "
                                + "data_prefix: {img_path: images, seg_map_path: masks}, pipeline: []}",
                        ""));
        return new SmallModel(config, ckpt);
    }

    /** A smooth colour pattern that gives the model several classes to choose between. */
    public static BufferedImage image(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, ((x * 5 & 0xff) << 16) | ((y * 6 & 0xff) << 8) | ((x * y) & 0xff));
            }
        }
        return img;
    }
}
