#!/usr/bin/env python3
"""Pushes a fixed set of metrics to a Pushgateway with prometheus_client, for the interop suite.

Exits 0 when the client reports success (it raises on any status >= 400) and 1 with the error otherwise.

    python3 python_pusher.py --gateway http://127.0.0.1:9091 --job batch \
        --grouping 'instance=py host/1' --method push --set full [--compression gzip|snappy] \
        [--basic-auth user:password]
"""
import argparse
import sys

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary
from prometheus_client import delete_from_gateway, push_to_gateway, pushadd_to_gateway
from prometheus_client.exposition import basic_auth_handler, default_handler

# Label values of interop_py_jobs_total: a slash, quotes, a newline, a backslash and non-ASCII text, each with
# its own count so the suite can tell them apart after the round trip.
PATH_VALUES = [
    ("/api/v1/push", 1),
    ('say "hi"', 2),
    ("line1\nline2", 3),
    ("C:\\temp", 4),
    ("Προμηθεύς ✓", 5),
]


def full_set(registry):
    """Registers a labelled counter, a gauge, a summary and a histogram with exact values."""
    jobs = Counter("interop_py_jobs", "Jobs by path.", ["path"], registry=registry)
    for value, count in PATH_VALUES:
        jobs.labels(path=value).inc(count)
    Gauge("interop_py_queue_depth", "A gauge.", registry=registry).set(3.5)
    batch = Summary("interop_py_batch_seconds", "A summary.", registry=registry)
    batch.observe(1.5)
    batch.observe(2.5)
    size = Histogram("interop_py_size_bytes", "A histogram.", buckets=(100, 1000), registry=registry)
    for value in (50, 500, 5000):
        size.observe(value)


def update_set(registry):
    """Registers the gauge with a new value only."""
    Gauge("interop_py_queue_depth", "A gauge.", registry=registry).set(7.25)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--job", required=True)
    parser.add_argument("--grouping", action="append", default=[], help="name=value (repeatable)")
    parser.add_argument("--method", choices=["push", "pushadd", "delete"], default="push")
    parser.add_argument("--set", choices=["full", "update"], default="full")
    parser.add_argument("--compression", choices=["none", "gzip", "snappy"], default="none")
    parser.add_argument("--basic-auth", default="", help="user:password for basic_auth_handler")
    args = parser.parse_args()

    handler = default_handler
    if args.basic_auth:
        user, password = args.basic_auth.split(":", 1)

        def handler(url, method, timeout, headers, data):
            return basic_auth_handler(url, method, timeout, headers, data, user, password)

    grouping = dict(item.split("=", 1) for item in args.grouping)
    registry = CollectorRegistry()
    (full_set if args.set == "full" else update_set)(registry)
    compression = None if args.compression == "none" else args.compression
    try:
        if args.method == "delete":
            delete_from_gateway(args.gateway, job=args.job, grouping_key=grouping, handler=handler)
        elif args.method == "push":
            push_to_gateway(args.gateway, job=args.job, registry=registry, grouping_key=grouping,
                            compression=compression, handler=handler)
        else:
            pushadd_to_gateway(args.gateway, job=args.job, registry=registry, grouping_key=grouping,
                               compression=compression, handler=handler)
    except Exception as error:  # noqa: BLE001 - any failure is the test's answer
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
