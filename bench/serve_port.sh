#!/usr/bin/env bash
# Waits (up to 60 s) until the fcn4j serve writing LOG prints its listening line, then prints its port.
#   port=$(bench/serve_port.sh LOG)
set -euo pipefail
for _ in $(seq 600); do
  port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$1" | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && { echo "$port"; exit 0; }
  sleep 0.1
done
cat "$1" >&2
exit 1
