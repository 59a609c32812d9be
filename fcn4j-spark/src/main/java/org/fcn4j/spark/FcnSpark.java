package org.fcn4j.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fcn4j.data.DataException;
import org.fcn4j.data.Images;
import org.fcn4j.data.SegDataset;
import org.fcn4j.eval.EvaluatorSpec;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.experiment.Config;
import org.fcn4j.image.LabelMap;
import org.fcn4j.image.RgbImage;
import org.fcn4j.infer.Evaluation;
import org.fcn4j.infer.Segmentation;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.io.Npy;
import org.fcn4j.viz.Pngs;

/**
 * fcn4j as a Spark workload, for users who already have a DataFrame: segment a column of encoded images into
 * the prediction table (and the files {@code fcn4j predict} writes), or evaluate a dataset with each partition
 * accumulating IoUMetric's counts and the driver summing them. Every executor JVM loads the model once
 * ({@link ExecutorModel}); the plan has no shuffle.
 *
 * <pre>{@code
 * SparkSegmentOptions options = FcnSpark.ship(spark, Config.load("fcn_r50-d8_4xb2-40k_cityscapes-512x1024"), "iter_40000.pth");
 * Dataset<Row> table = FcnSpark.segment(FcnSpark.readImages(spark, List.of("hdfs:///tiles/")), "content", options, "hdfs:///masks/");
 * }</pre>
 */
public final class FcnSpark {
    /**
     * One row per input image: its path, size, the label PNG written (null without an output directory or on
     * error), pixels per class, and the error that made it unreadable (null when it was segmented).
     */
    public static final StructType TABLE = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("width", DataTypes.IntegerType, true)
            .add("height", DataTypes.IntegerType, true)
            .add("output", DataTypes.StringType, true)
            .add("class_pixels", DataTypes.createArrayType(DataTypes.LongType, false), true)
            .add("error", DataTypes.StringType, true);

    private static final String IMAGE_GLOB = "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP}";

    private FcnSpark() {}

    /**
     * Ships {@code checkpoint} (a local path or any Hadoop URI) to the executors with {@code SparkContext.addFile}
     * and returns the options to segment with {@code config}'s model (whole inference, fp32; see the with-methods).
     */
    public static SparkSegmentOptions ship(SparkSession spark, Config config, String checkpoint) {
        spark.sparkContext().addFile(checkpoint);
        return SparkSegmentOptions.of(config, new org.apache.hadoop.fs.Path(checkpoint).getName());
    }

    /**
     * Images with Spark's {@code binaryFile} source (columns path, modificationTime, length, content): files,
     * globs, or folders, whose PNG, JPEG and BMP files are read (not those of subfolders, as {@code fcn4j
     * predict}; a glob such as {@code tiles/}{@code *}{@code /*.png} reaches further).
     */
    public static Dataset<Row> readImages(SparkSession spark, List<String> inputs) {
        HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
        return spark.read()
                .format("binaryFile")
                // the paths are files once globs are expanded: no partition columns to discover in folder names
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", IMAGE_GLOB)
                // a folder's own images: a glob that matches files only, so Spark lists no subfolder
                .load(inputs.stream()
                        .map(i -> files.isDirectory(i) ? i + "/" + IMAGE_GLOB : i)
                        .toArray(String[]::new));
    }

    /** {@link #segment(Dataset, String, SparkSegmentOptions, String)} writing no files: the table alone. */
    public static Dataset<Row> segment(Dataset<Row> images, String contentColumn, SparkSegmentOptions options) {
        return segment(images, contentColumn, options, null);
    }

    /**
     * Segments the images of column {@code contentColumn} (encoded bytes; column {@code path} names them) into
     * the {@link #TABLE}; with {@code outDir}, writes NAME.png (and NAME.npy, NAME_overlay.png as the options
     * ask) there, each complete or not at all. An image that does not decode becomes a row with its error.
     * Lazy like any Dataset: the files are written when an action (a count, a Parquet write) runs the plan, so
     * run one action on the result, or cache it.
     */
    public static Dataset<Row> segment(
            Dataset<Row> images, String contentColumn, SparkSegmentOptions options, String outDir) {
        OutputDir out = outDir == null
                ? null
                : new OutputDir(
                        outDir,
                        new HadoopFiles(images.sparkSession().sparkContext().hadoopConfiguration()));
        if (out != null) {
            out.create();
        }
        return images.select("path", contentColumn)
                .mapPartitions(
                        (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>)
                                rows -> new SegmentedRows(rows, options, out),
                        Encoders.row(TABLE));
    }

    /**
     * Evaluates the config's test set as {@code fcn4j test} does: {@code partitions} tasks each sum IoUMetric's
     * counts over their images (read through Hadoop, so the dataset's root may be any URI the executors reach),
     * and the driver adds the partial counts, which makes the result exactly the single-machine one.
     */
    public static IoUMetric evaluate(SparkSession spark, Config config, SparkSegmentOptions options, int partitions) {
        SegDataset data = config.testData().load(true);
        List<String[]> samples = new ArrayList<>();
        for (SegDataset.Sample s : data.samples()) {
            samples.add(new String[] {uri(s.image()), uri(s.labels())});
        }
        return evaluate(spark, samples, data.reduceZeroLabel(), config.testEvaluator(), options, partitions);
    }

    /**
     * As {@link #evaluate(SparkSession, Config, SparkSegmentOptions, int)} over (image URI, label map URI)
     * pairs, with mmseg's {@code reduce_zero_label} or without.
     */
    public static IoUMetric evaluate(
            SparkSession spark,
            List<String[]> samples,
            boolean reduceZeroLabel,
            EvaluatorSpec evaluator,
            SparkSegmentOptions options,
            int partitions) {
        int numClasses = ExecutorModel.get(options).model().numClasses();
        HadoopFiles files = new HadoopFiles(spark.sparkContext().hadoopConfiguration());
        int ignoreIndex = evaluator.ignoreIndex();
        List<long[]> partial = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(samples, Math.max(1, Math.min(partitions, samples.size())))
                .mapPartitions(it -> {
                    Segmenter segmenter = ExecutorModel.get(options);
                    IoUMetric metric = new IoUMetric(numClasses, ignoreIndex);
                    while (it.hasNext()) {
                        String[] s = it.next();
                        RgbImage image = Images.decodeRgb(files.read(s[0]), s[0], Images.DEFAULT_MAX_PIXELS);
                        LabelMap truth = Images.decodeLabel(files.read(s[1]), s[1], Images.DEFAULT_MAX_PIXELS);
                        Segmentation p = segmenter.segment(image, options.segmentOptions());
                        Evaluation.add(metric, p, reduceZeroLabel ? SegDataset.reduceZeroLabel(truth) : truth, s[1]);
                    }
                    return List.of(metric.counts()).iterator();
                })
                .collect();
        IoUMetric total = evaluator.newMetric(numClasses);
        partial.forEach(total::addCounts);
        return total;
    }

    private static String uri(Path p) {
        return p.toAbsolutePath().toUri().toString();
    }

    /** A partition's table rows, segmented one image at a time as Spark pulls them. */
    private static final class SegmentedRows implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final SparkSegmentOptions options;
        private final OutputDir out;
        private final Segmenter segmenter;
        private final long attempt;

        SegmentedRows(Iterator<Row> rows, SparkSegmentOptions options, OutputDir out) {
            this.rows = rows;
            this.options = options;
            this.out = out;
            this.segmenter = ExecutorModel.get(options);
            this.attempt = TaskContext.get() == null ? 0 : TaskContext.get().taskAttemptId();
        }

        @Override
        public boolean hasNext() {
            return rows.hasNext();
        }

        @Override
        public Row next() {
            Row row = rows.next();
            String path = row.getString(0);
            RgbImage image;
            try {
                image = Images.decodeRgb(row.getAs(1), path, Images.DEFAULT_MAX_PIXELS);
            } catch (DataException e) {
                return RowFactory.create(path, null, null, null, null, e.getMessage());
            }
            Segmentation s = segmenter.segment(image, options.segmentOptions());
            String output = out == null ? null : write(ImageListing.stem(path), image, s);
            return RowFactory.create(path, image.width(), image.height(), output, s.pixelCounts(), null);
        }

        /** The files {@code fcn4j predict} writes for an image, under the same names; returns the label PNG's. */
        private String write(String stem, RgbImage image, Segmentation s) {
            byte[] labels = Pngs.encode(Pngs.labels(s.labels()));
            out.write(stem + ".png", attempt, o -> o.write(labels));
            if (options.saveLogits()) {
                out.write(
                        stem + ".npy",
                        attempt,
                        o -> Npy.writeFloat32(o, s.scores(), s.numClasses(), image.height(), image.width()));
            }
            if (options.overlay()) {
                byte[] overlay = Pngs.encode(
                        Pngs.overlay(image, s.labels(), segmenter.meta().palette()));
                out.write(stem + "_overlay.png", attempt, o -> o.write(overlay));
            }
            return out.resolve(stem + ".png");
        }
    }
}
