package org.fcn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
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
        Listing listing = list();
        String tableUri = table != null ? table : new Path(new Path(outDir), "table.parquet").toString();
        return args.inSession("fcn4j spark predict", spark -> {
            // binaryFile packs files into tasks by size, by default into about one per core; with images
            // of uneven cost the last tasks then run alone. Four per core (or --partitions), no shuffle:
            int tasks = args.partitions != null
                    ? args.partitions
                    : (int) Math.min(listing.files(), 4L * spark.sparkContext().defaultParallelism());
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

    /** The images of the inputs: how many, and their total size. */
    private record Listing(long files, long bytes) {}

    /** Checks every input on the driver (before any task) and lists their images. */
    private Listing list() {
        long bytes = 0;
        long files = 0;
        for (String input : inputs) {
            Path p = new Path(input);
            try {
                FileSystem fs = p.getFileSystem(new Configuration());
                FileStatus[] matches = fs.globStatus(p);
                if (matches == null || matches.length == 0) {
                    throw new SparkJobException("INPUT: no such file or folder " + input);
                }
                for (FileStatus m : matches) {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), false);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (isImage(f.getPath().getName())) {
                            bytes += f.getLen();
                            files++;
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(input + ": cannot list: " + e.getMessage(), e);
            }
        }
        if (files == 0) {
            throw new SparkJobException("INPUT: no PNG, JPEG or BMP images in " + String.join(" ", inputs));
        }
        return new Listing(files, bytes);
    }

    private static boolean isImage(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp");
    }
}
