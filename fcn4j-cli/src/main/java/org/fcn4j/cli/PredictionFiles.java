package org.fcn4j.cli;

import java.nio.file.Path;
import org.fcn4j.data.SegDataset;
import org.fcn4j.image.RgbImage;
import org.fcn4j.infer.Evaluation;
import org.fcn4j.infer.Segmentation;
import org.fcn4j.viz.Pngs;

/** Writes each evaluated image's label PNG and colour overlay, named after the image, to the folders given (null: not written). */
final class PredictionFiles implements Evaluation.Visitor {
    private final Path labelDir;
    private final Path overlayDir;
    private final int[][] palette;

    PredictionFiles(Path labelDir, Path overlayDir, int[][] palette) {
        this.labelDir = labelDir;
        this.overlayDir = overlayDir;
        this.palette = palette;
    }

    @Override
    public void visit(SegDataset.Sample sample, RgbImage image, Segmentation prediction) {
        String stem = Inputs.stem(sample.image());
        if (labelDir != null) {
            Pngs.writeLabels(labelDir.resolve(stem + ".png"), prediction.labels());
        }
        if (overlayDir != null) {
            Pngs.write(overlayDir.resolve(stem + ".png"), Pngs.overlay(image, prediction.labels(), palette));
        }
    }
}
