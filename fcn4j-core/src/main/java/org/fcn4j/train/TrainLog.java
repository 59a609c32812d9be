package org.fcn4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fcn4j.eval.IoUMetric;
import org.fcn4j.util.FileWriteException;

/**
 * {@code log.jsonl}: one JSON object per logged iteration (means over the iterations since the last
 * line, as mmengine's LoggerHook reports them) and one per validation. A resumed run appends to the
 * file, a fresh run starts it anew; each line is flushed as written.
 */
final class TrainLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final Writer out;
    private final Map<String, Double> sums = new LinkedHashMap<>();
    private int count;

    TrainLog(Path file, boolean append) {
        this.file = file;
        try {
            out = Files.newBufferedWriter(
                    file,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new FileWriteException(file + ": cannot open the training log: " + e.getMessage(), e);
        }
    }

    /** Adds one iteration's values to the running means. */
    void add(Map<String, Double> values) {
        values.forEach((k, v) -> sums.merge(k, v, Double::sum));
        count++;
    }

    /** Writes the means since the last line, with the iteration and rate, and starts a new window. */
    Map<String, Double> flush(long iter, double lr, double rssMb) {
        ObjectNode line = JSON.createObjectNode();
        line.put("mode", "train");
        line.put("iter", iter);
        line.put("lr", lr);
        Map<String, Double> means = new LinkedHashMap<>();
        sums.forEach((k, v) -> means.put(k, v / count));
        means.forEach(line::put);
        line.put("memory", Math.round(rssMb));
        write(line);
        sums.clear();
        count = 0;
        return means;
    }

    void validation(long iter, IoUMetric.Result r) {
        ObjectNode line = JSON.createObjectNode();
        line.put("mode", "val");
        line.put("iter", iter);
        line.put("aAcc", IoUMetric.Result.percent(r.aAcc()));
        line.put("mIoU", IoUMetric.Result.percent(r.mIoU()));
        line.put("mAcc", IoUMetric.Result.percent(r.mAcc()));
        write(line);
    }

    private void write(ObjectNode line) {
        try {
            out.write(JSON.writeValueAsString(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new FileWriteException(file + ": cannot write the training log: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new FileWriteException(file + ": cannot close the training log: " + e.getMessage(), e);
        }
    }
}
