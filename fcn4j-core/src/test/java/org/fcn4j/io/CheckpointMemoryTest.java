package org.fcn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.Fixtures;
import org.fcn4j.nn.Torch;
import org.fcn4j.util.ProcessMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading a checkpoint needs about its tensors' size plus a small constant: each storage is read straight
 * into the buffer that becomes its tensor. Before, every storage passed through a heap array (two, while
 * {@code readNBytes} assembled it) and a 4 MB file whose deflated entry expanded to 4 GiB was accepted at
 * 5.4 GB resident; such bombs are now refused before anything is inflated.
 */
class CheckpointMemoryTest {
    private static final int TENSORS = 16;
    private static final long TENSOR_BYTES = 4L << 20;
    private static final int BOMB_MIB = 4096;

    @TempDir
    Path tmp;

    private NDManager m;

    @BeforeEach
    void open() {
        m = Torch.newManager();
        // classes loaded and initialised on a first read (Jackson, DJL) would count as this test's allocations
        Checkpoints.read(Fixtures.path("ckpt/small_zip.pth"), m);
        Checkpoints.read(Fixtures.path("ckpt/small.safetensors"), m);
    }

    @AfterEach
    void close() {
        m.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.pth", "model.safetensors"})
    void sixtyFourMegabytesOfTensorsTakeSixtyFourMegabytesOnceAndLittleHeap(String name) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < TENSORS; i++) {
            state.put("layer" + i + ".weight", m.randomUniform(-1, 1, new Shape(TENSOR_BYTES / 4)));
        }
        Path file = tmp.resolve(name);
        Checkpoints.write(file, state, Map.of(), null);
        try (NDManager reading = Torch.newManager()) {
            long direct = directBytes();
            long heap = HostileCheckpointTest.allocatedBytes();
            Checkpoint c = Checkpoints.read(file, reading);
            heap = HostileCheckpointTest.allocatedBytes() - heap;
            direct = directBytes() - direct;
            long tensors = TENSORS * TENSOR_BYTES;
            assertThat(c.stateDict()).hasSize(TENSORS);
            assertThat(direct).as("direct buffers, which become the tensors").isBetween(tensors, tensors + (1 << 20));
            assertThat(heap)
                    .as("heap allocated while reading " + tensors + " bytes of tensors")
                    .isLessThan(4L << 20);
        }
    }

    /**
     * {@code declared} is the entry's size in the central directory; storage '0' declares {@code numel} floats
     * and the one tensor views 10 of them; the entry really inflates to 4 GiB of zeros.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "4294967296 | 500000000 | storage '0' needs 2000000000 bytes but its zip entry holds 4294967296",
                "2000000000 | 500000000 | compressed zip entry archive/data/0 expands to 2000000000 bytes but its tensors need 40",
                "40         | 10        | zip entry archive/data/0 expands beyond its declared 40 bytes"
            })
    void aFourMegabyteFileWhoseEntryInflatesToFourGibibytesIsRefusedWithoutInflatingIt(
            long declared, long numel, String message) throws IOException {
        Path bomb = tmp.resolve("bomb.pth");
        RawZip.write(
                bomb,
                List.of(
                        RawZip.Entry.stored("archive/data.pkl", tensorPickle(numel, 10)),
                        new RawZip.Entry(
                                "archive/data/0", RawZip.DEFLATED, RawZip.zerosDeflated(BOMB_MIB), bombCrc(), declared),
                        RawZip.Entry.stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII))));
        assertThat(Files.size(bomb)).isLessThan(5L << 20);
        boolean peakReset = resetPeakResident();
        double residentBefore = ProcessMemory.residentMb();
        long heap = HostileCheckpointTest.allocatedBytes();
        Throwable thrown = catchThrowable(() -> Checkpoints.read(bomb, m));
        heap = HostileCheckpointTest.allocatedBytes() - heap;
        assertThat(thrown).isInstanceOf(CheckpointException.class).hasMessage(bomb + ": " + message);
        assertThat(heap).as("heap allocated").isLessThan(8L << 20);
        if (peakReset) {
            assertThat(ProcessMemory.peakResidentMb() - residentBefore)
                    .as("resident growth, MiB")
                    .isLessThan(128);
        }
    }

    private static Long crc;

    private static synchronized long bombCrc() {
        if (crc == null) {
            crc = RawZip.crcOfZeros(BOMB_MIB);
        }
        return crc;
    }

    /** {@code OrderedDict(w=_rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), 0, (size,), (1,), False, OrderedDict()))}. */
    static byte[] tensorPickle(long numel, long size) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2});
        p.writeBytes(global("collections", "OrderedDict"));
        p.writeBytes(")R(".getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(str("w"));
        p.writeBytes(global("torch._utils", "_rebuild_tensor_v2"));
        p.writeBytes("((".getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(str("storage"));
        p.writeBytes(global("torch", "FloatStorage"));
        p.writeBytes(str("0"));
        p.writeBytes(str("cpu"));
        p.writeBytes(integer(numel));
        p.writeBytes("tQ".getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(integer(0));
        p.write('(');
        p.writeBytes(integer(size));
        p.write('t');
        p.write('(');
        p.writeBytes(integer(1));
        p.write('t');
        p.write(0x89);
        p.writeBytes(global("collections", "OrderedDict"));
        p.writeBytes(")RtRu.".getBytes(StandardCharsets.US_ASCII));
        return p.toByteArray();
    }

    private static byte[] global(String module, String name) {
        return ("c" + module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + b.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 'X')
                .putInt(b.length)
                .put(b)
                .array();
    }

    private static byte[] integer(long n) {
        return ByteBuffer.allocate(10)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0x8a)
                .put((byte) 8)
                .putLong(n)
                .array();
    }

    /** Bytes held by direct buffers now (the JVM's own count). */
    static long directBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool");
    }

    /** Resets the kernel's peak-resident counter (VmHWM), where /proc allows it. */
    static boolean resetPeakResident() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
