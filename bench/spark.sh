#!/usr/bin/env bash
# Batch prediction throughput, side by side on one machine: `fcn4j predict` (one process, --threads libtorch
# threads) against `fcn4j spark predict --master local[N]` (N tasks at once, spark.task.cpus=1, so one libtorch
# thread each; and local[1], one task, to show the scaling from one core to two), on the same folder, interleaved
# over rounds. Prints each run's images/s as the commands report
# them (model loading excluded) and the wall time of the whole command (JVM and Spark start included).
#   bench/spark.sh [--images 96] [--size 384] [--rounds 2] [--out bench-spark]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
images=96 size=384 rounds=2 out=bench-spark
while [ $# -gt 0 ]; do
  case "$1" in
    --images) images="$2" ;; --size) size="$2" ;; --rounds) rounds="$2" ;; --out) out="$2" ;;
    *) echo "usage: $0 [--images N] [--size PX] [--rounds N] [--out DIR]" >&2; exit 2 ;;
  esac
  shift 2
done
fcn4j="$here/../fcn4j"
mkdir -p "$out"
ckpt=$("$here/demo_model.sh" "$out")
rm -rf "$out/images" && mkdir -p "$out/images"
/usr/bin/python3 - "$out/demo/data/images/val" "$out/images" "$images" "$size" <<'EOF'
import glob, os, sys
from PIL import Image
src, dst, n, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
files = sorted(glob.glob(os.path.join(src, "*.png")))
for i in range(n):
    Image.open(files[i % len(files)]).resize((size, size), Image.BILINEAR).save(os.path.join(dst, "im%04d.png" % i))
EOF
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $images images ${size}x${size}"
run() {
  local name="$1"; shift
  rm -rf "$out/$name"
  local start end rate
  start=$(date +%s.%N)
  "$@" --out-dir "$out/$name" > "$out/$name.log" 2>&1 || true
  end=$(date +%s.%N)
  rate=$(grep -oE '[0-9.]+ images/s' "$out/$name.log" | tail -1)
  printf '%-24s round %d: %s, wall %.1f s\n' "$name" "$round" "$rate" "$(echo "$end - $start" | bc)"
}
for round in $(seq 1 "$rounds"); do
  run predict-2-threads "$fcn4j" predict fcn_demo_synthetic "$ckpt" "$out/images"
  run spark-local-2 "$fcn4j" spark predict fcn_demo_synthetic "$ckpt" "$out/images" --master 'local[2]'
  run spark-local-1 "$fcn4j" spark predict fcn_demo_synthetic "$ckpt" "$out/images" --master 'local[1]'
done
