#!/usr/bin/env python3
"""Heft's benchmark harness: runs each workload for Heft and its reference in one run and prints
a Markdown table (median, spread, ratio). Driven by `tools/bench`; see README "Performance".

Workloads (more come with later issues):
  forward   Dense(width -> width) on a batch: Heft (release build, cblas_sgemm) vs numpy `x @ W + b`.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
HEFT_BENCH = os.path.join(ROOT, ".build", "release", "heft-bench")


def summarise(seconds):
    seconds = sorted(seconds)
    return {"median": statistics.median(seconds), "min": seconds[0], "max": seconds[-1]}


def numpy_forward(batch, width, repeats):
    rng = np.random.default_rng(1)
    x = rng.random((batch, width), dtype=np.float32)
    w = rng.random((width, width), dtype=np.float32)
    b = rng.random(width, dtype=np.float32)
    for _ in range(5):
        x @ w + b
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        x @ w + b
        seconds.append(time.perf_counter() - start)
    return seconds


def heft(workload, **options):
    arguments = [HEFT_BENCH, workload]
    for key, value in options.items():
        arguments += [f"--{key}", str(value)]
    result = json.loads(subprocess.run(arguments, check=True, capture_output=True, text=True).stdout)
    if not result.get("checksum", True):
        sys.exit(f"bench: heft-bench {workload} produced non-finite output")
    return result["seconds"]


def forward(quick):
    batch, width, repeats = (16, 64, 5) if quick else (256, 1024, 50)
    ours = summarise(heft("forward", batch=batch, width=width, repeats=repeats))
    theirs = summarise(numpy_forward(batch, width, repeats))
    flops = 2 * batch * width * width
    rows = [("Heft Dense (cblas_sgemm + bias)", ours), ("numpy `x @ W + b`", theirs)]
    print(f"\n### forward: Dense({width} → {width}), batch {batch}, {repeats} repeats after 5 warm-up runs\n")
    print("| contender | median | min – max | GFLOP/s | time ÷ numpy |")
    print("|---|---|---|---|---|")
    for name, stats in rows:
        print(f"| {name} | {stats['median'] * 1e3:.3f} ms | {stats['min'] * 1e3:.3f} – {stats['max'] * 1e3:.3f} ms"
              f" | {flops / stats['median'] / 1e9:.1f} | {stats['median'] / theirs['median']:.2f}× |")
    return ours["median"] / theirs["median"]


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"numpy {np.__version__} ({blas.get('name')} {blas.get('version')}), Python {platform.python_version()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness, not the speed")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    ratio = forward(args.quick)
    print(f"\nforward: Heft takes {ratio:.2f}× numpy's time (target ≤ 1.25×)")
