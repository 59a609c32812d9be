package org.fcn4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output directory on any Hadoop file system, as executors write to it: each file goes to a temporary
 * name of its task attempt and is then renamed, so a retried, speculative or killed task never leaves a
 * partial file under an output name, and two attempts of one task leave one file (the rename replaces, or
 * the later attempt sees the name taken and drops its copy).
 */
final class OutputDir implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern TEMP = Pattern.compile("\\..+\\.attempt-\\d+\\.tmp");

    private final String uri;
    private final HadoopFiles files;

    OutputDir(String uri, HadoopFiles files) {
        this.uri = uri;
        this.files = files;
    }

    String uri() {
        return uri;
    }

    /** The path of output {@code name}, as the table records it. */
    String resolve(String name) {
        return new Path(new Path(uri), name).toString();
    }

    /** Content for one output file. */
    interface Content {
        void write(OutputStream out) throws IOException;
    }

    /** Writes output {@code name} as task attempt {@code attempt}: to a temporary name, then renamed into place. */
    void write(String name, long attempt, Content content) {
        Path dir = new Path(uri);
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "." + name + ".attempt-" + attempt + ".tmp");
        try {
            FileSystem fs = files.fileSystem(dir);
            try (OutputStream out = fs.create(tmp, true)) {
                content.write(out);
            }
            if (!fs.rename(tmp, target)) {
                if (!fs.exists(target)) {
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
                fs.delete(tmp, false); // another attempt of this task wrote it first, with the same content
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Creates the directory (the driver, before any task). */
    void create() {
        try {
            Path dir = new Path(uri);
            files.fileSystem(dir).mkdirs(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": cannot create the output directory: " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary files of attempts that died mid-write (the driver, after the job). */
    int removeLeftovers() {
        try {
            Path dir = new Path(uri);
            FileSystem fs = files.fileSystem(dir);
            int removed = 0;
            for (FileStatus f : fs.listStatus(dir)) {
                if (f.isFile() && TEMP.matcher(f.getPath().getName()).matches() && fs.delete(f.getPath(), false)) {
                    removed++;
                }
            }
            return removed;
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": cannot list: " + e.getMessage(), e);
        }
    }
}
