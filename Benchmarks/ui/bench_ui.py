#!/usr/bin/python3
"""The web UI's first paint in headless Chromium, ours at 300 and 10,000 groups and the Go gateway at 300.

Run by `make bench-ui`. Each group holds 100 series (10 families x 10 series, as Benchmarks/gateway/bench.py);
the page is loaded 5 times with the browser cache off and the median is printed, with the HTML's size and the
time to answer one group's fragment. Prints one markdown table.
"""
import concurrent.futures
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OURS = os.environ.get("OUR_GATEWAY", os.path.join(ROOT, ".build/release/pushgateway"))
GO = os.environ.get("GO_GATEWAY", "/usr/bin/prometheus-pushgateway")
LOADS = 5


def body():
    lines = []
    for f in range(10):
        kind = "counter" if f < 5 else "gauge"
        lines.append("# HELP ui_family_%d Family %d of the UI benchmark.\n# TYPE ui_family_%d %s\n" % (f, f, f, kind))
        for s in range(10):
            lines.append('ui_family_%d{shard="%d",region="eu-%d"} %d\n' % (f, s, s % 3, f * 100 + s))
    return "".join(lines).encode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary):
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-ui-", suffix=".log", delete=False)
    process = subprocess.Popen([binary, "--web.listen-address=127.0.0.1:%d" % port, "--persistence.file="],
                               stdout=log, stderr=log)
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/-/ready")
            if c.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit("%s did not start" % binary)


def load(port, groups, connections=4):
    payload = body()

    def worker(indices):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for i in indices:
            c.request("PUT", "/metrics/job/bench/instance/i%d" % i, body=payload)
            answer = c.getresponse()
            answer.read()
            if answer.status != 200:
                raise SystemExit("push answered %d" % answer.status)

    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        list(pool.map(worker, [range(k, groups, connections) for k in range(connections)]))


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.monotonic()
    c.request("GET", path)
    answer = c.getresponse()
    data = answer.read()
    return answer.status, data, time.monotonic() - started


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    return driver


def first_paint(driver, port):
    paints, loaded = [], []
    for _ in range(LOADS):
        driver.get("about:blank")
        driver.get("http://127.0.0.1:%d/" % port)
        timing = driver.execute_script("""
            const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
            const n = performance.getEntriesByType('navigation')[0];
            return [p ? p.startTime : null, n.loadEventEnd];""")
        paints.append(timing[0])
        loaded.append(timing[1])
    return statistics.median(p for p in paints if p is not None), statistics.median(loaded)


def measure(name, binary, groups, driver):
    process, port = start(binary)
    try:
        started = time.monotonic()
        load(port, groups)
        loading = time.monotonic() - started
        status, html, _ = get(port, "/")
        assert status == 200, status
        paint, loaded = first_paint(driver, port)
        fragment = None
        status, _, seconds = get(port, "/ui/group/job/bench/instance/i0")
        if status == 200:
            fragment = seconds
        return {"name": name, "groups": groups, "html": len(html), "paint": paint, "loaded": loaded,
                "fragment": fragment, "loading": loading}
    finally:
        process.terminate()
        process.wait(10)


def main():
    driver = browser()
    try:
        rows = [measure("Go 1.5.1", GO, 300, driver), measure("ours", OURS, 300, driver),
                measure("ours", OURS, 10_000, driver)]
    finally:
        driver.quit()
    print("| gateway | groups × 100 series | HTML | first contentful paint (median of %d) | load event | one group's fragment |" % LOADS)
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print("| %s | %s | %.1f kB | %.0f ms | %.0f ms | %s |" % (
            r["name"], "{:,}".format(r["groups"]), r["html"] / 1000, r["paint"], r["loaded"],
            "%.1f ms" % (r["fragment"] * 1000) if r["fragment"] is not None else "— (whole page)"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
