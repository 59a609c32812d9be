#!/usr/bin/env bash
# The small model the serving and Spark benchmarks run: the demo's ResNet-18 FCN trained for 100 iterations on
# 32 generated scenes, in OUT/demo (kept, so later runs reuse it). Prints the checkpoint's path.
#   bench/demo_model.sh OUT
set -euo pipefail
out="${1:?usage: demo_model.sh OUT}"
ckpt="$out/demo/iter_100.pth"
if [ ! -f "$ckpt" ]; then
  mkdir -p "$out"
  "$(dirname "${BASH_SOURCE[0]}")/../fcn4j" demo --work-dir "$out/demo" --train-images 32 --val-images 8 \
    --cfg-options train_cfg.max_iters=100 train_cfg.val_interval=100 default_hooks.checkpoint.interval=100 \
    > "$out/demo.log" 2>&1
fi
echo "$ckpt"
