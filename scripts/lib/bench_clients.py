#!/usr/bin/env python3
"""Clients for scripts/bench that wrk cannot play.

  bench_clients.py probe PORT SECONDS
      GET /health on one keep-alive connection every 5 ms for SECONDS; prints "count p50_ms p99_ms max_ms".
  bench_clients.py idle-rss PORT PID CONNECTIONS
      opens CONNECTIONS keep-alive connections; on each sends one large request (a 60,000-byte POST body)
      and GET /metrics, reads both answers, and leaves it open and idle. Prints "kib_per_connection open"
      from the growth of the server's private memory (RssAnon of PID).
  bench_clients.py idle-crowd PORT CONNECTIONS SECONDS
      opens CONNECTIONS keep-alive connections, each served one GET /health and then left idle (as a pool
      of HTTP clients leaves them); then, for SECONDS, every 5 ms, GET /health on a new connection (connect,
      request, answer), left open and idle too, so every probe finds the server full. Prints "count p50_ms
      p99_ms max_ms failed crowd_served crowd_open": probes and their latency (connect to the whole answer),
      probes that got no answer (reset, closed, timeout), crowd connections served, and crowd connections
      still open at the end.
"""
import socket
import sys
import time


def read_response(sock, buffer):
    """Reads one response (Content-Length framed) from sock; returns (status, rest of buffer)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server before a response head")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server in a response body")
        rest += chunk
    return status, rest[length:]


def probe(port, seconds):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"
    samples = []
    buffer = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        sock.sendall(request)
        status, buffer = read_response(sock, buffer)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            print("bench: /health answered %d under load" % status, file=sys.stderr)
        time.sleep(0.005)
    samples.sort()
    def pct(p):
        return samples[min(len(samples) - 1, int(len(samples) * p))]
    print("%d %.3f %.3f %.3f" % (len(samples), pct(0.5), pct(0.99), samples[-1]))


def rss_anon_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise RuntimeError("no RssAnon for pid %d" % pid)


def idle_rss(port, pid, count):
    body = b"x" * 60000
    large = b"POST /health HTTP/1.1\r\nHost: bench\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    metrics = b"GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n"
    time.sleep(0.5)
    before = rss_anon_kib(pid)
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(large)
        status, rest = read_response(sock, b"")
        sock.sendall(metrics)
        status, rest = read_response(sock, rest)
        sockets.append(sock)
    time.sleep(1.0)
    after = rss_anon_kib(pid)
    # Still open (idle keep-alive): nothing to read, no end of stream.
    open_count = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            if sock.recv(1, socket.MSG_PEEK) == b"":
                continue
        except BlockingIOError:
            open_count += 1
    print("%.2f %d" % ((after - before) / count, open_count))
    for sock in sockets:
        sock.close()


def still_open(sock):
    """True while the server keeps sock open: nothing to read, no end of stream."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def idle_crowd(port, count, seconds):
    request = b"GET /health HTTP/1.1\r\nHost: bench\r\n\r\n"
    crowd = []
    served = 0
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(request)
            read_response(sock, b"")
            served += 1
            crowd.append(sock)
        except OSError:
            pass  # refused or closed: counted by crowd_served
    samples = []
    probes = []
    failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        sock = None
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(request)
            status, _ = read_response(sock, b"")
            samples.append((time.perf_counter() - started) * 1000)
            probes.append(sock)
            if status != 200:
                print("bench: /health answered %d behind the idle crowd" % status, file=sys.stderr)
        except OSError:
            failed += 1
            if sock is not None:
                sock.close()
        time.sleep(0.005)
    open_count = sum(1 for sock in crowd if still_open(sock))
    for sock in crowd + probes:
        sock.close()
    samples.sort()
    def pct(p):
        return samples[min(len(samples) - 1, int(len(samples) * p))] if samples else float("nan")
    print("%d %.3f %.3f %.3f %d %d %d" % (
        len(samples), pct(0.5), pct(0.99), samples[-1] if samples else float("nan"), failed, served, open_count))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "probe":
        probe(int(sys.argv[2]), float(sys.argv[3]))
    elif command == "idle-rss":
        idle_rss(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif command == "idle-crowd":
        idle_crowd(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit("usage: bench_clients.py probe PORT SECONDS | idle-rss PORT PID CONNECTIONS"
                 " | idle-crowd PORT CONNECTIONS SECONDS")
