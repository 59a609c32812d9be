package org.fcn4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.demo.SyntheticScenes;
import org.fcn4j.experiment.Config;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.nn.Torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on a tiny FCN and generated scenes: files written, resume, divergence, stop requests. */
class TrainerTest {
    @TempDir
    static Path data;

    @BeforeAll
    static void scenes() throws Exception {
        SyntheticScenes.write(data, 8, 3, 32, 1);
    }

    private static Config config(String... overrides) {
        List<String> options = new ArrayList<>();
        for (String loader : new String[] {"train_dataloader", "val_dataloader", "test_dataloader"}) {
            options.add(loader + ".dataset.data_root=" + data);
        }
        options.addAll(List.of(overrides));
        return Config.load(Fixtures.path("train_tiny.yaml").toString(), options);
    }

    private static Trainer.Result train(Config cfg, Path dir, Path resume) throws Exception {
        return new Trainer(cfg, dir, new Trainer.Listener() {}, w -> {}).run(resume);
    }

    @Test
    void writesCheckpointsMarkerAndLogAtTheirIntervals(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("log.jsonl"), "a line from an earlier run\n");
        Trainer.Result r = train(config(), dir, null);
        assertThat(r.iterations()).isEqualTo(6);
        assertThat(r.interrupted()).isFalse();
        assertThat(dir.resolve("iter_3.pth")).isRegularFile();
        assertThat(dir.resolve("iter_6.pth")).isRegularFile();
        assertThat(Trainer.lastCheckpoint(dir))
                .isEqualTo(dir.resolve("iter_6.pth").toAbsolutePath());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("log.jsonl"))) {
            lines.add(new ObjectMapper().readTree(line));
        }
        List<JsonNode> train = lines.stream()
                .filter(n -> n.get("mode").asText().equals("train"))
                .toList();
        List<JsonNode> val =
                lines.stream().filter(n -> n.get("mode").asText().equals("val")).toList();
        assertThat(train).extracting(n -> n.get("iter").asInt()).containsExactly(2, 4, 6);
        for (String key : new String[] {
            "iter", "lr", "loss", "decode.loss_ce", "decode.acc_seg", "aux.loss_ce", "aux.acc_seg", "time"
        }) {
            assertThat(train.get(0).has(key)).as(key).isTrue();
        }
        assertThat(train.get(0).get("loss").asDouble())
                .isCloseTo(
                        train.get(0).get("decode.loss_ce").asDouble()
                                + train.get(0).get("aux.loss_ce").asDouble(),
                        org.assertj.core.api.Assertions.within(1e-5));
        assertThat(val).extracting(n -> n.get("iter").asInt()).containsExactly(3, 6);
        assertThat(val.get(0).has("mIoU")).isTrue();
        try (NDManager m = Torch.newManager()) {
            Checkpoint ckpt = Checkpoints.read(dir.resolve("iter_6.pth"), m);
            assertThat(ckpt.iteration()).isEqualTo(6);
            assertThat(ckpt.classes())
                    .containsExactly("background", "disc", "bar", "checked disc", "ring", "ring hole");
            assertThat(ckpt.optimizer()).isInstanceOf(Map.class);
        }
    }

    @Test
    void resumingAfterThreeIterationsEndsWithTheSameWeightsAsSixStraight(@TempDir Path straight, @TempDir Path split)
            throws Exception {
        train(config(), straight, null);
        Config half = config("train_cfg.max_iters=3");
        train(half, split, null);
        // the full config continues from iteration 3 (the schedule is the same: PolyLR ends at 6)
        Trainer.Result r = train(config(), split, split.resolve("iter_3.pth"));
        assertThat(r.iterations()).isEqualTo(6);
        // the 3-iteration run logged iterations 2 and 3 (its last); the resumed run appends 4 and 6
        assertThat(Files.readAllLines(split.resolve("log.jsonl")))
                .as("the resumed run appends to the log")
                .filteredOn(l -> l.contains("\"train\""))
                .hasSize(4);
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> a =
                    Checkpoints.read(straight.resolve("iter_6.pth"), m).stateDict();
            Map<String, NDArray> b =
                    Checkpoints.read(split.resolve("iter_6.pth"), m).stateDict();
            assertThat(b.keySet()).isEqualTo(a.keySet());
            for (String key : a.keySet()) {
                assertThat(b.get(key)
                                .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                                .toDoubleArray())
                        .as(key)
                        .containsExactly(a.get(key)
                                .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                                .toDoubleArray());
            }
            Map<String, NDArray> start =
                    Checkpoints.read(split.resolve("iter_3.pth"), m).stateDict();
            assertThat(start.get("decode_head.conv_seg.weight").toFloatArray())
                    .isNotEqualTo(a.get("decode_head.conv_seg.weight").toFloatArray());
        }
    }

    /**
     * Garbage collection must not reach the autograd graph: a graph that keeps a tensor over Java memory
     * reads freed memory in backward once the collector runs (DJL's tensor-times-number did that; the
     * full suite failed about once in ten runs, and a collector called every 2 ms broke every run).
     */
    @Test
    void trainingGivesTheSameLossesWhileTheGarbageCollectorRunsConstantly(@TempDir Path quiet, @TempDir Path busy)
            throws Exception {
        List<Double> expected = losses(quiet);
        Thread collector = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        collector.setDaemon(true);
        collector.start();
        try {
            assertThat(losses(busy)).containsExactlyElementsOf(expected);
        } finally {
            collector.interrupt();
        }
    }

    private static List<Double> losses(Path dir) throws Exception {
        Config cfg = config();
        List<Double> losses = new ArrayList<>();
        new Trainer(
                        cfg,
                        dir,
                        new Trainer.Listener() {
                            @Override
                            public void iteration(long done, long total, double loss) {
                                losses.add(loss);
                            }
                        },
                        w -> {})
                .run(null);
        assertThat(losses).hasSize(6);
        return losses;
    }

    @Test
    void theFinitenessCheckBeforeSavingLeavesNothingInTheModelsMemory() {
        try (NDManager m = Torch.newManager()) {
            NDArray weight = m.randomNormal(new Shape(64, 32, 3, 3));
            int before = m.getManagedArrays().size();
            assertThat(Trainer.finite(weight)).isTrue();
            assertThat(m.getManagedArrays()).hasSize(before).contains(weight);
            weight.set(new NDIndex("0, 0, 0, 0"), Float.NaN);
            int withNan = m.getManagedArrays().size(); // DJL's set(index, number) leaves its scalar behind
            assertThat(Trainer.finite(weight)).isFalse();
            assertThat(m.getManagedArrays()).hasSize(withNan);
        }
    }

    @Test
    void aDivergingLossStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Config cfg = config(
                "optim_wrapper.optimizer.lr=1e30",
                "optim_wrapper.optimizer.momentum=0",
                "default_hooks.checkpoint.interval=1",
                "train_cfg.val_interval=100",
                "param_scheduler=[]");
        assertThatThrownBy(() -> train(cfg, dir, null))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("last good checkpoint is " + dir.resolve("iter_"));
        Path last = Trainer.lastCheckpoint(dir);
        try (NDManager m = Torch.newManager()) {
            for (NDArray t : Checkpoints.read(last, m).stateDict().values()) {
                if (t.getDataType().isFloating()) {
                    assertThat(t.isNaN().logicalOr(t.isInfinite()).any().getBoolean())
                            .isFalse();
                }
            }
        }
    }

    @Test
    void aStopRequestSavesTheCurrentIterationAndResumeFinishesTheRun(@TempDir Path dir) throws Exception {
        Config cfg = config();
        Trainer[] trainer = new Trainer[1];
        trainer[0] = new Trainer(
                cfg,
                dir,
                new Trainer.Listener() {
                    @Override
                    public void iteration(long done, long total, double loss) {
                        if (done == 2) {
                            trainer[0].requestStop();
                        }
                    }
                },
                w -> {});
        Trainer.Result r = trainer[0].run(null);
        assertThat(r.interrupted()).isTrue();
        assertThat(r.iterations()).isEqualTo(2);
        assertThat(Trainer.lastCheckpoint(dir))
                .isEqualTo(dir.resolve("iter_2.pth").toAbsolutePath());
        assertThat(train(cfg, dir, Trainer.lastCheckpoint(dir)).iterations()).isEqualTo(6);
    }

    @Test
    void loadFromFineTunesAndReinitialisesAClassifierOfAnotherClassCount(@TempDir Path first, @TempDir Path second)
            throws Exception {
        train(config("train_cfg.max_iters=1", "param_scheduler=[]"), first, null);
        Path source = first.resolve("iter_1.pth");
        List<String> warnings = new ArrayList<>();
        Config cfg = config(
                "load_from=" + source,
                "model.decode_head.num_classes=7",
                "model.auxiliary_head.num_classes=7",
                "train_cfg.max_iters=1",
                "param_scheduler=[]",
                "optim_wrapper.optimizer.lr=1e-12",
                "optim_wrapper.optimizer.weight_decay=0");
        new Trainer(cfg, second, new Trainer.Listener() {}, warnings::add).run(null);
        assertThat(warnings).anyMatch(w -> w.contains("re-initialising decode_head.conv_seg.weight"));
        try (NDManager m = Torch.newManager()) {
            NDArray before = Checkpoints.read(source, m).stateDict().get("backbone.layer2.0.conv1.weight");
            NDArray after = Checkpoints.read(second.resolve("iter_1.pth"), m)
                    .stateDict()
                    .get("backbone.layer2.0.conv1.weight");
            assertThat(after.sub(before).abs().max().getFloat()).isLessThan(1e-9f);
            assertThat(Checkpoints.read(second.resolve("iter_1.pth"), m)
                            .stateDict()
                            .get("decode_head.conv_seg.weight")
                            .getShape()
                            .get(0))
                    .isEqualTo(7);
        }
    }

    @Test
    void loadFromACheckpointThatLeavesMostOfTheBackboneRandomIsRefusedUnlessTheConfigAsksForIt(
            @TempDir Path first, @TempDir Path refused, @TempDir Path partial) throws Exception {
        train(config("train_cfg.max_iters=1", "param_scheduler=[]"), first, null);
        String[] halfWidth = {
            "load_from=" + first.resolve("iter_1.pth"),
            "model.backbone.base_channels=4",
            "model.decode_head.in_channels=32",
            "model.auxiliary_head.in_channels=16",
            "train_cfg.max_iters=1",
            "param_scheduler=[]"
        };
        assertThatThrownBy(() -> train(config(halfWidth), refused, null))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(first.resolve("iter_1.pth") + ": load_from would leave ")
                .hasMessageContaining("of the backbone's weights random")
                .hasMessageContaining("e.g. backbone.layer1.0.conv1.weight")
                .hasMessageContaining("set load_from_partial=True")
                .message()
                .doesNotContain("\n");
        try (var written = Files.list(refused)) {
            assertThat(written).as("nothing written by the refused run").isEmpty();
        }

        List<String> warnings = new ArrayList<>();
        String[] asked = java.util.stream.Stream.concat(
                        java.util.Arrays.stream(halfWidth), java.util.stream.Stream.of("load_from_partial=True"))
                .toArray(String[]::new);
        new Trainer(config(asked), partial, new Trainer.Listener() {}, warnings::add).run(null);
        assertThat(partial.resolve("iter_1.pth")).exists();
        assertThat(warnings).anyMatch(w -> w.contains("size mismatch for: backbone."));
    }

    @Test
    void normsWithRequiresGradFalseKeepTheirAffineParameters(@TempDir Path first, @TempDir Path second)
            throws Exception {
        train(config("train_cfg.max_iters=1", "param_scheduler=[]"), first, null);
        Path start = first.resolve("iter_1.pth");
        train(
                config(
                        "load_from=" + start,
                        "model.backbone.norm_cfg.requires_grad=false",
                        "train_cfg.max_iters=2",
                        "param_scheduler=[]"),
                second,
                null);
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> before = Checkpoints.read(start, m).stateDict();
            Map<String, NDArray> after =
                    Checkpoints.read(second.resolve("iter_2.pth"), m).stateDict();
            for (String frozen : new String[] {"backbone.stem.1.weight", "backbone.layer1.0.bn2.bias"}) {
                assertThat(after.get(frozen).toFloatArray())
                        .as(frozen)
                        .containsExactly(before.get(frozen).toFloatArray());
            }
            for (String trained : new String[] {
                "backbone.stem.0.weight",
                "decode_head.conv_seg.bias",
                "decode_head.convs.0.bn.weight",
                "backbone.stem.1.running_mean"
            }) {
                assertThat(after.get(trained).toFloatArray())
                        .as(trained)
                        .isNotEqualTo(before.get(trained).toFloatArray());
            }
        }
    }

    @Test
    void aLabelOutOfRangeNamesTheFile(@TempDir Path dir) throws Exception {
        Config cfg = config(
                "model.decode_head.num_classes=2",
                "model.auxiliary_head.num_classes=2",
                "train_dataloader.dataset.metainfo.classes=[a,b]",
                "train_dataloader.dataset.metainfo.palette=null");
        // the message starts with the label map it found the value in, whichever sample came first
        assertThatThrownBy(() -> train(cfg, dir, null))
                .isInstanceOf(org.fcn4j.data.DataException.class)
                .hasMessageMatching(java.util.regex.Pattern.quote(
                                data.resolve("masks/train").toString())
                        + "/[^ ]+\\.png: label \\d+ is out of range for 2 classes \\(255 = ignore\\)");
    }
}
