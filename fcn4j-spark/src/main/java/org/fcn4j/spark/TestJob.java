package org.fcn4j.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileStatus;
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

    @Option(
            names = "--images",
            paramLabel = "URI",
            arity = "1..*",
            description = "Evaluate these images (files, folders or globs on any Hadoop file system) instead of the "
                    + "config's test set; each needs a label map of the same name in --labels.")
    List<String> images;

    @Option(
            names = "--labels",
            paramLabel = "URI",
            arity = "1..*",
            description = "The label maps for --images (one-channel PNGs), matched by file name without extension.")
    List<String> labels;

    @Override
    public Integer call() {
        Config cfg = args.loadConfig();
        // the samples are listed before the session starts: a missing or incomplete dataset fails at once
        List<String[]> samples = images != null || labels != null ? matched() : null;
        if (samples == null) {
            cfg.testData().load(true);
        }
        // --images' label maps are read as the config's test set reads its own (reduce_zero_label)
        boolean reduceZeroLabel = cfg.testData() != null && cfg.testData().reduceZeroLabel();
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
            IoUMetric.Result r = (samples == null
                            ? FcnSpark.evaluate(spark, cfg, options, partitions)
                            : FcnSpark.evaluate(
                                    spark, samples, reduceZeroLabel, cfg.testEvaluator(), options, partitions))
                    .result();
            System.out.print(r.table(driver.meta().classes()));
            Path json = dir.resolve("metrics.json");
            MetricsJson.write(json, r, driver.meta().classes(), cfg.testEvaluator());
            System.out.println("metrics written to " + json);
            return 0;
        });
    }

    /** --images paired with --labels by file name, every image with its label map. */
    private List<String[]> matched() {
        if (images == null || labels == null) {
            throw new SparkJobException("--images and --labels go together");
        }
        Map<String, String> byStem = new HashMap<>();
        for (FileStatus f : ImageListing.of(labels, "--labels").files()) {
            byStem.put(ImageListing.stem(f.getPath().getName()), f.getPath().toString());
        }
        List<String[]> pairs = new ArrayList<>();
        for (FileStatus f : ImageListing.of(images, "--images").files()) {
            String label = byStem.get(ImageListing.stem(f.getPath().getName()));
            if (label == null) {
                throw new SparkJobException("--images: " + f.getPath() + " has no label map of the same name in "
                        + String.join(" ", labels));
            }
            pairs.add(new String[] {f.getPath().toString(), label});
        }
        return pairs;
    }
}
