#!/usr/bin/env bash
# fcn4j predict over a folder beside fcn4j bench --forward-only on the same model and image size, alternating, so
# that each round's ratio compares two runs made a minute apart: IMAGES generated street-like JPEGs of 512x1024
# (kept at that size by the test pipeline's scale), random R-50 weights saved by the PyTorch reference model.
# bench times as many forwards as predict segments images; throughput is count / total time, so the ratio is taken
# against bench's mean (on a noisy machine its median, which drops the slow runs, overstates the rate).
#   bench/predict_gap.sh [--images 12] [--rounds 2] [--out bench-predict] [-- PREDICT/BENCH OPTIONS...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
images=12 rounds=2 out=bench-predict
while [ $# -gt 0 ]; do
  [ "$1" = -- ] && { shift; break; }
  case "$1" in
    --images) images="$2" ;; --rounds) rounds="$2" ;; --out) out="$2" ;;
    *) echo "usage: $0 [--images N] [--rounds N] [--out DIR] [-- OPTIONS for both, e.g. --channels-last]" >&2; exit 2 ;;
  esac
  shift 2
done
rm -rf "$out/images" && mkdir -p "$out/images"  # exactly IMAGES of them
model=fcn_r50-d8_4xb2-40k_cityscapes-512x1024
[ -f "$out/r50.pth" ] || /usr/bin/python3 "$here/pytorch_reference.py" --depth 50 --classes 19 --shape 512x1024 \
  --save-state "$out/r50.pth" > /dev/null
/usr/bin/python3 - "$out/images" "$images" <<'PY'
import sys, random
from PIL import Image, ImageDraw, ImageFilter
out, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    rnd = random.Random(i)
    img = Image.new('RGB', (1024, 512), (rnd.randrange(90, 140),) * 3)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 1024, rnd.randrange(120, 220)], fill=(110, 160, 230))
    for _ in range(40):
        x, y = rnd.randrange(1024), rnd.randrange(512)
        d.rectangle([x, y, x + rnd.randrange(20, 200), y + rnd.randrange(20, 200)],
                    fill=tuple(rnd.randrange(256) for _ in range(3)))
    img.filter(ImageFilter.GaussianBlur(1.5)).save(f"{out}/street_{i:03d}.jpg", quality=90)
PY
echo "predict vs forward-only: $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $images images 512x1024 $*"
: > "$out/ratios"
for r in $(seq 1 "$rounds"); do
  rm -rf "$out/pred"
  line=$("$here/../fcn4j" predict "$model" "$out/r50.pth" "$out/images" --out-dir "$out/pred" \
    --cfg-options "test_pipeline.1.scale=[1024,512]" "$@" 2>/dev/null | grep '^wrote')
  "$here/../fcn4j" bench "$model" --shape 512x1024 --forward-only --iters "$images" "$@" --json "$out/bench.json" > /dev/null
  /usr/bin/python3 - "$line" "$out/bench.json" "$r" "$out/ratios" <<'PY'
import json, re, sys
line, bench, r = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
done, secs = re.search(r'^wrote (\d+) of .* in ([0-9.]+) s', line).groups()
predict = int(done) / float(secs)  # the printed images/s has two decimals, 4 % at 0.25/s
mean, median = bench['forward_mean_s'], bench['forward_median_s']
print(f"round {r}: predict {predict:.3f} images/s, forward-only {1 / mean:.3f} images/s "
      f"(mean {mean:.3f} s, median {median:.3f} s), predict / forward {predict * mean:.3f} "
      f"(against 1 / median: {predict * median:.3f})")
open(sys.argv[4], "a").write(f"{predict * mean}\n")
PY
done
/usr/bin/python3 -c "import statistics, sys; r = [float(x) for x in open(sys.argv[1])]; \
print(f'median predict / forward over {len(r)} rounds: {statistics.median(r):.3f}')" "$out/ratios"
