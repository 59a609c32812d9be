package org.fcn4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fcn4j.config.ConfigException;
import org.fcn4j.config.ConfigNode;
import org.fcn4j.nn.BatchNorm2d;
import org.fcn4j.nn.Conv2d;
import org.fcn4j.nn.Sequential;
import org.fcn4j.nn.Torch;
import org.fcn4j.optim.ParamwiseConfig.Multipliers;
import org.junit.jupiter.api.Test;

/**
 * mmengine's paramwise rules ({@code DefaultOptimWrapperConstructor.add_params}), each worked out by hand on a
 * tree that has every kind of parameter: a conv, a BatchNorm, a conv hit by the longest custom key, and a
 * depth-wise conv (one input channel, groups 1: mmengine's test is in_channels == groups).
 */
class ParamwiseConfigTest {
    private static ParamwiseConfig parse(Map<String, Object> cfg) {
        return ParamwiseConfig.parse(new ConfigNode("optim_wrapper.paramwise_cfg", cfg));
    }

    @Test
    void customKeysThenBiasNormAndDepthwiseRulesAsMmengine() {
        try (NDManager m = Torch.newManager()) {
            Sequential tree = new Sequential(
                    new Conv2d(m, 2, 3, 1, 1, 0, 1, true),
                    new BatchNorm2d(m, 3),
                    new Conv2d(m, 3, 3, 1, 1, 0, 1, true),
                    new Conv2d(m, 1, 1, 1, 1, 0, 1, true));
            Map<String, Object> custom = new LinkedHashMap<>();
            custom.put("weig", Map.of("lr_mult", 3.0));
            custom.put("eigh", Map.of("lr_mult", 5.0));
            custom.put("2.weight", Map.of("lr_mult", 0.0, "decay_mult", 4.0));
            ParamwiseConfig cfg = parse(Map.of(
                    "bias_lr_mult",
                    2.0,
                    "bias_decay_mult",
                    0.0,
                    "norm_decay_mult",
                    0.5,
                    "dwconv_decay_mult",
                    0.25,
                    "custom_keys",
                    custom));
            Map<String, Multipliers> got = cfg.of(tree);
            // "weig" and "eigh" both match every weight at the same length: the alphabetically first wins
            assertThat(got.get("0.weight")).isEqualTo(new Multipliers(5, 1));
            assertThat(got.get("0.bias")).isEqualTo(new Multipliers(2, 0));
            // a custom key overrides the norm rule; a norm bias gets no bias_lr_mult and the norm decay
            assertThat(got.get("1.weight")).isEqualTo(new Multipliers(5, 1));
            assertThat(got.get("1.bias")).isEqualTo(new Multipliers(1, 0.5));
            // the longest matching key wins
            assertThat(got.get("2.weight")).isEqualTo(new Multipliers(0, 4));
            assertThat(got.get("2.bias")).isEqualTo(new Multipliers(2, 0));
            // a depth-wise conv's decay rule comes before the bias rule
            assertThat(got.get("3.bias")).isEqualTo(new Multipliers(2, 0.25));
            // buffers (BN running statistics) are not parameters
            assertThat(got).hasSize(8).doesNotContainKey("1.running_mean");
        }
    }

    @Test
    void absentOrEmptyMeansOneParamGroupAndBadValuesNameTheKey() {
        assertThat(ParamwiseConfig.parse(null)).isNull();
        assertThat(parse(Map.of())).isNull();
        assertThatThrownBy(() -> parse(Map.of("bias_lr_mult", -1.0)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("optim_wrapper.paramwise_cfg.bias_lr_mult: must be >= 0 but got -1.0");
        assertThatThrownBy(() -> parse(Map.of("custom_keys", Map.of("head", Map.of("lr_mult", -0.5)))))
                .hasMessage("optim_wrapper.paramwise_cfg.custom_keys.head.lr_mult: must be >= 0 but got -0.5");
        assertThatThrownBy(() -> parse(Map.of("custom_keys", Map.of("head", Map.of("momentum", 0.5)))))
                .hasMessage("optim_wrapper.paramwise_cfg.custom_keys.head.momentum: unknown key");
        assertThatThrownBy(() -> parse(Map.of("flat_decay_mult", 0.0)))
                .hasMessage("optim_wrapper.paramwise_cfg.flat_decay_mult: unknown key");
        assertThat(List.copyOf(parse(Map.of("custom_keys", Map.of("a", Map.of(), "bb", Map.of(), "ab", Map.of())))
                        .customKeys()
                        .keySet()))
                .as("mmengine's order: longest first, then alphabetical")
                .containsExactly("ab", "bb", "a");
    }
}
