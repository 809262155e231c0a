#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine, and nothing that is already there.
# Usage: scripts/install-deps.sh build|generate|interop|ui|deploy
#   interop: the real peers of the interop suite (Debian's Go gateway, Prometheus and promtool, Go with
#   client_golang, curl) and Python's prometheus_client and python-snappy (its snappy compression) from PyPI.
#   ui: a real browser for the web UI's tests and benchmark (Debian's chromium, its driver, Selenium for the
#   system Python /usr/bin/python3, and a font so screenshots show text).
#   deploy: what checks deploy/ (PyYAML for the system Python, systemd-analyze, promtool).
set -euo pipefail
what=${1:-build}
packages=(libprotobuf-c-dev pkg-config)
if [ "$what" = generate ]; then
  packages+=(protobuf-c-compiler libprotobuf-dev)
fi
if [ "$what" = interop ]; then
  packages+=(prometheus prometheus-pushgateway golang-go golang-github-prometheus-client-golang-dev curl)
fi
if [ "$what" = deploy ]; then
  packages+=(python3-yaml systemd prometheus)
fi
if [ "$what" = ui ]; then
  packages+=(chromium chromium-driver python3-selenium fonts-liberation prometheus-pushgateway)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$what" = interop ] && ! python3 -c 'import prometheus_client, snappy' 2>/dev/null; then
  echo "installing: prometheus_client, python-snappy (PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check prometheus_client python-snappy
fi
