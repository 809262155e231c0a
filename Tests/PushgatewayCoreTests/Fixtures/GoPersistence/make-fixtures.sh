#!/usr/bin/env bash
# Makes Debian's Go Pushgateway (1.5.1) write a persistence file (Go encoding/gob) after a varied set of
# pushes, and saves it next to what that gateway served before it stopped:
#
#   go-pushgateway.gob   the --persistence.file, written by the gateway on SIGTERM
#   api-v1-metrics.json  GET /api/v1/metrics
#   scrape.txt           GET /metrics, Accept: text/plain;version=0.0.4
#   scrape.pb            GET /metrics, Accept: application/vnd.google.protobuf;...;encoding=delimited
#
# Needs: /usr/bin/prometheus-pushgateway, curl, python3 with prometheus_client, and the client_golang pusher
# built by scripts/build-peers.sh (.build/interop/gopusher). Only 127.0.0.1 is contacted. Run from anywhere:
#
#   Tests/PushgatewayCoreTests/Fixtures/GoPersistence/make-fixtures.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
gateway_binary="${GO_GATEWAY:-/usr/bin/prometheus-pushgateway}"
gopusher="${GO_PUSHER:-$root/.build/interop/gopusher}"
python="${PYTHON:-python3}"
[ -x "$gopusher" ] || { echo "missing $gopusher: run scripts/build-peers.sh" >&2; exit 1; }

work="$(mktemp -d)"
gateway_pid=""
cleanup() {
    if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then kill "$gateway_pid"; fi
    rm -rf "$work"
}
trap cleanup EXIT

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
# TZ=UTC: the JSON API writes push times in the gateway's local zone, ours in UTC; in UTC both read the same.
TZ=UTC "$gateway_binary" --web.listen-address="127.0.0.1:$port" --persistence.file="$work/go-pushgateway.gob" \
    --persistence.interval=1s >"$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 100); do
    if curl -sf "$url/-/ready" >/dev/null 2>&1; then break; fi
    sleep 0.1
done
curl -sf "$url/-/ready" >/dev/null

# push METHOD PATH BODY-FILE EXPECTED-STATUS [CONTENT-TYPE]
push() {
    local content_type="${5:-text/plain; version=0.0.4}"
    local status
    status="$(curl -s -o "$work/answer" -w '%{http_code}' -X "$1" -H "Content-Type: $content_type" \
        --data-binary "@$3" "$url$2")"
    if [ "$status" != "$4" ]; then
        echo "$1 $2 answered $status, expected $4: $(cat "$work/answer")" >&2
        exit 1
    fi
}

cat >"$work/typed.txt" <<'BODY'
# HELP fixture_requests_total Requests handled, with "quotes", a \\ backslash and a\nnewline.
# TYPE fixture_requests_total counter
fixture_requests_total{code="200",path="/api"} 1027
fixture_requests_total{code="500",path="/api"} 3
fixture_requests_total{path="Προμηθεύς ✓"} 1.5e+06
# TYPE fixture_temperature_celsius gauge
fixture_temperature_celsius{room="küche"} -3.25
fixture_temperature_celsius{room="attic"} 12
# TYPE fixture_untyped untyped
fixture_untyped{kind="inf"} +Inf
fixture_untyped{kind="tiny"} 1e-300
fixture_untyped{kind="nan"} NaN
# HELP fixture_rpc_seconds A summary.
# TYPE fixture_rpc_seconds summary
fixture_rpc_seconds{quantile="0.5"} 0.05
fixture_rpc_seconds{quantile="0.99"} 1.25
fixture_rpc_seconds_sum 17.5
fixture_rpc_seconds_count 120
# HELP fixture_size_bytes A classic histogram.
# TYPE fixture_size_bytes histogram
fixture_size_bytes_bucket{le="100"} 3
fixture_size_bytes_bucket{le="1000"} 7
fixture_size_bytes_bucket{le="+Inf"} 9
fixture_size_bytes_sum 12345
fixture_size_bytes_count 9
BODY
cat >"$work/update.txt" <<'BODY'
# TYPE fixture_temperature_celsius gauge
fixture_temperature_celsius{room="küche"} 21.5
BODY
printf 'some_other_metric 1\n' >"$work/other.txt"
# fixture_requests_total is a counter above: untyped here is a type clash, so 400.
printf 'fixture_requests_total 3.14\n' >"$work/clash.txt"
# Timestamps are refused (400) and mark the existing group's last push as failed.
printf 'fixture_untyped{kind="late"} 1 1700000000000\n' >"$work/timestamped.txt"
# One delimited MetricFamily {name: "fixture_empty", type: GAUGE} without metrics.
printf '\x11\x0a\x0dfixture_empty\x18\x01' >"$work/empty.pb"

# client_golang, protobuf: counter with UTF-8/escaped label values, exemplars, gauge, summary, classic + native
# histogram; "/" in the job and instance values makes client_golang use @base64 URL segments.
"$gopusher" -gateway "$url" -job go/batch -grouping instance=host/a1 -method push -set full
# client_golang, text format, an empty grouping value (sent as instance@base64/=).
"$gopusher" -gateway "$url" -job go-text -grouping instance= -method push -set full -format text
# prometheus_client, gzip body, "/" and a blank in the instance.
"$python" "$root/Tests/Peers/python_pusher.py" --gateway "$url" --job py/batch --grouping 'instance=py host/01' \
    --method push --set full --compression gzip
push POST /metrics/job/some_job/instance/some_instance "$work/typed.txt" 200
# job "backup/db" and an empty first_label, both as @base64 segments.
push PUT /metrics/job@base64/YmFja3VwL2Ri/first_label@base64/= "$work/other.txt" 200
# A UTF-8 grouping value with a slash: region "Zürich/Ost".
push PUT "/metrics/job/utf8/region@base64/$(printf 'Zürich/Ost' | base64 | tr '+/' '-_' | tr -d '=')" \
    "$work/other.txt" 200
push POST /metrics/job/empty_family "$work/empty.pb" 200 \
    'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited'
sleep 0.2
# A later POST: one family of the group gets a newer time than the others.
push POST /metrics/job/some_job/instance/some_instance "$work/update.txt" 200
push POST /metrics/job/clash "$work/clash.txt" 400
push POST /metrics/job/some_job/instance/some_instance "$work/timestamped.txt" 400

curl -sf "$url/api/v1/metrics" -o "$work/api-v1-metrics.json"
curl -sf -H 'Accept: text/plain;version=0.0.4' "$url/metrics" -o "$work/scrape.txt"
curl -sf -H 'Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited' \
    "$url/metrics" -o "$work/scrape.pb"

kill -TERM "$gateway_pid"
wait "$gateway_pid" || true
gateway_pid=""
[ -s "$work/go-pushgateway.gob" ] || { echo "no persistence file after SIGTERM:" >&2; cat "$work/gateway.log" >&2; exit 1; }

for file in go-pushgateway.gob api-v1-metrics.json scrape.txt scrape.pb; do
    cp "$work/$file" "$here/$file"
done
echo "wrote $(wc -c <"$here/go-pushgateway.gob") bytes of gob and three views to $here"
