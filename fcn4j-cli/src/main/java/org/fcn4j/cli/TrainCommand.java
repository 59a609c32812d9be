package org.fcn4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fcn4j.experiment.Config;
import org.fcn4j.experiment.TrainSettings;
import org.fcn4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fcn4j train}: MMSegmentation's tools/train.py. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train the model of CONFIG on its train_dataloader: writes WORK_DIR/iter_N.pth at each checkpoint "
                        + "interval and at the end, WORK_DIR/last_checkpoint and WORK_DIR/log.jsonl. Ctrl-C saves a checkpoint "
                        + "and stops; --resume continues from it.")
final class TrainCommand implements Callable<Integer> {
    private static final String LAST = "<last>";

    @Parameters(index = "0", paramLabel = "CONFIG", description = "Preset name or YAML config file.")
    String config;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "Where checkpoints and logs go (default: the config's work_dir, else work_dirs/<config name>).")
    Path workDir;

    @Option(
            names = "--resume",
            paramLabel = "CKPT",
            arity = "0..1",
            fallbackValue = LAST,
            description = "Continue a run: from CKPT, or without a value from WORK_DIR/last_checkpoint.")
    String resume;

    @Mixin
    ConfigOverrides overrides;

    @Override
    public Integer call() throws Exception {
        Config cfg = overrides.load(config);
        TrainSettings settings = cfg.train();
        Object configured = cfg.tree().get("work_dir");
        Path dir = workDir != null
                ? workDir
                : configured != null ? Path.of(configured.toString()) : ModelArgs.defaultWorkDir(config);
        Path from = null;
        if (resume != null || settings.resume()) {
            from = resume == null || resume.equals(LAST) ? Trainer.lastCheckpoint(dir) : Path.of(resume);
            if (from == null) {
                throw new UserError(
                        "--resume: " + dir.resolve("last_checkpoint") + " does not exist; nothing to resume");
            }
            if (!Files.isRegularFile(from)) {
                throw new UserError("--resume: no such checkpoint " + from);
            }
        }
        Trainer.Result r = TrainRun.train(cfg, dir, from);
        System.out.println("Trained " + r.iterations() + " iterations; newest checkpoint " + r.checkpoint());
        return 0;
    }
}
