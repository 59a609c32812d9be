package org.fcn4j.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fcn4j.data.DatasetMeta;
import org.fcn4j.experiment.Config;
import org.fcn4j.infer.Segmenter;
import org.fcn4j.model.ModelSpec;
import org.fcn4j.model.Segmentor;
import org.fcn4j.nn.Torch;

/**
 * encode_decode run by ONNX Runtime on an exported graph ({@link OnnxExport}: {@code input} in,
 * {@code seg_logits} out), so whole and slide inference, TTA, {@code test}, {@code predict}, {@code serve}
 * and {@code bench} run it as they run fcn4j's own model. All graph optimisations on; {@code threads}
 * intra-op threads that do not spin while idle, since libtorch shares the process (preprocessing, resizes
 * and the argmax stay on it) and spinning threads slow it badly.
 */
public final class OrtSegmentor implements Segmentor, AutoCloseable {
    private final ModelSpec spec;
    private final OrtEnvironment env;
    private final OrtSession session;
    /** The graph's input shape, -1 where a dimension is symbolic. */
    private final long[] inputShape;

    private OrtSegmentor(ModelSpec spec, OrtEnvironment env, OrtSession session) throws OrtException {
        this.spec = spec;
        this.env = env;
        this.session = session;
        this.inputShape =
                ((TensorInfo) session.getInputInfo().get(OnnxExport.INPUT).getInfo()).getShape();
    }

    /**
     * Opens {@code onnx} for the model {@code spec} describes; fails with the file's name when it is not an
     * fcn4j export for that many classes.
     */
    public static OrtSegmentor open(ModelSpec spec, Path onnx, int threads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            OrtSession session = env.createSession(onnx.toString(), options);
            try {
                check(spec, session, onnx);
            } catch (OnnxException | OrtException e) {
                session.close();
                throw e;
            }
            return new OrtSegmentor(spec, env, session);
        } catch (OrtException e) {
            throw new OnnxException(onnx + ": ONNX Runtime cannot load it: " + firstLine(e.getMessage()), e);
        }
    }

    private static void check(ModelSpec spec, OrtSession session, Path onnx) throws OrtException {
        Map<String, NodeInfo> in = session.getInputInfo();
        Map<String, NodeInfo> out = session.getOutputInfo();
        if (!in.containsKey(OnnxExport.INPUT) || !out.containsKey(OnnxExport.LOGITS)) {
            throw new OnnxException(onnx + ": expected the input '" + OnnxExport.INPUT + "' and the output '"
                    + OnnxExport.LOGITS + "' of fcn4j export but got " + in.keySet() + " -> " + out.keySet());
        }
        long classes = ((TensorInfo) out.get(OnnxExport.LOGITS).getInfo()).getShape()[1];
        if (classes != spec.decodeHead().numClasses()) {
            throw new OnnxException(onnx + ": the graph gives " + classes + " classes but the config has "
                    + spec.decodeHead().numClasses());
        }
    }

    /**
     * A {@link Segmenter} running {@code onnx} with {@code config}'s test pipeline and TTA; class names and
     * palette from the graph's metadata (as exported), else the dataset's.
     */
    public static Segmenter segmenter(Config config, Path onnx, int threads) {
        OrtSegmentor ort = open(config.model(), onnx, threads);
        try {
            return Segmenter.over(Torch.newManager(), ort, config, ort.meta(config.datasetType()));
        } catch (RuntimeException e) {
            ort.close();
            throw e;
        }
    }

    /** The classes and palette of the graph's metadata_props when they fit the model, else the dataset's. */
    private DatasetMeta meta(String datasetType) {
        int n = numClasses();
        try {
            Map<String, String> props = session.getMetadata().getCustomMetadata();
            ObjectMapper json = new ObjectMapper();
            if (props.containsKey("classes") && props.containsKey("palette")) {
                List<String> classes = json.readValue(props.get("classes"), new TypeReference<List<String>>() {});
                int[][] palette = json.readValue(props.get("palette"), int[][].class);
                if (classes.size() == n && palette.length == n) {
                    return new DatasetMeta(classes, palette);
                }
            }
        } catch (OrtException | JsonProcessingException e) {
            // metadata is optional: an ONNX file from elsewhere may carry none, or other keys
        }
        return DatasetMeta.forDataset(datasetType, n);
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /** The graph's logits for x, copied into x's manager. */
    @Override
    public NDArray encodeDecode(NDArray x) {
        long[] shape = x.getShape().getShape();
        for (int i = 0; i < shape.length; i++) {
            if (inputShape[i] >= 0 && inputShape[i] != shape[i]) {
                throw new OnnxException("the graph takes input " + new Shape(inputShape) + " but got " + x.getShape()
                        + ": export it with --dynamic (or --shape HxW and --batch N for this size)");
            }
        }
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), shape);
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            OnnxTensor logits = (OnnxTensor) result.get(OnnxExport.LOGITS).orElseThrow();
            FloatBuffer data = logits.getFloatBuffer();
            float[] values = new float[data.remaining()];
            data.get(values);
            return x.getManager().create(values, new Shape(logits.getInfo().getShape()));
        } catch (OrtException e) {
            throw new OnnxException("ONNX Runtime: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }
}
