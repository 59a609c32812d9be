package org.fcn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The image files of inputs (files, folders' own files, globs) on any Hadoop file system, listed on the driver
 * before any task, so a missing or empty input is one error naming it.
 */
record ImageListing(List<FileStatus> files) {
    /** Lists {@code inputs}; {@code what} names them in errors (INPUT, --labels). */
    static ImageListing of(List<String> inputs, String what) {
        List<FileStatus> files = new ArrayList<>();
        for (String input : inputs) {
            Path p = new Path(input);
            try {
                FileSystem fs = p.getFileSystem(new Configuration());
                FileStatus[] matches = fs.globStatus(p);
                if (matches == null || matches.length == 0) {
                    throw new SparkJobException(what + ": no such file or folder " + input);
                }
                for (FileStatus m : matches) {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), false);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (isImage(f.getPath().getName())) {
                            files.add(f);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(input + ": cannot list: " + e.getMessage(), e);
            }
        }
        if (files.isEmpty()) {
            throw new SparkJobException(what + ": no PNG, JPEG or BMP images in " + String.join(" ", inputs));
        }
        return new ImageListing(files);
    }

    long bytes() {
        return files.stream().mapToLong(FileStatus::getLen).sum();
    }

    /** A file's name without its extension: what matches an image with its label map, and names outputs. */
    static String stem(String pathOrName) {
        String name = pathOrName.substring(pathOrName.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static boolean isImage(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp");
    }
}
