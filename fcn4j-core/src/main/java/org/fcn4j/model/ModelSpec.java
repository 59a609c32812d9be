package org.fcn4j.model;

import java.util.Set;
import java.util.TreeSet;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;

/**
 * The {@code model} section of a config: an {@code EncoderDecoder}; {@code auxiliaryHead} may be null.
 *
 * @param frozenNorms the parts (backbone, decode_head, auxiliary_head) whose {@code norm_cfg} says
 *     {@code requires_grad: false}: their BN weights and biases are not trained
 */
public record ModelSpec(
        SegDataPreProcessor preprocessor,
        BackboneSpec backbone,
        HeadSpec decodeHead,
        HeadSpec auxiliaryHead,
        TestConfig testCfg,
        Set<String> frozenNorms) {

    /** Reads and checks {@code model}: unknown keys, wrong types and impossible values fail here, naming the key. */
    public static ModelSpec parse(ConfigNode n) {
        n.oneOf("type", "EncoderDecoder", "EncoderDecoder");
        SegDataPreProcessor pre = SegDataPreProcessor.parse(n.dict("data_preprocessor"));
        BackboneSpec backbone = BackboneSpec.parse(n.requireDict("backbone"));
        HeadSpec decode = HeadSpec.parse(n.requireDict("decode_head"));
        ConfigNode auxNode = n.dict("auxiliary_head");
        HeadSpec aux = auxNode == null ? null : HeadSpec.parse(auxNode);
        TestConfig test = TestConfig.parse(n.dict("test_cfg"));
        n.accept("pretrained", "init_cfg", "train_cfg", "neck");
        if (n.has("neck")) {
            throw n.error("neck", "FCN models have no neck");
        }
        n.finish();
        checkWiring(n, backbone, decode, "decode_head");
        if (aux != null) {
            checkWiring(n, backbone, aux, "auxiliary_head");
        }
        Set<String> frozen = new TreeSet<>();
        for (String part : new String[] {"backbone", "decode_head", "auxiliary_head"}) {
            ConfigNode norm = n.has(part) ? n.requireDict(part).dict("norm_cfg") : null;
            if (norm != null && !norm.bool("requires_grad", true)) {
                frozen.add(part);
            }
        }
        return new ModelSpec(pre, backbone, decode, aux, test, Set.copyOf(frozen));
    }

    /** The head must read a stage the backbone outputs, with that stage's channel count. */
    private static void checkWiring(ConfigNode n, BackboneSpec b, HeadSpec h, String key) {
        int index = h.inputIndex(b.outIndices().length);
        if (index < 0 || index >= b.outIndices().length) {
            throw new ConfigException(n.pathOf(key) + ".in_index: " + h.inIndex() + " but the backbone has "
                    + b.outIndices().length + " outputs");
        }
        int stage = b.outIndices()[index];
        int channels = b.stageChannels(stage);
        if (channels != h.inChannels()) {
            throw new ConfigException(n.pathOf(key) + ".in_channels: " + h.inChannels() + " but backbone output "
                    + index + " (stage " + (stage + 1) + ") has " + channels + " channels");
        }
    }
}
