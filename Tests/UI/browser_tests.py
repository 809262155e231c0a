#!/usr/bin/python3
"""The web UI in a real browser: Debian's headless Chromium driven by Selenium, against the built binary.

Run by `make test` (stage "ui"): /usr/bin/python3 Tests/UI/browser_tests.py, with PUSHGATEWAY_BINARY naming the
gateway to start (default .build/debug/pushgateway). Screenshots land in .build/ui/.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("PUSHGATEWAY_BINARY", os.path.join(ROOT, ".build/debug/pushgateway"))
SHOTS = os.path.join(ROOT, ".build/ui")
WAIT = 10


def b64(value):
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    """One gateway process on a free loopback port."""

    def __init__(self, *flags, port=None, ready="/-/ready"):
        self.port = port or free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="pushgateway-ui-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [BINARY, "--web.listen-address=127.0.0.1:%d" % self.port, "--persistence.file=", *flags],
            stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.request("GET", ready)[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gateway did not start:\n" + open(self.log.name).read())
            time.sleep(0.1)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def request(self, method, path, body=None):
        req = urllib.request.Request(self.url + path, data=body, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def push(self, path, text):
        status, body = self.request("PUT", "/metrics/" + path, text.encode())
        assert status == 200, (status, body)

    def groups(self):
        status, body = self.request("GET", "/api/v1/metrics")
        assert status == 200, status
        return [group["labels"] for group in json.loads(body)["data"]]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000"]:
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def group_element(driver, labels):
    """The `.pg-group` whose data-group path decodes to exactly these grouping labels."""
    for element in driver.find_elements(By.CSS_SELECTOR, ".pg-group"):
        if _same_path(element.get_attribute("data-group"), labels):
            return element
    return None


def _same_path(data_group, labels):
    # Compares decoded labels, so padding and the order of non-job labels do not matter.
    parts = (data_group or "").strip("/").split("/")
    if len(parts) % 2:
        return False
    decoded = {}
    for name, value in zip(parts[::2], parts[1::2]):
        if name.endswith("@base64"):
            value = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            name = name[:-len("@base64")]
        decoded[name] = value
    return decoded == labels


class WebUITests(unittest.TestCase):
    SLASHED = {"job": "ui/slashed", "instance": "a/b"}
    EMPTY = {"job": "ui", "instance": ""}
    HOSTILE = {"job": "ui", "instance": "<script>window.__pwned=1</script>"}
    PLAIN = {"job": "batch", "instance": "runner-1", "team": "core"}

    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)
        cls.driver = browser()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()

    def setUp(self):
        self.gateway = Gateway()
        self.gateway.push("job/batch/instance/runner-1/team/core",
                          "# HELP batch_duration_seconds How long the batch ran.\n"
                          "# TYPE batch_duration_seconds gauge\nbatch_duration_seconds 12.5\n"
                          "# TYPE batch_rows_total counter\nbatch_rows_total{table=\"users\"} 1e+06\n"
                          "# TYPE batch_latency histogram\nbatch_latency_bucket{le=\"0.1\"} 3\n"
                          "batch_latency_bucket{le=\"+Inf\"} 5\nbatch_latency_sum 0.7\nbatch_latency_count 5\n")
        self.gateway.push("job@base64/%s/instance@base64/%s" % (b64("ui/slashed"), b64("a/b")), "slashed_metric 1\n")
        self.gateway.push("job/ui/instance@base64/=", "empty_instance_metric 2\n")
        self.gateway.push("job/ui/instance@base64/%s" % b64(self.HOSTILE["instance"]),
                          "# HELP hostile_metric <b>not bold</b>\nhostile_metric{v=\"<img src=x onerror=window.__pwned=2>\"} 3\n")
        self.driver.get(self.gateway.url + "/")
        WebDriverWait(self.driver, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".pg-group")))

    def tearDown(self):
        self.gateway.stop()

    def open_group(self, labels):
        element = group_element(self.driver, labels)
        self.assertIsNotNone(element, "no group %r on the page" % labels)
        element.find_element(By.CSS_SELECTOR, ".pg-group-header").click()
        WebDriverWait(self.driver, WAIT).until(
            lambda _: element.find_elements(By.CSS_SELECTOR, ".pg-group-body .pg-family"))
        return element

    def confirm(self, yes):
        dialog = WebDriverWait(self.driver, WAIT).until(EC.visibility_of_element_located((By.ID, "pg-confirm")))
        dialog.find_element(By.ID, "pg-confirm-yes" if yes else "pg-confirm-no").click()

    def test_showsEveryPushedGroupWithItsBadges(self):
        self.assertEqual(self.driver.title, "Prometheus Pushgateway")
        for labels in (self.SLASHED, self.EMPTY, self.HOSTILE, self.PLAIN):
            element = group_element(self.driver, labels)
            self.assertIsNotNone(element, "no group %r" % labels)
            badges = [b.text for b in element.find_elements(By.CSS_SELECTOR, ".pg-badge")]
            for name, value in labels.items():
                self.assertIn('%s="%s"' % (name, value), badges)

    def test_opensAGroupAndShowsItsFamilies(self):
        element = self.open_group(self.PLAIN)
        names = [n.text for n in element.find_elements(By.CSS_SELECTOR, ".pg-family-name")]
        for name in ("batch_duration_seconds", "batch_rows_total", "batch_latency"):
            self.assertIn(name, names)
        for family in element.find_elements(By.CSS_SELECTOR, ".pg-family"):
            if family.find_element(By.CSS_SELECTOR, ".pg-family-name").text in ("batch_latency", "batch_rows_total"):
                family.find_element(By.TAG_NAME, "summary").click()
        self.assertIn("Sample values ≤ 0.1", element.text)
        self.assertIn('table="users"', element.text)
        self.driver.save_screenshot(os.path.join(SHOTS, "metrics.png"))

    def test_showsHostileLabelValuesAsText(self):
        element = self.open_group(self.HOSTILE)
        for family in element.find_elements(By.CSS_SELECTOR, ".pg-family"):
            if family.find_element(By.CSS_SELECTOR, ".pg-family-name").text == "hostile_metric":
                family.find_element(By.TAG_NAME, "summary").click()
        self.assertIn('instance="<script>window.__pwned=1</script>"', element.text)
        self.assertIn("<b>not bold</b>", element.text)
        self.assertIn("<img src=x onerror=window.__pwned=2>", element.text)
        self.assertIsNone(self.driver.execute_script("return window.__pwned"))

    def test_deletesGroupsWithSlashAndEmptyValuesThroughTheDialog(self):
        for labels in (self.SLASHED, self.EMPTY):
            element = group_element(self.driver, labels)
            element.find_element(By.CSS_SELECTOR, ".pg-delete-group").click()
            self.confirm(yes=True)
            WebDriverWait(self.driver, WAIT).until(EC.staleness_of(element))
            self.assertNotIn(labels, self.gateway.groups())
            self.assertIsNone(group_element(self.driver, labels))
        self.assertIn(self.PLAIN, self.gateway.groups())

    def test_keepsTheGroupWhenTheDialogIsCancelled(self):
        element = group_element(self.driver, self.PLAIN)
        element.find_element(By.CSS_SELECTOR, ".pg-delete-group").click()
        self.confirm(yes=False)
        time.sleep(0.5)
        self.assertIn(self.PLAIN, self.gateway.groups())
        self.assertIsNotNone(group_element(self.driver, self.PLAIN))

    def test_showsAnErrorWhenTheDeleteFails(self):
        self.gateway.stop()
        group_element(self.driver, self.PLAIN).find_element(By.CSS_SELECTOR, ".pg-delete-group").click()
        self.confirm(yes=True)
        error = WebDriverWait(self.driver, WAIT).until(EC.visibility_of_element_located((By.ID, "pg-error")))
        self.assertTrue(error.text.strip())
        self.assertIsNotNone(group_element(self.driver, self.PLAIN))

    def visible_groups(self, count):
        """The displayed groups, once there are `count` of them (the filter applies after a short pause)."""
        def displayed(driver):
            groups = [g for g in driver.find_elements(By.CSS_SELECTOR, ".pg-group") if g.is_displayed()]
            return groups if len(groups) == count else False
        return WebDriverWait(self.driver, WAIT).until(displayed)

    def test_filterNarrowsGroupsByLabelOrMetricName(self):
        box = self.driver.find_element(By.ID, "pg-filter")
        box.send_keys("runner-1")
        visible = self.visible_groups(1)
        self.assertEqual(visible[0].get_attribute("data-group"), group_element(self.driver, self.PLAIN).get_attribute("data-group"))
        box.clear()
        self.visible_groups(4)
        box.send_keys("slashed_metric")
        visible = self.visible_groups(1)
        self.assertEqual(visible[0].get_attribute("data-group"), group_element(self.driver, self.SLASHED).get_attribute("data-group"))

    def test_statusTabShowsFlagsAndBuildInformation(self):
        self.driver.find_element(By.ID, "pg-tab-status").click()
        status = WebDriverWait(self.driver, WAIT).until(EC.visibility_of_element_located((By.ID, "pg-status")))
        for text in ("web.listen-address", "127.0.0.1:%d" % self.gateway.port, "version"):
            self.assertIn(text, status.text)
        self.driver.save_screenshot(os.path.join(SHOTS, "status.png"))

    def test_worksUnderTheExternalURLsPath(self):
        port = free_port()
        prefixed = Gateway("--web.external-url=http://127.0.0.1:%d/gateway/" % port, port=port, ready="/gateway/-/ready")
        try:
            pushed = prefixed.request("PUT", "/gateway/metrics/job/prefixed/instance@base64/%s" % b64("x/y"), b"prefixed_metric 1\n")
            self.assertEqual(pushed[0], 200)
            self.driver.get(prefixed.url + "/gateway/")
            labels = {"job": "prefixed", "instance": "x/y"}
            element = WebDriverWait(self.driver, WAIT).until(lambda d: group_element(d, labels))
            # The stylesheet came through the prefix (an unstyled page would lay the badges out as plain text).
            self.assertNotEqual(element.find_element(By.CSS_SELECTOR, ".pg-badge").value_of_css_property("background-color"),
                                "rgba(0, 0, 0, 0)")
            self.open_group(labels)
            element.find_element(By.CSS_SELECTOR, ".pg-delete-group").click()
            self.confirm(yes=True)
            WebDriverWait(self.driver, WAIT).until(EC.staleness_of(element))
            status, body = prefixed.request("GET", "/gateway/api/v1/metrics")
            self.assertEqual((status, json.loads(body)["data"]), (200, []))
        finally:
            prefixed.stop()

    def test_deleteAllIsOfferedOnlyWithTheAdminAPI(self):
        self.assertEqual(self.driver.find_elements(By.ID, "pg-delete-all"), [])
        admin = Gateway("--web.enable-admin-api")
        try:
            admin.push("job/one", "one 1\n")
            admin.push("job/two", "two 2\n")
            self.driver.get(admin.url + "/")
            button = WebDriverWait(self.driver, WAIT).until(EC.presence_of_element_located((By.ID, "pg-delete-all")))
            self.assertEqual(button.text.strip(), "Delete All 2 Groups")
            button.click()
            self.confirm(yes=True)
            WebDriverWait(self.driver, WAIT).until(lambda _: not admin.groups())
            WebDriverWait(self.driver, WAIT).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".pg-group"))
        finally:
            admin.stop()


if __name__ == "__main__":
    if not os.access(BINARY, os.X_OK):
        sys.exit("no gateway binary at %s (set PUSHGATEWAY_BINARY)" % BINARY)
    unittest.main(verbosity=2)
