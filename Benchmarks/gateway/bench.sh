#!/usr/bin/env bash
# `make bench`: the Debian Go Pushgateway and ours side by side on loopback, same flags, same workload;
# prints one markdown table (Go, ours, ratio, target). See docs/benchmarks.md.
#
# Environment (all optional):
#   GO_GATEWAY       the reference binary         (default /usr/bin/prometheus-pushgateway)
#   OUR_GATEWAY      ours                          (default .build/release/pushgateway)
#   BENCH_SECONDS    wrk time per gateway and body kind, seconds (default 10)
#   BENCH_ROUNDS     the throughput time is split into this many alternating wrk runs (default 2)
#   BENCH_THREADS    wrk threads (default 1; the gateway and wrk share this machine's cores)
#   BENCH_MILLION    1 to run the 1M-series phase on ours (default 1)
#   BENCH_GROUPS     groups for the latency/scrape/memory phase (default 300)
#   BENCH_MILLION_GROUPS  groups of 100 series for phase 3 (default 10000, i.e. 1M series)
#   BENCH_OUT        directory for the raw JSON results and gateway logs (default .build/bench/gateway)
#   BENCH_PHASES     which phases to run, e.g. 1 for the steady phase alone (default 123; phase 3 also needs
#                    BENCH_MILLION=1)
#
# Both gateways get exactly the flags --web.listen-address=127.0.0.1:<free port> --persistence.file '' (the empty
# value matters: Debian's Go build defaults --persistence.file to /var/lib/prometheus/pushgateway.data).
#
# Phases (each starts fresh gateways, with no persistence file, and stops them afterwards):
#   1. steady:     both gateways; each gets 300 groups x 100 series (PUT, text) and its VmRSS is read; then
#                  up to 2000 sequential PUTs (at most 15 s) per gateway to one group on a keep-alive
#                  connection, the gateways taking turns in 4 rounds; then 20 scrapes per gateway of each of
#                  text, protobuf and text+gzip, taking turns scrape by scrape; last, a histogram and a summary
#                  are POSTed to every group and GET /api/v1/metrics is timed 20 times per gateway, taking turns.
#   2. throughput: both gateways; each gets 200 groups; then wrk with 32 connections PUTs text bodies, then
#                  protobuf bodies, to those 200 groups, BENCH_SECONDS per gateway and kind, in BENCH_ROUNDS
#                  alternating runs.
#   3. million:    ours only: PUT 10,000 groups x 100 series over 4 connections, VmRSS, push latency.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
GO_GATEWAY=${GO_GATEWAY:-/usr/bin/prometheus-pushgateway}
OUR_GATEWAY=${OUR_GATEWAY:-$root/.build/release/pushgateway}
BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_THREADS=${BENCH_THREADS:-1}
BENCH_ROUNDS=${BENCH_ROUNDS:-2}
BENCH_MILLION=${BENCH_MILLION:-1}
BENCH_GROUPS=${BENCH_GROUPS:-300}
BENCH_MILLION_GROUPS=${BENCH_MILLION_GROUPS:-10000}
BENCH_OUT=${BENCH_OUT:-$root/.build/bench/gateway}
BENCH_PHASES=${BENCH_PHASES:-123}
CONNECTIONS=32
THROUGHPUT_GROUPS=200
bench_py=(python3 "$here/bench.py")

# What the benchmark needs and a fresh machine may lack: wrk and the reference gateway, from Debian.
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
for binary in "$GO_GATEWAY" "$OUR_GATEWAY"; do
  if [ ! -x "$binary" ]; then
    echo "bench: $binary does not exist (build ours with: swift build -c release --product pushgateway)" >&2
    exit 1
  fi
done

mkdir -p "$BENCH_OUT/bodies"
rm -f "$BENCH_OUT"/*.json "$BENCH_OUT"/*.log "$BENCH_OUT"/wrk-*.txt "$BENCH_OUT"/bodies/*.body
started_pids=()

stop_pid() { # SIGTERM, then SIGKILL after 10 s; only ever a pid this script started
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  for pid in "${started_pids[@]}"; do
    stop_pid "$pid"
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_gateway NAME BINARY LOG -> sets gw_pid and gw_port
start_gateway() {
  local name=$1 binary=$2 logfile=$3
  gw_port=$("${bench_py[@]}" freeport)
  # An explicit empty --persistence.file: Debian's build defaults it to /var/lib/prometheus/pushgateway.data.
  # (Two arguments, not `--persistence.file=`, which our argument parser rejects as a missing value.)
  "$binary" --web.listen-address="127.0.0.1:$gw_port" --persistence.file '' >"$logfile" 2>&1 &
  gw_pid=$!
  started_pids+=("$gw_pid")
  if ! "${bench_py[@]}" wait-ready --port "$gw_port" --pid "$gw_pid" --timeout 30; then
    echo "bench: $name did not start; its log:" >&2
    cat "$logfile" >&2
    exit 1
  fi
  echo "  $name: pid $gw_pid on 127.0.0.1:$gw_port ($binary)" >&2
}

"${bench_py[@]}" bodies --dir "$BENCH_OUT/bodies"
echo "go:   $("$GO_GATEWAY" --version 2>&1 | head -1)" >&2
echo "ours: $("$OUR_GATEWAY" --version 2>&1 | head -1)" >&2
began=$(date +%s)

if [[ $BENCH_PHASES == *1* ]]; then
echo "== phase 1: $BENCH_GROUPS groups x 100 series: memory, push latency, scrapes, JSON API ==" >&2
start_gateway go "$GO_GATEWAY" "$BENCH_OUT/steady-go.log"
go_pid=$gw_pid go_port=$gw_port
start_gateway ours "$OUR_GATEWAY" "$BENCH_OUT/steady-ours.log"
our_pid=$gw_pid our_port=$gw_port
timeout 460 "${bench_py[@]}" steady --gw "go:$go_port:$go_pid" --gw "ours:$our_port:$our_pid" \
  --groups "$BENCH_GROUPS" --out-dir "$BENCH_OUT" || echo "bench: phase 1 failed" >&2
stop_pid "$go_pid"
stop_pid "$our_pid"
fi

if [[ $BENCH_PHASES == *2* ]]; then
echo "== phase 2: push throughput, $CONNECTIONS connections, $THROUGHPUT_GROUPS groups, ${BENCH_SECONDS}s each ==" >&2
start_gateway go "$GO_GATEWAY" "$BENCH_OUT/throughput-go.log"
go_pid=$gw_pid go_port=$gw_port
start_gateway ours "$OUR_GATEWAY" "$BENCH_OUT/throughput-ours.log"
our_pid=$gw_pid our_port=$gw_port
for gw in go ours; do
  if [ $gw = go ]; then port=$go_port; else port=$our_port; fi
  echo "-- $gw: preload" >&2
  timeout 120 "${bench_py[@]}" load --port "$port" --groups "$THROUGHPUT_GROUPS" --expect-empty ||
    echo "bench: preload failed for $gw" >&2
done
"${bench_py[@]}" quiesce --pid "$go_pid" --timeout 30
"${bench_py[@]}" quiesce --pid "$our_pid" --timeout 30
# The gateways take turns: BENCH_ROUNDS rounds of (Go text, ours text, Go protobuf, ours protobuf), each
# BENCH_SECONDS / BENCH_ROUNDS long, so a change in background load hits both alike.
round_seconds=$(( (BENCH_SECONDS + BENCH_ROUNDS - 1) / BENCH_ROUNDS ))
for round in $(seq "$BENCH_ROUNDS"); do
  for kind in text proto; do
    for gw in go ours; do
      if [ $gw = go ]; then pid=$go_pid port=$go_port; else pid=$our_pid port=$our_port; fi
      echo "  round $round: $gw $kind, ${round_seconds}s" >&2
      timeout $((round_seconds + 60)) wrk -t "$BENCH_THREADS" -c "$CONNECTIONS" -d "${round_seconds}s" --timeout 30s \
        -s "$here/push.lua" "http://127.0.0.1:$port" -- \
        "$BENCH_OUT/bodies" "$kind" 8 "$THROUGHPUT_GROUPS" "$BENCH_THREADS" >"$BENCH_OUT/wrk-$gw-$kind-$round.txt" 2>&1 ||
        echo "bench: wrk failed for $gw $kind (round $round)" >&2
      # Let the gateway work off what is still queued before the next run starts.
      "${bench_py[@]}" quiesce --pid "$pid" --timeout 30
    done
  done
done
for gw in go ours; do
  if [ $gw = go ]; then port=$go_port; else port=$our_port; fi
  for kind in text proto; do
    printf '  %s %s: ' "$gw" "$kind" >&2
    "${bench_py[@]}" wrkjson --in "$BENCH_OUT"/wrk-$gw-$kind-*.txt --out "$BENCH_OUT/throughput-$gw-$kind.json" ||
      echo "bench: no wrk result for $gw $kind" >&2
  done
  # Afterwards the store must still hold exactly the 200 groups.
  timeout 60 "${bench_py[@]}" load --port "$port" --groups 0 --out "$BENCH_OUT/throughput-$gw-verify.json" ||
    echo "bench: verification scrape failed for $gw" >&2
done
stop_pid "$go_pid"
stop_pid "$our_pid"
fi

if [ "$BENCH_MILLION" = 1 ] && [[ $BENCH_PHASES == *3* ]]; then
  echo "== phase 3: ours only, $BENCH_MILLION_GROUPS groups x 100 series ==" >&2
  start_gateway ours "$OUR_GATEWAY" "$BENCH_OUT/million-ours.log"
  our_pid=$gw_pid our_port=$gw_port
  timeout 420 "${bench_py[@]}" million --port "$our_port" --pid "$our_pid" --groups "$BENCH_MILLION_GROUPS" --out "$BENCH_OUT/million-ours.json" ||
    echo "bench: phase 3 failed" >&2
  stop_pid "$our_pid"
fi

for log in "$BENCH_OUT"/*.log; do
  if grep -qiE 'level=(error|warn)|panic|fatal' "$log"; then
    echo "bench: $(basename "$log") has warnings or errors:" >&2
    grep -iE 'level=(error|warn)|panic|fatal' "$log" | head -5 >&2
  fi
done

echo >&2
echo "== results ($(($(date +%s) - began)) s; $(nproc) cores; raw data in $BENCH_OUT) ==" >&2
echo
"${bench_py[@]}" report --dir "$BENCH_OUT"
