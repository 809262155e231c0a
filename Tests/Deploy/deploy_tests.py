#!/usr/bin/python3
"""The deployment artefacts in deploy/ agree with the binary: every flag they pass exists, the ports and probe
paths they name are the ones it serves, and the systemd unit verifies.

Run by `make test` (stage "deploy") with PUSHGATEWAY_BINARY naming the gateway (default .build/debug/pushgateway).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("PUSHGATEWAY_BINARY", os.path.join(ROOT, ".build/debug/pushgateway"))
DEPLOY = os.path.join(ROOT, "deploy")


def flag_names(arguments):
    return [a.split("=", 1)[0] for a in arguments if a.startswith("--")]


def known_flags():
    text = subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout
    names = set()
    for word in text.replace("/", " ").split():
        if word.startswith("--"):
            names.add(word.rstrip(","))
    return names


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


class KubernetesManifestTests(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(DEPLOY, "kubernetes/pushgateway.yaml")) as f:
            self.documents = {d["kind"]: d for d in yaml.safe_load_all(f)}
        self.container = self.documents["Deployment"]["spec"]["template"]["spec"]["containers"][0]

    def test_serviceAndContainerAgreeOnPort9091(self):
        port = self.container["ports"][0]
        self.assertEqual(port["containerPort"], 9091)
        service_port = self.documents["Service"]["spec"]["ports"][0]
        self.assertEqual(service_port["port"], 9091)
        self.assertEqual(service_port["targetPort"], port["name"])
        self.assertIn("--web.listen-address=:9091", self.container["args"])

    def test_runsAsNonRootOnAReadOnlyRootWithPersistenceOnTheClaim(self):
        pod = self.documents["Deployment"]["spec"]["template"]["spec"]
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertTrue(self.container["securityContext"]["readOnlyRootFilesystem"])
        mount = self.container["volumeMounts"][0]["mountPath"]
        persistence = [a for a in self.container["args"] if a.startswith("--persistence.file=")]
        self.assertEqual(len(persistence), 1)
        self.assertTrue(persistence[0].split("=", 1)[1].startswith(mount + "/"))
        self.assertEqual(pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
                         self.documents["PersistentVolumeClaim"]["metadata"]["name"])

    def test_passesOnlyFlagsTheBinaryKnows(self):
        self.assertLessEqual(set(flag_names(self.container["args"])), known_flags())

    def test_probePathsAnswerOnTheBinaryStartedWithTheManifestsArguments(self):
        self.assertEqual(self.container["readinessProbe"]["httpGet"]["path"], "/-/ready")
        self.assertEqual(self.container["livenessProbe"]["httpGet"]["path"], "/-/healthy")
        port = free_port()
        data = tempfile.mkdtemp()
        arguments = []
        for argument in self.container["args"]:
            if argument.startswith("--web.listen-address="):
                argument = "--web.listen-address=127.0.0.1:%d" % port
            elif argument.startswith("--persistence.file="):
                argument = "--persistence.file=%s/metrics.db" % data
            arguments.append(argument)
        process = subprocess.Popen([BINARY, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    if get(port, "/-/ready") == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            for probe in ("readinessProbe", "livenessProbe"):
                self.assertEqual(get(port, self.container[probe]["httpGet"]["path"]), 200)
            request = urllib.request.Request("http://127.0.0.1:%d/metrics/job/deploy" % port, data=b"deployed 1\n",
                                             method="PUT")
            with urllib.request.urlopen(request, timeout=5) as answer:
                self.assertEqual(answer.status, 200)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        # Stopped by SIGTERM, as the kubelet stops it: the store was written to the claim.
        self.assertTrue(os.path.getsize(os.path.join(data, "metrics.db")) > 0)
        shutil.rmtree(data)

    def test_exampleScrapeConfigHonoursPushedLabels(self):
        path = os.path.join(DEPLOY, "kubernetes/prometheus-scrape.yaml")
        with open(path) as f:
            job = yaml.safe_load(f)["scrape_configs"][0]
        self.assertTrue(job["honor_labels"])
        self.assertEqual(job["static_configs"][0]["targets"], ["pushgateway:9091"])
        if shutil.which("promtool"):
            result = subprocess.run(["promtool", "check", "config", path], capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


STATIC_BINARY = os.environ.get("STATIC_PUSHGATEWAY_BINARY", os.path.join(ROOT, ".build-static/release/pushgateway"))
# What debian:bookworm-slim already holds of what the binary links (all of priority "required").
SLIM_BASE = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}


class ContainerImageTests(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(DEPLOY, "docker/Dockerfile")) as f:
            self.lines = [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]
        runtime_start = max(i for i, l in enumerate(self.lines) if l.startswith("FROM "))
        self.build_stage = self.lines[:runtime_start]
        self.runtime_stage = self.lines[runtime_start:]

    def test_runtimeStageIsLaidOutAsUpstreamsImage(self):
        self.assertEqual(self.runtime_stage[0], "FROM debian:bookworm-slim")
        self.assertIn("EXPOSE 9091", self.runtime_stage)
        self.assertIn("WORKDIR /pushgateway", self.runtime_stage)
        self.assertIn("USER 65534", self.runtime_stage)
        self.assertIn('ENTRYPOINT ["/bin/pushgateway"]', self.runtime_stage)
        self.assertFalse(any(l.startswith("HEALTHCHECK") for l in self.lines))
        self.assertTrue(any("--static-swift-stdlib" in l for l in self.build_stage))

    @unittest.skipUnless(os.geteuid() == 0, "chroot and mount need root")
    def test_runtimeStageHoldsExactlyWhatTheBinaryNeedsWithoutSwift(self):
        self.assertTrue(os.access(STATIC_BINARY, os.X_OK), "no static build at %s" % STATIC_BINARY)
        result = subprocess.run([os.path.join(DEPLOY, "chroot-test.sh"), STATIC_BINARY], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        needed = set(result.stdout.split("packages:\n", 1)[1].split())
        installed = set()
        for line in self.runtime_stage:
            if "apt-get install" in line:
                installed |= {w for w in line.split("apt-get install", 1)[1].split() if not w.startswith("-") and w not in ("&&", "\\")}
        self.assertEqual(installed, needed - SLIM_BASE)


class SystemdUnitTests(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(DEPLOY, "systemd/pushgateway.service")) as f:
            self.unit = f.read()
        self.exec_start = next(l for l in self.unit.splitlines() if l.startswith("ExecStart="))

    def test_passesOnlyFlagsTheBinaryKnows(self):
        self.assertLessEqual(set(flag_names(self.exec_start.split()[1:])), known_flags())

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_verifiesWithSystemdAnalyze(self):
        directory = tempfile.mkdtemp()
        path = os.path.join(directory, "pushgateway.service")
        with open(path, "w") as f:
            f.write(self.unit.replace("/usr/local/bin/pushgateway", os.path.abspath(BINARY)))
        result = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
        shutil.rmtree(directory)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertNotIn("Unknown", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
