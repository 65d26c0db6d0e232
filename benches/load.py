#!/usr/bin/env python3
"""A mixed load against a running candor server, with its memory sampled.

  benches/load.py --site http://127.0.0.1:8080 --pid PID [--minutes 10] [--workers 8]

Each worker loops over: view the landing page and the report form, file a
report (2 KiB, two categories; one in five with a 256 KiB attachment), log in
with a receipt it was given, send a follow-up. Every 10 s the server's
resident memory (VmRSS from /proc/PID/status) is printed with the request
counts, so a leak shows as a rising column. Standard library only. Start the
server with CANDOR_RATE_LIMITS=off (benchmarks only). Stops by itself.
"""

import argparse
import os
import random
import re
import threading
import time
import urllib.parse
import urllib.request

counts = {"views": 0, "reports": 0, "logins": 0, "followups": 0, "errors": 0}
lock = threading.Lock()


def bump(key):
    with lock:
        counts[key] += 1


def multipart(fields, files=()):
    boundary = "candorload%016x" % random.getrandbits(64)
    out = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.append(value.encode() + b"\r\n")
    for name, filename, data in files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.append(data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def request(url, data=None, content_type=None):
    req = urllib.request.Request(url, data=data)
    if content_type:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.read().decode("utf-8", "replace")


def worker(site, deadline, seed):
    rnd = random.Random(seed)
    text = "".join(rnd.choice("abcdefghij klmnop") for _ in range(2048))
    blob = bytes(rnd.getrandbits(8) for _ in range(256 * 1024))
    while time.time() < deadline:
        try:
            request(site + "/")
            request(site + "/report")
            bump("views")
            files = [("attachment", "evidence.bin", blob)] if rnd.random() < 0.2 else []
            body, ctype = multipart(
                [("kind", "misconduct"), ("category", "fraud"), ("category", "conduct"), ("description", text)], files
            )
            page = request(site + "/report", body, ctype)
            receipt = re.search(r'id="receipt"[^>]*>([^<]+)<', page).group(1)
            bump("reports")
            page = request(site + "/followup", urllib.parse.urlencode({"receipt": receipt}).encode(),
                           "application/x-www-form-urlencoded")
            session = re.search(r'name="session" value="([0-9a-f]+)"', page).group(1)
            bump("logins")
            body, ctype = multipart([("session", session), ("message", "a follow-up " + text[:200])])
            request(site + "/followup/message", body, ctype)
            bump("followups")
        except Exception:  # noqa: BLE001 - any failure counts, the loop goes on
            bump("errors")
            time.sleep(0.1)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--site", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--workers", type=int, default=8)
    a = p.parse_args()
    deadline = time.time() + a.minutes * 60
    threads = [threading.Thread(target=worker, args=(a.site, deadline, i), daemon=True) for i in range(a.workers)]
    for t in threads:
        t.start()
    start = time.time()
    print("seconds  rss_MiB  views  reports  logins  followups  errors", flush=True)
    samples = []
    while any(t.is_alive() for t in threads):
        time.sleep(10)
        rss = rss_kib(a.pid) / 1024
        samples.append(rss)
        with lock:
            c = dict(counts)
        print(f"{time.time() - start:7.0f}  {rss:7.1f}  {c['views']:5d}  {c['reports']:7d}  {c['logins']:6d}"
              f"  {c['followups']:9d}  {c['errors']:6d}", flush=True)
    if len(samples) >= 4:
        q = len(samples) // 4
        first, last = sum(samples[:q]) / q, sum(samples[-q:]) / q
        print(f"resident memory: first quarter {first:.1f} MiB, last quarter {last:.1f} MiB, peak {max(samples):.1f} MiB")
    print("done:", counts)


if __name__ == "__main__":
    main()
