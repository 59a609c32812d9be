package org.fcn4j.spark;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.fcn4j.experiment.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fcn4j spark predict}: {@code fcn4j predict} across a cluster, plus a Parquet table of the results. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Segment images on Spark: for name.ext writes OUT/name.png (and name.npy, name_overlay.png) as fcn4j "
                    + "predict does, and a Parquet table with one row per input (path, width, height, output, "
                    + "class_pixels, error). An unreadable image becomes a row with its error."
        })
final class PredictJob implements Callable<Integer> {
    @Mixin
    SparkArgs args;

    @Parameters(
            index = "2..*",
            arity = "1..*",
            paramLabel = "INPUT",
            description = "Image files, folders or globs, on any Hadoop file system.")
    List<String> inputs;

    @Option(names = "--out-dir", required = true, paramLabel = "URI", description = "Where the label PNGs go.")
    String outDir;

    @Option(names = "--table", paramLabel = "URI", description = "The Parquet table (default: OUT/table.parquet).")
    String table;

    @Option(names = "--overlay", description = "Also write a colour overlay with the dataset palette.")
    boolean overlay;

    @Option(names = "--save-logits", description = "Also write the scores before argmax as .npy.")
    boolean saveLogits;

    @Override
    public Integer call() {
        Config cfg = args.loadConfig();
        ImageListing listing = ImageListing.of(inputs, "INPUT");
        String tableUri = table != null ? table : new Path(new Path(outDir), "table.parquet").toString();
        return args.inSession("fcn4j spark predict", spark -> {
            // binaryFile packs files into tasks by size, by default into about one per core; with images
            // of uneven cost the last tasks then run alone. Four per core (or --partitions), no shuffle:
            int tasks = args.partitions != null
                    ? args.partitions
                    : (int) Math.min(
                            listing.files().size(), 4L * spark.sparkContext().defaultParallelism());
            spark.conf().set("spark.sql.files.minPartitionNum", Integer.toString(tasks));
            spark.conf().set("spark.sql.files.openCostInBytes", "1");
            spark.conf().set("spark.sql.files.maxPartitionBytes", Long.toString(listing.bytes() / tasks + 1));
            SparkSegmentOptions options = args.options(spark, cfg).withOutputs(overlay, saveLogits);
            ExecutorModel.get(options); // a checkpoint that does not fit fails here, on the driver
            long start = System.nanoTime();
            Dataset<Row> images = FcnSpark.readImages(spark, inputs);
            FcnSpark.segment(images, "content", options, outDir)
                    .write()
                    .mode(SaveMode.Overwrite)
                    .parquet(tableUri);
            double seconds = (System.nanoTime() - start) / 1e9;
            new OutputDir(outDir, new HadoopFiles(spark.sparkContext().hadoopConfiguration())).removeLeftovers();
            Dataset<Row> result = spark.read().parquet(tableUri);
            long total = result.count();
            List<Row> errors =
                    result.filter("error IS NOT NULL").select("error").collectAsList();
            errors.stream().limit(10).forEach(e -> System.out.println("skipped: " + e.getString(0)));
            System.out.printf(
                    Locale.ROOT,
                    "wrote %d of %d to %s%s and the table %s in %.1f s (%.2f images/s, model loading on the driver"
                            + " excluded)%n",
                    total - errors.size(),
                    total,
                    outDir,
                    errors.isEmpty() ? "" : " (" + errors.size() + " unreadable, skipped)",
                    tableUri,
                    seconds,
                    total / seconds);
            return errors.isEmpty() ? 0 : 1;
        });
    }
}
