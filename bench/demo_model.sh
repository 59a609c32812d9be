#!/usr/bin/env bash
# The small model the serving and Spark benchmarks run: the demo's ResNet-18 FCN (or, with MODEL fcn32s, fcn16s
# or fcn8s, the demo's width-reduced VGG FCN) trained for 100 iterations on 32 generated scenes, in OUT/demo or
# OUT/demo-MODEL (kept, so later runs reuse it). Prints the checkpoint's path.
#   bench/demo_model.sh OUT [MODEL]
set -euo pipefail
out="${1:?usage: demo_model.sh OUT [resnet|fcn32s|fcn16s|fcn8s]}" model="${2:-resnet}"
dir="$out/demo"
[ "$model" = resnet ] || dir="$out/demo-$model"
ckpt="$dir/iter_100.pth"
if [ ! -f "$ckpt" ]; then
  mkdir -p "$out"
  "$(dirname "${BASH_SOURCE[0]}")/../fcn4j" demo --model "$model" --work-dir "$dir" --train-images 32 --val-images 8 \
    --cfg-options train_cfg.max_iters=100 train_cfg.val_interval=100 default_hooks.checkpoint.interval=100 \
    > "$out/demo-$model.log" 2>&1
fi
echo "$ckpt"
