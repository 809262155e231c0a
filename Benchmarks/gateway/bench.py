#!/usr/bin/env python3
"""Load generator and report for `make bench` (Benchmarks/gateway/bench.sh drives it).

Python 3 standard library only. Every loop here is bounded by a count and by a deadline, and every socket
talks to 127.0.0.1 only. Subcommands:

  freeport                         print a free TCP port on 127.0.0.1
  wait-ready --port P --pid N      wait (bounded) until GET /-/ready answers 200
  quiesce --pid N                  wait (bounded) until the process stops using CPU
  bodies --dir D                   write the push bodies (text and delimited protobuf) the wrk script sends
  steady --gw NAME:PORT:PID ... --out-dir D
                                   300 groups x 100 series in each gateway: RSS, push latency, scrapes,
                                   the gateways taking turns; writes D/steady-NAME.json
  load --port P --groups N         PUT N groups (text) and check that a scrape holds them all
  million --port P --pid N --out F 10,000 groups x 100 series (concurrent load), RSS, push latency
  wrkjson --in F... --out F        sum the WRKJSON lines of wrk runs (push.lua prints them)
  report --dir D                   print the markdown table from the JSON files in D
"""

import argparse
import gzip
import json
import math
import multiprocessing
import os
import socket
import statistics
import struct
import sys
import time

HOST = "127.0.0.1"
TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PROTO_CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
ACCEPT_TEXT = "text/plain;version=0.0.4"
ACCEPT_PROTO = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
SERIES_PER_GROUP = 100
VARIANTS = 8  # distinct value sets per body; consecutive pushes cycle through them

# ---------------------------------------------------------------------------------------------------------
# The workload: 10 families x 10 series, two labels per series (plus job/instance from the grouping key).

FAMILIES = [
    ("bench_requests_total", "counter", "Requests handled, by shard and kind."),
    ("bench_request_errors_total", "counter", "Requests that failed."),
    ("bench_bytes_sent_total", "counter", "Bytes written to clients."),
    ("bench_items_processed_total", "counter", "Items processed by the batch."),
    ("bench_cache_hits_total", "counter", "Cache hits."),
    ("bench_queue_length", "gauge", "Items waiting in the queue."),
    ("bench_memory_usage_bytes", "gauge", "Memory in use by the worker."),
    ("bench_temperature_celsius", "gauge", "Temperature of the shard's host."),
    ("bench_last_success_timestamp_seconds", "gauge", "Unix time of the last successful run."),
    ("bench_batch_ratio", "untyped", "Ratio of batch to stream work."),
]
KINDS = ("batch", "stream")
TYPE_CODE = {"counter": 0, "gauge": 1, "untyped": 3}
PROTO_VALUE_FIELD = {"counter": 3, "gauge": 2, "untyped": 5}


def sample_value(family_index, series_index, variant):
    name, kind, _ = FAMILIES[family_index]
    if kind == "counter":
        return float(1000 * (variant + 1) + 37 * series_index + 7 * family_index)
    if name.endswith("_timestamp_seconds"):
        return 1767000000.0 + 60.0 * variant + series_index
    return round(12.5 * (variant + 1) + 0.37 * series_index + 0.001 * family_index, 6)


def series_labels(series_index):
    return [("kind", KINDS[series_index % 2]), ("shard", "s%d" % series_index)]


def text_body(variant):
    lines = []
    for fi, (name, kind, help_text) in enumerate(FAMILIES):
        lines.append("# HELP %s %s" % (name, help_text))
        lines.append("# TYPE %s %s" % (name, kind))
        for si in range(SERIES_PER_GROUP // len(FAMILIES)):
            labels = ",".join('%s="%s"' % pair for pair in series_labels(si))
            lines.append("%s{%s} %r" % (name, labels, sample_value(fi, si, variant)))
    return ("\n".join(lines) + "\n").encode()


def _varint(n):
    out = bytearray()
    for _ in range(10):
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field_bytes(number, payload):
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _field_varint(number, value):
    return _varint(number << 3) + _varint(value)


def _field_double(number, value):
    return _varint(number << 3 | 1) + struct.pack("<d", value)


def proto_body(variant):
    """The same families as text_body, as varint-delimited io.prometheus.client.MetricFamily messages."""
    out = bytearray()
    for fi, (name, kind, help_text) in enumerate(FAMILIES):
        family = bytearray()
        family += _field_bytes(1, name.encode())
        family += _field_bytes(2, help_text.encode())
        family += _field_varint(3, TYPE_CODE[kind])
        for si in range(SERIES_PER_GROUP // len(FAMILIES)):
            metric = bytearray()
            for label_name, label_value in series_labels(si):
                metric += _field_bytes(1, _field_bytes(1, label_name.encode()) + _field_bytes(2, label_value.encode()))
            metric += _field_bytes(PROTO_VALUE_FIELD[kind], _field_double(1, sample_value(fi, si, variant)))
            family += _field_bytes(4, bytes(metric))
        out += _varint(len(family)) + family
    return bytes(out)


def group_path(index):
    return "/metrics/job/bench/instance/i%d" % index


def push_request(port, path, body, content_type=TEXT_CONTENT_TYPE):
    head = "PUT %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
        path, HOST, port, content_type, len(body))
    return head.encode() + body


# ---------------------------------------------------------------------------------------------------------
# A minimal HTTP/1.1 client on a raw socket (keep-alive, TCP_NODELAY): less client overhead than http.client.

class HTTPError(Exception):
    pass


class Connection:
    def __init__(self, port, timeout=60.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise HTTPError("connection closed by the gateway")
        self.buf += chunk

    def request(self, data):
        self.sock.sendall(data)
        return self.read_response()

    def read_response(self):
        for _ in range(100_000):  # each round reads at least one byte; the socket timeout bounds the wait
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            if len(self.buf) > 1 << 20:
                raise HTTPError("response header too large")
            self._fill()
        else:
            raise HTTPError("no end of the response header")
        head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        del self.buf[:end + 4]
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            n = int(headers["content-length"])
            for _ in range(10_000_000):
                if len(self.buf) >= n:
                    break
                self._fill()
            body = bytes(self.buf[:n])
            del self.buf[:n]
        elif "chunked" in headers.get("transfer-encoding", ""):
            parts = []
            for _ in range(10_000_000):
                for _ in range(100_000):
                    if b"\r\n" in self.buf:
                        break
                    self._fill()
                line_end = self.buf.find(b"\r\n")
                size = int(bytes(self.buf[:line_end]).split(b";")[0], 16)
                del self.buf[:line_end + 2]
                for _ in range(10_000_000):
                    if len(self.buf) >= size + 2:
                        break
                    self._fill()
                parts.append(bytes(self.buf[:size]))
                del self.buf[:size + 2]
                if size == 0:
                    break
            body = b"".join(parts)
        else:
            body = bytes(self.buf)
            self.buf.clear()
        return status, headers, body


def dechunk(data):
    out = []
    pos = 0
    for _ in range(10_000_000):
        line_end = data.index(b"\r\n", pos)
        size = int(data[pos:line_end].split(b";")[0], 16)
        start = line_end + 2
        out.append(data[start:start + size])
        pos = start + size + 2
        if size == 0:
            break
    return b"".join(out)


def parse_raw_response(raw):
    end = raw.index(b"\r\n\r\n")
    head = raw[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = raw[end + 4:]
    if "chunked" in headers.get("transfer-encoding", ""):
        body = dechunk(body)
    return status, headers, body


def get(port, path, timeout=30.0):
    conn = Connection(port, timeout)
    try:
        return conn.request(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (path, HOST, port)).encode())
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------
# Measurements.

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    # nearest rank
    index = min(len(sorted_values) - 1, max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[index]


def _load_worker(args):
    port, indices, deadline = args
    bodies = [text_body(v) for v in range(VARIANTS)]
    conn = Connection(port)
    done = 0
    errors = 0
    first_error = None
    try:
        for n, index in enumerate(indices):
            if time.time() > deadline:
                break
            status, _, body = conn.request(push_request(port, group_path(index), bodies[n % VARIANTS]))
            if status not in (200, 202):
                errors += 1
                if first_error is None:
                    first_error = "%d %s" % (status, body[:300].decode("utf-8", "replace").strip())
            done += 1
    finally:
        conn.close()
    return done, errors, first_error


def load_groups(port, first, count, connections, max_seconds):
    """PUTs groups first..first+count-1 over `connections` keep-alive connections (one process each)."""
    deadline = time.time() + max_seconds
    shares = [(port, list(range(first + k, first + count, connections)), deadline) for k in range(connections)]
    started = time.perf_counter()
    if connections == 1:
        results = [_load_worker(shares[0])]
    else:
        with multiprocessing.Pool(connections) as pool:
            results = pool.map(_load_worker, shares)
    elapsed = time.perf_counter() - started
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    first_error = next((r[2] for r in results if r[2]), None)
    return {"groups": done, "errors": errors, "first_error": first_error, "seconds": elapsed,
            "complete": done == count}


def _summarise_latencies(latencies, errors, first_error):
    latencies = sorted(latencies)
    return {"pushes": len(latencies), "errors": errors, "first_error": first_error,
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99),
            "mean_ms": 1000 * statistics.fmean(latencies)}


def quiesce_all(gateways):
    for gateway in gateways:
        quiesce(gateway[2], 5)


def push_latency(gateways, index, count, max_seconds, rounds, warmup=5):
    """Sequential PUTs of a 100-series text body to one group on one keep-alive connection per gateway.
    The gateways (name, port, pid) take turns in `rounds` blocks (each at most count/rounds pushes and
    max_seconds/rounds seconds), so a change in background load on this shared machine hits all of them
    alike; before each block every gateway is left to finish its background work (GC)."""
    state = {}
    try:
        for name, port, _ in gateways:
            conn = Connection(port)
            requests = [push_request(port, group_path(index), text_body(v)) for v in range(VARIANTS)]
            for n in range(warmup):
                conn.request(requests[n % VARIANTS])
            state[name] = {"conn": conn, "requests": requests, "latencies": [], "errors": 0, "first_error": None}
        per_round = max(1, count // rounds)
        for _ in range(rounds):
            for name, _, _ in gateways:
                quiesce_all(gateways)
                st = state[name]
                deadline = time.perf_counter() + max_seconds / rounds
                for n in range(per_round):
                    started = time.perf_counter()
                    status, _, body = st["conn"].request(st["requests"][n % VARIANTS])
                    finished = time.perf_counter()
                    st["latencies"].append(finished - started)
                    if status not in (200, 202):
                        st["errors"] += 1
                        if st["first_error"] is None:
                            st["first_error"] = "%d %s" % (status, body[:300].decode("utf-8", "replace").strip())
                    if finished > deadline:
                        break
    finally:
        for st in state.values():
            st["conn"].close()
    return {name: dict(_summarise_latencies(st["latencies"], st["errors"], st["first_error"]), rounds=rounds)
            for name, st in state.items()}


def count_text_series(body):
    series = body.count(b"\nbench_") + (1 if body.startswith(b"bench_") else 0)
    families = body.count(b"\n# TYPE bench_") + (1 if body.startswith(b"# TYPE bench_") else 0)
    return series, families


def _read_varint(data, pos):
    result = 0
    for shift in range(0, 70, 7):
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
    raise ValueError("varint longer than 10 bytes at %d" % pos)


def count_proto_series(body):
    """Counts the metrics of bench_* families in a delimited MetricFamily stream (and the bench_* frames)."""
    series = 0
    frames = 0
    pos = 0
    view = memoryview(body)
    for _ in range(len(body)):  # at least one byte per frame
        if pos >= len(body):
            break
        length, pos = _read_varint(body, pos)
        end = pos + length
        name = b""
        metrics = 0
        p = pos
        for _ in range(length):  # at least one byte per field
            if p >= end:
                break
            key, p = _read_varint(body, p)
            wire = key & 7
            number = key >> 3
            if wire == 2:
                n, p = _read_varint(body, p)
                if number == 1:
                    name = bytes(view[p:p + n])
                elif number == 4:
                    metrics += 1
                p += n
            elif wire == 0:
                _, p = _read_varint(body, p)
            elif wire == 1:
                p += 8
            elif wire == 5:
                p += 4
            else:
                raise ValueError("unexpected wire type %d at %d" % (wire, p))
        if name.startswith(b"bench_"):
            series += metrics
            frames += 1
        pos = end
    return series, frames


def scrape_once(port, accept, gzip_encoding, timeout=120.0, path="/metrics"):
    """One GET of `path` on a new connection with `Connection: close`; timed from the request's first byte
    to the last byte of the response (EOF), client side. Returns (seconds, status, headers, decoded body,
    bytes on the wire)."""
    request = "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: %s\r\n%sConnection: close\r\n\r\n" % (
        path, HOST, port, accept, "Accept-Encoding: gzip\r\n" if gzip_encoding else "")
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    chunks = []
    buf = bytearray(1 << 20)
    try:
        started = time.perf_counter()
        sock.sendall(request.encode())
        for _ in range(1_000_000):
            n = sock.recv_into(buf)
            if n == 0:
                break
            chunks.append(bytes(buf[:n]))
        elapsed = time.perf_counter() - started
    finally:
        sock.close()
    raw = b"".join(chunks)
    status, headers, body = parse_raw_response(raw)
    wire = len(body)
    if headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return elapsed, status, headers, body, wire


SCRAPES = [
    ("text", ACCEPT_TEXT, False),
    ("protobuf", ACCEPT_PROTO, False),
    ("gzip", ACCEPT_TEXT, True),
]


def scrape_series(port, kind="text"):
    _, accept, gz = next(s for s in SCRAPES if s[0] == kind)
    _, status, headers, body, _ = scrape_once(port, accept, gz)
    if status != 200:
        raise HTTPError("scrape answered %d: %s" % (status, body[:300]))
    if kind == "protobuf":
        return count_proto_series(body)
    return count_text_series(body)


def _check_scrape(kind, gz, status, headers, body, expected_series):
    problems = []
    content_type = headers.get("content-type", "")
    if kind == "protobuf":
        series, frames = count_proto_series(body)
        if "application/vnd.google.protobuf" not in content_type:
            problems.append("Content-Type %r" % content_type)
    else:
        series, frames = count_text_series(body)
        if not content_type.startswith("text/plain"):
            problems.append("Content-Type %r" % content_type)
    if gz and headers.get("content-encoding") != "gzip":
        problems.append("not gzip-encoded")
    if status != 200:
        problems.append("status %d" % status)
    if series != expected_series:
        problems.append("%d bench series instead of %d" % (series, expected_series))
    if frames != len(FAMILIES):
        problems.append("%d bench families/frames instead of %d" % (frames, len(FAMILIES)))
    return {"content_type": content_type, "body_bytes": len(body), "series": series, "problems": problems}


def measure_scrapes(gateways, count, max_seconds, expected_series):
    """For each format: one checked warm-up scrape per gateway, then `count` timed scrapes per gateway,
    the gateways taking turns scrape by scrape (each gateway at most max_seconds per format), each scrape
    starting once every gateway is idle."""
    results = {name: {} for name, _, _ in gateways}
    for kind, accept, gz in SCRAPES:
        times = {name: [] for name, _, _ in gateways}
        for name, port, _ in gateways:
            _, status, headers, body, wire = scrape_once(port, accept, gz)
            results[name][kind] = dict(_check_scrape(kind, gz, status, headers, body, expected_series),
                                       wire_bytes=wire)
        spent = {name: 0.0 for name, _, _ in gateways}
        for _ in range(count):
            for name, port, _ in gateways:
                if spent[name] > max_seconds:
                    continue
                quiesce_all(gateways)
                elapsed, status, _, _, _ = scrape_once(port, accept, gz)
                spent[name] += elapsed
                times[name].append(elapsed)
                if status != 200:
                    results[name][kind]["problems"].append("a timed scrape answered %d" % status)
        for name, _, _ in gateways:
            t = sorted(times[name])
            results[name][kind].update(scrapes=len(t), median_ms=1000 * statistics.median(t), best_ms=1000 * t[0])
    return results


# The JSON API phase: every group also gets a histogram (4 series, 12 buckets) and a summary (3 series, 3
# quantiles) by POST, so a group holds 100 + 7 pushed series + push_time_seconds + push_failure_time_seconds.
API_BUCKETS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf")
API_SERIES_PER_GROUP = SERIES_PER_GROUP + 4 + 3 + 2


def api_extra_body():
    lines = ["# HELP bench_request_duration_seconds Request duration, by kind and route.",
             "# TYPE bench_request_duration_seconds histogram"]
    for si, (kind, route) in enumerate((k, r) for k in KINDS for r in ("read", "write")):
        labels = 'kind="%s",route="%s"' % (kind, route)
        for bi, bound in enumerate(API_BUCKETS):
            lines.append('bench_request_duration_seconds_bucket{%s,le="%s"} %d' % (labels, bound, 10 * bi + si))
        lines.append("bench_request_duration_seconds_sum{%s} %r" % (labels, 12.75 + si))
        lines.append("bench_request_duration_seconds_count{%s} %d" % (labels, 10 * (len(API_BUCKETS) - 1) + si))
    lines += ["# HELP bench_payload_size_bytes Payload sizes.", "# TYPE bench_payload_size_bytes summary"]
    for si, kind in enumerate(("batch", "stream", "bulk")):
        for q, v in (("0.5", 512.0), ("0.9", 2048.5), ("0.99", 8192.25)):
            lines.append('bench_payload_size_bytes{kind="%s",quantile="%s"} %r' % (kind, q, v + si))
        lines.append('bench_payload_size_bytes_sum{kind="%s"} %r' % (kind, 123456.5 + si))
        lines.append('bench_payload_size_bytes_count{kind="%s"} %d' % (kind, 100 + si))
    return ("\n".join(lines) + "\n").encode()


def add_api_families(port, groups):
    """POSTs the histogram and the summary to every group on one keep-alive connection."""
    body = api_extra_body()
    conn = Connection(port)
    errors = 0
    try:
        for index in range(groups):
            request = push_request(port, group_path(index), body).replace(b"PUT ", b"POST ", 1)
            status, _, _ = conn.request(request)
            if status not in (200, 202):
                errors += 1
    finally:
        conn.close()
    return errors


def check_api_answer(status, body, groups):
    """Problems with a /api/v1/metrics answer: status, group count, series per group."""
    problems = []
    if status != 200:
        return ["status %d" % status]
    data = json.loads(body)["data"]
    if len(data) != groups:
        problems.append("%d groups instead of %d" % (len(data), groups))
    series = sum(len(v["metrics"]) for g in data for k, v in g.items() if k not in ("labels", "last_push_successful"))
    if series != groups * API_SERIES_PER_GROUP:
        problems.append("%d series instead of %d" % (series, groups * API_SERIES_PER_GROUP))
    return problems


def measure_api(gateways, count, max_seconds, groups):
    """One checked GET /api/v1/metrics per gateway (the first after the store changed: for ours, the one that
    writes every group's object), then `count` timed GETs per gateway, taking turns, each once every gateway
    is idle."""
    results = {}
    for name, port, _ in gateways:
        quiesce_all(gateways)
        elapsed, status, headers, body, wire = scrape_once(port, "application/json", False, path="/api/v1/metrics")
        results[name] = {"first_ms": 1000 * elapsed, "body_bytes": wire,
                         "problems": check_api_answer(status, body, groups)}
    times = {name: [] for name, _, _ in gateways}
    spent = {name: 0.0 for name, _, _ in gateways}
    for _ in range(count):
        for name, port, _ in gateways:
            if spent[name] > max_seconds:
                continue
            quiesce_all(gateways)
            elapsed, status, _, _, _ = scrape_once(port, "application/json", False, path="/api/v1/metrics")
            spent[name] += elapsed
            times[name].append(elapsed)
            if status != 200:
                results[name]["problems"].append("a timed call answered %d" % status)
    for name, _, _ in gateways:
        t = sorted(times[name])
        results[name].update(calls=len(t), median_ms=1000 * statistics.median(t), best_ms=1000 * t[0])
    return results


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def quiesce(pid, timeout, interval=0.2, idle_ticks=2):
    """Waits (bounded) until the process has used less than `idle_ticks` CPU ticks in one interval: a
    gateway may still be working off queued pushes after the load generator has stopped."""
    deadline = time.time() + timeout
    last = cpu_ticks(pid)
    while time.time() < deadline:
        time.sleep(interval)
        now = cpu_ticks(pid)
        if now - last < idle_ticks:
            return True
        last = now
    return False


def wait_ready(port, pid, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not os.path.exists("/proc/%d" % pid):
            return False
        try:
            status, _, _ = get(port, "/-/ready", timeout=2.0)
            if status == 200:
                return True
        except (OSError, HTTPError):
            pass
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------------------------------------------------
# Subcommands.

def cmd_freeport(_):
    with socket.socket() as s:
        s.bind((HOST, 0))
        print(s.getsockname()[1])


def cmd_wait_ready(a):
    if not wait_ready(a.port, a.pid, a.timeout):
        sys.exit("gateway on port %d (pid %d) did not become ready within %ss" % (a.port, a.pid, a.timeout))


def cmd_quiesce(a):
    started = time.time()
    if not quiesce(a.pid, a.timeout):
        log("pid %d still busy after %ss" % (a.pid, a.timeout))
    elif time.time() - started > 1:
        log("(pid %d busy for %.1f s after the run)" % (a.pid, time.time() - started))


def cmd_bodies(a):
    os.makedirs(a.dir, exist_ok=True)
    for v in range(VARIANTS):
        with open(os.path.join(a.dir, "text-%d.body" % v), "wb") as f:
            f.write(text_body(v))
        with open(os.path.join(a.dir, "proto-%d.body" % v), "wb") as f:
            f.write(proto_body(v))
    print("%d text bodies of %d bytes, %d protobuf bodies of %d bytes" % (
        VARIANTS, len(text_body(0)), VARIANTS, len(proto_body(0))), file=sys.stderr)


def log(message):
    print("  " + message, file=sys.stderr, flush=True)


def write_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def expect_empty(port):
    series = scrape_series(port)[0]
    if series:
        sys.exit("the gateway on port %d already holds %d bench series: not a fresh, empty store "
                 "(a persistence file?)" % (port, series))


def _parse_gateways(specs):
    gateways = []
    for spec in specs:
        name, port, pid = spec.split(":")
        gateways.append((name, int(port), int(pid)))
    return gateways


def cmd_steady(a):
    gateways = _parse_gateways(a.gw)
    out = {}
    for name, port, pid in gateways:
        expect_empty(port)
        out[name] = {"groups": a.groups, "rss_kib_empty": rss_kib(pid)}
    for name, port, pid in gateways:
        log("%s: loading %d groups x %d series" % (name, a.groups, SERIES_PER_GROUP))
        o = out[name]
        o["load"] = load_groups(port, 0, a.groups, a.connections, a.max_load_seconds)
        log("  %d groups in %.2f s, %d errors" % (o["load"]["groups"], o["load"]["seconds"], o["load"]["errors"]))
        o["series_after_load"] = scrape_series(port)[0]
    time.sleep(a.settle)
    for name, port, pid in gateways:
        out[name]["rss_kib"] = rss_kib(pid)
        log("%s: RSS %.1f MiB" % (name, out[name]["rss_kib"] / 1024))
    log("push latency: at most %d pushes and %ss per gateway, in %d alternating rounds"
        % (a.pushes, a.max_seconds, a.rounds))
    latency = push_latency(gateways, a.groups // 2, a.pushes, a.max_seconds, a.rounds)
    for name, _, _ in gateways:
        out[name]["latency"] = latency[name]
        log("  %s: p50 %.3f ms, p99 %.3f ms over %d pushes" % (
            name, latency[name]["p50_ms"], latency[name]["p99_ms"], latency[name]["pushes"]))
    log("scrapes: %d per format and gateway, alternating" % a.scrapes)
    scrapes = measure_scrapes(gateways, a.scrapes, a.max_seconds, a.groups * SERIES_PER_GROUP)
    for name, port, pid in gateways:
        out[name]["scrape"] = scrapes[name]
        for kind, r in scrapes[name].items():
            log("  %s %s: median %.2f ms, %d bytes%s" % (
                name, kind, r["median_ms"], r["wire_bytes"],
                ", PROBLEMS: " + "; ".join(r["problems"]) if r["problems"] else ""))
        out[name]["rss_kib_after_scrapes"] = rss_kib(pid)
    # Last, since it adds families: the JSON API on 300 groups of counters, gauges, a histogram and a summary.
    log("api: a histogram and a summary POSTed to every group, then %d GET /api/v1/metrics per gateway"
        % a.api_calls)
    for name, port, _ in gateways:
        errors = add_api_families(port, a.groups)
        if errors:
            log("  %s: %d POSTs failed" % (name, errors))
    api = measure_api(gateways, a.api_calls, a.max_seconds, a.groups)
    for name, port, pid in gateways:
        out[name]["api"] = api[name]
        log("  %s: first %.2f ms, median %.2f ms, %d bytes%s" % (
            name, api[name]["first_ms"], api[name]["median_ms"], api[name]["body_bytes"],
            ", PROBLEMS: " + "; ".join(api[name]["problems"]) if api[name]["problems"] else ""))
        write_json(os.path.join(a.out_dir, "steady-%s.json" % name), out[name])


def cmd_load(a):
    if a.expect_empty:
        expect_empty(a.port)
    result = load_groups(a.port, 0, a.groups, a.connections, a.max_seconds)
    result["series"] = scrape_series(a.port)[0]
    log("loaded %d groups in %.1f s (%d errors), %d bench series stored" % (
        result["groups"], result["seconds"], result["errors"], result["series"]))
    if a.out:
        write_json(a.out, result)


def cmd_million(a):
    expect_empty(a.port)
    out = {"groups": a.groups}
    log("loading %d groups x %d series over %d connections (at most %ss)" % (
        a.groups, SERIES_PER_GROUP, a.connections, a.max_load_seconds))
    out["load"] = load_groups(a.port, 0, a.groups, a.connections, a.max_load_seconds)
    log("  %d groups in %.1f s, %d errors" % (out["load"]["groups"], out["load"]["seconds"], out["load"]["errors"]))
    time.sleep(a.settle)
    out["rss_kib"] = rss_kib(a.pid)
    out["series"] = scrape_series(a.port)[0]
    log("RSS %.1f MiB, %d bench series stored; push latency" % (out["rss_kib"] / 1024, out["series"]))
    out["latency"] = push_latency([("ours", a.port, a.pid)], a.groups // 2, a.pushes, a.max_seconds, 1)["ours"]
    log("  p50 %.3f ms, p99 %.3f ms over %d pushes" % (
        out["latency"]["p50_ms"], out["latency"]["p99_ms"], out["latency"]["pushes"]))
    write_json(a.out, out)


WRK_ERRORS = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")


def cmd_wrkjson(a):
    """Sums the WRKJSON lines of several wrk runs (the rounds of one gateway and body kind)."""
    runs = []
    for path in a.inputs:
        with open(path) as f:
            text = f.read()
        line = next((l for l in text.splitlines() if l.startswith("WRKJSON ")), None)
        if line is None:
            sys.exit("no WRKJSON line in wrk's output %s:\n%s" % (path, text))
        runs.append(json.loads(line[len("WRKJSON "):]))
    data = {key: sum(r[key] for r in runs) for key in ("requests", "duration_us") + WRK_ERRORS}
    data["pushes_per_second"] = data["requests"] / (data["duration_us"] / 1e6)
    data["runs"] = runs
    write_json(a.out, data)
    errors = sum(data[k] for k in WRK_ERRORS)
    log("%.0f pushes/s (%d pushes in %d runs, wrk p50 per run %s, %d errors)" % (
        data["pushes_per_second"], data["requests"], len(runs),
        "/".join("%.1f" % (r["p50_us"] / 1000) for r in runs) + " ms", errors))


# ---------------------------------------------------------------------------------------------------------
# Report.

def _read(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _dig(data, *keys):
    for key in keys:
        if data is None:
            return None
        data = data.get(key)
    return data


def _fmt(value, unit):
    if value is None:
        return "n/a"
    if unit == "ms":
        return "%.3f ms" % value if value < 10 else "%.1f ms" % value
    if unit == "MiB":
        return "%.1f MiB" % value
    if unit == "/s":
        return "{:,.0f}/s".format(value)
    return str(value)


def _times(ratio, better, worse):
    """"12.3× lower" when ours is better by that factor, "1.4× higher" when it is worse."""
    if ratio is None:
        return "n/a"
    if ratio >= 1:
        return "%.1f× %s" % (ratio, better)
    return "%.1f× %s" % (1 / ratio, worse)


def cmd_report(a):
    d = a.dir
    go_steady, our_steady = _read(d, "steady-go.json"), _read(d, "steady-ours.json")
    our_million = _read(d, "million-ours.json")
    tp = {(gw, kind): _read(d, "throughput-%s-%s.json" % (gw, kind)) for gw in ("go", "ours") for kind in ("text", "proto")}
    notes = []
    rows = []

    def verdict(ratio, target, lower_is_better_ratio=False):
        if ratio is None or target is None:
            return ""
        ok = ratio <= target if lower_is_better_ratio else ratio >= target
        return "yes" if ok else "**no**"

    def lower_better(label, go, ours, unit, target_ratio, target_text):
        ratio = go / ours if go is not None and ours else None
        rows.append((label, _fmt(go, unit), _fmt(ours, unit), _times(ratio, "lower", "higher"), target_text,
                     verdict(ratio, target_ratio)))

    def higher_better(label, go, ours, unit, target_ratio, target_text):
        ratio = ours / go if go and ours is not None else None
        rows.append((label, _fmt(go, unit), _fmt(ours, unit), _times(ratio, "higher", "lower"), target_text,
                     verdict(ratio, target_ratio)))

    g300 = _dig(go_steady, "groups") or 300
    lower_better("push latency p50, 100-series text PUT, %d × 100 stored" % g300,
                 _dig(go_steady, "latency", "p50_ms"), _dig(our_steady, "latency", "p50_ms"), "ms", 60, "≥ 60× lower")
    lower_better("push latency p99, same", _dig(go_steady, "latency", "p99_ms"), _dig(our_steady, "latency", "p99_ms"),
                 "ms", None, "")
    m_p50 = _dig(our_million, "latency", "p50_ms")
    m_series = _dig(our_million, "series")
    million_label = "push latency p50, %s series stored (ours only)" % (
        "{:,}".format(m_series) if m_series is not None else "1,000,000")
    go_million = "skipped¹"
    rows.append((million_label, go_million, _fmt(m_p50, "ms"), "", "≤ 1 ms",
                  ("yes" if m_p50 <= 1.0 else "**no**") if m_p50 is not None else ""))
    rows.append(("push latency p99, same (ours only)", go_million, _fmt(_dig(our_million, "latency", "p99_ms"), "ms"),
                 "", "", ""))
    for kind, label, target in (("text", "text", 20), ("proto", "protobuf", 40)):
        higher_better("push throughput, 32 connections, 200 groups, %s" % label,
                      _dig(tp[("go", kind)], "pushes_per_second"), _dig(tp[("ours", kind)], "pushes_per_second"),
                      "/s", target, "≥ %d× higher" % target)
    for kind, label in (("text", "text 0.0.4"), ("protobuf", "protobuf delimited"), ("gzip", "text + gzip")):
        lower_better("scrape %s, %d × 100 series (median of %s)" % (label, g300, _dig(go_steady, "scrape", kind, "scrapes") or 20),
                     _dig(go_steady, "scrape", kind, "median_ms"), _dig(our_steady, "scrape", kind, "median_ms"),
                     "ms", 5, "≥ 5× lower")
    lower_better("GET /api/v1/metrics, %d × %d series (median of %s)" % (
        g300, API_SERIES_PER_GROUP, _dig(go_steady, "api", "calls") or 20),
        _dig(go_steady, "api", "median_ms"), _dig(our_steady, "api", "median_ms"), "ms", 5, "≥ 5× lower")
    lower_better("GET /api/v1/metrics, same, first call after the pushes (info)",
                 _dig(go_steady, "api", "first_ms"), _dig(our_steady, "api", "first_ms"), "ms", None, "")
    go_rss = _dig(go_steady, "rss_kib")
    our_rss = _dig(our_steady, "rss_kib")
    ratio = our_rss / go_rss if go_rss and our_rss else None
    rows.append(("resident memory (VmRSS), %d × 100 series stored" % g300, _fmt(go_rss and go_rss / 1024, "MiB"),
                 _fmt(our_rss and our_rss / 1024, "MiB"), "%.2f×" % ratio if ratio is not None else "n/a",
                 "≤ 0.5×", verdict(ratio, 0.5, lower_is_better_ratio=True)))
    go_rss0 = _dig(go_steady, "rss_kib_empty")
    our_rss0 = _dig(our_steady, "rss_kib_empty")
    ratio = our_rss0 / go_rss0 if go_rss0 and our_rss0 else None
    rows.append(("resident memory, empty store after start (info)", _fmt(go_rss0 and go_rss0 / 1024, "MiB"),
                 _fmt(our_rss0 and our_rss0 / 1024, "MiB"), "%.2f×" % ratio if ratio is not None else "n/a", "", ""))
    go_rss2 = _dig(go_steady, "rss_kib_after_scrapes")
    our_rss2 = _dig(our_steady, "rss_kib_after_scrapes")
    ratio = our_rss2 / go_rss2 if go_rss2 and our_rss2 else None
    rows.append(("resident memory after the 60 scrapes (info)", _fmt(go_rss2 and go_rss2 / 1024, "MiB"),
                 _fmt(our_rss2 and our_rss2 / 1024, "MiB"), "%.2f×" % ratio if ratio is not None else "n/a", "", ""))
    m_rss = _dig(our_million, "rss_kib")
    rows.append(("resident memory, %s series stored (ours only)" % (
        "{:,}".format(m_series) if m_series is not None else "1,000,000"), "skipped¹",
        _fmt(m_rss and m_rss / 1024, "MiB"), "", "", ""))
    go_load = _dig(go_steady, "load", "seconds")
    our_load = _dig(our_steady, "load", "seconds")
    rows.append(("time to load %d × 100 series (%s connections, info)" % (g300, a.connections),
                 "%.2f s" % go_load if go_load is not None else "n/a",
                 "%.2f s" % our_load if our_load is not None else "n/a",
                 _times(go_load / our_load if go_load and our_load else None, "lower", "higher"), "", ""))
    m_load = _dig(our_million, "load", "seconds")
    rows.append(("time to load %s series (%s connections, ours only, info)" % (
        "{:,}".format(m_series) if m_series is not None else "1,000,000", a.million_connections), "skipped¹",
        "%.1f s" % m_load if m_load is not None else "n/a", "", "", ""))

    print("| figure | Go 1.5.1 | ours | ratio | target | met |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()

    # Footnotes and anything odd.
    go_p50 = _dig(go_steady, "latency", "p50_ms")
    if go_p50:
        groups = _dig(our_million, "groups") or 10000
        # Upstream re-gathers the whole store on every checked push: push k costs about p50 * k / g300.
        estimate = go_p50 / 1000 / g300 * groups * groups / 2
        duration = ("%.1f h" % (estimate / 3600) if estimate >= 3600 else
                    "%.0f min" % (estimate / 60) if estimate >= 60 else "%.0f s" % estimate)
        notes.append("¹ Go not loaded with %s series: it re-gathers the whole store on every checked push, so its "
                     "k-th push costs about k/%d × the %.1f ms p50 measured at %d groups; loading %s groups "
                     "would take about %s (pushes are serialised, more connections do not help)."
                     % ("{:,}".format(groups * SERIES_PER_GROUP), g300, go_p50, g300, "{:,}".format(groups),
                        duration))
    else:
        notes.append("¹ Go not loaded with 1,000,000 series (its push cost grows with the store).")
    for name, data in (("Go", go_steady), ("ours", our_steady), ("ours (1M)", our_million)):
        if data is None:
            notes.append("%s: no result (the phase failed; see the log above)." % name)
            continue
        load = data.get("load", {})
        if load.get("errors"):
            notes.append("%s: %d load pushes failed, first: %s" % (name, load["errors"], load.get("first_error")))
        if not load.get("complete", True):
            notes.append("%s: load stopped at its deadline after %d groups." % (name, load.get("groups", 0)))
        lat = data.get("latency", {})
        if lat.get("errors"):
            notes.append("%s: %d latency pushes failed, first: %s" % (name, lat["errors"], lat.get("first_error")))
        for kind, s in (data.get("scrape") or {}).items():
            if s.get("problems"):
                notes.append("%s: %s scrape: %s" % (name, kind, "; ".join(s["problems"])))
        if _dig(data, "api", "problems"):
            notes.append("%s: /api/v1/metrics: %s" % (name, "; ".join(data["api"]["problems"])))
    for (gw, kind), data in tp.items():
        if data is None:
            notes.append("%s %s throughput: no result." % (gw, kind))
            continue
        errors = {k: data[k] for k in WRK_ERRORS if data[k]}
        if errors:
            notes.append("%s %s throughput: wrk counted %s" % (gw, kind, errors))
        v = _read(d, "throughput-%s-verify.json" % gw)
        if v is not None and v.get("series") != 200 * SERIES_PER_GROUP:
            notes.append("%s: %s bench series after the throughput runs instead of %d"
                         % (gw, v.get("series"), 200 * SERIES_PER_GROUP))
    samples = []
    for name, data in (("Go", go_steady), ("ours", our_steady)):
        if data:
            samples.append("%s %d pushes" % (name, data["latency"]["pushes"]))
            sizes = ", ".join("%s %s B" % (k, "{:,}".format(v["wire_bytes"])) for k, v in data["scrape"].items())
            notes.append("%s scrape sizes on the wire: %s; Content-Types: %s." % (
                name, sizes, " / ".join(v["content_type"] for v in data["scrape"].values())))
    if samples:
        notes.append("Latency samples: %s (one keep-alive connection per gateway, client-side, after 5 warm-up "
                     "pushes; the gateways take turns in %s rounds)." % (", ".join(samples),
                                                                          _dig(go_steady, "latency", "rounds")))
    for (gw, kind), data in tp.items():
        if data:
            notes.append("%s %s throughput: %s pushes in %.1f s (%d alternating wrk runs: %s pushes/s; "
                         "wrk latency p50 %s ms)." % (
                gw, kind, "{:,}".format(data["requests"]), data["duration_us"] / 1e6, len(data["runs"]),
                " / ".join("%.0f" % (r["requests"] / (r["duration_us"] / 1e6)) for r in data["runs"]),
                " / ".join("%.1f" % (r["p50_us"] / 1000) for r in data["runs"])))
    for note in notes:
        print(note)
        print()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("freeport").set_defaults(fn=cmd_freeport)
    s = sub.add_parser("wait-ready")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--timeout", type=float, default=30)
    s.set_defaults(fn=cmd_wait_ready)
    s = sub.add_parser("quiesce")
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--timeout", type=float, default=30)
    s.set_defaults(fn=cmd_quiesce)
    s = sub.add_parser("bodies")
    s.add_argument("--dir", required=True)
    s.set_defaults(fn=cmd_bodies)
    s = sub.add_parser("steady")
    s.add_argument("--gw", action="append", required=True, help="NAME:PORT:PID, repeatable")
    s.add_argument("--out-dir", required=True)
    s.add_argument("--rounds", type=int, default=4)
    s.add_argument("--max-load-seconds", type=float, default=120)
    s.add_argument("--groups", type=int, default=300)
    s.add_argument("--connections", type=int, default=2)
    s.add_argument("--pushes", type=int, default=2000)
    s.add_argument("--scrapes", type=int, default=20)
    s.add_argument("--api-calls", type=int, default=20)
    s.add_argument("--max-seconds", type=float, default=15)
    s.add_argument("--settle", type=float, default=2)
    s.set_defaults(fn=cmd_steady)
    s = sub.add_parser("load")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--groups", type=int, default=200)
    s.add_argument("--connections", type=int, default=2)
    s.add_argument("--max-seconds", type=float, default=60)
    s.add_argument("--out")
    s.add_argument("--expect-empty", action="store_true")
    s.set_defaults(fn=cmd_load)
    s = sub.add_parser("million")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--groups", type=int, default=10000)
    s.add_argument("--connections", type=int, default=4)
    s.add_argument("--pushes", type=int, default=2000)
    s.add_argument("--max-seconds", type=float, default=15)
    s.add_argument("--max-load-seconds", type=float, default=240)
    s.add_argument("--settle", type=float, default=2)
    s.set_defaults(fn=cmd_million)
    s = sub.add_parser("wrkjson")
    s.add_argument("--in", dest="inputs", nargs="+", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_wrkjson)
    s = sub.add_parser("report")
    s.add_argument("--dir", required=True)
    s.add_argument("--connections", default="2")
    s.add_argument("--million-connections", default="4")
    s.set_defaults(fn=cmd_report)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
