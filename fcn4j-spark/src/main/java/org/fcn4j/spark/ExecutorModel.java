package org.fcn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.nn.TensorFormat;
import org.fcn4j.nn.Torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this JVM, one per distinct {@link SparkSegmentOptions}: every task an executor runs, in
 * every partition and stage, shares it (a Segmenter is thread-safe), so a model loads once per executor, not per
 * task. The first load sets libtorch's intra-op threads to {@code spark.task.cpus}: an executor with N cores
 * runs N / task.cpus tasks at once, each then using the cores Spark gave it.
 */
final class ExecutorModel {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModel.class);
    private static final Map<SparkSegmentOptions, Segmenter> LOADED = new ConcurrentHashMap<>();

    private ExecutorModel() {}

    static Segmenter get(SparkSegmentOptions options) {
        return LOADED.computeIfAbsent(options, ExecutorModel::load);
    }

    private static Segmenter load(SparkSegmentOptions options) {
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            Torch.setThreads(env.conf().getInt("spark.task.cpus", 1));
        }
        long start = System.nanoTime();
        Config config = Config.load(writeConfig(options.configYaml()).toString());
        Path checkpoint = Path.of(SparkFiles.get(options.checkpointName()));
        Segmenter segmenter = Segmenter.load(config, checkpoint, w -> LOG.warn(w));
        TensorFormat format = options.format();
        if (format != null) {
            segmenter.freeze(format);
        }
        LOG.info(String.format(
                "fcn4j: loaded %s in %.1f s, %d libtorch threads",
                options.checkpointName(), (System.nanoTime() - start) / 1e9, Torch.threads()));
        return segmenter;
    }

    /** The resolved config as a file, since configs load from files (or preset names). */
    private static Path writeConfig(String yaml) {
        try {
            Path file = Files.createTempFile("fcn4j-config", ".yaml");
            file.toFile().deleteOnExit();
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the config for loading", e);
        }
    }
}
