#!/usr/bin/env bash
# fcn4j predict over a folder beside fcn4j bench --forward-only on the same model and image size, alternating, so
# that each round's ratio compares two runs made a minute apart: IMAGES generated street-like JPEGs of 512x1024
# (kept at that size by the test pipeline's scale), random R-50 weights saved by the PyTorch reference model.
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
mkdir -p "$out/images"
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
for r in $(seq 1 "$rounds"); do
  rm -rf "$out/pred"
  line=$("$here/../fcn4j" predict "$model" "$out/r50.pth" "$out/images" --out-dir "$out/pred" \
    --cfg-options "test_pipeline.1.scale=[1024,512]" "$@" 2>/dev/null | grep '^wrote')
  "$here/../fcn4j" bench "$model" --shape 512x1024 --forward-only --iters 5 "$@" --json "$out/bench.json" > /dev/null
  /usr/bin/python3 - "$line" "$out/bench.json" "$r" <<'PY'
import json, re, sys
line, bench, r = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
predict = float(re.search(r'\(([0-9.]+) images/s', line).group(1))
forward = 1 / bench['forward_median_s']
print(f"round {r}: predict {predict:.3f} images/s, forward-only {forward:.3f} images/s "
      f"(median {bench['forward_median_s']:.3f} s), predict / forward {predict / forward:.3f}")
PY
done
