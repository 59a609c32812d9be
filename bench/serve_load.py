#!/usr/bin/env python3
"""Closed-loop load on fcn4j serve for bench/serve_batching.sh: CONCURRENCY threads each POST the same-size PNGs
of a folder (resized to SIZE x SIZE) back to back for SECONDS after a warm-up, one new connection per request.
Prints one JSON line: requests, errors, requests/s, p50/p99 latency (ms). The standard library plus PIL."""
import argparse
import glob
import http.client
import io
import json
import os
import threading
import time

from PIL import Image


def images(folder, size):
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.png")))[:8]:
        buf = io.BytesIO()
        Image.open(path).convert("RGB").resize((size, size), Image.BILINEAR).save(buf, "PNG")
        out.append(buf.getvalue())
    if not out:
        raise SystemExit("no PNG images in " + folder)
    return out


def post(port, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", "/v1/segment", body=body, headers={"Content-Type": "image/png"})
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--warmup", type=float, default=15)
    a = p.parse_args()
    bodies = images(a.images, a.size)
    start = time.monotonic()
    measure_from, end = start + a.warmup, start + a.warmup + a.seconds
    lat, errors, lock = [], [0], threading.Lock()

    def worker(k):
        i = k
        while True:
            t0 = time.monotonic()
            if t0 >= end:
                return
            status = post(a.port, bodies[i % len(bodies)])
            t1 = time.monotonic()
            i += 1
            if t0 >= measure_from and t1 <= end:
                with lock:
                    lat.append(t1 - t0)
                    errors[0] += status != 200

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat.sort()
    n = len(lat)
    print(json.dumps({"requests": n, "errors": errors[0], "req_per_s": n / a.seconds,
                      "p50_ms": 1000 * lat[n // 2], "p99_ms": 1000 * lat[max(0, -(-99 * n // 100) - 1)]}))


if __name__ == "__main__":
    main()
