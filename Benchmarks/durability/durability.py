#!/usr/bin/env python3
"""`make bench-durability`: what durable persistence costs, and how fast a persisted store comes back.

Python 3 standard library only; the workload, the HTTP client and the wrk script are `make bench`'s
(Benchmarks/gateway/bench.py and push.lua). Every socket talks to 127.0.0.1 only; every process it stops is one
it started. Prints one markdown table.

Phases (BENCH_PHASES, default 123):
  1. throughput: ours without persistence, ours with --persistence.file and --persistence.sync=always, ours with
     --persistence.sync=interval, and the Go gateway with its persistence file (default --persistence.interval
     for all); each gets 200 groups, then wrk PUTs the 100-series text body to those groups over 32 connections,
     BENCH_SECONDS per gateway in BENCH_ROUNDS alternating runs. A binary without --persistence.sync gets "n/a"
     for the sync rows and one row with --persistence.file alone instead.
  2. restart: ours with --persistence.file is loaded with BENCH_MILLION_GROUPS groups x 100 series (PUTs over 4
     connections) and stopped with SIGTERM; the time from starting it again to /-/ready answering 200 is taken,
     then a scrape counts the series. The same after kill -9 instead of SIGTERM (a fresh store, loaded again).
  3. import: the Go gateway is loaded with the same store (with --push.disable-consistency-check: a checked push
     re-gathers its whole store, which would take hours) and stopped with SIGTERM, which writes its file; the Go
     gateway's own restart on that file is timed, then ours is started on a copy of it ("n/a" while ours cannot
     read a Go file).

Environment: OUR_GATEWAY (default .build/release/pushgateway), GO_GATEWAY (/usr/bin/prometheus-pushgateway),
BENCH_SECONDS (10), BENCH_ROUNDS (2), BENCH_THREADS (1), BENCH_MILLION_GROUPS (10000), BENCH_PHASES (123),
BENCH_OUT (.build/bench/durability; persistence files go to BENCH_OUT/data, so on the disk the repository is on).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks", "gateway"))
import bench  # noqa: E402  (make bench's workload and client)

OUR_GATEWAY = os.environ.get("OUR_GATEWAY") or os.path.join(ROOT, ".build", "release", "pushgateway")
GO_GATEWAY = os.environ.get("GO_GATEWAY") or "/usr/bin/prometheus-pushgateway"
SECONDS = int(os.environ.get("BENCH_SECONDS") or 10)
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or 2)
THREADS = int(os.environ.get("BENCH_THREADS") or 1)
MILLION_GROUPS = int(os.environ.get("BENCH_MILLION_GROUPS") or 10000)
PHASES = os.environ.get("BENCH_PHASES") or "123"
OUT = os.environ.get("BENCH_OUT") or os.path.join(ROOT, ".build", "bench", "durability")
DATA = os.path.join(OUT, "data")
BODIES = os.path.join(OUT, "bodies")
CONNECTIONS = 32
THROUGHPUT_GROUPS = 200
LOAD_CONNECTIONS = 4

started = []  # every process this script started, stopped at exit


def log(message):
    print(message, file=sys.stderr, flush=True)


class Gateway:
    """A gateway process on a free loopback port, its output in OUT/<name>.log."""

    def __init__(self, name, binary, flags):
        self.name = name
        self.port = int(_freeport())
        self.log_path = os.path.join(OUT, name + ".log")
        self.started_at = time.perf_counter()
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen([binary, "--web.listen-address=127.0.0.1:%d" % self.port] + flags,
                                            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        started.append(self.process)
        self.pid = self.process.pid

    def wait_ready(self, timeout):
        """Seconds from the start of the process to the first 200 from /-/ready (polled every 10 ms), or None if
        it exited or did not answer 200 within `timeout`."""
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                return None
            try:
                status, _, _ = bench.get(self.port, "/-/ready", timeout=2.0)
                if status == 200:
                    return time.perf_counter() - self.started_at
            except (OSError, bench.HTTPError):
                pass
            time.sleep(0.01)
        return None

    def stop(self, sig=signal.SIGTERM, timeout=300):
        """Sends `sig` and waits for the exit (SIGKILL after `timeout`); returns the seconds it took."""
        began = time.perf_counter()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                log("  %s did not exit within %ss after %s; killing it" % (self.name, timeout, sig.name))
                self.process.kill()
                self.process.wait()
        return time.perf_counter() - began

    def last_error_line(self):
        with open(self.log_path, "rb") as f:
            lines = [l for l in f.read().decode("utf-8", "replace").splitlines() if l.strip()]
        errors = [l for l in lines if "error" in l.lower()]
        line = (errors or lines or ["(no output)"])[-1]
        return line if len(line) <= 200 else line[:199] + "…"


def _freeport():
    import socket
    with socket.socket() as s:
        s.bind((bench.HOST, 0))
        return s.getsockname()[1]


def start(name, binary, flags, timeout=120):
    gateway = Gateway(name, binary, flags)
    ready = gateway.wait_ready(timeout)
    if ready is None:
        gateway.stop(signal.SIGKILL)
        raise RuntimeError("%s did not become ready: %s" % (name, gateway.last_error_line()))
    log("  %s: pid %d on 127.0.0.1:%d, ready after %.2f s" % (name, gateway.pid, gateway.port, ready))
    return gateway


def has_sync_flag():
    try:
        help_text = subprocess.run([OUR_GATEWAY, "--help-long"], capture_output=True, timeout=30).stdout.decode()
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--persistence.sync" in help_text


def directory_bytes(path):
    total = 0
    for directory, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(directory, name))
            except OSError:
                pass
    return total


def fresh_directory(name):
    path = os.path.join(DATA, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def filesystem_of(path):
    try:
        out = subprocess.run(["df", "-T", path], capture_output=True, timeout=10).stdout.decode().splitlines()
        fields = out[-1].split()
        return "%s on %s" % (fields[1], fields[0])
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


# ---------------------------------------------------------------------------------------------------------
# Phase 1: push throughput.

def throughput(sync):
    configs = [("ours-none", "ours, no persistence", OUR_GATEWAY, ["--persistence.file", ""])]
    if sync:
        for mode in ("always", "interval"):
            directory = fresh_directory("throughput-" + mode)
            configs.append(("ours-" + mode, "ours, --persistence.file, --persistence.sync=" + mode, OUR_GATEWAY,
                            ["--persistence.file=%s/pg.db" % directory, "--persistence.sync=" + mode]))
    else:
        directory = fresh_directory("throughput-file")
        configs.append(("ours-file", "ours, --persistence.file alone (this binary: no --persistence.sync)",
                        OUR_GATEWAY, ["--persistence.file=%s/pg.db" % directory]))
    directory = fresh_directory("throughput-go")
    configs.append(("go-file", "Go 1.5.1, --persistence.file (written every 5 m, never fsynced)", GO_GATEWAY,
                    ["--persistence.file=%s/go.db" % directory]))

    gateways = {}
    results = {}
    try:
        for key, _, binary, flags in configs:
            gateways[key] = start("throughput-" + key, binary, flags)
        for key, gateway in gateways.items():
            bench.expect_empty(gateway.port)
            load = bench.load_groups(gateway.port, 0, THROUGHPUT_GROUPS, 2, 60)
            log("  %s: preloaded %d groups in %.1f s, %d errors" % (key, load["groups"], load["seconds"], load["errors"]))
        for gateway in gateways.values():
            bench.quiesce(gateway.pid, 30)
        round_seconds = max(1, (SECONDS + ROUNDS - 1) // ROUNDS)
        runs = {key: [] for key in gateways}
        for round_number in range(1, ROUNDS + 1):
            for key, gateway in gateways.items():
                log("  round %d: %s, %ds" % (round_number, key, round_seconds))
                out = subprocess.run(
                    ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", "%ds" % round_seconds, "--timeout", "30s",
                     "-s", os.path.join(ROOT, "Benchmarks", "gateway", "push.lua"), "http://127.0.0.1:%d" % gateway.port,
                     "--", BODIES, "text", str(bench.VARIANTS), str(THROUGHPUT_GROUPS), str(THREADS)],
                    capture_output=True, timeout=round_seconds + 60)
                text = out.stdout.decode("utf-8", "replace")
                with open(os.path.join(OUT, "wrk-%s-%d.txt" % (key, round_number)), "w") as f:
                    f.write(text + out.stderr.decode("utf-8", "replace"))
                line = next((l for l in text.splitlines() if l.startswith("WRKJSON ")), None)
                if line is None:
                    log("  no WRKJSON line from wrk for %s: %s" % (key, text[-300:]))
                else:
                    runs[key].append(json.loads(line[len("WRKJSON "):]))
                bench.quiesce(gateway.pid, 30)
        for key, gateway in gateways.items():
            if not runs[key]:
                continue
            requests = sum(r["requests"] for r in runs[key])
            duration = sum(r["duration_us"] for r in runs[key]) / 1e6
            errors = {name: sum(r[name] for r in runs[key]) for name in bench.WRK_ERRORS}
            results[key] = {
                "pushes_per_second": requests / duration,
                "p50_ms": sum(r["p50_us"] for r in runs[key]) / len(runs[key]) / 1000,
                "p99_ms": max(r["p99_us"] for r in runs[key]) / 1000,
                "errors": {k: v for k, v in errors.items() if v},
                "series_after": bench.scrape_series(gateway.port)[0],
            }
            log("  %s: %.0f pushes/s, p50 %.2f ms, p99 %.2f ms%s" % (
                key, results[key]["pushes_per_second"], results[key]["p50_ms"], results[key]["p99_ms"],
                ", errors %s" % results[key]["errors"] if results[key]["errors"] else ""))
    finally:
        for gateway in gateways.values():
            gateway.stop()
    return configs, results


# ---------------------------------------------------------------------------------------------------------
# Phase 2: restart of ours with 1,000,000 series persisted.

def load_million(gateway):
    bench.expect_empty(gateway.port)
    load = bench.load_groups(gateway.port, 0, MILLION_GROUPS, LOAD_CONNECTIONS, 600)
    log("  %s: %d groups in %.1f s, %d errors%s" % (gateway.name, load["groups"], load["seconds"], load["errors"],
                                                   " (first: %s)" % load["first_error"] if load["errors"] else ""))
    return load


def restart(name, binary, flags, expected):
    """Starts `binary` on a persisted store: seconds to ready and the series a scrape then counts (or the
    reason it did not get ready)."""
    gateway = Gateway(name, binary, flags)
    try:
        ready = gateway.wait_ready(300)
        if ready is None:
            return {"error": gateway.last_error_line()}
        series = bench.scrape_series(gateway.port)[0]
        log("  %s: ready after %.2f s, %d of %d series" % (name, ready, series, expected))
        return {"seconds": ready, "series": series}
    finally:
        gateway.stop(signal.SIGKILL)


def restarts(sync):
    expected = MILLION_GROUPS * bench.SERIES_PER_GROUP
    extra = ["--persistence.sync=always"] if sync else []
    out = {}
    for how, sig in (("sigterm", signal.SIGTERM), ("kill", signal.SIGKILL)):
        directory = fresh_directory("restart-" + how)
        flags = ["--persistence.file=%s/pg.db" % directory] + extra
        try:
            gateway = start("restart-%s-load" % how, OUR_GATEWAY, flags)
            try:
                load = load_million(gateway)
            finally:
                stopped = gateway.stop(sig)
            out[how] = {"load": load, "stop_seconds": stopped, "bytes": directory_bytes(directory)}
            log("  stopped with %s in %.2f s; %d bytes in the persistence directory" % (
                sig.name, stopped, out[how]["bytes"]))
            out[how].update(restart("restart-%s-start" % how, OUR_GATEWAY, flags, expected))
        except (RuntimeError, OSError, bench.HTTPError) as error:
            out.setdefault(how, {})["error"] = str(error)
            log("  restart after %s failed: %s" % (sig.name, error))
    return out


# ---------------------------------------------------------------------------------------------------------
# Phase 3: the Go gateway's file, read by Go and imported by ours.

def go_import():
    expected = MILLION_GROUPS * bench.SERIES_PER_GROUP
    directory = fresh_directory("import")
    go_file = os.path.join(directory, "go.db")
    out = {}
    try:
        gateway = start("import-go-load", GO_GATEWAY, ["--persistence.file=" + go_file, "--push.disable-consistency-check"])
        try:
            out["load"] = load_million(gateway)
            # Unchecked pushes are answered 202 before they are applied: wait until the store holds them all.
            deadline = time.time() + 300
            series = 0
            while time.time() < deadline:
                series = bench.scrape_series(gateway.port)[0]
                if series >= expected:
                    break
                time.sleep(1)
            log("  Go holds %d series" % series)
        finally:
            out["stop_seconds"] = gateway.stop(signal.SIGTERM, timeout=600)
        if not os.path.exists(go_file):
            out["error"] = "the Go gateway wrote no file"
            return out
        out["bytes"] = os.path.getsize(go_file)
        log("  Go wrote %d bytes in %.1f s at shutdown" % (out["bytes"], out["stop_seconds"]))
        ours_directory = fresh_directory("import-ours")
        ours_file = os.path.join(ours_directory, "pg.db")
        shutil.copyfile(go_file, ours_file)
        out["go"] = restart("import-go-start", GO_GATEWAY, ["--persistence.file=" + go_file], expected)
        out["ours"] = restart("import-ours-start", OUR_GATEWAY, ["--persistence.file=" + ours_file], expected)
    except (RuntimeError, OSError, bench.HTTPError) as error:
        out["error"] = str(error)
        log("  import phase failed: %s" % error)
    return out


# ---------------------------------------------------------------------------------------------------------
# Report.

def fmt_rate(result):
    if not result:
        return "n/a"
    return "{:,.0f}/s (p50 {:.2f} ms, p99 {:.2f} ms)".format(result["pushes_per_second"], result["p50_ms"],
                                                             result["p99_ms"])


def fmt_restart(result, expected):
    if result is None:
        return "n/a (not run)", None
    if "error" in result:
        return "n/a (%s)" % result["error"].replace("|", "/"), None
    if result["series"] != expected:
        return "n/a: ready after %.2f s, but %s of %s series restored" % (
            result["seconds"], "{:,}".format(result["series"]), "{:,}".format(expected)), None
    return "%.2f s" % result["seconds"], result["seconds"]


def report(sync, configs, tp, rs, imp):
    expected = MILLION_GROUPS * bench.SERIES_PER_GROUP
    million = "{:,}".format(expected)
    rows = []
    notes = []

    def met(ok):
        return "" if ok is None else ("yes" if ok else "**no**")

    if tp is not None:
        labels = {key: label for key, label, _, _ in configs}
        workload = "%d connections, %d groups, 100-series text PUT" % (CONNECTIONS, THROUGHPUT_GROUPS)
        rows.append(("push throughput, %s (%s)" % (labels["ours-none"], workload), fmt_rate(tp.get("ours-none")), "", ""))
        for mode in ("always", "interval"):
            if sync:
                rows.append(("push throughput, " + labels["ours-" + mode], fmt_rate(tp.get("ours-" + mode)), "", ""))
            else:
                rows.append(("push throughput, ours, --persistence.file, --persistence.sync=" + mode,
                             "n/a (no --persistence.sync in this binary)", "", ""))
        if not sync:
            rows.append(("push throughput, " + labels["ours-file"], fmt_rate(tp.get("ours-file")), "", ""))
        rows.append(("push throughput, " + labels["go-file"], fmt_rate(tp.get("go-file")), "", ""))
        none = (tp.get("ours-none") or {}).get("pushes_per_second")

        def ratio(key, over=None):
            value = (tp.get(key) or {}).get("pushes_per_second")
            base = none if over is None else (tp.get(over) or {}).get("pushes_per_second")
            return value / base if value and base else None

        always = ratio("ours-always")
        rows.append(("throughput ratio, sync=always / no persistence",
                     "%.2f" % always if always is not None else "n/a", "≥ 0.8",
                     met(always >= 0.8 if always is not None else None)))
        interval = ratio("ours-interval")
        rows.append(("throughput ratio, sync=interval / no persistence (info)",
                     "%.2f" % interval if interval is not None else "n/a", "", ""))
        if not sync:
            file_only = ratio("ours-file")
            rows.append(("throughput ratio, --persistence.file alone / no persistence (info)",
                         "%.2f" % file_only if file_only is not None else "n/a", "", ""))
        versus_go = ratio("ours-always" if sync else "ours-file", "go-file")
        rows.append(("throughput ratio, ours %s / Go with its file (info)" % ("sync=always" if sync else "with file"),
                     "%.1f×" % versus_go if versus_go is not None else "n/a", "", ""))
        for key, result in tp.items():
            if result.get("errors"):
                notes.append("%s: wrk counted %s." % (key, result["errors"]))
            if result.get("series_after") != THROUGHPUT_GROUPS * bench.SERIES_PER_GROUP:
                notes.append("%s: %s bench series after the runs instead of %d." % (
                    key, result.get("series_after"), THROUGHPUT_GROUPS * bench.SERIES_PER_GROUP))

    if rs is not None:
        for how, label in (("sigterm", "SIGTERM"), ("kill", "kill -9 (snapshot and log replay)")):
            result = rs.get(how) or {}
            text, seconds = fmt_restart(result if ("seconds" in result or "error" in result) else None, expected)
            lost = "series" in result and result["series"] != expected
            rows.append(("restart, ours, %s series persisted, stopped with %s: start → /-/ready 200" % (million, label),
                         text, "≤ 2 s", "**no** (store not restored)" if lost else met(seconds <= 2 if seconds else None)))
            load = result.get("load")
            if load:
                notes.append("Restart after %s: %s series loaded in %.1f s (%d connections, %d errors), stopped in "
                             "%.2f s, %.1f MiB in the persistence directory." % (
                                 label, million, load["seconds"], LOAD_CONNECTIONS, load["errors"],
                                 result.get("stop_seconds", 0), result.get("bytes", 0) / 1048576))

    if imp is not None:
        go_text, _ = fmt_restart(imp.get("go") if "go" in imp else ({"error": imp["error"]} if "error" in imp else None),
                                 expected)
        rows.append(("restart, Go 1.5.1 on its own file, %s series: start → /-/ready 200 (info)" % million,
                     go_text, "", ""))
        ours_text, _ = fmt_restart(imp.get("ours") if "ours" in imp else ({"error": imp["error"]} if "error" in imp else None),
                                   expected)
        rows.append(("import, ours started on Go 1.5.1's file, %s series: start → /-/ready 200" % million,
                     ours_text, "report", ""))
        if "bytes" in imp:
            notes.append("Go's file: %.1f MiB, written in %.1f s at SIGTERM; loaded with --push.disable-consistency-check "
                         "in %.1f s." % (imp["bytes"] / 1048576, imp.get("stop_seconds", 0),
                                          (imp.get("load") or {}).get("seconds", 0)))

    print("| figure | result | target | met |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    notes.append("Persistence files on %s (%s); %d cores; throughput: %d s per gateway in %d alternating wrk runs, "
                 "%d wrk thread(s); p50 is the mean of the runs' p50s, p99 the worst run's." % (
                     DATA, filesystem_of(DATA), os.cpu_count() or 0, SECONDS, ROUNDS, THREADS))
    for note in notes:
        print(note)
        print()


def main():
    for binary in (OUR_GATEWAY, GO_GATEWAY):
        if not os.access(binary, os.X_OK):
            sys.exit("bench-durability: %s does not exist (build ours with: swift build -c release --product "
                     "pushgateway)" % binary)
    os.makedirs(BODIES, exist_ok=True)
    os.makedirs(DATA, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".log") or name.startswith("wrk-"):
            os.remove(os.path.join(OUT, name))
    for variant in range(bench.VARIANTS):
        with open(os.path.join(BODIES, "text-%d.body" % variant), "wb") as f:
            f.write(bench.text_body(variant))
    sync = has_sync_flag()
    log("ours: %s (%s)" % (OUR_GATEWAY, "has --persistence.sync" if sync else "no --persistence.sync"))
    log("go:   %s" % GO_GATEWAY)
    began = time.time()
    configs, tp, rs, imp = [], None, None, None
    if "1" in PHASES:
        log("== phase 1: push throughput, %d connections, %d groups, %d s per gateway ==" % (
            CONNECTIONS, THROUGHPUT_GROUPS, SECONDS))
        try:
            configs, tp = throughput(sync)
        except (RuntimeError, OSError, bench.HTTPError, subprocess.TimeoutExpired) as error:
            log("  phase 1 failed: %s" % error)
    if "2" in PHASES:
        log("== phase 2: restart of ours with %d groups x 100 series persisted ==" % MILLION_GROUPS)
        rs = restarts(sync)
    if "3" in PHASES:
        log("== phase 3: the Go gateway's file with %d groups x 100 series ==" % MILLION_GROUPS)
        imp = go_import()
    log("")
    log("== results (%d s; raw logs in %s) ==" % (time.time() - began, OUT))
    report(sync, configs, tp, rs, imp)


def _stop_all(*_):
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    try:
        main()
    finally:
        _stop_all()
