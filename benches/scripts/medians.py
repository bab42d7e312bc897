#!/usr/bin/env python3
"""Prints the medians criterion saved under target/criterion as a Markdown table.

Usage: python3 benches/scripts/medians.py [TARGET_DIR] [GROUP_PREFIX ...]
Reads every <bench>/new/benchmark.json and estimates.json; prints id, median time,
its median absolute deviation, and the throughput at the median (elements/s).
"""
import json
import pathlib
import sys


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_rate(per_s):
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if per_s >= scale:
            return f"{per_s / scale:.3g} {unit}/s"
    return f"{per_s:.3g} /s"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target") / "criterion"
    prefixes = sys.argv[2:]
    rows = []
    for bench in sorted(root.glob("**/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        full_id = meta["full_id"]
        if prefixes and not any(full_id.startswith(p) for p in prefixes):
            continue
        est = json.loads((bench.parent / "estimates.json").read_text())
        median = est["median"]["point_estimate"]
        mad = est["median_abs_dev"]["point_estimate"]
        elements = (meta.get("throughput") or {}).get("Elements")
        rate = fmt_rate(elements * 1e9 / median) if elements else ""
        rows.append((full_id, fmt_time(median), fmt_time(mad), rate))
    print("| bench | median | MAD | throughput |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
