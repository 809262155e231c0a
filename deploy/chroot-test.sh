#!/usr/bin/env bash
# Proves a release binary runs on a machine without Swift: copies it and only the shared libraries `ldd`
# names into an empty directory, runs it there under chroot as nobody (with /proc, as every container has),
# pushes and scrapes it over loopback. Prints the Debian packages those libraries come from, one per line,
# after a line "packages:"; deploy/docker/Dockerfile's runtime stage must provide exactly these.
# Usage: deploy/chroot-test.sh path/to/pushgateway   (as root: chroot and mount need it)
set -euo pipefail
binary=$(readlink -f "$1")
root=$(mktemp -d /tmp/pushgateway-chroot.XXXXXX)
port=$((20000 + RANDOM % 20000))
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

chmod 0755 "$root"
mkdir -p "$root/bin" "$root/proc" "$root/pushgateway" "$root/tmp"
install -m 0755 "$binary" "$root/bin/pushgateway"
libraries=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
for library in $libraries; do
  # A library outside Debian's packages (the Swift runtime, say) would not be on a machine without Swift.
  dpkg -S "$(readlink -f "$library")" >/dev/null 2>&1 || dpkg -S "$library" >/dev/null 2>&1 \
    || { echo "needs $library, which no Debian package provides (build with --static-swift-stdlib)"; exit 1; }
  mkdir -p "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done
chown 65534:65534 "$root/pushgateway"
chmod 1777 "$root/tmp"
mount -t proc proc "$root/proc"

( cd / && exec chroot --userspec=65534:65534 "$root" /bin/pushgateway \
    --web.listen-address="127.0.0.1:$port" --persistence.file=/pushgateway/metrics.db ) \
  >"$root/../pushgateway-chroot-$port.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$root/../pushgateway-chroot-$port.log"; echo "the binary died in the chroot"; exit 1; }
  sleep 0.1
done
curl -fsS -X PUT --data-binary $'chroot_metric{where="empty root"} 42\n' "http://127.0.0.1:$port/metrics/job/chroot" >/dev/null
curl -fsS "http://127.0.0.1:$port/metrics" | grep -q '^chroot_metric{instance="",job="chroot",where="empty root"} 42$' \
  || { echo "the pushed metric is not in the scrape"; exit 1; }
kill -TERM "$pid"
wait "$pid" || true
pid=
[ -s "$root/pushgateway/metrics.db" ] || { echo "no persistence file written in the chroot"; exit 1; }
rm -f "$root/../pushgateway-chroot-$port.log"

echo "ran in $root with: $(echo $libraries | tr '\n' ' ')"
echo "packages:"
for library in $libraries; do
  dpkg -S "$(readlink -f "$library")" 2>/dev/null || dpkg -S "$library"
done | cut -d: -f1 | sort -u
