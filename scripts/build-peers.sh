#!/usr/bin/env bash
# Builds the interop suite's own peer programs into .build/interop: the client_golang pusher
# (Tests/Peers/gopusher), against Debian's packaged Go libraries, without modules.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build/interop
if [ -d Tests/Peers/gopusher ]; then
  GO111MODULE=off GOPATH=/usr/share/gocode go build -o .build/interop/gopusher ./Tests/Peers/gopusher
fi
