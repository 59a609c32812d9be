#!/usr/bin/env python3
"""The load of bench/soak.sh: CONCURRENCY threads send a steady mix of good and bad requests to fcn4j serve
and, every WINDOW seconds, one CSV row records what the window saw: requests, good answers, refusals of bad
requests, errors (a good request not answered 200, a bad one answered 5xx or not at all), p50/p99 latency of
the good ones, and the server's resident memory. The standard library only (PIL when present, for 256x256
versions of the images)."""
import argparse
import glob
import http.client
import io
import os
import random
import socket
import threading
import time


def images(folder):
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.png")))[:8]:
        with open(path, "rb") as f:
            out.append(f.read())
    try:
        from PIL import Image

        for data in list(out):
            big = io.BytesIO()
            Image.open(io.BytesIO(data)).resize((256, 256), Image.NEAREST).save(big, "PNG")
            out.append(big.getvalue())
    except ImportError:
        pass
    if not out:
        raise SystemExit("no PNG images in " + folder)
    return out


def post(port, body, content_type="image/png", path="/v1/segment", method="POST"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def raw(port, data):
    """Sends bytes that are not HTTP; returns the status the server answered with, or 0 when it closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        reply = s.recv(64)
        return int(reply.split()[1]) if reply.startswith(b"HTTP/1.1 ") else 0


def bad_request(port, rng, pngs):
    """One malformed request of a random kind; True when the server refused it properly (4xx or a close)."""
    kind = rng.randrange(6)
    if kind == 0:
        status = post(port, os.urandom(rng.randrange(1, 4096)))  # not an image
    elif kind == 1:
        png = rng.choice(pngs)
        status = post(port, png[: len(png) // 2])  # truncated
    elif kind == 2:
        status = post(port, b"")  # empty
    elif kind == 3:
        status = post(port, None, method="GET")  # wrong method
    elif kind == 4:
        status = post(port, b"x", path="/v1/nothing")  # unknown path
    else:
        status = raw(port, os.urandom(rng.randrange(1, 512)) + b"\r\n\r\n")  # junk
    return status == 0 or 400 <= status < 500


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


class Window:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = self.good = self.refused = self.errors = 0
        self.latencies = []

    def record(self, ok, good, latency):
        with self.lock:
            self.requests += 1
            if not ok:
                self.errors += 1
            elif good:
                self.good += 1
                self.latencies.append(latency)
            else:
                self.refused += 1

    def take(self):
        with self.lock:
            row = (self.requests, self.good, self.refused, self.errors, list(self.latencies))
            self.reset()
            return row


def worker(args, pngs, window, stop, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        good = rng.random() >= args.bad
        start = time.monotonic()
        try:
            ok = post(args.port, rng.choice(pngs)) == 200 if good else bad_request(args.port, rng, pngs)
        except (OSError, http.client.HTTPException):
            ok = False
        window.record(ok, good, time.monotonic() - start)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True, help="the server's process, for its memory")
    p.add_argument("--images", required=True, help="a folder of PNG images to segment")
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--bad", type=float, default=0.2, help="share of malformed requests")
    p.add_argument("--window", type=float, default=30, help="seconds per CSV row")
    p.add_argument("--csv", required=True)
    args = p.parse_args()
    pngs = images(args.images)
    window, stop = Window(), threading.Event()
    threads = [threading.Thread(target=worker, args=(args, pngs, window, stop, i), daemon=True)
               for i in range(args.concurrency)]
    for t in threads:
        t.start()
    begin = time.monotonic()
    totals = [0, 0, 0, 0]
    with open(args.csv, "w") as out:
        out.write("seconds,requests,good_200,bad_refused,errors,p50_ms,p99_ms,rss_mb\n")
        while time.monotonic() - begin < args.minutes * 60:
            time.sleep(args.window)
            requests, good, refused, errors, latencies = window.take()
            totals = [a + b for a, b in zip(totals, (requests, good, refused, errors))]
            row = "%.0f,%d,%d,%d,%d,%.1f,%.1f,%.0f" % (
                time.monotonic() - begin, requests, good, refused, errors,
                1000 * percentile(latencies, 0.5), 1000 * percentile(latencies, 0.99), rss_mb(args.pid))
            out.write(row + "\n")
            out.flush()
            print(row, flush=True)
    stop.set()
    for t in threads:
        t.join(60)
    print("total: %d requests, %d good answered 200, %d bad refused, %d errors" % tuple(totals))


if __name__ == "__main__":
    main()
