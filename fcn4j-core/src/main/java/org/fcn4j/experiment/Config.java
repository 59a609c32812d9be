package org.fcn4j.experiment;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigLoader;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.model.ModelSpec;

/**
 * A loaded, checked config: the raw MMSegmentation-style tree plus the parsed sections. Everything is
 * validated on {@link #load}, before a tensor is allocated or a file written.
 */
public final class Config {
    /** Top-level keys of MMSegmentation 1.x configs that fcn4j reads or knowingly accepts. */
    private static final Set<String> TOP_LEVEL = Set.of(
            "model", "data_preprocessor", "norm_cfg", "crop_size", "dataset_type", "data_root",
            "train_pipeline", "test_pipeline", "img_ratios", "tta_pipeline", "tta_model",
            "train_dataloader", "val_dataloader", "test_dataloader", "val_evaluator", "test_evaluator",
            "optimizer", "optim_wrapper", "param_scheduler", "train_cfg", "val_cfg", "test_cfg",
            "default_hooks", "custom_hooks", "default_scope", "env_cfg", "vis_backends", "visualizer",
            "log_processor", "log_level", "load_from", "resume", "randomness", "work_dir", "launcher");

    private final String source;
    private final Map<String, Object> tree;
    private final ModelSpec model;

    private Config(String source, Map<String, Object> tree) {
        this.source = source;
        this.tree = tree;
        ConfigNode root = new ConfigNode("", tree);
        for (String key : tree.keySet()) {
            if (!TOP_LEVEL.contains(key)) {
                throw root.error(key, "unknown key");
            }
        }
        this.model = ModelSpec.parse(root.requireDict("model"));
    }

    /** Loads a preset name or YAML file, applies {@code key.sub=value} overrides and checks the result. */
    public static Config load(String nameOrPath, List<String> cfgOptions) {
        return new Config(nameOrPath, ConfigLoader.load(nameOrPath, cfgOptions));
    }

    public static Config load(String nameOrPath) {
        return load(nameOrPath, List.of());
    }

    public String source() {
        return source;
    }

    public ModelSpec model() {
        return model;
    }

    /** The raw tree, for sections parsed by the components that use them. */
    public Map<String, Object> tree() {
        return tree;
    }

    /** A view of a top-level dict for strict reading, or null when the config lacks it. */
    @SuppressWarnings("unchecked")
    public ConfigNode section(String key) {
        Object v = tree.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw new ConfigException(key + ": expected a dict but got " + ConfigNode.describe(v));
        }
        return new ConfigNode(key, (Map<String, Object>) v);
    }
}
