package org.fcn4j.optim;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.config.InvalidParameter;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.Module;
import org.fcn4j.nn.Tensor;

/**
 * mmengine's {@code optim_wrapper.paramwise_cfg}: per-parameter multipliers of the optimizer's lr and
 * weight_decay, assigned as {@code DefaultOptimWrapperConstructor.add_params} assigns them
 * ({@code mmengine/optim/optimizer/default_constructor.py}):
 * <ol>
 *   <li>a parameter whose name ({@code backbone.fc6.bias}) contains a {@code custom_keys} key takes that key's
 *       {@code lr_mult} and {@code decay_mult} (default 1) and no other rule; the longest matching key wins, and
 *       among keys of equal length the alphabetically first;
 *   <li>otherwise a {@code bias} not of a norm layer gets {@code bias_lr_mult}, and the weight decay is
 *       {@code norm_decay_mult} for a norm layer's weight and bias, else {@code dwconv_decay_mult} for a
 *       depth-wise convolution's (in_channels == groups), else {@code bias_decay_mult} for a bias.
 * </ol>
 * Every multiplier defaults to 1. {@code lr_mult: 0} keeps a parameter where it is under a constant schedule
 * (mmengine schedules each group's rate, so PolyLR's eta_min still lifts it).
 */
public record ParamwiseConfig(
        double biasLrMult,
        double biasDecayMult,
        double normDecayMult,
        double dwconvDecayMult,
        Map<String, Multipliers> customKeys) {

    /** Multipliers of the optimizer's lr and weight_decay. */
    public record Multipliers(double lr, double decay) {
        public static final Multipliers ONE = new Multipliers(1, 1);

        public Multipliers {
            nonNegative("lr_mult", lr);
            nonNegative("decay_mult", decay);
        }
    }

    /** custom_keys in the order mmengine tries them: longest first, then alphabetical. */
    private static final Comparator<String> MATCH_ORDER =
            Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder());

    public ParamwiseConfig {
        nonNegative("bias_lr_mult", biasLrMult);
        nonNegative("bias_decay_mult", biasDecayMult);
        nonNegative("norm_decay_mult", normDecayMult);
        nonNegative("dwconv_decay_mult", dwconvDecayMult);
        Map<String, Multipliers> ordered = new TreeMap<>(MATCH_ORDER);
        ordered.putAll(customKeys);
        customKeys = Collections.unmodifiableMap(ordered);
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0)) {
            throw new InvalidParameter(key, "must be >= 0 but got " + v);
        }
    }

    /** The multipliers of every trainable parameter under {@code root}, by state_dict key. */
    public Map<String, Multipliers> of(Module root) {
        Map<String, Multipliers> out = new LinkedHashMap<>();
        add(out, root, "");
        return out;
    }

    private void add(Map<String, Multipliers> out, Module module, String prefix) {
        boolean norm = module instanceof BatchNorm2d;
        boolean dwconv = module instanceof Conv2d c && c.inChannels == c.groups;
        for (Map.Entry<String, Tensor> e : module.ownTensors().entrySet()) {
            if (e.getValue().trainable()) {
                String name = e.getKey();
                out.put(
                        prefix.isEmpty() ? name : prefix + "." + name,
                        multipliers(prefix + "." + name, name, norm, dwconv));
            }
        }
        module.children().forEach((name, child) -> add(out, child, prefix.isEmpty() ? name : prefix + "." + name));
    }

    /** @param matched the string custom keys are looked up in: mmengine's {@code f'{prefix}.{name}'} */
    private Multipliers multipliers(String matched, String name, boolean norm, boolean dwconv) {
        for (Map.Entry<String, Multipliers> custom : customKeys.entrySet()) {
            if (matched.contains(custom.getKey())) {
                return custom.getValue();
            }
        }
        boolean bias = name.equals("bias");
        double lr = bias && !norm ? biasLrMult : 1;
        double decay = norm ? normDecayMult : dwconv ? dwconvDecayMult : bias ? biasDecayMult : 1;
        return new Multipliers(lr, decay);
    }

    /** Reads {@code paramwise_cfg}; null when absent or empty (then one param group, as mmengine builds it). */
    public static ParamwiseConfig parse(ConfigNode n) {
        if (n == null || n.keys().isEmpty()) {
            return null;
        }
        Map<String, Multipliers> custom = new LinkedHashMap<>();
        ConfigNode keys = n.dict("custom_keys");
        if (keys != null) {
            for (String key : keys.keys()) {
                ConfigNode k = keys.requireDict(key);
                try {
                    custom.put(key, new Multipliers(k.number("lr_mult", 1), k.number("decay_mult", 1)));
                } catch (InvalidParameter e) {
                    throw k.error(e);
                }
                k.finish();
            }
        }
        // no parameter is shared and no layer is a deformable convolution: these change nothing here
        n.accept("bypass_duplicate", "dcn_offset_lr_mult");
        try {
            ParamwiseConfig cfg = new ParamwiseConfig(
                    n.number("bias_lr_mult", 1),
                    n.number("bias_decay_mult", 1),
                    n.number("norm_decay_mult", 1),
                    n.number("dwconv_decay_mult", 1),
                    custom);
            n.finish();
            return cfg;
        } catch (InvalidParameter e) {
            throw n.error(e);
        }
    }
}
