#!/usr/bin/python3
"""Hostile and idle clients for the connection limit tests.

  conns.py hold ADDR N SECONDS
      Open N connections; half stay silent, half send part of a request
      line and headers and then nothing. Print "open N" once all are
      connected, hold them until SECONDS pass or SIGTERM, then print
      "closed K" where K is how many invd closed meanwhile.

  conns.py slow ADDR KIND INTERVAL SECONDS
      One client. KIND is headers (trickle a never-ending header), body
      (whole headers, then trickle the body), idle (send nothing) or
      keepalive (one whole request, read the reply, then send nothing).
      Trickling sends one byte every INTERVAL seconds. Print
      "closed T sent B" when invd closes the connection after T seconds,
      or "open T sent B" if it is still open after SECONDS.

ADDR is HOST:PORT or the path of a Unix socket. Every run is bounded by
SECONDS (plus connect time).
"""
import select
import signal
import socket
import sys
import time


def connect(addr):
    # Blocking: a full backlog makes a Unix socket client wait (a timeout
    # would turn that into EAGAIN). Callers bound the run with timeout(1).
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = addr
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host, int(port))
    s.connect(target)
    return s


def peer_closed(s):
    """True if the peer closed s (EOF or reset); reads what is pending."""
    try:
        while True:
            r, _, _ = select.select([s], [], [], 0)
            if not r:
                return False
            if not s.recv(65536):
                return True
    except OSError:
        return True


def hold(addr, n, seconds):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    socks = []
    for i in range(n):
        s = connect(addr)
        if i % 2:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Wait: ")
        socks.append(s)
    print("open %d" % len(socks), flush=True)
    end = time.monotonic() + seconds
    while not stop and time.monotonic() < end:
        time.sleep(0.1)
    print("closed %d" % sum(peer_closed(s) for s in socks), flush=True)


def slow(addr, kind, interval, seconds):
    s = connect(addr)
    s.setblocking(False)
    t0 = time.monotonic()
    sent = 0
    if kind == "headers":
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    elif kind == "body":
        s.sendall(b"POST /products HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\n"
                  b"Content-Length: 100000\r\n\r\n{")
    elif kind == "keepalive":
        s.setblocking(True)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(10)
        if not s.recv(65536).startswith(b"HTTP/1.1 200"):
            print("no reply", flush=True)
            return 1
        s.setblocking(False)
        t0 = time.monotonic()
    trickle = kind in ("headers", "body")
    while time.monotonic() - t0 < seconds:
        r, _, _ = select.select([s], [], [], interval if trickle else 0.05)
        if r and peer_closed(s):
            print("closed %.1f sent %d" % (time.monotonic() - t0, sent),
                  flush=True)
            return 0
        if trickle and not r:
            try:
                s.send(b"a")
                sent += 1
            except OSError:
                print("closed %.1f sent %d" % (time.monotonic() - t0, sent),
                      flush=True)
                return 0
    print("open %.1f sent %d" % (time.monotonic() - t0, sent), flush=True)
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "hold":
        return hold(argv[2], int(argv[3]), float(argv[4]))
    if len(argv) == 6 and argv[1] == "slow":
        return slow(argv[2], argv[3], float(argv[4]), float(argv[5]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
