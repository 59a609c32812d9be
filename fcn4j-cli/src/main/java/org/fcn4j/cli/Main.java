package org.fcn4j.cli;

import org.fcn4j.config.ConfigException;
import org.fcn4j.data.DataException;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.onnx.OnnxException;
import org.fcn4j.train.TrainingException;
import org.fcn4j.util.FileWriteException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fcn4j}: the command-line entry point. */
@Command(
        name = "fcn4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "FCN semantic segmentation as MMSegmentation does it, on the JVM.",
        // launched by ./fcn4j from the fcn4j-spark module, which brings Spark; not a subcommand of this jar
        footer = {"", "On Apache Spark: fcn4j spark predict|test (see fcn4j spark --help)."},
        subcommands = {
            DemoCommand.class,
            TrainCommand.class,
            InfoCommand.class,
            BenchCommand.class,
            PredictCommand.class,
            TestCommand.class,
            MetricsCommand.class,
            ConvertCommand.class,
            ExportCommand.class,
            AnalyzeLogsCommand.class,
            BrowseDatasetCommand.class,
            ConfusionMatrixCommand.class,
            ServeCommand.class,
            ConfigCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code; user errors print one clear line, not a stack trace. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException
                    || e instanceof CheckpointException
                    || e instanceof DataException
                    || e instanceof FileWriteException
                    || e instanceof TrainingException
                    || e instanceof OnnxException
                    || e instanceof UserError) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"fcn4j " + org.fcn4j.util.Version.get()};
        }
    }
}
