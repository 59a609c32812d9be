#!/usr/bin/env bash
# The FCN-R50-D8 forward in each inference engine fcn4j can run, interleaved over rounds so that a machine whose
# speed drifts (these do, by up to 2x) affects every engine alike: fcn4j fp32, fcn4j channels-last, fcn4j bf16
# channels-last, and ONNX Runtime on fcn4j's export and on torch.onnx's export of the same weights.
#   bench/engines.sh [--shape 512x512] [--iters 5] [--threads 2] [--rounds 2] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shape=512x512 iters=5 threads=2 rounds=2 out=bench-engines
while [ $# -gt 0 ]; do
  case "$1" in
    --shape) shape="$2" ;; --iters) iters="$2" ;; --threads) threads="$2" ;; --rounds) rounds="$2" ;; --out) out="$2" ;;
    *) echo "usage: $0 [--shape HxW] [--iters N] [--threads N] [--rounds N] [--out DIR]" >&2; exit 2 ;;
  esac
  shift 2
done
mkdir -p "$out"
model=fcn_r50-d8_4xb2-40k_cityscapes-512x1024
common=(--shape "$shape" --iters "$iters" --threads "$threads" --forward-only)
ref=(/usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 --shape "$shape")
"${ref[@]}" --save-state "$out/r50.pth"
"$here/../fcn4j" export "$model" "$out/r50.pth" "$out/r50-fcn4j.onnx" --shape "$shape"
"${ref[@]}" --export-onnx "$out/r50-torch.onnx" 2>/dev/null
run() {
  local name="$1"; shift
  echo "$name round $round $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
  "$here/../fcn4j" bench "$model" "${common[@]}" "$@" --json "$out/$name-$round.json" | grep '^forward'
}
: > "$out/load.txt"
for round in $(seq 1 "$rounds"); do
  run fcn4j-fp32
  run fcn4j-channels_last --channels-last
  run fcn4j-bf16-channels_last --precision bf16 --channels-last
  run onnxruntime-fcn4j-export --engine onnxruntime --onnx "$out/r50-fcn4j.onnx"
  run onnxruntime-torch-export --engine onnxruntime --onnx "$out/r50-torch.onnx"
done
rm -f "$out"/r50*.onnx "$out/r50.pth"
/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, sys
d = sys.argv[1]
rows = {}
for p in sorted(glob.glob(os.path.join(d, '*.json'))):
    name = os.path.basename(p)[:-5].rsplit('-', 1)[0]
    r = json.load(open(p))
    rows.setdefault(name, []).append((r['forward_median_s'], r['forward_peak_rss_mb']))
base = min(t for t, _ in rows['onnxruntime-fcn4j-export'])
print('| engine, mode | forward median s, each round | best vs ONNX Runtime (fcn4j export) | peak RSS MiB |')
print('|---|---|---|---|')
for name, runs in rows.items():
    best = min(t for t, _ in runs)
    print(f"| {name} | {' / '.join(f'{t:.3f}' for t, _ in runs)} | {best / base:.2f}x | "
          f"{' / '.join(f'{m:.0f}' for _, m in runs)} |")
PY
