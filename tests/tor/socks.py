#!/usr/bin/env python3
"""SOCKS5 streams through a test Tor client, for tests/tor/run.sh.

  socks.py flood SOCKSPORT ONION SECONDS THREADS
      Introduction flood: each connection gives the Tor client a SOCKS user
      name of its own, so Tor isolates it onto a new rendezvous circuit, which
      costs the onion service one introduction and one rendezvous circuit.
      Each stream is given up after five seconds whether or not Tor got
      through (the introduction is sent by then and waits in the service's
      queue), so the flood does not slow down when the service does.
      Prints counts at the end.

  socks.py streams SOCKSPORT ONION N
      Opens N simultaneous streams on one rendezvous circuit (one SOCKS user
      name), sends an HTTP request on each and keeps them open, then checks
      that the first stream still answers. Prints what happened as key=value.
"""
import os
import signal
import socket
import sys
import threading
import time


def connect(socks_port, onion, user, timeout=120):
    """A SOCKS5 CONNECT to ONION:80 with user name USER. Returns (socket, reply code)."""
    s = socket.create_connection(("127.0.0.1", socks_port), timeout=timeout)
    s.sendall(b"\x05\x01\x02")
    if s.recv(2) != b"\x05\x02":
        raise OSError("SOCKS server refused user/password authentication")
    u = user.encode()
    s.sendall(b"\x01" + bytes([len(u)]) + u + b"\x01x")
    if s.recv(2) != b"\x01\x00":
        raise OSError("SOCKS authentication failed")
    host = onion.encode()
    s.sendall(b"\x05\x01\x00\x03" + bytes([len(host)]) + host + (80).to_bytes(2, "big"))
    reply = s.recv(10)
    if len(reply) < 2:
        return s, -1
    return s, reply[1]


def flood(socks_port, onion, seconds, threads):
    end = time.monotonic() + seconds
    counts = {"attempts": 0, "ok": 0, "failed": 0}
    lock = threading.Lock()

    def worker(n):
        i = 0
        while time.monotonic() < end:
            i += 1
            code = -1
            try:
                s, code = connect(socks_port, onion, f"flood-{n}-{i}", timeout=5)
                s.close()
            except OSError:
                pass
            with lock:
                counts["attempts"] += 1
                counts["ok" if code == 0 else "failed"] += 1

    def report(*_):
        print(" ".join(f"{k}={v}" for k, v in counts.items()), flush=True)
        os._exit(0)

    # The script stops the flood with SIGTERM once it has what it needs.
    signal.signal(signal.SIGTERM, report)
    pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(seconds + 5)
    report()


def request(s):
    s.sendall(b"GET / HTTP/1.1\r\nHost: candor\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


def streams(socks_port, onion, n):
    user = f"streams-{time.monotonic_ns()}"
    opened, answered, refused = [], 0, 0
    for _ in range(n):
        try:
            s, code = connect(socks_port, onion, user, timeout=60)
        except OSError:
            refused += 1
            continue
        if code != 0:
            refused += 1
            s.close()
            continue
        s.settimeout(30)
        opened.append(s)
        try:
            if (request(s) or "").endswith("200 OK"):
                answered += 1
        except OSError:
            pass
    # Is the first stream, and so the circuit, still there?
    first_alive = False
    if opened:
        try:
            first_alive = (request(opened[0]) or "").endswith("200 OK")
        except OSError:
            first_alive = False
    for s in opened:
        s.close()
    print(f"opened={len(opened)} answered={answered} refused={refused} first_alive={int(first_alive)}")


def main():
    cmd = sys.argv[1]
    if cmd == "flood":
        flood(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "streams":
        streams(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
