#!/usr/bin/env bash
# `make bench-durability`: push throughput with and without durable persistence, restart time with 1,000,000
# series persisted, and the Go gateway's file imported by ours; prints one markdown table. See durability.py for
# the phases and the environment variables. Installs wrk and prometheus-pushgateway from Debian if missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
GO_GATEWAY=${GO_GATEWAY:-/usr/bin/prometheus-pushgateway}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
if [ ! -x "$GO_GATEWAY" ] && [ "$GO_GATEWAY" = /usr/bin/prometheus-pushgateway ]; then
  missing+=(prometheus-pushgateway)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

exec /usr/bin/python3 "$here/durability.py"
