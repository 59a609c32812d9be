package org.fcn4j.experiment;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigLoader;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.data.DatasetSpec;
import org.fcn4j.data.TestPipeline;
import org.fcn4j.eval.EvaluatorSpec;
import org.fcn4j.model.ModelSpec;

/**
 * A loaded, checked config: the resolved MMSegmentation-style tree and every section parsed. All of it is
 * validated in {@link #load}, before a tensor is allocated or a file read or written: a section fcn4j
 * accepts is either honoured or, when it asks for something fcn4j does not do, rejected naming its key.
 */
public final class Config {
    /**
     * MMSegmentation's config-file variables: its Python configs only reference them by name from other
     * sections ({@code train_dataloader.dataset.pipeline = train_pipeline}), so a YAML translation carries
     * them as the sources of anchors. Accepted, never read.
     */
    private static final Set<String> VARIABLES = Set.of(
            "data_preprocessor",
            "norm_cfg",
            "crop_size",
            "dataset_type",
            "data_root",
            "train_pipeline",
            "img_ratios",
            "optimizer");
    /** Sections parsed here or by the parsers they feed; {@link #runtime} checks the rest. */
    private static final Set<String> SECTIONS = Set.of(
            "model",
            "test_pipeline",
            "tta_pipeline",
            "train_dataloader",
            "val_dataloader",
            "test_dataloader",
            "val_evaluator",
            "test_evaluator",
            "optim_wrapper",
            "param_scheduler",
            "train_cfg",
            "default_hooks",
            "load_from",
            "load_from_partial",
            "channels_last",
            "resume",
            "randomness",
            "work_dir",
            "default_scope",
            "val_cfg",
            "test_cfg",
            "tta_model",
            "log_level",
            "launcher",
            "env_cfg",
            "log_processor",
            "vis_backends",
            "visualizer",
            "custom_hooks");

    private final String source;
    private final Map<String, Object> tree;
    private final ModelSpec model;
    private final TestPipeline testPipeline;
    private final TestPipeline.TtaViews tta;
    private final DatasetSpec testData;
    private final EvaluatorSpec valEvaluator;
    private final EvaluatorSpec testEvaluator;
    private final TrainSettings train;

    private Config(String source, Map<String, Object> tree) {
        this.source = source;
        this.tree = tree;
        ConfigNode root = new ConfigNode("", tree);
        for (String key : tree.keySet()) {
            if (!SECTIONS.contains(key) && !VARIABLES.contains(key)) {
                throw root.error(key, "unknown key");
            }
        }
        model = ModelSpec.parse(root.requireDict("model"));
        testPipeline = root.has("test_pipeline") ? TestPipeline.parse(root, "test_pipeline") : TestPipeline.IDENTITY;
        tta = root.has("tta_pipeline") ? TestPipeline.parseTta(root, "tta_pipeline") : TestPipeline.TtaViews.FLIP_ONLY;
        testData = parseTestData(root.dict("test_dataloader"));
        valEvaluator = EvaluatorSpec.parse(root.dict("val_evaluator"));
        testEvaluator = EvaluatorSpec.parse(root.dict("test_evaluator"));
        train = root.has("train_cfg") ? TrainSettings.parse(root, model.backbone()) : null;
        runtime(root);
    }

    /** Loads a preset name or YAML file, applies {@code key.sub=value} overrides and checks the result. */
    public static Config load(String nameOrPath, List<String> cfgOptions) {
        return new Config(nameOrPath, ConfigLoader.load(nameOrPath, cfgOptions));
    }

    public static Config load(String nameOrPath) {
        return load(nameOrPath, List.of());
    }

    /** The test set's {@code dataset}, or null when the config has no {@code test_dataloader}. */
    private static DatasetSpec parseTestData(ConfigNode loader) {
        if (loader == null) {
            return null;
        }
        DatasetSpec spec = DatasetSpec.parse(loader.requireDict("dataset"));
        loader.accept("batch_size", "num_workers", "persistent_workers", "sampler", "pin_memory", "collate_fn");
        loader.finish();
        return spec;
    }

    /**
     * mmengine's runtime sections: each accepted value describes what fcn4j does anyway (one CPU process,
     * iteration-based loops, local files); anything else is refused rather than silently ignored.
     */
    private static void runtime(ConfigNode root) {
        root.oneOf("default_scope", "mmseg", "mmseg");
        root.oneOf("launcher", "none", "none");
        root.oneOf("log_level", "INFO", "DEBUG", "INFO", "WARNING", "ERROR");
        loopType(root, "val_cfg", "ValLoop");
        loopType(root, "test_cfg", "TestLoop");
        loopType(root, "tta_model", "SegTTAModel");
        ConfigNode logProcessor = root.dict("log_processor");
        if (logProcessor != null) {
            if (logProcessor.bool("by_epoch", false)) {
                throw logProcessor.error("by_epoch", "only iteration-based logs (by_epoch: false) are supported");
            }
            logProcessor.accept("window_size");
            logProcessor.finish();
        }
        ConfigNode env = root.dict("env_cfg");
        if (env != null) {
            // CUDA, multiprocessing and distributed settings: fcn4j runs one CPU process
            env.accept("cudnn_benchmark", "mp_cfg", "dist_cfg");
            env.finish();
        }
        for (ConfigNode backend : root.has("vis_backends") ? root.dicts("vis_backends") : List.<ConfigNode>of()) {
            loopType(backend, null, "LocalVisBackend");
        }
        ConfigNode visualizer = root.dict("visualizer");
        if (visualizer != null) {
            visualizer.oneOf("type", "SegLocalVisualizer", "SegLocalVisualizer");
            visualizer.accept("vis_backends", "name", "alpha");
            visualizer.finish();
        }
        Object hooks = root.value("custom_hooks");
        if (hooks != null && !(hooks instanceof List && ((List<?>) hooks).isEmpty())) {
            throw root.error("custom_hooks", "custom hooks are not supported");
        }
    }

    /** A {@code {type: T}} section that may only name the loop (or backend) fcn4j runs. */
    private static void loopType(ConfigNode parent, String key, String type) {
        ConfigNode n = key == null ? parent : parent.dict(key);
        if (n != null) {
            n.oneOf("type", type, type);
            n.finish();
        }
    }

    public String source() {
        return source;
    }

    public ModelSpec model() {
        return model;
    }

    public TestPipeline testPipeline() {
        return testPipeline;
    }

    /** The views of {@code tta_pipeline} (horizontal flip alone when the config has none). */
    public TestPipeline.TtaViews tta() {
        return tta;
    }

    /** The test set ({@code test_dataloader.dataset}); refuses, naming the key, when the config has none. */
    public DatasetSpec testData() {
        if (testData == null) {
            throw new ConfigException("test_dataloader: missing (the config names no test set)");
        }
        return testData;
    }

    /** The dataset type the test set names, or null (for class names and palettes). */
    public String datasetType() {
        return testData == null ? null : testData.type();
    }

    public EvaluatorSpec valEvaluator() {
        return valEvaluator;
    }

    public EvaluatorSpec testEvaluator() {
        return testEvaluator;
    }

    /** The training sections; refuses, naming the key, when the config has no {@code train_cfg}. */
    public TrainSettings train() {
        if (train == null) {
            throw new ConfigException("train_cfg: missing (the config does not describe training)");
        }
        return train;
    }

    /** The resolved tree (every inherited and overridden key), read-only. */
    public Map<String, Object> tree() {
        return tree;
    }

    /** The resolved config as YAML ({@code print_config}; stored in checkpoints as mmengine stores {@code cfg}). */
    public String yaml() {
        return ConfigLoader.dump(tree);
    }
}
