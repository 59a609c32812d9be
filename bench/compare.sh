#!/usr/bin/env bash
# fcn4j bench, the PyTorch reference and ONNX Runtime (fcn4j bench --engine onnxruntime) on FCN-R50-D8, one after the other with the same shape, batch, threads
# and iterations, each mode in its own process; writes one JSON per run and prints them side by side, with the
# training targets' ratios. --train-only runs just the rows those need (fp32 and bf16 training of both, NCHW and
# channels-last). --rounds N runs the rows N times over, one round after the other, so that this machine's drift
# falls on every row alike, and prints each target's ratio per round and their median; --only REGEX keeps the rows
# whose names match (e.g. 'fcn4j-fp32.*|pytorch-(fp32|channels_last)-malloc').
#   bench/compare.sh [--shape 512x512] [--batch 1] [--iters 5] [--warmup 1] [--threads 2] [--out DIR] [--train-only]
#                    [--rounds 1] [--only REGEX]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shape=512x512 batch=1 iters=5 warmup=1 threads=2 out=bench-results train_only= rounds=1 only=
while [ $# -gt 0 ]; do
  [ "$1" = --train-only ] && { train_only=1; shift; continue; }
  case "$1" in
    --shape) shape="$2" ;; --batch) batch="$2" ;; --iters) iters="$2" ;; --warmup) warmup="$2" ;;
    --threads) threads="$2" ;; --out) out="$2" ;; --rounds) rounds="$2" ;; --only) only="$2" ;;
    *) echo "usage: $0 [--shape HxW] [--batch N] [--iters N] [--warmup N] [--threads N] [--out DIR] [--train-only] [--rounds N] [--only REGEX]" >&2
       exit 2 ;;
  esac
  shift 2
done
common=(--shape "$shape" --batch "$batch" --iters "$iters" --warmup "$warmup" --threads "$threads")
# the load average includes this script's previous run; top shows whether anything else was busy
load() {
  echo "$1 $(cut -d' ' -f1-3 /proc/loadavg)" >> "$dir/load.txt"
  { echo "== before $1"; top -bn1 | sed -n '7,11p'; } >> "$dir/top.txt"
}
want() { [ -z "$only" ] || [[ "$1" =~ ^($only)$ ]]; }
# the launcher picks the allocator (malloc-env.sh: jemalloc where installed, else glibc kept from returning memory);
# the "-glibc" rows run the jar with glibc's defaults, and the PyTorch "-malloc" rows give PyTorch the launcher's
# settings, so both effects show
tuned() { (. "$here/../malloc-env.sh"; exec "$@"); }
model=fcn_r50-d8_4xb2-40k_cityscapes-512x1024
fcn4j() {
  local name="$1"; shift
  want "$name" || return 0
  load "$name"
  "$here/../fcn4j" bench "$model" "${common[@]}" "$@" --json "$dir/$name.json"
}
# pytorch NAME MODE [tuned]
pytorch() {
  want "$1" || return 0
  load "$1"
  ${3:-} /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 "${common[@]}" --mode "$2" \
    --json "$dir/$1.json"
}
onnxruntime() {
  local graph wanted=
  for graph in fcn4j fcn4j-folded torch; do want "onnxruntime-fp32-$graph-export" && wanted=1; done
  [ -n "$wanted" ] || return 0
  # PyTorch's random weights saved as an MMSegmentation checkpoint, exported by fcn4j export (BatchNorm as nodes,
  # and folded), and the same weights exported by torch.onnx for comparison
  /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 --shape "$shape" --batch "$batch" \
    --save-state "$dir/r50.pth"
  "$here/../fcn4j" export "$model" "$dir/r50.pth" "$dir/r50-fcn4j.onnx" --shape "$shape" --batch "$batch"
  "$here/../fcn4j" export "$model" "$dir/r50.pth" "$dir/r50-fcn4j-folded.onnx" --shape "$shape" --batch "$batch" --fold-bn
  /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 --shape "$shape" --batch "$batch" \
    --export-onnx "$dir/r50-torch.onnx" 2>/dev/null
  for graph in fcn4j fcn4j-folded torch; do
    fcn4j "onnxruntime-fp32-$graph-export" --engine onnxruntime --onnx "$dir/r50-$graph.onnx"
  done
  rm -f "$dir"/r50*.onnx "$dir/r50.pth"
}
# one round of every wanted row into directory $1
round() {
  dir="$1"
  mkdir -p "$dir"
  : > "$dir/load.txt"
  : > "$dir/top.txt"
  # fp32 trains channels-last by default for ResNets (the config's channels_last); fcn4j-fp32-nchw trains NCHW
  fcn4j fcn4j-fp32
  fcn4j fcn4j-fp32-nchw --cfg-options channels_last=False
  fcn4j fcn4j-bf16 --precision bf16
  # the forward BN-folded channels-last, the step channels-last
  fcn4j fcn4j-fp32-channels_last --channels-last
  if [ -z "$train_only" ]; then
    if want fcn4j-fp32-glibc; then
      load fcn4j-fp32-glibc
      env -u LD_PRELOAD -u MALLOC_CONF -u MALLOC_ARENA_MAX -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ \
        java -jar "$here/../fcn4j-cli/target/fcn4j.jar" bench "$model" "${common[@]}" --json "$dir/fcn4j-fp32-glibc.json"
    fi
    fcn4j fcn4j-fp32-folded --fold-bn --forward-only
    fcn4j fcn4j-bf16-channels_last --precision bf16 --channels-last
    onnxruntime
  fi
  # bf16_channels_last: autocast on a channels-last model and input, the layout fcn4j's bf16 training step runs in
  local mode
  for mode in fp32 channels_last bf16 bf16_channels_last; do
    pytorch "pytorch-$mode" "$mode"
    pytorch "pytorch-$mode-malloc" "$mode" tuned
  done
  load "end"
  /usr/bin/python3 "$here/side_by_side.py" "$dir"
}
if [ "$rounds" = 1 ]; then
  round "$out"
else
  for k in $(seq "$rounds"); do
    echo "== round $k"
    round "$out/round-$k"
  done
  /usr/bin/python3 "$here/side_by_side.py" --rounds "$out"/round-*
fi
