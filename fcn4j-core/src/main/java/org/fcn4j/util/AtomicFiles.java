package org.fcn4j.util;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/** Writes a file so that readers see the old version or the complete new one, never a partial file. */
public final class AtomicFiles {
    /** The temp names {@link #write} uses: {@code .NAME<digits>.tmp} beside {@code NAME}. */
    private static final Pattern TEMP = Pattern.compile("\\..+\\d+\\.tmp");

    private AtomicFiles() {}

    /** Produces the file's content. */
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path file, Writer writer) {
        write(file, writer, null);
    }

    /** As {@link #write(Path, Writer)}, telling {@code written} (if not null) the bytes written so far. */
    public static void write(Path file, Writer writer, LongConsumer written) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                writer.write(written == null ? out : new Counting(out, written));
            }
            try {
                // temp files are created owner-only; the result should read like any other file
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // non-POSIX file systems keep their default permissions
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new FileWriteException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temp file is best-effort cleanup; the target was never touched
                }
            }
        }
    }

    /**
     * Deletes the temp files a killed process left in {@code dir} while writing (a SIGKILL skips the
     * cleanup in {@link #write}), and returns their names. Only for a directory no other process is
     * writing to at the same time, such as a training run's work dir when the run starts.
     */
    public static List<String> removeLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            List<Path> temps = files.filter(
                            f -> TEMP.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f))
                    .toList();
            for (Path t : temps) {
                Files.deleteIfExists(t);
            }
            return temps.stream().map(t -> t.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new FileWriteException(dir + ": cannot remove unfinished temp files: " + e.getMessage(), e);
        }
    }

    /** Counts the bytes passing through, for progress. */
    private static final class Counting extends FilterOutputStream {
        private final LongConsumer written;
        private long count;

        Counting(OutputStream out, LongConsumer written) {
            super(out);
            this.written = written;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written.accept(++count);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
            written.accept(count);
        }
    }
}
