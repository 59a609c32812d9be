package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maps the key layouts of checkpoints users bring onto MMSegmentation's EncoderDecoder keys. */
public final class KeyMap {
    private KeyMap() {}

    /** Where a state dict came from. */
    public enum Layout {
        /** MMSegmentation EncoderDecoder ({@code backbone.*}, {@code decode_head.*}, ...), or any other dict taken as is. */
        MMSEG,
        /** An ImageNet backbone without the {@code backbone.} prefix (mmseg resnet*_v1c or torchvision resnet*). */
        BACKBONE,
        /** torchvision {@code fcn_resnet50/101} ({@code backbone.*}, {@code classifier.*}, {@code aux_classifier.*}). */
        TORCHVISION_FCN
    }

    /** TORCHVISION_FCN by its heads, BACKBONE by top-level ResNet keys, otherwise keys are taken as they are. */
    public static Layout detect(Map<String, ?> state) {
        boolean resnet = false;
        for (String k : state.keySet()) {
            String key = stripModule(k);
            if (key.startsWith("classifier.") || key.startsWith("aux_classifier.")) {
                return Layout.TORCHVISION_FCN;
            }
            resnet |= key.startsWith("stem.") || key.startsWith("conv1.") || key.startsWith("layer1.");
        }
        return resnet ? Layout.BACKBONE : Layout.MMSEG;
    }

    /** The state dict in MMSegmentation's keys, whatever its layout. */
    public static Map<String, NDArray> toMmseg(Map<String, NDArray> state) {
        return toMmseg(state, detect(state));
    }

    /** The state dict in MMSegmentation's keys; an ImageNet classifier ({@code fc.*}) is dropped. */
    public static Map<String, NDArray> toMmseg(Map<String, NDArray> state, Layout layout) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            String key = stripModule(k);
            switch (layout) {
                case BACKBONE:
                    if (!key.startsWith("fc.")) {
                        out.put("backbone." + key, v);
                    }
                    break;
                case TORCHVISION_FCN:
                    out.put(torchvisionHead(key), v);
                    break;
                default:
                    out.put(key, v);
            }
        });
        return out;
    }

    /** classifier.{0,1,4} -> decode_head.{convs.0.conv, convs.0.bn, conv_seg}; aux_classifier -> auxiliary_head. */
    private static String torchvisionHead(String key) {
        String head;
        String rest;
        if (key.startsWith("classifier.")) {
            head = "decode_head.";
            rest = key.substring("classifier.".length());
        } else if (key.startsWith("aux_classifier.")) {
            head = "auxiliary_head.";
            rest = key.substring("aux_classifier.".length());
        } else {
            return key;
        }
        if (rest.startsWith("0.")) {
            return head + "convs.0.conv." + rest.substring(2);
        }
        if (rest.startsWith("1.")) {
            return head + "convs.0.bn." + rest.substring(2);
        }
        if (rest.startsWith("4.")) {
            return head + "conv_seg." + rest.substring(2);
        }
        return key;
    }

    private static String stripModule(String key) {
        return key.startsWith("module.") ? key.substring(7) : key;
    }
}
