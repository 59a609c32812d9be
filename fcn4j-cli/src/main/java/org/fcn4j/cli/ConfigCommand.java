package org.fcn4j.cli;

import java.util.concurrent.Callable;
import org.fcn4j.experiment.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code fcn4j config}: MMSegmentation's {@code tools/misc/print_config.py}. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Check a config and print it resolved: every key inherited through _base_ and every "
                + "--cfg-options override applied, as YAML that fcn4j reads back unchanged.")
final class ConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "Preset name or YAML config file.")
    String config;

    @Mixin
    ConfigOverrides overrides;

    @Override
    public Integer call() {
        Config cfg = overrides.load(config);
        System.out.print(cfg.yaml());
        return 0;
    }
}
