package org.fcn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.fcn4j.demo.SyntheticScenes;
import org.fcn4j.io.Checkpoints;
import org.fcn4j.nn.Torch;
import org.fcn4j.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fcn4j train} as its own process, killed with SIGKILL at random moments and resumed each time, and
 * stopped by a full disk while it writes a checkpoint: the weights end equal to an uninterrupted run's, and
 * no partial checkpoint is ever left where a reader (or {@code last_checkpoint}) would take it.
 */
class TrainCrashTest {
    private static final int ITERS = 48;
    private static final int KILLS = 5;

    @TempDir
    static Path tmp;

    private static Path reference;

    /** The uninterrupted run every interrupted one must end equal to. */
    @BeforeAll
    static void referenceRun() throws Exception {
        SyntheticScenes.write(tmp.resolve("data"), 8, 1, 48, 3);
        reference = tmp.resolve("reference");
        Process p = train(reference, false);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output(reference)).isZero();
    }

    @Test
    void sigkillAtRandomMomentsAndResumeEndBitForBitLikeAnUninterruptedRun() throws Exception {
        Path work = tmp.resolve("killed");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> killedAt = new ArrayList<>();
        while (true) {
            long logged = logLines(work.resolve("log.jsonl"));
            Process p = train(work, Trainer.lastCheckpoint(work) != null);
            if (killedAt.size() < KILLS) {
                awaitTraining(p, work, logged);
                Thread.sleep(random.nextInt(800)); // an iteration takes ~80 ms here: anywhere in the next several
            }
            if (killedAt.size() == KILLS || !p.isAlive()) {
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(output(work)).isZero();
                break;
            }
            p.destroyForcibly(); // SIGKILL
            p.waitFor();
            killedAt.add(String.valueOf(Trainer.lastCheckpoint(work)));
            assertEveryCheckpointIsComplete(work);
        }
        System.out.println("killed " + killedAt.size() + " times, last_checkpoint after each: " + killedAt + " (seed "
                + seed + ")");
        assertThat(killedAt).as("killed mid-run, seed %d", seed).hasSizeGreaterThanOrEqualTo(3);
        assertThat(output(work)).doesNotContain("error");
        assertSameWeights(work.resolve("iter_" + ITERS + ".pth"), reference.resolve("iter_" + ITERS + ".pth"));
        try (var files = Files.list(work)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("no temp file of a killed write survives the resume")
                    .noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /**
     * The work dir on a tmpfs with room for two checkpoints (a directory in place of the third checkpoint's
     * name where this machine cannot mount one): the run stops naming the file, the previous checkpoint is
     * intact and named by {@code last_checkpoint}; with room again, {@code --resume} finishes the run.
     */
    @Test
    void aFullDiskWhileACheckpointIsWrittenStopsTheRunAndKeepsThePreviousOne() throws Exception {
        Path work = tmp.resolve("full");
        Files.createDirectories(work);
        long checkpoint = Files.size(reference.resolve("iter_3.pth"));
        boolean tmpfs = mount(work, (checkpoint * 2 + 128 * 1024) / 1024); // and the logs
        try {
            if (!tmpfs) {
                Files.createDirectories(work.resolve("iter_9.pth/blocker"));
            }
            Process p = train(work, false);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = output(work);
            assertThat(p.exitValue()).as(out).isNotZero();
            String error = out.lines()
                    .filter(l -> l.startsWith("error: "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no error line in\n" + out));
            java.util.regex.Matcher failed = java.util.regex.Pattern.compile(
                            java.util.regex.Pattern.quote(work.toString()) + "/iter_(\\d+)\\.pth: cannot write")
                    .matcher(error);
            assertThat(failed.find()).as(error).isTrue();
            int iter = Integer.parseInt(failed.group(1));
            assertThat(iter).as("the disk has room for two checkpoints").isEqualTo(9);
            if (tmpfs) {
                assertThat(error).contains("No space left on device");
            }
            assertThat(Trainer.lastCheckpoint(work))
                    .isEqualTo(work.resolve("iter_6.pth").toAbsolutePath());
            assertSameWeights(work.resolve("iter_6.pth"), reference.resolve("iter_6.pth"));
            assertEveryCheckpointIsComplete(work);
            try (var files = Files.list(work)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }

            Files.delete(work.resolve("iter_3.pth")); // room again for the resumed run
            if (!tmpfs) {
                Files.delete(work.resolve("iter_9.pth/blocker"));
                Files.delete(work.resolve("iter_9.pth"));
            }
            Files.delete(work.resolve("out.txt"));
            // the disk still has room for one checkpoint only: the resumed run writes just the last
            Process resumed = train(work, true, "default_hooks.checkpoint.interval=" + ITERS);
            assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(resumed.exitValue()).as(output(work)).isZero();
            assertSameWeights(work.resolve("iter_" + ITERS + ".pth"), reference.resolve("iter_" + ITERS + ".pth"));
        } finally {
            if (tmpfs) {
                new ProcessBuilder("umount", work.toString())
                        .inheritIO()
                        .start()
                        .waitFor();
            }
        }
    }

    private static Process train(Path work, boolean resume, String... options) throws IOException {
        Files.createDirectories(work);
        String data = tmp.resolve("data").toString();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "org.fcn4j.cli.Main",
                "train",
                "fcn_demo_synthetic",
                "--work-dir",
                work.toString()));
        if (resume) {
            cmd.add("--resume");
        }
        cmd.addAll(List.of(
                "--cfg-options",
                "train_dataloader.dataset.data_root=" + data,
                "val_dataloader.dataset.data_root=" + data,
                "train_dataloader.batch_size=2",
                "train_cfg.max_iters=" + ITERS,
                "train_cfg.val_interval=" + ITERS,
                "default_hooks.checkpoint.interval=3",
                "default_hooks.logger.interval=1"));
        cmd.addAll(List.of(options));
        // the output goes to a file beside the work dir's, so the killed process never blocks on a full pipe
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(work.resolve("out.txt").toFile()))
                .start();
    }

    private static String output(Path work) throws IOException {
        Path out = work.resolve("out.txt");
        return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
    }

    /** Waits until the process has logged an iteration (the log is appended to on resume, so: a new line). */
    private static void awaitTraining(Process p, Path work, long linesBefore) throws Exception {
        Path log = work.resolve("log.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (logLines(log) > linesBefore) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("training did not start:\n" + output(work));
    }

    /** Complete lines of {@code log.jsonl} (a killed run may leave half a line). */
    private static long logLines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.endsWith("}")).count();
        }
    }

    /** Every {@code iter_N.pth} reads completely, and {@code last_checkpoint} names one of them. */
    private static void assertEveryCheckpointIsComplete(Path work) throws IOException {
        try (NDManager m = Torch.newManager();
                var files = Files.list(work)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pth"))
                    .toList()) {
                assertThat(Checkpoints.read(f, m).stateDict()).as(f.toString()).isNotEmpty();
            }
        }
        Path last = Trainer.lastCheckpoint(work);
        if (last != null) {
            assertThat(last).isRegularFile();
        }
    }

    private static void assertSameWeights(Path actual, Path expected) {
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> a = Checkpoints.read(actual, m).stateDict();
            Map<String, NDArray> e = Checkpoints.read(expected, m).stateDict();
            assertThat(a.keySet()).isEqualTo(e.keySet());
            e.forEach((k, v) -> assertThat(a.get(k).toByteArray()).as(k).isEqualTo(v.toByteArray()));
        }
    }

    /** Mounts a tmpfs of {@code kib} KiB on {@code dir}; false where the machine does not allow it. */
    private static boolean mount(Path dir, long kib) throws Exception {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString())
                    .redirectErrorStream(true)
                    .start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException noMountCommand) {
            return false;
        }
    }
}
