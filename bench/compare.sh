#!/usr/bin/env bash
# fcn4j bench, the PyTorch reference and ONNX Runtime (fcn4j bench --engine onnxruntime) on FCN-R50-D8, one after the other with the same shape, batch, threads
# and iterations, each mode in its own process; writes one JSON per run and prints them side by side, with the
# training targets' ratios. --train-only runs just the rows those need (fp32 and bf16 training of both, NCHW and
# channels-last).
#   bench/compare.sh [--shape 512x512] [--batch 1] [--iters 5] [--warmup 1] [--threads 2] [--out DIR] [--train-only]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shape=512x512 batch=1 iters=5 warmup=1 threads=2 out=bench-results train_only=
while [ $# -gt 0 ]; do
  [ "$1" = --train-only ] && { train_only=1; shift; continue; }
  case "$1" in
    --shape) shape="$2" ;; --batch) batch="$2" ;; --iters) iters="$2" ;; --warmup) warmup="$2" ;;
    --threads) threads="$2" ;; --out) out="$2" ;;
    *) echo "usage: $0 [--shape HxW] [--batch N] [--iters N] [--warmup N] [--threads N] [--out DIR] [--train-only]" >&2
       exit 2 ;;
  esac
  shift 2
done
mkdir -p "$out"
common=(--shape "$shape" --batch "$batch" --iters "$iters" --warmup "$warmup" --threads "$threads")
# the load average includes this script's previous run; top shows whether anything else was busy
load() {
  echo "$1 $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
  { echo "== before $1"; top -bn1 | sed -n '7,11p'; } >> "$out/top.txt"
}
: > "$out/load.txt"
: > "$out/top.txt"
# the launcher picks the allocator (malloc-env.sh: jemalloc where installed, else glibc kept from returning memory);
# the "-glibc" rows run the jar with glibc's defaults, and the PyTorch "-malloc" rows give PyTorch the launcher's
# settings, so both effects show
tuned() { (. "$here/../malloc-env.sh"; exec "$@"); }
model=fcn_r50-d8_4xb2-40k_cityscapes-512x1024
fcn4j() {
  local name="$1"; shift
  load "$name"
  "$here/../fcn4j" bench "$model" "${common[@]}" "$@" --json "$out/$name.json"
}
fcn4j fcn4j-fp32
fcn4j fcn4j-bf16 --precision bf16
# the forward BN-folded channels-last, the step channels-last (the config's channels_last=True)
fcn4j fcn4j-fp32-channels_last --channels-last
if [ -z "$train_only" ]; then
  load fcn4j-fp32-glibc
  env -u LD_PRELOAD -u MALLOC_CONF -u MALLOC_ARENA_MAX -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ \
    java -jar "$here/../fcn4j-cli/target/fcn4j.jar" bench "$model" "${common[@]}" --json "$out/fcn4j-fp32-glibc.json"
  fcn4j fcn4j-fp32-folded --fold-bn --forward-only
  fcn4j fcn4j-bf16-channels_last --precision bf16 --channels-last
  # ONNX Runtime on the same model: PyTorch's random weights saved as an MMSegmentation checkpoint, exported by
  # fcn4j export (BatchNorm as nodes, and folded), and the same weights exported by torch.onnx for comparison
  /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 --shape "$shape" --batch "$batch" \
    --save-state "$out/r50.pth"
  "$here/../fcn4j" export "$model" "$out/r50.pth" "$out/r50-fcn4j.onnx" --shape "$shape" --batch "$batch"
  "$here/../fcn4j" export "$model" "$out/r50.pth" "$out/r50-fcn4j-folded.onnx" --shape "$shape" --batch "$batch" --fold-bn
  /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 --shape "$shape" --batch "$batch" \
    --export-onnx "$out/r50-torch.onnx" 2>/dev/null
  for graph in fcn4j fcn4j-folded torch; do
    fcn4j "onnxruntime-fp32-$graph-export" --engine onnxruntime --onnx "$out/r50-$graph.onnx"
  done
  rm -f "$out"/r50*.onnx "$out/r50.pth"
fi
# bf16_channels_last: autocast on a channels-last model and input, the layout fcn4j's bf16 training step runs in
modes="fp32 channels_last bf16 bf16_channels_last"
[ -n "$train_only" ] && modes="fp32 channels_last bf16 bf16_channels_last"
for mode in $modes; do
  load "pytorch-$mode"
  /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 "${common[@]}" --mode "$mode" \
    --json "$out/pytorch-$mode.json"
  load "pytorch-$mode-malloc"
  tuned /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 "${common[@]}" --mode "$mode" \
    --json "$out/pytorch-$mode-malloc.json"
done
load "end"
/usr/bin/python3 "$here/side_by_side.py" "$out"
