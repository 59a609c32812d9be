package org.fcn4j.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.data.Images;
import org.fcn4j.data.SegDataset;
import org.fcn4j.experiment.Config;
import org.fcn4j.experiment.TrainSettings;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.LabeledImage;
import org.fcn4j.image.RgbImage;
import org.fcn4j.viz.Pngs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fcn4j browse-dataset}: MMSegmentation's {@code tools/analysis_tools/browse_dataset.py}. */
@Command(
        name = "browse-dataset",
        mixinStandardHelpOptions = true,
        description = "Draw what training sees: for the first N samples of the config's train_dataloader, one PNG "
                + "with the image, its label overlay, the train_pipeline's output (augmented image) and that output's "
                + "label overlay, side by side (ignored pixels are left uncoloured).")
final class BrowseDatasetCommand implements Callable<Integer> {
    private static final int GAP = 4;

    @Parameters(index = "0", paramLabel = "CONFIG", description = Presets.CONFIG)
    String config;

    @Option(names = "--out-dir", required = true, paramLabel = "DIR", description = "Where the PNGs go.")
    Path outDir;

    @Option(
            names = "--n",
            paramLabel = "N",
            defaultValue = "10",
            description = "Samples to draw (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "Seed of the random augmentations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ConfigOverrides overrides;

    @Override
    public Integer call() throws Exception {
        if (n < 1) {
            throw new UserError("--n: must be >= 1 but got " + n);
        }
        Config cfg = overrides.load(config);
        TrainSettings train = cfg.train();
        SegDataset data = train.trainData().load(true);
        DatasetMeta meta = data.meta(cfg.model().decodeHead().numClasses());
        Files.createDirectories(outDir);
        SplittableRandom rng = new SplittableRandom(seed);
        List<SegDataset.Sample> samples =
                data.samples().subList(0, Math.min(n, data.samples().size()));
        for (SegDataset.Sample sample : samples) {
            LabeledImage original = new LabeledImage(Images.readRgb(sample.image()), data.labels(sample));
            LabeledImage augmented = train.pipeline().apply(original, rng.split());
            Path png = outDir.resolve(sample.image().getFileName().toString().replaceAll("\\.[^.]+$", "") + ".png");
            Pngs.write(
                    png,
                    row(
                            Pngs.image(original.image()),
                            overlay(original.image(), original.labels(), meta),
                            Pngs.image(augmented.image()),
                            overlay(augmented.image(), augmented.labels(), meta)));
        }
        System.out.println("wrote " + samples.size() + " images to " + outDir);
        return 0;
    }

    private static BufferedImage overlay(RgbImage image, LabelMap labels, DatasetMeta meta) {
        return Pngs.overlay(image, labels, meta.palette());
    }

    /** The panels left to right, top-aligned on a white background, GAP pixels apart. */
    private static BufferedImage row(BufferedImage... panels) {
        int width = -GAP;
        int height = 0;
        for (BufferedImage p : panels) {
            width += p.getWidth() + GAP;
            height = Math.max(height, p.getHeight());
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int x = 0;
        for (BufferedImage p : panels) {
            g.drawImage(p, x, 0, null);
            x += p.getWidth() + GAP;
        }
        g.dispose();
        return out;
    }
}
