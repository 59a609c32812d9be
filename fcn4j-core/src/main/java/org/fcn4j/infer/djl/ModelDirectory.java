package org.fcn4j.infer.djl;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A model directory as DJL Serving lays one out: the config ({@code .yaml}) and the checkpoint ({@code .pth} or
 * {@code .safetensors}), found by their suffix when there is one of each, or named by {@code option.config} and
 * {@code option.checkpoint} in {@code serving.properties} (the config may be a preset name).
 *
 * @param config a config file or preset name
 * @param checkpoint the checkpoint file
 */
public record ModelDirectory(String config, Path checkpoint) {
    /**
     * Resolves {@code dir}; {@code options} (DJL's Criteria options, may be null) may also name {@code config} and
     * {@code checkpoint}.
     *
     * @throws IllegalArgumentException naming what is missing or ambiguous
     */
    public static ModelDirectory of(Path dir, Map<String, ?> options) throws IOException {
        Properties serving = new Properties();
        Path properties = dir.resolve("serving.properties");
        if (Files.isRegularFile(properties)) {
            try (Reader r = Files.newBufferedReader(properties)) {
                serving.load(r);
            }
        }
        String config = option(serving, options, "config");
        String checkpoint = option(serving, options, "checkpoint");
        return new ModelDirectory(
                config != null ? resolve(dir, config) : only(dir, ".yaml", ".yml"),
                Path.of(checkpoint != null ? resolve(dir, checkpoint) : only(dir, ".pth", ".safetensors")));
    }

    /** {@code option.KEY} of serving.properties, or KEY of the options. */
    private static String option(Properties serving, Map<String, ?> options, String key) {
        String v = serving.getProperty("option." + key);
        if (v == null && options != null && options.get(key) != null) {
            v = options.get(key).toString();
        }
        return v;
    }

    /** A file name relative to the directory, or a preset name as it is. */
    private static String resolve(Path dir, String name) {
        Path p = dir.resolve(name);
        return Files.exists(p) ? p.toString() : name;
    }

    /** The one file of the directory with one of these suffixes. */
    private static String only(Path dir, String... suffixes) throws IOException {
        List<Path> found;
        try (Stream<Path> files = Files.list(dir)) {
            found = files.filter(p -> Stream.of(suffixes)
                            .anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .toList();
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException(dir + ": expected one " + String.join(" or ", suffixes)
                    + " file but found " + found.size()
                    + " (name them in serving.properties: option.config=..., option.checkpoint=...)");
        }
        return found.get(0).toString();
    }
}
