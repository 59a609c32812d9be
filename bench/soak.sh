#!/usr/bin/env bash
# A long soak of `fcn4j serve` (not part of the suite): trains the demo model briefly, serves it, and runs
# bench/soak_client.py against it for MINUTES at steady concurrency, a share of the requests malformed (not
# images, truncated, empty, wrong method or path, junk bytes). Writes OUT/soak.csv (one row per window:
# requests, good answered 200, bad refused, errors, p50/p99 ms, server RSS MB) and OUT/server.log.
#   bench/soak.sh [--minutes 30] [--concurrency 8] [--bad 0.2] [--out bench-soak]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
minutes=30 concurrency=8 bad=0.2 out=bench-soak
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2" ;; --concurrency) concurrency="$2" ;; --bad) bad="$2" ;; --out) out="$2" ;;
    *) echo "usage: $0 [--minutes N] [--concurrency N] [--bad SHARE] [--out DIR]" >&2; exit 2 ;;
  esac
  shift 2
done
mkdir -p "$out"
fcn4j="$here/../fcn4j"
ckpt=$("$here/demo_model.sh" "$out")
"$fcn4j" serve fcn_demo_synthetic "$ckpt" --port 0 > "$out/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
port=$("$here/serve_port.sh" "$out/server.log")
echo "soak: server pid $server on port $port, $minutes min, concurrency $concurrency, bad share $bad; $(nproc) cores"
/usr/bin/python3 "$here/soak_client.py" --port "$port" --pid "$server" --images "$out/demo/data/images/val" \
  --minutes "$minutes" --concurrency "$concurrency" --bad "$bad" --window "${SOAK_WINDOW:-30}" --csv "$out/soak.csv"
curl -s "http://127.0.0.1:$port/metrics" > "$out/metrics.txt"
