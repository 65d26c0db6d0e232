#!/usr/bin/env python3
"""Cheap attacks on a running candor server while a real reporter files reports.

  benches/attacks.py --site http://127.0.0.1:8080 --pid PID --attack NAME [--seconds 30]

NAME is one of:

  slow-uploads   64 uploads (twice max_concurrent_submissions) that each send
                 5 bytes every 2 s, so an idle timeout never fires; each one
                 cut off is opened again at once.
  slow-headers   2,000 connections that each trickle a request head, 1 KiB
                 every 0.5 s, towards 400 KB; each one closed is opened again.
  idle           idle connections, as many as --conns (the server's descriptor
                 limit and more); each one closed is opened again.
  many-parts     one request of 60,000 empty file parts (4.5 MB) every second.

Meanwhile a reporter files a 2 KiB report every 2 s (a fresh connection
each, as Tor Browser on a new circuit) and the server's memory (VmRSS from
/proc/PID/status) is sampled every 0.25 s. Prints one line of JSON: reports
filed and failed, the slowest receipt, peak RSS during the attack, and RSS
10 s after it stopped. Standard library only; 127.0.0.1 only; every attack
stops by itself after --seconds.
"""

import argparse
import json
import os
import selectors
import socket
import threading
import time
import urllib.parse

stop = threading.Event()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def connect(host, port):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect((host, port))
    except BlockingIOError:
        pass
    except OSError:
        s.close()
        return None
    return s


def crowd(host, port, n, first, every, more, limit_bytes):
    """n connections that send `first`, then `more` every `every` seconds
    (until `limit_bytes` sent); any connection closed is opened again."""
    sel = selectors.DefaultSelector()
    conns = {}

    def open_one():
        s = connect(host, port)
        if s is None:
            return
        conns[s] = {"sent": 0, "next": time.monotonic(), "first": True}
        sel.register(s, selectors.EVENT_READ)

    def drop(s):
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        conns.pop(s, None)
        s.close()

    while len(conns) < n and not stop.is_set():
        open_one()
    while not stop.is_set():
        now = time.monotonic()
        for s, st in list(conns.items()):
            if st["next"] <= now and st["sent"] < limit_bytes:
                data = first if st["first"] else more
                try:
                    sent = s.send(data)
                    st["sent"] += sent
                    st["first"] = False
                except BlockingIOError:
                    pass
                except OSError:
                    drop(s)
                    continue
                st["next"] = now + every
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                if not s.recv(65536):
                    drop(s)
            except BlockingIOError:
                pass
            except OSError:
                drop(s)
        while len(conns) < n and not stop.is_set():
            before = len(conns)
            open_one()
            if len(conns) == before:
                break
    for s in list(conns):
        drop(s)


def multipart_body(fields, files, boundary):
    out = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def post(host, port, path, body, boundary, timeout):
    """One POST on a fresh connection; returns (status, body text)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        try:
            s.sendall(body)
        except OSError:
            pass  # answered (and closed) before the body was all sent
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        head = got.split(b"\r\n", 1)[0].decode(errors="replace")
        status = int(head.split()[1]) if len(head.split()) > 1 else 0
        return status, got.decode(errors="replace")
    finally:
        s.close()


def reporter(host, port, results):
    boundary = "reporter0123456789"
    body = multipart_body(
        [("kind", "misconduct"), ("category", "fraud"), ("category", "conduct"), ("description", "x" * 2048)],
        [],
        boundary,
    )
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            status, text = post(host, port, "/report", body, boundary, timeout=30)
            ok = status == 200 and 'id="receipt"' in text
        except OSError as e:
            status, ok = type(e).__name__, False
        took = time.monotonic() - t0
        results.append((ok, took, status))
        stop.wait(max(0.0, 2.0 - took))


def many_parts(host, port):
    boundary = "manyparts0123456789"
    body = multipart_body([("kind", "misconduct")], [("attachment", "e", b"")] * 60000, boundary)
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            post(host, port, "/report", body, boundary, timeout=120)
        except OSError:
            pass
        stop.wait(max(0.0, 1.0 - (time.monotonic() - t0)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--attack", required=True, choices=["slow-uploads", "slow-headers", "idle", "many-parts", "none"])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--conns", type=int, default=0)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.site)
    host, port = u.hostname, u.port
    assert host == "127.0.0.1", "127.0.0.1 only"

    threads = []
    if a.attack == "slow-uploads":
        head = (
            f"POST /report HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=B\r\n"
            "Content-Length: 100000000\r\n\r\n--B\r\nContent-Disposition: form-data; name=\"attachment\"; "
            "filename=\"a.bin\"\r\n\r\n"
        ).encode()
        args = (host, port, a.conns or 64, head, 2.0, b"xxxxx", 10**9)
        threads.append(threading.Thread(target=crowd, args=args))
    elif a.attack == "slow-headers":
        head = f"GET / HTTP/1.1\r\nHost: {host}\r\nX-Padding: ".encode()
        args = (host, port, a.conns or 2000, head, 0.5, b"a" * 1024, 400 * 1024)
        threads.append(threading.Thread(target=crowd, args=args))
    elif a.attack == "idle":
        args = (host, port, a.conns or 10000, b"", 3600.0, b"", 0)
        threads.append(threading.Thread(target=crowd, args=args))
    elif a.attack == "many-parts":
        threads.append(threading.Thread(target=many_parts, args=(host, port)))

    results = []
    samples = []
    for t in threads:
        t.start()
    # Let the attack take hold before the reporter starts.
    time.sleep(min(5.0, a.seconds / 4))
    rep = threading.Thread(target=reporter, args=(host, port, results))
    rep.start()
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        samples.append(rss_kib(a.pid))
        time.sleep(0.25)
    stop.set()
    rep.join()
    for t in threads:
        t.join()
    time.sleep(10)
    after = rss_kib(a.pid)
    ok = [t for good, t, _ in results if good]
    failures = {}
    for good, _, status in results:
        if not good:
            failures[str(status)] = failures.get(str(status), 0) + 1
    print(
        json.dumps(
            {
                "attack": a.attack,
                "reports_ok": len(ok),
                "reports_failed": len(results) - len(ok),
                "failures_by_status": failures,
                "slowest_receipt_s": round(max(ok), 2) if ok else None,
                "median_receipt_s": round(sorted(ok)[len(ok) // 2], 2) if ok else None,
                "peak_rss_mib": round(max(samples) / 1024, 1) if samples else None,
                "rss_after_mib": round(after / 1024, 1),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
