package org.fcn4j.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.model.EncoderDecoder;
import org.fcn4j.model.SegDataPreProcessor;
import org.fcn4j.model.TestConfig;
import org.fcn4j.nn.OnnxTrace;
import org.fcn4j.nn.TensorFormat;
import org.fcn4j.util.AtomicFiles;
import org.fcn4j.util.Version;

/**
 * {@code fcn4j export}: an eval-mode {@link EncoderDecoder} as an ONNX model. The graph input {@code input}
 * is the (N, 3, H, W) float32 batch the data preprocessor makes; the output {@code seg_logits} is
 * encode_decode's (N, C, H, W) logits at the input's size, optionally with {@code seg_pred}, their int64
 * argmax (N, 1, H, W). The graph is recorded from one forward pass ({@link OnnxTrace}); the config a consumer
 * needs to preprocess and to label (classes, palette, mean/std, channel order, test mode) goes into the
 * model's metadata_props.
 */
public final class OnnxExport {
    public static final String INPUT = "input";
    public static final String LOGITS = "seg_logits";
    public static final String LABELS = "seg_pred";
    /** The opsets whose Conv, ConvTranspose, Resize, Slice and BatchNormalization the graph uses as written. */
    public static final int MIN_OPSET = 13;

    public static final int MAX_OPSET = 21;

    private OnnxExport() {}

    /**
     * What to export.
     *
     * @param batch N of the traced input (and of the graph, unless dynamic)
     * @param height H of the traced input, width its W
     * @param dynamic N, H and W symbolic
     * @param foldBn BatchNorm folded into the convolutions (else BatchNormalization nodes)
     */
    public record Options(
            int batch, int height, int width, boolean dynamic, int opset, boolean argmax, boolean foldBn) {
        public Options {
            if (opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new OnnxException(
                        "opset " + opset + " is not supported (" + MIN_OPSET + " to " + MAX_OPSET + ")");
            }
            if (batch < 1 || height < 1 || width < 1) {
                throw new OnnxException(
                        "batch and shape must be positive but got " + batch + "x" + height + "x" + width);
            }
        }
    }

    /**
     * The ONNX model of {@code model} (eval mode, float32, weights as loaded); {@code configYaml} is stored
     * whole beside the preprocessing keys.
     */
    public static ModelProto build(EncoderDecoder model, DatasetMeta meta, String configYaml, Options o) {
        model.eval();
        if (o.foldBn()) {
            model.prepareInference(TensorFormat.DEFAULT);
        } else if (!model.inferenceFormat().isDefault()) {
            throw new OnnxException("the model computes in " + model.inferenceFormat()
                    + "; export needs its float32 weights (load it without --precision / --channels-last)");
        }
        GraphProto.Builder graph = GraphProto.newBuilder().setName("fcn4j");
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.zeros(new Shape(o.batch(), 3, o.height(), o.width()));
            try (OnnxTrace trace = OnnxTrace.start(model, x, INPUT)) {
                // an operator without an ONNX form fails the trace by name
                NDArray logits = model.encodeDecode(x);
                trace.output(logits, LOGITS);
                if (o.argmax()) {
                    trace.argMax(LOGITS, 1, LABELS);
                }
                graph.addAllNode(trace.nodes()).addAllInitializer(trace.initializers());
            } catch (UnsupportedOperationException e) {
                throw new OnnxException(e.getMessage(), e);
            }
        }
        String[] dims =
                o.dynamic() ? new String[] {"batch", null, "height", "width"} : new String[] {null, null, null, null};
        long[] in = {o.batch(), 3, o.height(), o.width()};
        graph.addInput(value(INPUT, TensorProto.DataType.FLOAT, dims, in));
        graph.addOutput(
                value(LOGITS, TensorProto.DataType.FLOAT, dims, new long[] {in[0], model.numClasses(), in[2], in[3]}));
        if (o.argmax()) {
            graph.addOutput(value(LABELS, TensorProto.DataType.INT64, dims, new long[] {in[0], 1, in[2], in[3]}));
        }
        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(irVersion(o.opset()))
                .setProducerName("fcn4j")
                .setProducerVersion(Version.get())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(o.opset()))
                .setGraph(graph);
        metadata(model, meta, configYaml)
                .forEach((k, v) -> proto.addMetadataProps(
                        StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return proto.build();
    }

    /** Writes {@code model} to {@code out} through a temp file: a failed write leaves no partial .onnx. */
    public static void write(ModelProto model, Path out) {
        write(model, out, null);
    }

    /** As {@link #write(ModelProto, Path)}, telling {@code written} (if not null) the bytes written so far. */
    public static void write(ModelProto model, Path out, java.util.function.LongConsumer written) {
        AtomicFiles.write(out, model::writeTo, written);
    }

    /** The ONNX IR version of each opset's release (the newest a runtime of that opset reads). */
    private static long irVersion(int opset) {
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    /** A tensor's type and shape; a named dim is symbolic, a null one is {@code fixed}'s. */
    private static ValueInfoProto value(String name, TensorProto.DataType type, String[] dims, long[] fixed) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] != null) {
                d.setDimParam(dims[i]);
            } else {
                d.setDimValue(fixed[i]);
            }
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(type.getNumber())
                                .setShape(shape)))
                .build();
    }

    /** metadata_props: JSON values a consumer reads to preprocess and label without fcn4j. */
    static Map<String, String> metadata(EncoderDecoder model, DatasetMeta meta, String configYaml) {
        SegDataPreProcessor pre = model.spec().preprocessor();
        TestConfig test = model.spec().testCfg();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("classes", meta.classes());
        m.put("palette", meta.palette());
        m.put("mean", pre.mean());
        m.put("std", pre.std());
        m.put("bgr_to_rgb", pre.bgrToRgb());
        m.put("test_mode", test.mode().configName());
        if (test.slide()) {
            m.put("crop_size", test.crop());
            m.put("stride", test.stride());
        }
        m.put("align_corners", model.spec().decodeHead().alignCorners());
        ObjectMapper json = new ObjectMapper();
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            try {
                out.put(k, json.writeValueAsString(v));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
        out.put("fcn4j_version", Version.get());
        out.put("config", configYaml);
        return out;
    }
}
