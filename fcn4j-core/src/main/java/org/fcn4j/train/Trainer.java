package org.fcn4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.fcn4j.data.BatchLoader;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.data.SegDataset;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.experiment.Config;
import org.fcn4j.experiment.TrainSettings;
import org.fcn4j.infer.Evaluation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.io.Checkpoint;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.model.CheckpointLoader;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.SegDataPreProcessor;
import org.fcn4j.model.TrainBatch;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.LoadReport;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Tensor;
import org.fcn4j.nn.Torch;
import org.fcn4j.optim.LrSchedule;
import org.fcn4j.optim.Sgd;
import org.fcn4j.util.AtomicFiles;
import org.fcn4j.util.ProcessMemory;
import org.fcn4j.util.Version;

/**
 * MMSegmentation's {@code IterBasedTrainLoop}: forward, loss (decode + weighted auxiliary), backward,
 * SGD step and schedule step per iteration; validation, checkpoints and log lines at their intervals.
 * Each iteration runs in its own NDManager scope so memory stays flat. A stop request (Ctrl-C) ends
 * the loop after the current iteration with a checkpoint.
 */
public final class Trainer {
    /** What the loop reports as it goes (progress display, tests). */
    public interface Listener {
        default void iteration(long done, long total, double loss) {}

        default void logged(long iter, double lr, Map<String, Double> means) {}

        default void validated(long iter, IoUMetric.Result result, DatasetMeta meta) {}

        default void saved(Path checkpoint) {}
    }

    /** How a run ended: iterations completed, the newest checkpoint, the last validation (or null). */
    public record Result(long iterations, Path checkpoint, IoUMetric.Result validation, boolean interrupted) {}

    private final Config config;
    private final TrainSettings settings;
    private final Path workDir;
    private final Listener listener;
    private final Consumer<String> warn;
    private volatile boolean stopRequested;

    /** A trainer for {@code config}'s training sections ({@link Config#train}). */
    public Trainer(Config config, Path workDir, Listener listener, Consumer<String> warn) {
        this.config = config;
        this.settings = config.train();
        this.workDir = workDir;
        this.listener = listener;
        this.warn = warn;
    }

    /** Asks the loop to save and stop after the current iteration (safe from any thread). */
    public void requestStop() {
        stopRequested = true;
    }

    /** The checkpoint {@code last_checkpoint} in {@code workDir} names, or null when there is none. */
    public static Path lastCheckpoint(Path workDir) {
        Path marker = workDir.resolve("last_checkpoint");
        try {
            return Files.isRegularFile(marker)
                    ? Path.of(Files.readString(marker, StandardCharsets.UTF_8).trim())
                    : null;
        } catch (IOException e) {
            throw new CheckpointException(marker + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Trains from scratch (or {@code load_from}), or continues from {@code resumeFrom} when it is not null. */
    public Result run(Path resumeFrom) throws IOException {
        SegDataset trainSet = settings.trainData().load(true);
        SegDataset valSet =
                settings.valData() == null ? null : settings.valData().load(true);
        Files.createDirectories(workDir);
        for (String left : AtomicFiles.removeLeftovers(workDir)) {
            warn.accept("removed " + workDir.resolve(left) + ", an unfinished write of a run that was killed");
        }
        Torch.seed(settings.seed());
        try (NDManager root = Torch.newManager()) {
            EncoderDecoder model = new EncoderDecoder(root, config.model());
            Sgd sgd = optimizer(model, settings);
            long start = resumeFrom != null ? resume(model, sgd, resumeFrom, root) : 0;
            if (resumeFrom == null && settings.loadFrom() != null) {
                Path file = Path.of(settings.loadFrom());
                Checkpoint ckpt = Checkpoints.read(file, root);
                CheckpointLoader.loadForFineTuning(model, ckpt, file, settings.loadFromPartial(), warn);
                ckpt.stateDict().values().forEach(NDArray::close);
            }
            return new Loop(model, sgd, trainSet, valSet, root).run(start);
        }
    }

    /**
     * Whether every element of {@code t} is finite. The test's intermediates (three masks the size of
     * {@code t}) are freed here; in {@code t}'s manager, the model's, they would pile up with every checkpoint.
     */
    static boolean finite(NDArray t) {
        try (NDManager scope = t.getManager().newSubManager()) {
            t.tempAttach(scope);
            return !t.isNaN().logicalOr(t.isInfinite()).any().getBoolean();
        }
    }

    /** {@code optim_wrapper} for {@code model}: SGD with frozen norms and the paramwise multipliers. */
    public static Sgd optimizer(EncoderDecoder model, TrainSettings s) {
        return new Sgd(
                model.stateDict(),
                frozenNormParameters(model),
                s.paramwise() == null ? null : s.paramwise().of(model),
                s.momentum(),
                s.weightDecay(),
                s.maxNorm());
    }

    /** BN weights and biases of the parts whose norm_cfg has requires_grad: false. */
    static Set<String> frozenNormParameters(EncoderDecoder model) {
        Set<String> out = new HashSet<>();
        for (String part : model.spec().frozenNorms()) {
            Module m = model.children().get(part);
            if (m != null) {
                collectNorms(part + ".", m, out);
            }
        }
        return out;
    }

    private static void collectNorms(String prefix, Module m, Set<String> out) {
        if (m instanceof BatchNorm2d) {
            out.add(prefix + "weight");
            out.add(prefix + "bias");
        }
        m.children().forEach((name, child) -> collectNorms(prefix + name + ".", child, out));
    }

    /** Restores weights, momentum buffers and the iteration from a checkpoint this trainer wrote. */
    private long resume(EncoderDecoder model, Sgd sgd, Path file, NDManager root) {
        Checkpoint ckpt = Checkpoints.read(file, root);
        LoadReport report = model.loadStateDict(ckpt.stateDict());
        ckpt.stateDict().values().forEach(NDArray::close);
        if (!report.clean()) {
            throw new TrainingException(file + ": cannot resume, the checkpoint does not fit the model: " + report);
        }
        if (ckpt.iteration() < 0 || ckpt.optimizer() == null) {
            throw new TrainingException(file + ": cannot resume, it has no iteration or optimizer state "
                    + "(use load_from to fine-tune from it instead)");
        }
        if (ckpt.iteration() >= settings.maxIters()) {
            throw new TrainingException(file + " is already at iteration " + ckpt.iteration() + " of max_iters "
                    + settings.maxIters() + "; nothing to resume");
        }
        try {
            sgd.loadStateDict(ckpt.optimizer());
        } catch (IllegalArgumentException e) {
            throw new TrainingException(file + ": cannot resume: " + e.getMessage());
        }
        return ckpt.iteration();
    }

    /** One run's state: the model, optimizer, schedule, data and log. */
    private final class Loop {
        private final EncoderDecoder model;
        private final Sgd sgd;
        private final SegDataset trainSet;
        private final SegDataset valSet;
        private final DatasetMeta meta;
        private final NDManager root;
        private final TrainStep trainStep;
        private Path lastSaved;
        private IoUMetric.Result lastValidation;

        Loop(EncoderDecoder model, Sgd sgd, SegDataset trainSet, SegDataset valSet, NDManager root) {
            this.model = model;
            this.sgd = sgd;
            this.trainSet = trainSet;
            this.valSet = valSet;
            this.meta = trainSet.meta(model.numClasses());
            this.root = root;
            this.trainStep = new TrainStep(model, sgd, settings.bf16(), settings.channelsLast());
        }

        Result run(long start) {
            TrainSettings s = settings;
            LrSchedule schedule = s.schedule().withGroups(sgd.lrMultipliers()).at(start);
            SegDataPreProcessor preprocessor = config.model().preprocessor();
            model.train(true);
            try (TrainLog log = new TrainLog(workDir.resolve("log.jsonl"), start > 0);
                    BatchLoader<SegDataPreProcessor.Sample> loader = new BatchLoader<>(
                            trainSet,
                            s.pipeline(),
                            preprocessor::normalise,
                            model.numClasses(),
                            s.batchSize(),
                            s.shuffle(),
                            s.numWorkers(),
                            s.seed(),
                            start * s.batchSize())) {
                long iter = start;
                while (iter < s.maxIters() && !stopRequested) {
                    long t0 = System.nanoTime();
                    TrainBatch batch = preprocessor.collate(loader.next());
                    long t1 = System.nanoTime();
                    Map<String, Double> values = step(batch, schedule, iter);
                    values.put("data_time", (t1 - t0) / 1e9);
                    values.put("time", (System.nanoTime() - t0) / 1e9);
                    log.add(values);
                    double lr = schedule.lr();
                    schedule.step();
                    iter++;
                    listener.iteration(iter, s.maxIters(), values.get("loss"));
                    if (iter % s.logInterval() == 0 || iter == s.maxIters()) {
                        listener.logged(iter, lr, log.flush(iter, lr, ProcessMemory.residentMb()));
                    }
                    if (iter % s.checkpointInterval() == 0 || iter == s.maxIters()) {
                        save(iter, schedule);
                    }
                    if (s.valInterval() > 0 && (iter % s.valInterval() == 0 || iter == s.maxIters())) {
                        validate(iter, log);
                    }
                }
                boolean interrupted = iter < s.maxIters();
                if (interrupted && (lastSaved == null || !lastSaved.endsWith("iter_" + iter + ".pth"))) {
                    save(iter, schedule);
                }
                return new Result(iter, lastSaved, lastValidation, interrupted);
            }
        }

        /** One iteration on {@code batch}; a non-finite loss stops the run, naming the last good checkpoint. */
        private Map<String, Double> step(TrainBatch batch, LrSchedule schedule, long iter) {
            // a seed per iteration makes dropout masks a function of the iteration, so a resumed run repeats them
            Torch.seed(settings.seed() * 1_000_003L + iter);
            NDArray x = root.create(batch.images(), new Shape(batch.n(), 3, batch.height(), batch.width()));
            NDArray y = root.create(batch.labels(), new Shape(batch.n(), batch.height(), batch.width()));
            try {
                return trainStep.run(x, y, schedule::lr);
            } catch (TrainingException e) {
                throw diverged(e.getMessage() + " at iteration " + (iter + 1)
                        + "; training stopped before updating the weights");
            }
        }

        /** A divergence, with what survives of the run and what to try. */
        private TrainingException diverged(String what) {
            return new TrainingException(what + (lastSaved == null ? "" : ", the last good checkpoint is " + lastSaved)
                    + " (a lower lr or clip_grad may help)");
        }

        private void save(long iter, LrSchedule schedule) {
            Path file = workDir.resolve("iter_" + iter + ".pth");
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
                NDArray t = e.getValue().get();
                if (t.getDataType().isFloating() && !finite(t)) {
                    // a finite loss can still leave overflowed weights behind; never save them as "good"
                    throw diverged(e.getKey() + " is no longer finite after iteration " + iter
                            + "; training stopped without saving");
                }
                state.put(e.getKey(), t);
            }
            Map<String, Object> datasetMeta = new LinkedHashMap<>();
            datasetMeta.put("classes", meta.classes());
            List<Object> palette = new ArrayList<>();
            for (int[] rgb : meta.palette()) {
                palette.add(List.of(rgb[0], rgb[1], rgb[2]));
            }
            datasetMeta.put("palette", palette);
            Map<String, Object> m = new LinkedHashMap<>();
            // provenance, as mmengine stores it: the resolved config's text, seed, iteration and versions
            m.put("iter", iter);
            m.put("seed", settings.seed());
            m.put("config", config.source());
            m.put("cfg", config.yaml());
            m.put("fcn4j_version", Version.get());
            m.put("time", java.time.Instant.now().toString());
            m.put("dataset_meta", datasetMeta);
            Checkpoints.write(file, state, m, sgd.stateDict(schedule::lr, schedule.baseLr()));
            AtomicFiles.write(
                    workDir.resolve("last_checkpoint"),
                    out -> out.write(file.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8)));
            lastSaved = file;
            listener.saved(file);
        }

        private void validate(long iter, TrainLog log) {
            model.eval();
            try (Segmenter segmenter = Segmenter.of(model, settings.valPipeline(), meta)) {
                lastValidation =
                        Evaluation.run(segmenter, valSet, config.valEvaluator(), false, (sample, image, s) -> {});
            } finally {
                model.train(true);
            }
            log.validation(iter, lastValidation);
            listener.validated(iter, lastValidation, meta);
        }
    }
}
