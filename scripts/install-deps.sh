#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine, and nothing that is already there.
# Usage: scripts/install-deps.sh build|generate
set -euo pipefail
what=${1:-build}
packages=(libprotobuf-c-dev pkg-config)
if [ "$what" = generate ]; then
  packages+=(protobuf-c-compiler libprotobuf-dev)
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
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
