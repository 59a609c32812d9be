package org.fcn4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.data.transform.RandomCrop;
import org.fcn4j.data.transform.RandomFlip;
import org.fcn4j.data.transform.TrainPipeline;
import org.fcn4j.demo.SyntheticScenes;
import org.fcn4j.image.LabelMap;
import org.fcn4j.model.SegDataPreProcessor;
import org.fcn4j.model.TrainBatch;
import org.fcn4j.viz.Pngs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training data: reduce_zero_label, the sampler, and batches that depend only on the seed and position. */
class BatchLoaderTest {
    @TempDir
    static Path root;

    static SegDataset dataset;

    @BeforeAll
    static void scenes() throws Exception {
        SyntheticScenes.write(root, 6, 1, 24, 5);
        dataset = DatasetSpec.parse(new ConfigNode(
                        "dataset",
                        Map.of(
                                "type",
                                "BaseSegDataset",
                                "data_root",
                                root.toString(),
                                "img_suffix",
                                ".png",
                                "seg_map_suffix",
                                ".png",
                                "data_prefix",
                                Map.of("img_path", "images/train", "seg_map_path", "masks/train"))))
                .load(true);
    }

    @Test
    void reduceZeroLabelMapsZeroToIgnoreAndShiftsTheRest(@TempDir Path dir) {
        Path png = dir.resolve("l.png");
        Pngs.writeLabels(png, new LabelMap(1, 4, new int[] {0, 1, 150, 255}));
        SegDataset.Sample s = new SegDataset.Sample(png, png);
        assertThat(SegDataset.labels(s, true).labels()).containsExactly(255, 0, 149, 255);
        assertThat(SegDataset.labels(s, false).labels()).containsExactly(0, 1, 150, 255);
    }

    @Test
    void shuffledSamplerVisitsEverySampleOncePerPassInANewOrder() {
        InfiniteSampler sampler = new InfiniteSampler(50, true, 3);
        int[] first = new int[50];
        int[] second = new int[50];
        for (int i = 0; i < 50; i++) {
            first[i] = sampler.index(i);
            second[i] = sampler.index(50 + i);
        }
        assertThat(first)
                .containsExactlyInAnyOrder(
                        java.util.stream.IntStream.range(0, 50).toArray());
        assertThat(second).containsExactlyInAnyOrder(first).isNotEqualTo(first);
        assertThat(new InfiniteSampler(50, false, 3).index(73)).isEqualTo(23);
    }

    private static TrainBatch batchAt(int workers, long position) {
        TrainPipeline pipeline =
                new TrainPipeline(List.of(new RandomCrop(16, 20, 0.75, 255), new RandomFlip(0.5)), null);
        SegDataPreProcessor pre = new SegDataPreProcessor(
                SegDataPreProcessor.IMAGENET_MEAN, SegDataPreProcessor.IMAGENET_STD, true, 0, 255, new int[] {18, 20});
        try (BatchLoader<SegDataPreProcessor.Sample> loader =
                new BatchLoader<>(dataset, pipeline, pre::normalise, 6, 3, true, workers, 11, position)) {
            return pre.collate(loader.next());
        }
    }

    @Test
    void batchesDependOnSeedAndPositionNotOnWorkersAndArePaddedToSize() {
        TrainBatch inline = batchAt(0, 6);
        TrainBatch threaded = batchAt(2, 6);
        assertThat(threaded.images()).containsExactly(inline.images());
        assertThat(threaded.labels()).containsExactly(inline.labels());
        assertThat(inline.height()).isEqualTo(18);
        assertThat(inline.width()).isEqualTo(20);
        // rows 16 and 17 are padding: image 0 (after normalisation), labels 255
        int hw = 18 * 20;
        for (int x = 0; x < 20; x++) {
            assertThat(inline.labels()[17 * 20 + x]).isEqualTo(255);
            assertThat(inline.images()[hw * 2 + 16 * 20 + x]).isEqualTo(0f);
        }
        assertThat(batchAt(0, 9).images()).isNotEqualTo(inline.images());
    }
}
