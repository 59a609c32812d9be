package org.fcn4j.model;

import org.fcn4j.config.ConfigNode;

/** {@code norm_cfg}: BN, or SyncBN (BN on one process); {@code requires_grad} false freezes its affine parameters. */
public record NormConfig(boolean requiresGrad) {
    public static NormConfig parse(ConfigNode n) {
        n.oneOf("type", "BN", "BN", "SyncBN", "BN2d");
        boolean requiresGrad = n.bool("requires_grad", true);
        n.accept("momentum", "eps");
        if (n.has("momentum") && n.number("momentum", 0.1) != 0.1) {
            throw n.error("momentum", "only 0.1 (PyTorch's default) is supported");
        }
        if (n.has("eps") && n.number("eps", 1e-5) != 1e-5) {
            throw n.error("eps", "only 1e-5 (PyTorch's default) is supported");
        }
        n.finish();
        return new NormConfig(requiresGrad);
    }
}
