package org.fcn4j.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fcn4j.io.CheckpointException;

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
        TORCHVISION_FCN,
        /** torchfcn's (wkentaro/pytorch-fcn) FCN-32s/16s/8s: the paper's layer names, no prefixes ({@code conv1_1.weight}). */
        TORCHFCN,
        /** torchvision's ImageNet {@code vgg11/13/16/19} ({@code features.N}, {@code classifier.0/3/6}). */
        TORCHVISION_VGG
    }

    /** A state dict in MMSegmentation's keys, the layout it came from, and what the mapping changed or dropped. */
    public record Mapped(Layout layout, Map<String, NDArray> state, List<String> notes) {}

    /** The paper's heads' layers in torchfcn: everything else of a torchfcn state dict is the trunk. */
    private static final String[] TORCHFCN_HEAD = {"score_", "upscore"};

    /**
     * TORCHVISION_VGG by {@code features.*}, TORCHVISION_FCN by its heads, TORCHFCN by the paper's layer names at
     * the top level, BACKBONE by top-level ResNet keys; otherwise keys are taken as they are.
     */
    public static Layout detect(Map<String, ?> state) {
        boolean vgg = false;
        boolean classifier = false;
        boolean torchfcn = false;
        boolean resnet = false;
        for (String k : state.keySet()) {
            String key = stripModule(k);
            vgg |= key.startsWith("features.");
            classifier |= key.startsWith("classifier.") || key.startsWith("aux_classifier.");
            torchfcn |= key.matches("(conv\\d_\\d|fc[67]|score_\\w+|upscore\\w*)\\.\\w+");
            resnet |= key.startsWith("stem.") || key.startsWith("conv1.") || key.startsWith("layer1.");
        }
        if (vgg) {
            return Layout.TORCHVISION_VGG;
        }
        if (classifier) {
            return Layout.TORCHVISION_FCN;
        }
        return torchfcn ? Layout.TORCHFCN : resnet ? Layout.BACKBONE : Layout.MMSEG;
    }

    /** The state dict in MMSegmentation's keys, whatever its layout. */
    public static Map<String, NDArray> toMmseg(Map<String, NDArray> state) {
        return convert(state).state();
    }

    /** The state dict in MMSegmentation's keys, read as {@code layout}. */
    public static Map<String, NDArray> toMmseg(Map<String, NDArray> state, Layout layout) {
        return convert(state, layout).state();
    }

    /** The state dict in MMSegmentation's keys with what the mapping changed, its layout detected. */
    public static Mapped convert(Map<String, NDArray> state) {
        return convert(state, detect(state));
    }

    /** As {@link #convert(Map)} for a known layout; an ImageNet classifier ({@code fc.*}, fc8) is dropped. */
    public static Mapped convert(Map<String, NDArray> state, Layout layout) {
        if (layout == Layout.TORCHVISION_VGG) {
            return TorchvisionVgg.convert(stripModule(state));
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        stripModule(state).forEach((key, v) -> {
            switch (layout) {
                case BACKBONE:
                    if (!key.startsWith("fc.")) {
                        out.put("backbone." + key, v);
                    }
                    break;
                case TORCHVISION_FCN:
                    out.put(torchvisionHead(key), v);
                    break;
                case TORCHFCN:
                    out.put((isTorchfcnHead(key) ? "decode_head." : "backbone.") + key, v);
                    break;
                default:
                    out.put(key, v);
            }
        });
        return new Mapped(layout, out, List.of());
    }

    private static boolean isTorchfcnHead(String key) {
        for (String head : TORCHFCN_HEAD) {
            if (key.startsWith(head)) {
                return true;
            }
        }
        return false;
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

    private static Map<String, NDArray> stripModule(Map<String, NDArray> state) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(stripModule(k), v));
        return out;
    }

    private static String stripModule(String key) {
        return key.startsWith("module.") ? key.substring(7) : key;
    }

    /**
     * torchvision's {@code VGG} made fully convolutional, as the FCN paper does it: {@code features.N} are the
     * 3x3 convolutions in order (each followed by a ReLU, each block by a pool), {@code classifier.0} (fc6,
     * out x C*7*7 over the flattened C x 7 x 7 pool5) becomes a 7x7 convolution by a row-major reshape,
     * {@code classifier.3} (fc7) a 1x1 convolution, and {@code classifier.6} (fc8, ImageNet's 1000 classes) is
     * dropped: the score layers start at zero.
     */
    private static final class TorchvisionVgg {
        static Mapped convert(Map<String, NDArray> state) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();
            Map<Integer, String> convs = convNames(state);
            state.forEach((key, v) -> {
                String[] part = key.split("\\.", 3);
                if (part.length < 3 || !part[1].matches("\\d+")) {
                    out.put(key, v); // not torchvision's: reported as unexpected
                    return;
                }
                int index = Integer.parseInt(part[1]);
                if (part[0].equals("features") && convs.containsKey(index)) {
                    out.put("backbone." + convs.get(index) + "." + part[2], v);
                } else if (part[0].equals("classifier") && index == 0) {
                    out.put("backbone.fc6." + part[2], part[2].equals("weight") ? fc6(v) : v);
                } else if (part[0].equals("classifier") && index == 3) {
                    out.put(
                            "backbone.fc7." + part[2],
                            part[2].equals("weight")
                                    ? v.reshape(
                                            v.getShape().get(0), v.getShape().get(1), 1, 1)
                                    : v);
                } else if (!(part[0].equals("classifier") && index == 6)) {
                    out.put(key, v);
                }
            });
            if (state.containsKey("classifier.6.weight")) {
                notes.add("dropped classifier.6 (fc8, torchvision's "
                        + state.get("classifier.6.weight").getShape().get(0)
                        + "-class ImageNet classifier); the score layers start at zero");
            }
            notes.add(
                    "torchvision's VGG weights expect RGB input scaled to [0, 1] and normalised by ImageNet's mean and "
                            + "std (data_preprocessor mean [123.675, 116.28, 103.53], std [58.395, 57.12, 57.375], "
                            + "bgr_to_rgb true), not the Caffe VGG16's BGR mean subtraction of the paper's presets");
            return new Mapped(Layout.TORCHVISION_VGG, out, notes);
        }

        /**
         * conv{b}_{i} for each {@code features} index that has a weight: torchvision's make_layers puts a conv
         * and its ReLU at consecutive indices and a pool after each block, so a gap of 2 is the next conv of the
         * block and a gap of 3 the first of the next block.
         */
        private static Map<Integer, String> convNames(Map<String, NDArray> state) {
            TreeSet<Integer> indices = new TreeSet<>();
            for (String key : state.keySet()) {
                if (key.matches("features\\.\\d+\\.running_mean")) {
                    throw new CheckpointException("a torchvision VGG with BatchNorm (vgg*_bn): fcn4j's VGG has no norm "
                            + "layers; use the plain vgg weights");
                }
                if (key.matches("features\\.\\d+\\.weight")) {
                    indices.add(Integer.parseInt(key.split("\\.")[1]));
                }
            }
            Map<Integer, String> names = new LinkedHashMap<>();
            int block = 1;
            int conv = 0;
            Integer previous = null;
            for (int index : indices) {
                if (previous != null && index - previous == 3) {
                    block++;
                    conv = 0;
                } else if (previous != null && index - previous != 2) {
                    throw new CheckpointException("features." + index + " follows features." + previous
                            + ": not torchvision's VGG layout (conv, ReLU, and a pool after each block)");
                }
                names.put(index, "conv" + block + "_" + (++conv));
                previous = index;
            }
            return names;
        }

        /** classifier.0 (out, C * 49) -> fc6 (out, C, 7, 7): pool5 was flattened C, H, W in row-major order. */
        private static NDArray fc6(NDArray w) {
            long out = w.getShape().get(0);
            long cols = w.getShape().get(1);
            if (w.getShape().dimension() != 2 || cols % 49 != 0) {
                throw new CheckpointException("classifier.0.weight is " + w.getShape()
                        + ": expected (out, C * 7 * 7) over torchvision's 7x7 pool5");
            }
            return w.reshape(out, cols / 49, 7, 7);
        }
    }
}
