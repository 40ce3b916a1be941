#!/usr/bin/env python3
"""Heft's benchmark harness: runs each workload for Heft and its reference in one run and prints
a Markdown table (median, spread, ratio). Driven by `tools/bench`; see docs/performance.md.

Workloads:
  forward   Dense(width -> width) on a batch: Heft (release build, cblas_sgemm) vs numpy `x @ W + b`.
  persist   save and load: raw write (+ fsync, and + XXH3-128 on a second thread) and read of the same
            bytes (the physical limit), h5py,
            tf-keras 2, Keras 3, Python safetensors (save_file + fsync, load_file) and Heft (from Swift,
            release build; .h5, .weights.h5, .safetensors and a sharded .weights.json), and
            `heft convert`, for a large model (16 Dense 4096x4096, ~1 GiB) and many small layers
            (300 Dense 32x32).
  diff      two ~1 GiB legacy files (16 Dense 4096x4096, float32) differing in a few elements, and a
            pair where every element changed by a factor 1 + 1e-5: h5diff, h5diff -d 1e-6, an h5py +
            numpy script, heft diff, heft dump --stats, heft verify. Wall time and peak RSS per process.
  layers    one layer's forward pass beside TensorFlow's (tf-keras layer under tf.function, as Keras
            runs inference; both with 2 threads): Conv2D(3x3, 64->64, same) on 32x56x56x64, LSTM(256)
            over 100 steps of 256 features, batch 32, MultiHeadAttention(8 heads, key_dim 64)
            self-attention on 16x128x512. Median of the repeats after warm-up, in separate processes,
            with each process's peak RSS.
  scale     how cost grows with size: files of 1 MiB, 16 MiB, 256 MiB, 1 GiB and 4 GiB (Dense layers)
            and of 10k and 100k small tensors; for each, save, checked and unchecked load (heft-bench
            persist), heft verify, dump --stats, diff, convert, and the references cat and cp + sync:
            median wall time and peak RSS, the slope from 256 MiB to 4 GiB, and a log-log plot
            (docs/scale.png, matplotlib).
  first     time to the first tensor of a 4 GiB file (64 MiB kernels): Heft mapped with and without
            its digest check, and read, beside h5py (lazy dataset, then its values) and safetensors'
            safe_open + get_tensor; inside each reader's process, page cache warm.
  cluster   a 4 GiB sharded checkpoint (64 Dense 4096x4096 in 512 MB shards) verified by heft built with
            the MPI trait: one process, and mpirun -np 1, 2 and 4 (--oversubscribe), rounds of each,
            beside cat of the shards; throughput per rank, and a projection for 64 nodes from it.
            Needs tools/setup --mpi (tools/bench builds the MPI heft when asked for this workload).
  containers the same ~1 GiB of weights as one .weights.h5, a .keras archive, a sharded set of four
            shards and a .safetensors file: heft dump --stats, verify and diff (with itself), each as
            a ratio to the .weights.h5 time.
"""
import argparse
import shutil
import tempfile
import zipfile
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
HEFT_BENCH = os.path.join(ROOT, ".build", "release", "heft-bench")
HEFT = os.path.join(ROOT, ".build", "release", "heft")
HEFT_MPI = os.path.join(ROOT, ".build-mpi", "release", "heft")
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root", "--bind-to", "none"]   # see docs/performance.md, "Clusters"

# The 64-node projection's published figures (stated with the projection, never measured here):
# NERSC Perlmutter's all-flash Lustre scratch file system, "over 5 TB/s" aggregate bandwidth, and a
# node's Slingshot-11 interface, 200 Gb/s (25 GB/s). Source: NERSC's Perlmutter architecture pages.
PROJECTION_FS_BYTES_PER_S = 5e12
PROJECTION_NODE_BYTES_PER_S = 25e9

H5PY_DIFF = """
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
different = 0
def visit(name, obj):
    global different
    if isinstance(obj, h5py.Dataset):
        other = b[name]
        rows = max(1, (4 << 20) // max(1, obj.dtype.itemsize * int(np.prod(obj.shape[1:]))))
        for start in range(0, obj.shape[0] if obj.shape else 1, rows):
            x, y = (obj[start:start + rows], other[start:start + rows]) if obj.shape else (obj[()], other[()])
            diff = np.abs(x.astype(np.float64) - y)
            different += int(np.count_nonzero(diff > 1e-6))
a.visititems(visit)
print(different)
sys.exit(1 if different else 0)
"""


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


def run_process(arguments, capture=False, allowed=(0, 1)):
    """Wall seconds, peak resident memory (MiB) and (with `capture`) stdout of one process.

    stderr goes to a temporary file, so a chatty process cannot block on a full pipe."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=errors)
        stdout = process.stdout.read() if capture else b""
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in allowed:
            errors.seek(0)
            sys.exit(f"bench: {' '.join(arguments[:3])} failed with exit code {code}: {errors.read().decode()[-800:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout.decode()


def measure(arguments, repeats):
    runs = [run_process(arguments)[:2] for _ in range(repeats + 1)][1:]   # the first run warms up
    return summarise([r[0] for r in runs]), max(r[1] for r in runs)


def diff_workloads(quick):
    layers, width, repeats = (4, 256, 2) if quick else (16, 4096, 5)
    folder = tempfile.mkdtemp(prefix="heft-bench-")
    try:
        subprocess.run([HEFT_BENCH, "pair", folder, "--layers", str(layers), "--width", str(width)], check=True)
        a, b, c = (os.path.join(folder, n) for n in ("a.h5", "b.h5", "c.h5"))
        size = os.path.getsize(a)
        python = sys.executable
        for pair_name, other in (("a few elements differ", b), ("every element changed by 1e-5", c)):
            contenders = [
                ("h5diff", ["h5diff", a, other]),
                ("h5diff -d 1e-6", ["h5diff", "-d", "1e-6", a, other]),
                ("h5py + numpy script", [python, "-c", H5PY_DIFF, a, other]),
                ("heft diff", [HEFT, "diff", a, other]),
            ]
            report(f"diff: {layers} Dense {width}x{width} float32, 2 x {size / 2**30:.2f} GiB, {pair_name}", contenders,
                   repeats, bytes_read=2 * size, reference="h5diff")
        report(f"dump / verify: one {size / 2**30:.2f} GiB file", [
            ("heft dump --stats", [HEFT, "dump", "--stats", a]),
            ("heft verify", [HEFT, "verify", a]),
            ("heft dump --hash", [HEFT, "dump", "--hash", a]),
        ], repeats, bytes_read=size, reference=None)
    finally:
        shutil.rmtree(folder)


def containers_workload(quick):
    """The same weights in each container Heft reads: dump --stats, verify and diff against the
    one-file .weights.h5 (the issue's bound: at most 1.1× its time)."""
    layers, width, repeats = (4, 256, 2) if quick else (16, 4096, 9)
    folder = tempfile.mkdtemp(prefix="heft-bench-")
    try:
        subprocess.run([HEFT_BENCH, "pair", folder, "--layers", str(layers), "--width", str(width)], check=True)
        single = os.path.join(folder, "a.weights.h5")
        subprocess.run([HEFT, "convert", os.path.join(folder, "a.h5"), single], check=True, stdout=subprocess.DEVNULL)
        archive = os.path.join(folder, "a.keras")
        with zipfile.ZipFile(archive, "w") as zipped:   # stored entries, as Keras writes them
            zipped.writestr("metadata.json", '{"keras_version": "3.15.1"}')
            zipped.writestr("config.json", "{}")
            zipped.write(single, "model.weights.h5")
        sharded = os.path.join(folder, "a.weights.json")
        subprocess.run([HEFT, "convert", "--max-shard-size", f"{max(1, os.path.getsize(single) // 4)}B", single, sharded],
                       check=True, stdout=subprocess.DEVNULL)
        tensors = os.path.join(folder, "a.safetensors")
        subprocess.run([HEFT, "convert", single, tensors], check=True, stdout=subprocess.DEVNULL)
        # Every file copied afresh, so all meet the page cache alike: a file written in small pieces
        # (Python's zipfile writes 8 KiB at a time) reads measurably slower from cache than its
        # byte-identical copy, which would be charged to the container.
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            shutil.copyfile(path, path + ".copy")
            os.replace(path + ".copy", path)
        os.sync()
        size = os.path.getsize(single)
        for command in (["dump", "--stats"], ["verify"], ["diff"]):
            contenders = [(f"heft {' '.join(command)} {os.path.basename(path).split('.', 1)[1]}",
                           [HEFT] + command + [path] + ([path] if command == ["diff"] else []))
                          for path in (single, archive, sharded, tensors)]
            report(f"containers: heft {' '.join(command)}, {layers} Dense {width}x{width} float32 "
                   f"({size / 2**30:.2f} GiB) in each container", contenders, repeats,
                   bytes_read=size * (2 if command == ["diff"] else 1), reference=contenders[0][0], slower_is_ratio=True,
                   interleaved=True)
    finally:
        shutil.rmtree(folder)


def measure_interleaved(contenders, repeats):
    """Each contender's time and peak RSS, run in rounds (one run of each per round, after one
    warm-up round), so the VM's slow phases fall on every contender alike."""
    runs = {name: [] for name, _ in contenders}
    for _ in range(repeats + 1):
        for name, arguments in contenders:
            runs[name].append(run_process(arguments)[:2])
    return [(name, summarise([r[0] for r in runs[name][1:]]), max(r[1] for r in runs[name][1:])) for name, _ in contenders]


def report(title, contenders, repeats, bytes_read, reference, slower_is_ratio=False, interleaved=False):
    results = (measure_interleaved(contenders, repeats) if interleaved
               else [(name, *measure(arguments, repeats)) for name, arguments in contenders])
    order = "in rounds, " if interleaved else ""
    print(f"\n### {title}; {repeats} runs {order}after 1 warm-up, page cache warm\n")
    column = f" time / {reference}'s |" if slower_is_ratio else f" speed-up vs {reference} |"
    print("| contender | median | min – max | throughput | peak RSS |" + (column if reference else ""))
    print("|---|---|---|---|---|" + ("---|" if reference else ""))
    base = next((stats["median"] for name, stats, _ in results if name == reference), None)
    for name, stats, rss in results:
        row = (f"| {name} | {stats['median']:.3f} s | {stats['min']:.3f} – {stats['max']:.3f} s"
               f" | {bytes_read / stats['median'] / 1e9:.2f} GB/s | {rss:.0f} MiB |")
        if reference:
            row += f" {(stats['median'] / base if slower_is_ratio else base / stats['median']):.2f}× |"
        print(row)


def persist_worker(framework, layers, width, repeats, folder):
    """Runs in a subprocess: times save and load with one Python contender; prints a JSON line."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    rng = np.random.default_rng(0)
    shapes = [s for _ in range(layers) for s in ((width, width), (width,))]
    values = [rng.uniform(-1, 1, size=s).astype(np.float32) for s in shapes]
    results = {"save": [], "load": []}

    def timed(kind, body):
        body()
        for _ in range(repeats):
            start = time.perf_counter()
            body()
            results[kind].append(time.perf_counter() - start)

    if framework == "safetensors":
        from safetensors.numpy import load_file, save_file
        path = os.path.join(folder, "python.safetensors")
        named = {f"dense_{i // 2}/{'kernel' if i % 2 == 0 else 'bias'}": v for i, v in enumerate(values)}

        def save_synced():
            save_file(named, path)
            descriptor = os.open(path, os.O_RDONLY)
            os.fsync(descriptor)
            os.close(descriptor)
        timed("save", save_synced)
        timed("load", lambda: load_file(path))
    elif framework == "h5py":
        import h5py
        path = os.path.join(folder, "h5py.h5")

        def save():
            with h5py.File(path, "w") as f:
                for i, v in enumerate(values):
                    f.create_dataset(f"dense_{i // 2}/dense_{i // 2}/{'kernel' if i % 2 == 0 else 'bias'}:0", data=v)

        def load():
            with h5py.File(path, "r") as f:
                return [f[f"dense_{i // 2}/dense_{i // 2}/{'kernel' if i % 2 == 0 else 'bias'}:0"][()] for i in range(len(values))]
        timed("save", save)
        timed("load", load)
    else:
        keras = __import__("tf_keras" if framework == "tf-keras" else "keras")
        model = keras.Sequential([keras.Input((width,))] + [keras.layers.Dense(width) for _ in range(layers)])
        model.set_weights(values)
        path = os.path.join(folder, "keras.h5" if framework == "tf-keras" else "keras.weights.h5")
        timed("save", lambda: model.save_weights(path))
        timed("load", lambda: model.load_weights(path))
    print(json.dumps(results))


def persist_workloads(quick):
    # Many-small runs take tens of milliseconds, so they get more repetitions against this VM's noise.
    cases = [("large", 2, 256, 2) if quick else ("large", 16, 4096, 5),
             ("many small", 20, 32, 2) if quick else ("many small", 300, 32, 20)]
    for label, layers, width, repeats in cases:
        folder = tempfile.mkdtemp(prefix="heft-bench-")
        try:
            persist_case(label, layers, width, repeats, folder)
        finally:
            shutil.rmtree(folder)


def persist_case(label, layers, width, repeats, folder):
    heft_output, heft_rss = run_capturing([HEFT_BENCH, "persist", folder, "--layers", str(layers), "--width", str(width),
                                           "--repeats", str(repeats)])
    heft = json.loads(heft_output)
    size = heft["bytes"]
    rows = [("raw write (page cache)", summarise(heft["raw_write"]), heft_rss, "write"),
            ("raw write + fsync", summarise(heft["raw_write_fsync"]), heft_rss, "write"),
            ("raw write + fsync, XXH3-128 of each tensor on a second thread", summarise(heft["raw_write_fsync_checksum"]), heft_rss,
             "write"),
            ("raw read (into allocated memory)", summarise(heft["raw_read"]), heft_rss, "read")]
    contenders = {}
    for framework in ("h5py", "tf-keras", "keras3", "safetensors"):
        output, rss = run_capturing([sys.executable, __file__, "--worker", framework, str(layers), str(width), str(repeats), folder])
        contenders[framework] = json.loads(output.strip().splitlines()[-1])
        rows.append((f"{framework} save", summarise(contenders[framework]["save"]), rss, "write"))
        rows.append((f"{framework} load", summarise(contenders[framework]["load"]), rss, "read"))
    rows += [("Heft save (legacy .h5, fsync)", summarise(heft["save_legacy"]), heft_rss, "write"),
             ("Heft save (.weights.h5, fsync)", summarise(heft["save_v3"]), heft_rss, "write"),
             ("Heft load (legacy .h5), XXH3-128 of every tensor checked (default)", summarise(heft["load_legacy"]), heft_rss, "read"),
             ("Heft load (.weights.h5), checksums checked (default)", summarise(heft["load_v3"]), heft_rss, "read"),
             ("Heft load (legacy .h5), digests not checked", summarise(heft["load_legacy_unchecked"]), heft_rss, "read"),
             ("Heft load (.weights.h5), digests not checked", summarise(heft["load_v3_unchecked"]), heft_rss, "read"),
             ("libhdf5 floor: open + read + close per dataset, no checks", summarise(heft["hdf5_floor"]), heft_rss, "read"),
             ("libhdf5 floor with the checks' calls (links listed, names, offset/type/extent, digest attribute), no bookkeeping",
              summarise(heft["hdf5_check_calls"]), heft_rss, "read"),
             ("Heft save (.safetensors, fsync)", summarise(heft["save_safetensors"]), heft_rss, "write"),
             ("Heft load (.safetensors), checksums checked (default)", summarise(heft["load_safetensors"]), heft_rss, "read"),
             ("Heft load (.safetensors), digests not checked", summarise(heft["load_safetensors_unchecked"]), heft_rss, "read"),
             ("Heft save (sharded .weights.json, 4 shards, fsync)", summarise(heft["save_sharded"]), heft_rss, "write"),
             ("Heft load (sharded .weights.json), checksums checked", summarise(heft["load_sharded"]), heft_rss, "read")]
    # Loading each container, in rounds, from files copied afresh (see containers_workload): the
    # issue's bound is ≤ 1.1× the same weights in one .weights.h5.
    single = os.path.join(folder, "heft.weights.h5")
    with zipfile.ZipFile(os.path.join(folder, "heft.keras"), "w") as zipped:
        zipped.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        zipped.writestr("config.json", "{}")
        zipped.write(single, "model.weights.h5")
    loaded = [single] + [os.path.join(folder, n) for n in ("heft.keras", "heft.weights.json", "heft.safetensors")]
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        shutil.copyfile(path, path + ".copy")
        os.replace(path + ".copy", path)
    os.sync()
    rounds, _ = run_capturing([HEFT_BENCH, "load"] + loaded + ["--layers", str(layers), "--width", str(width), "--repeats", str(repeats)])
    rounds = json.loads(rounds)
    base = summarise(rounds[single])["median"]
    container_rows = [(f"Heft load ({os.path.basename(path).split('.', 1)[1]}), checked, in rounds",
                       summarise(rounds[path]), summarise(rounds[path])["median"] / base) for path in loaded]
    convert = measure([HEFT, "convert", os.path.join(folder, "heft.h5"), os.path.join(folder, "converted.weights.h5")], repeats)
    rows.append(("heft convert (.h5 → .weights.h5)", convert[0], convert[1], "write"))
    limit = {"write": summarise(heft["raw_write_fsync"])["median"], "read": summarise(heft["raw_read"])["median"]}
    print(f"\n### persist, {label}: {layers} Dense {width}x{width} float32 ({size / 2**20:.1f} MiB); "
          f"{repeats} runs after 1 warm-up\n")
    print("| contender | median | min – max | throughput | vs physical limit | vs h5py | vs tf-keras | vs Keras 3 "
          "| vs safetensors (Python) | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, stats, rss, kind in rows:
        side = "save" if kind == "write" else "load"
        versus = " | ".join(f"{summarise(contenders[f][side])['median'] / stats['median']:.2f}×"
                            for f in ("h5py", "tf-keras", "keras3", "safetensors"))
        print(f"| {name} | {stats['median'] * 1e3:.1f} ms | {stats['min'] * 1e3:.1f} – {stats['max'] * 1e3:.1f} ms"
              f" | {size / stats['median'] / 1e9:.2f} GB/s | {limit[kind] / stats['median']:.2f}× | {versus} | {rss:.0f} MiB |")
    print("\n(Ratios are the other side's time divided by this row's: above 1 means this row is faster. Physical"
          " limit: raw write + fsync for saves, raw read for loads; contenders: their save for saves, load for loads.)")
    print("\n| loading the same weights from each container, in rounds | median | min – max | time / .weights.h5's |")
    print("|---|---|---|---|")
    for name, stats, ratio in container_rows:
        print(f"| {name} | {stats['median'] * 1e3:.1f} ms | {stats['min'] * 1e3:.1f} – {stats['max'] * 1e3:.1f} ms | {ratio:.2f}× |")
    if label != "large":
        return
    hashing = summarise(heft["raw_write_fsync_checksum"])["median"]
    print(f"\nHeft's saves store an XXH3-128 per tensor: against a raw write that hashes the same way they reach "
          f"{hashing / summarise(heft['save_legacy'])['median']:.2f}× (legacy) and {hashing / summarise(heft['save_v3'])['median']:.2f}× (.weights.h5).")


def run_capturing(arguments):
    """stdout and peak RSS (MiB) of one process that must succeed."""
    _, rss, stdout = run_process(arguments, capture=True, allowed=(0,))
    return stdout, rss


SCALE_CASES = [("1 MiB", 1, 512), ("16 MiB", 1, 2048), ("256 MiB", 4, 4096), ("1 GiB", 16, 4096), ("4 GiB", 64, 4096),
               ("10k tensors", 5000, 8), ("100k tensors", 50000, 8)]
SCALE_QUICK = [("1 MiB", 1, 512), ("16 MiB", 1, 2048), ("1k tensors", 500, 8)]


def can_drop_caches():
    return os.access("/proc/sys/vm/drop_caches", os.W_OK)


def drop_caches():
    """Writes dirty pages back, then drops the page cache, dentries and inodes (root only)."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as control:
        control.write("3\n")


def scale_workload(quick, plot_path):
    """Times every command at every size (see the module docstring) and plots time against bytes."""
    repeats = 1 if quick else 3
    rows = []
    cold = {}
    for label, layers, width in (SCALE_QUICK if quick else SCALE_CASES):
        folder = tempfile.mkdtemp(prefix="heft-scale-")
        try:
            subprocess.run([HEFT_BENCH, "make", folder, "--layers", str(layers), "--width", str(width)], check=True,
                           capture_output=True)
            a, b = os.path.join(folder, "a.weights.h5"), os.path.join(folder, "b.weights.h5")
            size = os.path.getsize(a)
            timings = {}
            def timed(name, arguments, allowed=(0, 1), setup=None):
                runs = []
                for _ in range(repeats + 1):
                    if setup:
                        setup()
                    runs.append(run_process(arguments, allowed=allowed)[:2])
                runs = runs[1:]
                timings[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
            out = os.path.join(folder, "out.h5")
            copy = os.path.join(folder, "copy.h5")
            timed("cat", ["sh", "-c", f"cat '{a}' > /dev/null"])
            timed("heft verify", [HEFT, "verify", a])
            timed("heft dump --stats", [HEFT, "dump", "--stats", a])
            timed("heft diff", [HEFT, "diff", a, b])
            timed("heft convert", [HEFT, "convert", a, out], setup=lambda: os.path.exists(out) and os.remove(out))
            timed("cp + sync", ["sh", "-c", f"cp '{a}' '{copy}' && sync '{copy}'"], setup=lambda: os.path.exists(copy) and os.remove(copy))
            if label == "1 GiB" and can_drop_caches():
                # Cold: the page cache dropped before each run (as root), so the disk is read too.
                for name, arguments in (("cat", ["sh", "-c", f"cat '{a}' > /dev/null"]), ("heft verify", [HEFT, "verify", a]),
                                        ("heft dump --stats", [HEFT, "dump", "--stats", a]), ("heft diff", [HEFT, "diff", a, b])):
                    cold_runs = []
                    for _ in range(repeats):
                        drop_caches()
                        cold_runs.append(run_process(arguments, allowed=(0, 1))[:2])
                    cold[name] = (statistics.median(r[0] for r in cold_runs), max(r[1] for r in cold_runs))
            persist_folder = os.path.join(folder, "persist")
            os.mkdir(persist_folder)
            _, persist_rss, stdout = run_process([HEFT_BENCH, "persist", persist_folder, "--layers", str(layers), "--width", str(width),
                                                  "--repeats", str(repeats), "--only", "raw_write,save_v3,load_v3,load_v3_unchecked,raw_read"],
                                                 capture=True, allowed=(0,))
            persist = json.loads(stdout.strip().splitlines()[-1])
            for key, name in (("save_v3", "heft save"), ("load_v3", "heft load (checked)"), ("load_v3_unchecked", "heft load (unchecked)"),
                              ("raw_read", "raw read")):
                timings[name] = (statistics.median(persist[key]), persist_rss)
            rows.append((label, layers, size, timings))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    names = list(rows[0][3].keys())
    print(f"\n### scale: median of {repeats} after 1 warm-up, page cache warm; time (peak RSS)\n")
    print("| case | bytes | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for label, layers, size, timings in rows:
        cells = [f"{timings[n][0] * 1e3:.1f} ms ({timings[n][1]:.0f} MiB)" for n in names]
        print(f"| {label} ({2 * layers} tensors) | {size / 2**20:.1f} MiB | " + " | ".join(cells) + " |")
    if cold:
        print(f"\n#### scale, cold: 1 GiB, page cache dropped before each run (echo 3 > /proc/sys/vm/drop_caches), median of {repeats}\n")
        print("| command | time (peak RSS) | ratio to cold cat |")
        print("|---|---|---|")
        for name, (seconds, rss) in cold.items():
            print(f"| {name} | {seconds * 1e3:.1f} ms ({rss:.0f} MiB) | {seconds / cold['cat'][0]:.2f}× |")
    elif not quick:
        print("\n(cold runs skipped: /proc/sys/vm/drop_caches is not writable; run as root)")
    by_label = {label: (size, timings) for label, _, size, timings in rows}
    if "256 MiB" in by_label and "4 GiB" in by_label:
        (small, t_small), (large, t_large) = by_label["256 MiB"], by_label["4 GiB"]
        import math
        print("\nSlope from 256 MiB to 4 GiB (log time / log size; 1.00 is linear, target within 10%): "
              + ", ".join(f"{n} {math.log(t_large[n][0] / t_small[n][0]) / math.log(large / small):.2f}" for n in names))
    if plot_path:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        dense = [(size, timings) for label, layers, size, timings in rows if "tensors" not in label]
        figure, axis = plt.subplots(figsize=(8, 5.5))
        for name in names:
            axis.plot([d[0] for d in dense], [d[1][name][0] for d in dense], marker="o", label=name,
                      linestyle="--" if name in ("cat", "cp + sync", "raw read") else "-")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("file size (bytes)")
        axis.set_ylabel("wall time (s), page cache warm")
        axis.set_title("Heft: time against size (dashed: the physical references)")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(plot_path, dpi=110)
        print(f"\nplot: {plot_path}")


FIRST_TENSOR_PY = """
import sys, time, json
kind, path, name, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
import numpy as np
if kind == "h5py":
    import h5py
else:
    from safetensors import safe_open
seconds = []
for round in range(repeats + 1):
    start = time.perf_counter()
    if kind == "h5py":
        with h5py.File(path, "r") as f:
            value = f[name][()]            # the lazy dataset, then its values
    else:
        with safe_open(path, framework="np") as f:
            value = f.get_tensor(name)
    elapsed = time.perf_counter() - start
    assert value.size > 0
    if round:
        seconds.append(elapsed)
print(json.dumps(seconds))
"""


def first_tensor_workload(quick):
    """Time to the first tensor of a 4 GiB file (64 Dense(4096): 64 MiB kernels), page cache warm,
    measured inside each reader's process after its imports: Heft mapped (checked, unchecked) and read,
    h5py (lazy dataset, then its values) and safetensors' safe_open + get_tensor."""
    layers, width = (4, 256) if quick else (64, 4096)
    repeats = 2 if quick else 5
    folder = tempfile.mkdtemp(prefix="heft-first-")
    try:
        h5, st = os.path.join(folder, "m.weights.h5"), os.path.join(folder, "m.safetensors")
        subprocess.run([HEFT_BENCH, "weights", h5, "--layers", str(layers), "--width", str(width)], check=True)
        subprocess.run([HEFT, "convert", h5, st], check=True, capture_output=True)
        rows = {}
        for label, path in (("weights.h5", h5), ("safetensors", st)):
            out = subprocess.run([HEFT_BENCH, "first", path, "--repeats", str(repeats)], check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            for key in ("mapped", "mapped_unchecked", "read"):
                rows[f"Heft {key.replace('_', ' ')} ({label})"] = statistics.median(result[key])
            if label == "weights.h5":
                tensor, tensor_bytes = result["tensor"], result["tensor_bytes"]
        python = sys.executable
        h5py_seconds = json.loads(subprocess.run([python, "-c", FIRST_TENSOR_PY, "h5py", h5, tensor, str(repeats)],
                                                 check=True, capture_output=True, text=True).stdout)
        rows["h5py: f[name][()] (weights.h5)"] = statistics.median(h5py_seconds)
        st_name = tensor.split("/")[2] + "/kernel"   # /layers/<layer>/vars/0 is <layer>/kernel in Heft's safetensors
        st_seconds = json.loads(subprocess.run([python, "-c", FIRST_TENSOR_PY, "safetensors", st, st_name, str(repeats)],
                                               check=True, capture_output=True, text=True).stdout)
        rows["safetensors: safe_open + get_tensor"] = statistics.median(st_seconds)
        size = os.path.getsize(h5)
        print(f"\n### first tensor: {size / 2**30:.2f} GiB file, first kernel {tensor_bytes / 2**20:.0f} MiB; median of {repeats}, page cache warm\n")
        print("| reader | time to the first tensor |")
        print("|---|---|")
        for name, seconds in rows.items():
            print(f"| {name} | {seconds * 1e3:.2f} ms |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


LAYER_SHAPES = {"conv2d": "Conv2D(3×3, 64→64, same) on 32×56×56×64",
                "lstm": "LSTM(256), 100 steps of 256 features, batch 32",
                "mha": "MultiHeadAttention(8 heads, key_dim 64), self-attention on 16×128×512"}


def tensorflow_layer_worker(name, repeats, quick):
    """Times the tf-keras layer `name` under tf.function on 2 threads; prints {"seconds": [...]}."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import tf_keras
    rng = np.random.default_rng(1)
    L = tf_keras.layers
    if name == "conv2d":
        batch, side, channels = (2, 8, 4) if quick else (32, 56, 64)
        x = tf.constant(rng.random((batch, side, side, channels), dtype=np.float32))
        layer = L.Conv2D(channels, 3, padding="same")
        call = tf.function(lambda: layer(x))
    elif name == "lstm":
        batch, steps, units = (2, 5, 8) if quick else (32, 100, 256)
        x = tf.constant(rng.random((batch, steps, units), dtype=np.float32))
        layer = L.LSTM(units)
        call = tf.function(lambda: layer(x))
    else:
        batch, length, width, heads, key_dim = (2, 8, 16, 2, 4) if quick else (16, 128, 512, 8, 64)
        x = tf.constant(rng.random((batch, length, width), dtype=np.float32))
        layer = L.MultiHeadAttention(heads, key_dim)
        call = tf.function(lambda: layer(x, x))
    for _ in range(2):
        call().numpy()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        call().numpy()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds}))


def layers_workload(quick):
    repeats = 3 if quick else 10
    print(f"\n### layers: one forward pass, Heft vs TensorFlow {tensorflow_version()} (tf.function), 2 threads each, "
          f"median of {repeats} after 2 warm-up runs, separate processes\n")
    print("| layer | Heft | TensorFlow | time ÷ TensorFlow (target ≤ 1.5×) | Heft peak RSS | TensorFlow peak RSS |")
    print("|---|---|---|---|---|---|")
    ratios = {}
    for name, label in LAYER_SHAPES.items():
        quick_flag = ["--quick"] if quick else []
        _, heft_rss, heft_out = run_process([HEFT_BENCH, "layer", name, "--repeats", str(repeats)] + quick_flag, capture=True, allowed=(0,))
        heft_result = json.loads(heft_out)
        if not heft_result.get("checksum", True):
            sys.exit(f"bench: heft-bench layer {name} produced non-finite output")
        _, tf_rss, tf_out = run_process([sys.executable, os.path.abspath(__file__), "--tensorflow-layer", name, str(repeats)] + quick_flag,
                                        capture=True, allowed=(0,))
        ours, theirs = summarise(heft_result["seconds"]), summarise(json.loads(tf_out.strip().splitlines()[-1])["seconds"])
        ratios[name] = ours["median"] / theirs["median"]
        print(f"| {label} | {ours['median'] * 1e3:.1f} ms | {theirs['median'] * 1e3:.1f} ms | {ratios[name]:.2f}× "
              f"| {heft_rss:.0f} MiB | {tf_rss:.0f} MiB |")
    return ratios


def cluster_workload(quick):
    """mpirun -np 1/2/4 heft verify and heft convert of a sharded checkpoint, beside one process,
    cat (for verify) and cp + sync (for convert)."""
    layers, width, shard = (4, 256, "300KB") if quick else (64, 4096, "512MB")
    repeats = 1 if quick else 5
    folder = tempfile.mkdtemp(prefix="heft-cluster-")
    try:
        subprocess.run([HEFT_BENCH, "make", folder, "--layers", str(layers), "--width", str(width)], check=True, capture_output=True)
        index = os.path.join(folder, "m.weights.json")
        subprocess.run([HEFT_MPI, "convert", "--max-shard-size", shard, os.path.join(folder, "a.weights.h5"), index],
                       check=True, capture_output=True)
        os.remove(os.path.join(folder, "a.weights.h5"))
        os.remove(os.path.join(folder, "b.weights.h5"))
        shards = sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".weights.h5"))
        size = sum(os.path.getsize(path) for path in shards)
        quoted = " ".join(f"'{path}'" for path in shards)
        copies = os.path.join(folder, "copies")
        os.mkdir(copies)

        verify = {"cat (the shards)": ["sh", "-c", f"cat {quoted} > /dev/null"], "heft verify, one process": [HEFT_MPI, "verify", index]}
        for ranks in (1, 2, 4):
            verify[f"mpirun -np {ranks} heft verify"] = MPIRUN + ["-np", str(ranks), HEFT_MPI, "verify", index]
        bound = [argument for argument in MPIRUN if argument not in ("--bind-to", "none")]   # Open MPI's default binding
        for ranks in (1, 2):
            verify[f"mpirun -np {ranks} heft verify (default binding)"] = bound + ["-np", str(ranks), HEFT_MPI, "verify", index]
        run_process(verify["cat (the shards)"])   # page cache warm
        medians = cluster_medians(verify, repeats)
        print(f"\n### cluster: verify of a sharded checkpoint ({size / 2**30:.2f} GiB in {len(shards)} shards), "
              f"page cache warm, median of {repeats} rounds\n")
        cluster_table(medians, size, "heft verify, one process", "mpirun -np 1 heft verify")
        one, np1, two = (medians[name] for name in ("heft verify, one process", "mpirun -np 1 heft verify", "mpirun -np 2 heft verify"))
        bound1, bound2 = (medians[f"mpirun -np {ranks} heft verify (default binding)"] for ranks in (1, 2))
        print(f"\n2 ranks take {two / np1:.2f}× the time of 1 under mpirun, {two / one:.2f}× a single process "
              f"(target ≤ 0.75×; this machine has {os.cpu_count()} cores, and one process already hashes on all of them). "
              f"With Open MPI's default binding (one core per rank) 2 ranks take {bound2 / bound1:.2f}× the time of 1, "
              f"because 1 bound rank runs at {one / bound1:.2f}× a free process's speed.")

        convert = {"cp + sync (the shards)": ["sh", "-c", f"cp {quoted} '{copies}/' && sync"]}
        for output in ("out.weights.json", "out.weights.h5"):
            target = os.path.join(folder, output)
            limit = ["--max-shard-size", shard] if output.endswith(".json") else []
            convert[f"heft convert → {output}, one process"] = [HEFT_MPI, "convert", index, target] + limit
            for ranks in (1, 2, 4):
                convert[f"mpirun -np {ranks} heft convert → {output}"] = MPIRUN + ["-np", str(ranks), HEFT_MPI, "convert", index, target] + limit
        rounds = 1 if quick else 3
        medians = cluster_medians(convert, rounds)
        print(f"\n### cluster: convert of the same checkpoint, each run writing and syncing {size / 2**30:.2f} GiB, median of {rounds} rounds\n")
        cluster_table(medians, size, "heft convert → out.weights.json, one process", "mpirun -np 1 heft convert → out.weights.json")

        node = size / one
        per_node = min(node, PROJECTION_NODE_BYTES_PER_S)
        aggregate = min(64 * per_node, PROJECTION_FS_BYTES_PER_S)
        checkpoint = 64 * 100e9
        print(f"\nProjection (not a measurement): one node verifies at {node / 1e9:.1f} GB/s here (page cache, {os.cpu_count()} cores); "
              f"64 such nodes reading a parallel file system with {PROJECTION_FS_BYTES_PER_S / 1e12:.0f} TB/s aggregate and "
              f"{PROJECTION_NODE_BYTES_PER_S / 1e9:.0f} GB/s per node would verify at {aggregate / 1e9:.0f} GB/s: "
              f"a 6.4 TB checkpoint (100 GB per node) in {checkpoint / aggregate:.0f} s, bound by "
              f"{'the nodes' if 64 * per_node < PROJECTION_FS_BYTES_PER_S else 'the file system'}.")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cluster_medians(rows, repeats):
    """Each row's median time over `repeats` rounds (each round runs every row once) after a warm-up round."""
    times = {name: [] for name in rows}
    for _ in range(repeats + 1):
        for name, arguments in rows.items():
            times[name].append(run_process(arguments)[0])
    return {name: statistics.median(runs[1:] if len(runs) > 1 else runs) for name, runs in times.items()}


def cluster_table(medians, size, one_name, np1_name):
    """The rows as a Markdown table: time, ratios to one process and to mpirun -np 1, throughput."""
    one, np1 = medians[one_name], medians[np1_name]
    print("| run | median | ÷ one process | ÷ mpirun -np 1 | GB/s |")
    print("|---|---|---|---|---|")
    for name, median in medians.items():
        print(f"| {name} | {median * 1e3:.0f} ms | {median / one:.2f}× | {median / np1:.2f}× | {size / median / 1e9:.2f} |")


def tensorflow_version():
    out = subprocess.run([sys.executable, "-c", "import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'; import tensorflow as tf; print(tf.__version__)"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "?"


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"numpy {np.__version__} ({blas.get('name')} {blas.get('version')}), Python {platform.python_version()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness, not the speed")
    parser.add_argument("workloads", nargs="*", default=["forward", "layers", "persist", "diff", "containers", "first", "scale"],
                        help="forward, layers, persist, diff, containers, first, scale, cluster (default: all but cluster)")
    parser.add_argument("--plot", default=None, help="where the scale workload writes its plot (default: docs/scale.png; none with --quick)")
    parser.add_argument("--tensorflow-layer", nargs=2, metavar=("LAYER", "REPEATS"), help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=5, metavar=("FRAMEWORK", "LAYERS", "WIDTH", "REPEATS", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tensorflow_layer:
        tensorflow_layer_worker(args.tensorflow_layer[0], int(args.tensorflow_layer[1]), args.quick)
        sys.exit(0)
    if args.worker:
        framework, layers, width, repeats, folder = args.worker
        persist_worker(framework, int(layers), int(width), int(repeats), folder)
        sys.exit(0)
    print(f"Machine: {machine()}")
    if "forward" in args.workloads:
        ratio = forward(args.quick)
        print(f"\nforward: Heft takes {ratio:.2f}× numpy's time (target ≤ 1.25×)")
    if "layers" in args.workloads:
        ratios = layers_workload(args.quick)
        print("\nlayers: Heft takes " + ", ".join(f"{ratio:.2f}× ({name})" for name, ratio in ratios.items())
              + " TensorFlow's time (target ≤ 1.5×)")
    if "persist" in args.workloads:
        persist_workloads(args.quick)
    if "diff" in args.workloads:
        diff_workloads(args.quick)
    if "containers" in args.workloads:
        containers_workload(args.quick)
    if "first" in args.workloads:
        first_tensor_workload(args.quick)
    if "cluster" in args.workloads:
        cluster_workload(args.quick)
    if "scale" in args.workloads:
        scale_workload(args.quick, args.plot or (None if args.quick else os.path.join(ROOT, "docs", "scale.png")))
