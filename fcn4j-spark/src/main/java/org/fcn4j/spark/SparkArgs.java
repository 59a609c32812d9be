package org.fcn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.fcn4j.experiment.Config;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code spark predict} and {@code spark test} share: the model (CONFIG CHECKPOINT, --cfg-options and the
 * inference options of {@code predict}) and where it runs (--master, --partitions). Everything that can be
 * checked on the driver is checked before the session starts, so a bad argument is one error, not one per task.
 */
final class SparkArgs {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "A preset name or a YAML config file.")
    String config;

    @Parameters(
            index = "1",
            paramLabel = "CHECKPOINT",
            description = "Weights (.pth or .safetensors): a local path or any Hadoop URI; shipped to the executors.")
    String checkpoint;

    @Option(names = "--cfg-options", paramLabel = "KEY=VALUE", arity = "1..*", description = "Override config entries.")
    List<String> cfgOptions = new ArrayList<>();

    @Option(
            names = "--master",
            paramLabel = "URL",
            description =
                    "local[N], local[*] (the default: an embedded Spark) or spark://HOST:PORT; under spark-submit,"
                            + " its --master.")
    String master;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            description = "Tasks to split the images into (default: Spark's choice, about one per core).")
    Integer partitions;

    @Option(names = "--tta", description = "Test-time augmentation: the config's tta_pipeline scales x flips.")
    boolean tta;

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32", description = "As fcn4j predict.")
    String precision;

    @Option(names = "--channels-last", description = "As fcn4j predict.")
    boolean channelsLast;

    /** The config, resolved and checked on the driver. */
    Config loadConfig() {
        if (partitions != null && partitions < 1) {
            throw new SparkJobException("--partitions: must be >= 1 but got " + partitions);
        }
        Config cfg = Config.load(config, cfgOptions);
        try {
            SparkSegmentOptions.checkedPrecision(precision);
        } catch (IllegalArgumentException e) {
            throw new SparkJobException(e.getMessage());
        }
        if (!exists(checkpoint)) {
            throw new SparkJobException("CHECKPOINT: no such file " + checkpoint);
        }
        return cfg;
    }

    /**
     * Runs {@code job} in a session: an embedded Spark unless spark-submit configured one, or the session this
     * JVM already has (which is left running). A standalone master that does not answer fails here at once;
     * Spark itself would retry registering for a minute.
     */
    <T> T inSession(String app, java.util.function.Function<SparkSession, T> job) {
        String url = master != null ? master : System.getProperty("spark.master", "local[*]");
        if (url.startsWith("spark://")) {
            requireReachable(url);
        }
        scala.Option<SparkSession> existing = SparkSession.getDefaultSession();
        if (existing.isDefined()) {
            return job.apply(existing.get());
        }
        SparkSession spark = SparkSession.builder().appName(app).master(url).getOrCreate();
        try {
            spark.sparkContext().setLogLevel("WARN");
            return job.apply(spark);
        } finally {
            spark.stop();
        }
    }

    SparkSegmentOptions options(SparkSession spark, Config cfg) {
        return FcnSpark.ship(spark, cfg, checkpoint).withTta(tta).withFormat(precision, channelsLast);
    }

    static boolean exists(String uri) {
        Path p = new Path(uri);
        try {
            return p.getFileSystem(new Configuration()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": cannot look up: " + e.getMessage(), e);
        }
    }

    private static void requireReachable(String url) {
        for (String hostPort : url.substring("spark://".length()).split(",")) {
            URI u = URI.create("spark://" + hostPort);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5000);
                return;
            } catch (IOException | IllegalArgumentException e) {
                if (!url.contains(",")) {
                    throw new SparkJobException("--master " + url + ": cannot connect: " + e.getMessage());
                }
            }
        }
        throw new SparkJobException("--master " + url + ": no master answers");
    }
}
