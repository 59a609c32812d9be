package org.fcn4j.model;

import java.util.Set;
import java.util.TreeSet;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;

/**
 * The {@code model} section of a config: an {@code EncoderDecoder} of a backbone (ResNet or the paper's VGG),
 * a decode head (FCNHead or the paper's FCN32s/16s/8sHead) and optionally an auxiliary FCNHead
 * ({@code auxiliaryHead} null).
 *
 * @param frozenNorms the parts (backbone, decode_head, auxiliary_head) whose {@code norm_cfg} says
 *     {@code requires_grad: false}: their BN weights and biases are not trained
 */
public record ModelSpec(
        SegDataPreProcessor preprocessor,
        Backbone.Spec backbone,
        DecodeHead.Spec decodeHead,
        HeadSpec auxiliaryHead,
        TestConfig testCfg,
        Set<String> frozenNorms) {

    /** Reads and checks {@code model}: unknown keys, wrong types and impossible values fail here, naming the key. */
    public static ModelSpec parse(ConfigNode n) {
        n.oneOf("type", "EncoderDecoder", "EncoderDecoder");
        SegDataPreProcessor pre = SegDataPreProcessor.parse(n.dict("data_preprocessor"));
        Backbone.Spec backbone = Backbone.Spec.parse(n.requireDict("backbone"));
        ConfigNode decodeNode = n.requireDict("decode_head");
        DecodeHead.Spec decode = DecodeHead.Spec.parse(decodeNode);
        ConfigNode auxNode = n.dict("auxiliary_head");
        HeadSpec aux = auxNode == null ? null : HeadSpec.parse(auxNode);
        TestConfig test = TestConfig.parse(n.dict("test_cfg"));
        n.accept("pretrained", "init_cfg", "train_cfg", "neck");
        if (n.has("neck")) {
            throw n.error("neck", "FCN models have no neck");
        }
        n.finish();
        checkInputs(decodeNode, backbone, decode);
        if (aux != null) {
            checkInputs(auxNode, backbone, aux);
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

    /** The head must read outputs the backbone has, with their channel counts. */
    private static void checkInputs(ConfigNode head, Backbone.Spec backbone, DecodeHead.Spec spec) {
        try {
            spec.checkInputs(backbone);
        } catch (InvalidParameter e) {
            throw head.error(e);
        }
    }
}
