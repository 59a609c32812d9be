package org.fcn4j.spark;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.eval.MetricsJson;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fcn4j spark test}: {@code fcn4j test} across a cluster, to the same numbers and the same metrics.json. */
@Command(
        name = "test",
        mixinStandardHelpOptions = true,
        description = "Evaluate CHECKPOINT on the config's test_dataloader dataset on Spark: each task sums "
                + "IoUMetric's counts over its images, the driver adds them; prints the table and writes "
                + "WORK_DIR/metrics.json exactly as fcn4j test does.")
final class TestJob implements Callable<Integer> {
    @Mixin
    SparkArgs args;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Where metrics.json goes (default: work_dirs/<config name>).")
    Path workDir;

    @Override
    public Integer call() {
        Config cfg = args.loadConfig();
        cfg.testData().load(true); // a dataset that is missing or incomplete fails before the session starts
        Path dir = workDir != null
                ? workDir
                : Path.of(
                        "work_dirs",
                        Path.of(args.config).getFileName().toString().replaceAll("\\.ya?ml$", ""));
        return args.inSession("fcn4j spark test", spark -> {
            SparkSegmentOptions options = args.options(spark, cfg);
            Segmenter driver = ExecutorModel.get(options); // a checkpoint that does not fit fails here
            int partitions = args.partitions != null
                    ? args.partitions
                    : spark.sparkContext().defaultParallelism();
            IoUMetric.Result r =
                    FcnSpark.evaluate(spark, cfg, options, partitions).result();
            System.out.print(r.table(driver.meta().classes()));
            Path json = dir.resolve("metrics.json");
            MetricsJson.write(json, r, driver.meta().classes(), cfg.testEvaluator());
            System.out.println("metrics written to " + json);
            return 0;
        });
    }
}
