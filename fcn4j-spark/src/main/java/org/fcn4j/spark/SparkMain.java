package org.fcn4j.spark;

import java.io.UncheckedIOException;
import org.apache.spark.SparkException;
import org.fcn4j.config.ConfigException;
import org.fcn4j.data.DataException;
import org.fcn4j.io.CheckpointException;
import org.fcn4j.util.FileWriteException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fcn4j spark predict|test}, also the main class for {@code spark-submit --class org.fcn4j.spark.SparkMain
 * fcn4j-spark.jar predict|test ...}. Errors are one line: fcn4j's own, or the fcn4j error a failed task
 * reported, unwrapped from Spark's job failure.
 */
@Command(
        name = "fcn4j spark",
        mixinStandardHelpOptions = true,
        description = "fcn4j on Apache Spark: an embedded local Spark by default, or a cluster with --master.",
        subcommands = {PredictJob.class, TestJob.class})
public final class SparkMain {
    private SparkMain() {}

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            // warnings and errors only, instead of Spark's INFO defaults (under spark-submit, logging is already
            // set up by now and this changes nothing)
            System.setProperty(
                    "log4j2.configurationFile", String.valueOf(SparkMain.class.getResource("log4j2-cli.properties")));
        }
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new SparkMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String message = userMessage(e);
            if (message == null) {
                throw e;
            }
            cmd.getErr().println("error: " + message);
            return 2;
        });
        return cli.execute(args);
    }

    /** The one line for an error a user can act on, or null for a bug (which keeps its stack trace). */
    static String userMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SparkJobException
                    || t instanceof ConfigException
                    || t instanceof CheckpointException
                    || t instanceof DataException
                    || t instanceof FileWriteException
                    || t instanceof UncheckedIOException) {
                return t.getMessage();
            }
        }
        return e instanceof SparkException ? e.getMessage().lines().findFirst().orElse(e.toString()) : null;
    }
}
