#!/usr/bin/env bash
# fcn4j serve with and without micro-batching, one after the other on the same model and load: the demo's
# ResNet-18 FCN (bench/demo_model.sh; --model fcn8s etc. for its VGG FCNs), CONCURRENCY closed-loop clients posting
# SIZE x SIZE PNGs for SECONDS (bench/serve_load.py). Prints requests/s and p50/p99 per setting and the
# batched/unbatched ratios.
#   bench/serve_batching.sh [--seconds 60] [--concurrency 8] [--size 256] [--window 10] [--max-batch 8]
#                           [--workers 2] [--serve-args "--precision bf16 --channels-last"] [--model resnet]
#                           [--out bench-serve]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds=60 concurrency=8 size=256 window=10 maxbatch=8 workers=2 serveargs= model=resnet out=bench-serve
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2" ;; --concurrency) concurrency="$2" ;; --size) size="$2" ;; --window) window="$2" ;;
    --max-batch) maxbatch="$2" ;; --workers) workers="$2" ;; --serve-args) serveargs="$2" ;;
    --model) model="$2" ;; --out) out="$2" ;;
    *) echo "usage: $0 [--seconds N] [--concurrency N] [--size PX] [--window MS] [--max-batch N] [--workers N] [--serve-args ARGS] [--model M] [--out DIR]" >&2
       exit 2 ;;
  esac
  shift 2
done
mkdir -p "$out"
ckpt=$("$here/demo_model.sh" "$out" "$model")
preset=fcn_demo_synthetic
[ "$model" = resnet ] || preset="${model}_vgg_demo_synthetic"
run() {
  local name="$1"; shift
  "$here/../fcn4j" serve "$preset" "$ckpt" --port 0 --workers "$workers" --queue 32 $serveargs "$@" \
    > "$out/$name.log" 2>&1 &
  local server=$! port
  port=$("$here/serve_port.sh" "$out/$name.log")
  /usr/bin/python3 "$here/serve_load.py" --port "$port" --images "$(dirname "$ckpt")/data/images/val" --size "$size" \
    --concurrency "$concurrency" --seconds "$seconds" > "$out/$name.json"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^fcn4j_batch' > "$out/$name.metrics" || true
  kill -TERM "$server"; wait "$server" || true
  echo "$name $(cat "$out/$name.json") $(tr '\n' ' ' < "$out/$name.metrics")"
}
echo "serve batching: $preset, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), ${size}x${size}, concurrency $concurrency, workers $workers${serveargs:+, $serveargs}"
run unbatched
run batched --batch-window "$window" --max-batch "$maxbatch"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
a, b = (json.load(open(f"{sys.argv[1]}/{n}.json")) for n in ("unbatched", "batched"))
print(f"batched / unbatched: requests/s {b['req_per_s'] / a['req_per_s']:.2f}x, p50 {b['p50_ms'] / a['p50_ms']:.2f}x, "
      f"p99 {b['p99_ms'] / a['p99_ms']:.2f}x")
PY
