package org.fcn4j.examples;

import java.nio.file.Path;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmentation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.viz.Pngs;

/** Segments one image with a config and checkpoint: SegmentImage CONFIG CHECKPOINT IMAGE OUT.png */
public final class SegmentImage {
    private SegmentImage() {}

    public static void main(String[] args) {
        Config config = Config.load(args[0]); // a preset name or a YAML file
        try (Segmenter segmenter = Segmenter.load(config, Path.of(args[1]), System.err::println)) {
            Segmentation result = segmenter.segment(Path.of(args[2]));
            Pngs.writeLabels(Path.of(args[3]), result.labels()); // class indices, the original size
            long[] counts = result.pixelCounts();
            for (int c = 0; c < counts.length; c++) {
                System.out.printf(
                        "%-12s %6d pixels%n", segmenter.meta().classes().get(c), counts[c]);
            }
        }
    }
}
