package org.fcn4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fcn4j.cli.SmallModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone Spark cluster on loopback, started here from the Spark jars: a master and two worker JVMs
 * of one core each. {@code fcn4j spark predict} runs there; one worker, with its executor, is killed with
 * SIGKILL mid-job, and the job still finishes with every output present exactly once and the table complete.
 */
class SparkClusterTest {
    private static final int IMAGES = 100;

    @TempDir
    static Path tmp;

    private static final List<Process> CLUSTER = new ArrayList<>();
    private static String masterUrl;
    private static Process workerToKill;

    @BeforeAll
    static void startCluster() throws Exception {
        Path sparkHome = Files.createDirectories(tmp.resolve("spark-home/jars")).getParent();
        Process master = daemon(
                tmp.resolve("master.log"),
                sparkHome,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--webui-port",
                "0");
        Matcher m = await(
                tmp.resolve("master.log"), Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)"));
        masterUrl = m.group(1);
        for (String name : new String[] {"a", "b"}) {
            Process w = daemon(
                    tmp.resolve("worker-" + name + ".log"),
                    sparkHome,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    "1",
                    "--memory",
                    "1g",
                    "--webui-port",
                    "0",
                    "--work-dir",
                    Files.createDirectories(tmp.resolve("work-" + name)).toString(),
                    masterUrl);
            if (workerToKill == null) {
                workerToKill = w;
            }
        }
        for (String name : new String[] {"a", "b"}) {
            await(tmp.resolve("worker-" + name + ".log"), Pattern.compile("Successfully registered with master"));
        }
        assertThat(master.isAlive()).isTrue();
    }

    @AfterAll
    static void stopCluster() {
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        for (Process p : CLUSTER) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aWorkerKilledMidJobLeavesEveryOutputExactlyOnceAndTheTableComplete() throws Exception {
        SmallModel model = SmallModel.write(tmp);
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < IMAGES; i++) {
            ImageIO.write(
                    SmallModel.image(128 + i % 7, 96 + i % 5),
                    "png",
                    images.resolve(String.format("t%03d.png", i)).toFile());
        }
        Path out = tmp.resolve("out");
        // executors find fcn4j and Spark on this JVM's class path (one machine: the same files)
        System.setProperty("spark.executor.extraClassPath", classPath());
        System.setProperty("spark.executor.cores", "1");
        System.setProperty("spark.executor.memory", "1g");
        System.setProperty("spark.driver.host", "127.0.0.1");
        AtomicInteger outputsAtKill = new AtomicInteger(-1);
        Thread killer = new Thread(() -> {
            try {
                while (pngs(out) < 15) {
                    Thread.sleep(20);
                }
                outputsAtKill.set(pngs(out));
                workerToKill.descendants().forEach(ProcessHandle::destroyForcibly); // its executor
                workerToKill.destroyForcibly(); // SIGKILL
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.setDaemon(true);
        killer.start();
        int code = SparkMain.run(
                "predict",
                model.config().toString(),
                model.checkpoint().toString(),
                images.toString(),
                "--out-dir",
                out.toString(),
                "--master",
                masterUrl,
                "--partitions",
                "16",
                "--cfg-options",
                "test_pipeline.1.scale=[512,384]");
        killer.join(1000);
        System.out.println("outputs when the worker was killed: " + outputsAtKill.get() + " of " + IMAGES);
        assertThat(code).isZero();
        assertThat(outputsAtKill.get()).as("killed mid-job").isBetween(1, IMAGES - 1);
        assertThat(workerToKill.isAlive()).isFalse();

        try (var files = Files.list(out)) {
            List<String> names =
                    files.map(f -> f.getFileName().toString()).sorted().toList();
            assertThat(names)
                    .as("no temp file, no duplicate")
                    .hasSize(IMAGES + 1)
                    .contains("table.parquet");
        }
        for (int i = 0; i < IMAGES; i++) {
            assertThat(ImageIO.read(out.resolve(String.format("t%03d.png", i)).toFile())
                            .getWidth())
                    .isEqualTo(128 + i % 7);
        }
        // each executor loaded the model once for its many tasks, with spark.task.cpus (1) libtorch threads
        List<String> loads = new ArrayList<>();
        for (String name : new String[] {"a", "b"}) {
            try (var logs = Files.walk(tmp.resolve("work-" + name))) {
                for (Path log : logs.filter(f -> f.getFileName().toString().equals("stderr"))
                        .toList()) {
                    List<String> lines = Files.readAllLines(log).stream()
                            .filter(l -> l.contains("fcn4j: loaded"))
                            .toList();
                    assertThat(lines).as(log.toString()).hasSize(1).allMatch(l -> l.endsWith(", 1 libtorch threads"));
                    loads.addAll(lines);
                }
            }
        }
        assertThat(loads).as("one load per executor, the killed one's included").hasSizeBetween(2, 3);
        SparkSession spark = SparkSession.builder().master("local[1]").getOrCreate();
        List<Row> table =
                spark.read().parquet(out.resolve("table.parquet").toString()).collectAsList();
        assertThat(table).hasSize(IMAGES);
        assertThat(table.stream().map(r -> (String) r.getAs("path")).distinct().count())
                .isEqualTo(IMAGES);
        assertThat(table).allMatch(r -> r.getAs("error") == null);
    }

    private static int pngs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().matches("t\\d+\\.png"))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The test class path (surefire names it; java.class.path is its launcher jar). */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static Process daemon(Path log, Path sparkHome, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "-cp",
                classPath(),
                mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // the worker builds executor commands from SPARK_HOME/jars (empty here: the class path comes from the app)
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        Process p = pb.start();
        CLUSTER.add(p);
        return p;
    }

    private static Matcher await(Path log, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (m.find()) {
                    return m;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + pattern + "' in " + log + ":\n" + Files.readString(log));
    }
}
