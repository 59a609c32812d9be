package org.fcn4j.cli;

import java.util.ArrayList;
import java.util.List;
import org.fcn4j.experiment.Config;
import picocli.CommandLine.Option;

/** {@code --cfg-options KEY=VALUE...}, as MMSegmentation's tools take it, for the commands that load a config. */
final class ConfigOverrides {
    @Option(
            names = "--cfg-options",
            paramLabel = "KEY=VALUE",
            arity = "1..*",
            description = "Override config entries, e.g. model.decode_head.num_classes=5.")
    List<String> values = new ArrayList<>();

    /** The config (preset name or YAML file) with these overrides applied and checked. */
    Config load(String config) {
        return Config.load(config, values);
    }
}
