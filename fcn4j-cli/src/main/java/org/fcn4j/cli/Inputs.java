package org.fcn4j.cli;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Expands INPUT arguments: an image file, a folder (its images, sorted), or a glob such as {@code data/*.jpg}. */
final class Inputs {
    private static final List<String> IMAGE_SUFFIXES = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

    private Inputs() {}

    static List<Path> expand(List<String> args) {
        List<Path> out = new ArrayList<>();
        for (String arg : args) {
            Path p = Path.of(arg);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> Files.isRegularFile(f) && isImage(f)).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UserError(arg + ": cannot list folder: " + e.getMessage());
                }
            } else if (arg.contains("*") || arg.contains("?") || arg.contains("[")) {
                out.addAll(glob(arg));
            } else if (Files.exists(p)) {
                out.add(p);
            } else {
                throw new UserError(arg + ": no such file, folder or glob match");
            }
        }
        if (out.isEmpty()) {
            throw new UserError("no input images found in " + String.join(" ", args));
        }
        return out;
    }

    private static List<Path> glob(String pattern) {
        String[] parts = pattern.split("/");
        StringBuilder base = new StringBuilder(pattern.startsWith("/") ? "/" : "");
        for (String part : parts) {
            if (part.contains("*") || part.contains("?") || part.contains("[")) {
                break;
            }
            if (!part.isEmpty()) {
                base.append(part).append('/');
            }
        }
        Path root = Path.of(base.length() == 0 ? "." : base.toString());
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile)
                    .filter(f -> m.matches(base.length() == 0 ? root.relativize(f) : f))
                    .sorted()
                    .forEach(out::add);
        } catch (IOException e) {
            throw new UserError(pattern + ": cannot expand: " + e.getMessage());
        }
        return out;
    }

    static boolean isImage(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_SUFFIXES.stream().anyMatch(n::endsWith);
    }

    /** The file name without its extension. */
    static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
