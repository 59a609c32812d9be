package org.fcn4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/** Files on any Hadoop file system, with the driver's Hadoop settings carried to the executors. */
final class HadoopFiles implements Serializable {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> settings = new HashMap<>();

    HadoopFiles(Configuration conf) {
        for (Map.Entry<String, String> e : conf) {
            settings.put(e.getKey(), e.getValue());
        }
    }

    /** The file system of {@code path}, without the .crc side files Hadoop's checksummed local one writes. */
    FileSystem fileSystem(Path path) throws IOException {
        Configuration conf = new Configuration(false);
        settings.forEach(conf::set);
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    boolean isDirectory(String uri) {
        Path path = new Path(uri);
        try {
            return fileSystem(path).getFileStatus(path).isDirectory();
        } catch (java.io.FileNotFoundException | IllegalArgumentException e) {
            return false; // a glob, or nothing: binaryFile reports it
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": cannot look up: " + e.getMessage(), e);
        }
    }

    byte[] read(String uri) {
        Path path = new Path(uri);
        try (InputStream in = fileSystem(path).open(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": cannot read: " + e.getMessage(), e);
        }
    }
}
