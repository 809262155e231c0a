#!/usr/bin/env bash
# Fuzzes the codecs with libFuzzer and AddressSanitizer: scripts/fuzz.sh text|protobuf [seconds]
# Each harness (Tests/Fuzz) is compiled into one module with PushgatewayCore's sources, the C module with
# clang's fuzzer instrumentation; the committed fixtures seed the corpus. Crashes land in .build/fuzz/<kind>.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-text}
seconds=${2:-120}
case "$kind" in
  text) harness=Tests/Fuzz/FuzzTextFormat.swift; seeds='*.txt' ;;
  protobuf) harness=Tests/Fuzz/FuzzProtobuf.swift; seeds='*.pb' ;;
  *) echo "usage: $0 text|protobuf [seconds]" >&2; exit 2 ;;
esac
out=.build/fuzz/$kind
mkdir -p "$out/corpus"
cp Tests/PushgatewayCoreTests/Fixtures/$seeds "$out/corpus/"
objects=()
for source in CProtobuf/CProtobuf.c CProtobuf/metrics.pb-c.c CProtobuf/google/protobuf/timestamp.pb-c.c; do
  object="$out/$(basename "$source" .c).o"
  clang -O1 -g -fsanitize=fuzzer-no-link,address -ICProtobuf/include -c "$source" -o "$object"
  objects+=("$object")
done
mapfile -t sources < <(find Sources/PushgatewayCore -name '*.swift')
swiftc -O -swift-version 6 -package-name swift_pushgateway -parse-as-library -module-name PushgatewayCore \
  -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility \
  -enable-upcoming-feature InternalImportsByDefault -sanitize=fuzzer,address \
  -I CProtobuf/include "${sources[@]}" "$harness" Tests/Fuzz/FuzzSupport.swift "${objects[@]}" -lprotobuf-c -o "$out/fuzz"
cd "$out"
exec ./fuzz corpus -max_total_time="$seconds" -max_len=4096 -timeout=10
