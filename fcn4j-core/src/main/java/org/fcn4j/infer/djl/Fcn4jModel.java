package org.fcn4j.infer.djl;

import ai.djl.BaseModel;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import org.fcn4j.config.ConfigException;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.nn.Torch;

/**
 * A DJL {@link ai.djl.Model} over an fcn4j {@link ModelDirectory} (config and checkpoint). Its block runs the {@link Segmenter}'s whole/slide inference on a preprocessed batch;
 * {@link Fcn4jTranslatorFactory} supplies the pre- and post-processing.
 */
public final class Fcn4jModel extends BaseModel {
    private Segmenter segmenter;

    Fcn4jModel(String name) {
        super(name);
        manager = Torch.newManager();
    }

    /** The segmenter the directory describes (after {@link #load}). */
    public Segmenter segmenter() {
        if (segmenter == null) {
            throw new IllegalStateException("the model is not loaded");
        }
        return segmenter;
    }

    @Override
    public void load(Path modelPath, String prefix, Map<String, ?> options)
            throws IOException, MalformedModelException {
        Path dir = modelPath.toAbsolutePath();
        setModelDir(dir);
        try {
            ModelDirectory files = ModelDirectory.of(dir, options);
            segmenter = Segmenter.load(Config.load(files.config()), files.checkpoint(), w -> {});
        } catch (ConfigException | CheckpointException | IllegalArgumentException e) {
            throw new MalformedModelException(dir + ": " + e.getMessage(), e);
        }
        block = new LambdaBlock(in -> new NDList(segmenter.inference(in.singletonOrThrow())), "fcn4j");
        wasLoaded = true;
    }

    @Override
    public void load(InputStream is, Map<String, ?> options) {
        throw new UnsupportedOperationException("an fcn4j model loads from a directory (config and checkpoint)");
    }

    @Override
    public void close() {
        if (segmenter != null) {
            segmenter.close();
        }
        super.close();
    }
}
