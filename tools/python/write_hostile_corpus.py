"""Writes Heft's hostile-file corpus: bad, crafted and odd inputs for every `heft` subcommand.

    python tools/python/write_hostile_corpus.py OUTDIR      (or tools/hostile-corpus OUTDIR)

Base files are real Keras-written fixtures (fixtures/keras/) and small files built here with h5py;
the bad files are derived from them deterministically (fixed seeds, fixed byte offsets), so two
runs give byte-identical corpora. Written for the pinned venv (h5py 3.14, numpy).

OUTDIR/manifest.json lists every entry:

    {"name": file name in OUTDIR, "category": ..., "description": one line,
     "expect": class (below), "good": a sound file in OUTDIR to diff against,
     "diff_good": exact exit codes of `heft diff GOOD FILE` when known,
     "forbidden": strings that must never appear in heft's output}

Expectation classes (how Tests/HeftTests/HostileCorpusTests.swift judges each subcommand):

    valid       a sound weights file: every subcommand exits 0 (`diff GOOD FILE` 0 or 1)
    plain       a sound HDF5 file that is not a weights file: `dump` shows the generic tree (0),
                everything else refuses it (2)
    refuse      unreadable, malformed or unsafe: `dump` and `convert` exit 2, `verify` and `diff` 1 or 2
    bad-values  the tensors are listed but cannot be read soundly (never written, 4 PiB declared,
                corrupt compressed chunk): listings (`dump`, `dump --json`) may exit 0, everything
                that reads values behaves as for refuse
    unchecked   HDF5 cannot tell (a flip in unchecksummed bytes) or the right answer is a policy
                choice: any documented exit code, only the universal rules apply
    unreadable  mode 000: refuse, except when the tests run as root (root reads it: valid)
    tampered    a file Heft wrote, changed afterwards: listings exit 0, `verify` 1, `convert` 2
                (it never re-signs), `diff` 0 or 1

Every run, whatever the class: no control, C1, line-separator or bidirectional character reaches
stdout or stderr raw (names in the `names` category carry them).
"""
import hashlib
import io
import json
import os
import pickle
import random
import shutil
import struct
import sys
import zipfile
import zlib

import h5py
import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "keras")

# A value that appears only in victim.h5: a file whose links/sources reach victim.h5 must never
# print it.
VICTIM_VALUE = 4242.4242
VICTIM_TEXT = "4242.42"
PASSWD_TEXT = "root:x:"


class Corpus:
    """The output folder and its manifest."""

    def __init__(self, root):
        self.root = root
        self.entries = []
        os.makedirs(root, exist_ok=True)

    def path(self, name):
        return os.path.join(self.root, name)

    def add(self, name, category, description, expect, good=None, diff_good=None, forbidden=None, max_rss_mib=None,
            timeout_s=None):
        """Records a file already written to OUTDIR/name; `max_rss_mib` tightens the memory bound
        every run on it must keep, `timeout_s` loosens the time bound (for a file whose size is the
        point; its description says why)."""
        assert not any(e["name"] == name for e in self.entries), f"duplicate corpus name {name}"
        entry = {"name": name, "category": category, "description": description, "expect": expect,
                 "good": good or "skeleton.h5"}
        if diff_good is not None:
            entry["diff_good"] = diff_good
        if forbidden:
            entry["forbidden"] = forbidden
        if max_rss_mib is not None:
            entry["max_rss_mib"] = max_rss_mib
        if timeout_s is not None:
            entry["timeout_s"] = timeout_s
        self.entries.append(entry)

    def write(self, name, data, category, description, expect, **extra):
        """Writes `data` to OUTDIR/name and records it."""
        with open(self.path(name), "wb") as f:
            f.write(data)
        self.add(name, category, description, expect, **extra)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def write_manifest(self):
        with open(self.path("manifest.json"), "w") as f:
            json.dump({"schema": 1, "files": self.entries}, f, indent=1, ensure_ascii=False)
            f.write("\n")


# MARK: - Writing small Keras-layout files with h5py


def values(shape, seed, dtype=np.float32):
    """Deterministic weights in [-0.5, 0.5)."""
    return np.random.default_rng(seed).uniform(-0.5, 0.5, size=shape).astype(dtype)


def new_file(path, libver=None):
    """A new HDF5 file without object timestamps (so reruns are byte-identical); `libver="v110"`
    writes superblock v3 with checksummed metadata, which HDF5 1.10.8 reads."""
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    if libver:
        fapl.set_libver_bounds(h5py.h5f.LIBVER_V110, h5py.h5f.LIBVER_V110)
    return h5py.File(h5py.h5f.create(os.fsencode(path), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl))


def group(parent, path):
    """The group at `path` below `parent`, creating missing ones without timestamps."""
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    for part in path.split("/"):
        if part not in parent:
            h5py.h5g.create(parent.id, part.encode(), gcpl=gcpl)
        parent = parent[part]
    return parent


def legacy_root(f, layer_names):
    """The root attributes tf-keras save_weights writes."""
    f.attrs["backend"] = "tensorflow"
    f.attrs["keras_version"] = "2.21.0"
    f.attrs["layer_names"] = np.array([n.encode() for n in layer_names])


def legacy_dense(f, layer, seed, units=(4, 3)):
    """One Dense layer in the legacy layout: /layer with weight_names and /layer/layer/{kernel,bias}:0."""
    layer_group = group(f, layer)
    layer_group.attrs["weight_names"] = np.array([f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()])
    inner = group(layer_group, layer)
    inner.create_dataset("kernel:0", data=values(units, seed))
    inner.create_dataset("bias:0", data=values(units[1:], seed + 1))
    return layer_group


def skeleton(path, layers=("dense", "dense_1"), libver=None):
    """A small sound legacy file; returns the open h5py.File for further edits."""
    f = new_file(path, libver)
    legacy_root(f, layers)
    for index, layer in enumerate(layers):
        legacy_dense(f, layer, seed=10 * index + 1)
    return f


def v3_skeleton(path, layers=("dense", "dense_1"), libver=None):
    """A small sound Keras 3 `.weights.h5` file: /layers/<name>/vars/{0,1}; returns the open file."""
    f = new_file(path, libver)
    group(f, "vars")
    for index, layer in enumerate(layers):
        variables = group(f, f"layers/{layer}/vars")
        variables.create_dataset("0", data=values((4, 3), 10 * index + 1))
        variables.create_dataset("1", data=values((3,), 10 * index + 2))
    return f


def rewrite(source, target, dataset_kwargs=None, libver=None):
    """Copies every group, dataset and attribute of `source` into a new file with other settings
    (superblock v3, or chunked + filtered datasets)."""
    with h5py.File(source, "r") as src, new_file(target, libver) as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value

        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                target_object = group(dst, name)
            else:
                parent, _, leaf = name.rpartition("/")
                target_object = group(dst, parent).create_dataset(leaf, data=obj[()], **(dataset_kwargs or {}))
            for key, value in obj.attrs.items():
                target_object.attrs[key] = value

        src.visititems(copy)


def contiguous_ranges(path):
    """(offset, size, dtype) of every allocated contiguous dataset, sorted by offset."""
    ranges = []
    with h5py.File(path, "r") as f:
        def visit(_, obj):
            if isinstance(obj, h5py.Dataset) and obj.chunks is None:
                offset = obj.id.get_offset()
                if offset is not None and obj.id.get_storage_size() > 0:
                    ranges.append((offset, obj.id.get_storage_size(), obj.dtype))
        f.visititems(visit)
    return sorted(ranges, key=lambda r: r[0])


def chunk_ranges(path):
    """(offset, size) of every stored chunk of every chunked dataset."""
    ranges = []
    with h5py.File(path, "r") as f:
        def visit(_, obj):
            if isinstance(obj, h5py.Dataset) and obj.chunks is not None:
                for index in range(obj.id.get_num_chunks()):
                    info = obj.id.get_chunk_info(index)
                    ranges.append((info.byte_offset, info.size))
        f.visititems(visit)
    return sorted(ranges)


def root_object_header(path):
    """The file address of the root group's object header."""
    with h5py.File(path, "r") as f:
        return h5py.h5o.get_info(f["/"].id).addr


def flipped(data, positions, masks):
    """A copy of `data` with data[p] ^= mask for each position."""
    out = bytearray(data)
    for position, mask in zip(positions, masks):
        out[position] ^= mask
    return bytes(out)


def values_change(original, changed, ranges):
    """Whether a flip changed any tensor value under heft diff's equality (NaN = NaN, +0 = -0)."""
    for offset, size, dtype in ranges:
        a = np.frombuffer(original[offset:offset + size], dtype=dtype)
        b = np.frombuffer(changed[offset:offset + size], dtype=dtype)
        same = a == b
        if dtype.kind == "f":
            same |= np.isnan(a) & np.isnan(b)
        if not same.all():
            return True
    return False


# MARK: - Categories


def baselines(corpus):
    """Sound files: real Keras fixtures and h5py-built ones. Every bad file derives from one."""
    fixtures = ["tfkeras_seed_mlp.h5", "keras3_seed_mlp.weights.h5", "tfkeras_mlp_model.h5",
                "keras3_mlp_model.weights.h5", "tfkeras_shared_twice.h5", "keras3_shared_twice.weights.h5",
                "tfkeras_nested.h5", "keras3_nested.weights.h5", "keras3_nested.full.h5", "tfkeras_float16.h5"]
    for name in fixtures:
        shutil.copyfile(os.path.join(FIXTURES, name), corpus.path(name))
        corpus.add(name, "baseline", f"real Keras fixture fixtures/keras/{name}", "valid", good=name)
    skeleton(corpus.path("skeleton.h5")).close()
    corpus.add("skeleton.h5", "baseline", "h5py-built legacy file, two Dense layers", "valid")
    v3_skeleton(corpus.path("skeleton.weights.h5")).close()
    corpus.add("skeleton.weights.h5", "baseline", "h5py-built Keras 3 file, two Dense layers", "valid",
               good="skeleton.weights.h5")
    rewrite(corpus.path("tfkeras_seed_mlp.h5"), corpus.path("seed_mlp_v110.h5"), libver="v110")
    corpus.add("seed_mlp_v110.h5", "baseline", "tfkeras_seed_mlp.h5 rewritten with superblock v3 (checksummed metadata)",
               "valid", good="tfkeras_seed_mlp.h5")
    rewrite(corpus.path("tfkeras_seed_mlp.h5"), corpus.path("seed_mlp_filtered.h5"),
            dataset_kwargs={"chunks": True, "shuffle": True, "compression": "gzip", "fletcher32": True})
    corpus.add("seed_mlp_filtered.h5", "baseline", "tfkeras_seed_mlp.h5 with chunked shuffle+gzip+fletcher32 datasets",
               "valid", good="tfkeras_seed_mlp.h5")
    with skeleton(corpus.path("victim.h5"), layers=("secret",)) as f:
        f["secret/secret/kernel:0"][...] = VICTIM_VALUE
    corpus.add("victim.h5", "baseline", f"sound file whose kernel is all {VICTIM_VALUE}; the link targets", "valid")
    shutil.copyfile(corpus.path("skeleton.h5"), corpus.path("odd name ü 名.h5"))
    corpus.add("odd name ü 名.h5", "baseline", "a sound file whose own name has spaces and non-ASCII", "valid")


def truncations(corpus):
    """Prefixes of sound files: inside the superblock, metadata, raw data, and size - 1 (19 offsets
    of the legacy fixture, 6 of the others)."""
    for base, tag in [("tfkeras_seed_mlp.h5", "legacy"), ("keras3_seed_mlp.weights.h5", "v3"), ("seed_mlp_v110.h5", "sb3")]:
        data = corpus.read(base)
        raw = contiguous_ranges(corpus.path(base))
        first, last = raw[0], raw[-1]
        offsets = {1: "1 byte", 7: "inside the signature", 8: "just the signature", 16: "inside the superblock",
                   47: "inside the superblock", 95: "end of a v0 superblock", 200: "root object header",
                   512: "metadata", 1024: "metadata", 2048: "metadata", 4096: "metadata",
                   first[0] + 3: "inside the first tensor's raw data",
                   last[0] + last[1] // 2: "inside the last tensor's raw data",
                   len(data) // 4: "25 %", len(data) // 2: "50 %", len(data) * 3 // 4: "75 %",
                   len(data) * 9 // 10: "90 %", len(data) - 100: "size - 100", len(data) - 1: "size - 1"}
        if tag != "legacy":  # every offset class once more, not every offset
            offsets = {k: v for k, v in offsets.items() if k in (8, 47, 512, first[0] + 3, len(data) // 2, len(data) - 1)}
        for offset in sorted(offsets):
            name = f"trunc-{tag}-{offset:06d}.h5"
            corpus.write(name, data[:offset], "truncation", f"{base} cut to {offset} of {len(data)} bytes ({offsets[offset]})",
                         "refuse", good=base)
    data = corpus.read("skeleton.h5")
    corpus.write("trunc ü 名 half.h5", data[:len(data) // 2], "truncation",
                 "skeleton.h5 cut in half, under a name with spaces and non-ASCII", "refuse")


def zeroings(corpus):
    """Zeroed signature, superblock, root object header and tail."""
    for base, tag, superblock in [("tfkeras_seed_mlp.h5", "legacy", 96), ("keras3_seed_mlp.weights.h5", "v3", 96),
                                  ("seed_mlp_v110.h5", "sb3", 48)]:
        data = corpus.read(base)
        root = root_object_header(corpus.path(base))
        spans = {"signature": (0, 8), "superblock": (0, superblock), "root-header": (root, root + 64),
                 "last-4k": (len(data) - 4096, len(data))}
        for what, (start, end) in spans.items():
            zeroed = data[:start] + bytes(end - start) + data[end:]
            corpus.write(f"zero-{tag}-{what}.h5", zeroed, "zeroed", f"{base} with bytes {start}..<{end} ({what}) zeroed",
                         "unchecked" if what == "last-4k" else "refuse", good=base)


def flip_files(corpus, base, tag, rng, plan):
    """Seeded XOR flips in metadata (every byte outside raw data) or raw data of `base`."""
    data = corpus.read(base)
    ranges = contiguous_ranges(corpus.path(base))
    raw = [p for offset, size, _ in ranges for p in range(offset, offset + size)]
    raw_set = set(raw)
    metadata = [p for p in range(len(data)) if p not in raw_set]
    for where, width, count in plan:
        pool = {"meta": metadata, "raw": raw, "any": range(len(data))}[where]
        for index in range(count):
            positions = rng.sample(pool, width)
            masks = [rng.randrange(1, 256) for _ in positions]
            changed = flipped(data, positions, masks)
            name = f"flip-{tag}-{where}-{width}b-{index:02d}.h5"
            description = f"{base} with {width} byte(s) XOR-flipped in {where} at {sorted(positions)[:4]}"
            extra = {}
            if where == "raw":
                extra["diff_good"] = [1] if values_change(data, changed, ranges) else [0]
            corpus.write(name, changed, f"flip-{where}", description + ("…" if width > 4 else ""), "unchecked",
                         good=base, **extra)


def flips(corpus):
    """Single- and multi-byte flips in metadata and raw data, plus flips inside compressed chunks."""
    rng = random.Random(20260601)
    standard = [("meta", 1, 10), ("meta", 8, 3), ("raw", 1, 5), ("raw", 4, 2), ("any", 16, 2)]
    flip_files(corpus, "tfkeras_seed_mlp.h5", "legacy", rng, standard)
    flip_files(corpus, "keras3_seed_mlp.weights.h5", "v3", rng, standard)
    flip_files(corpus, "seed_mlp_v110.h5", "sb3", rng, [("meta", 1, 8), ("meta", 8, 2), ("raw", 1, 3)])
    data = corpus.read("seed_mlp_filtered.h5")
    for index, (offset, size) in enumerate(chunk_ranges(corpus.path("seed_mlp_filtered.h5"))[:4]):
        position = offset + rng.randrange(size - 4)
        corpus.write(f"flip-filtered-chunk-{index:02d}.h5", flipped(data, [position], [0xFF]), "flip-chunk",
                     f"seed_mlp_filtered.h5 with byte {position} flipped inside a deflate+fletcher32 chunk",
                     "bad-values", good="tfkeras_seed_mlp.h5")


def not_hdf5(corpus):
    """Empty, text, random bytes, signature + garbage, directory, FIFO, symbolic links and an
    unreadable (mode 000) file; and files in the other containers Heft reads (a safetensors file, a
    `.keras` zip, one named like an HDF5 file), which are valid: detection is by content."""
    corpus.write("empty.h5", b"", "not-hdf5", "an empty file (0 bytes)", "refuse")
    corpus.write("text.h5", b"this is not an HDF5 file, just text\n" * 4, "not-hdf5", "a text file", "refuse")
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    corpus.write("tensors.safetensors", struct.pack("<Q", len(header)) + header + bytes(8), "not-hdf5",
                 "a safetensors file from another writer (one F32[2] tensor 'w'): read by content; convert refuses "
                 "it (no Keras layout)", "valid")
    corpus.write("random.h5", random.Random(7).randbytes(4096), "not-hdf5", "4 KiB of seeded random bytes", "refuse")
    corpus.write("signature-then-garbage.h5", b"\x89HDF\r\n\x1a\n" + random.Random(8).randbytes(2048), "not-hdf5",
                 "the HDF5 signature followed by random bytes", "refuse")
    for name in ["model.keras", "zip-named.weights.h5"]:
        with zipfile.ZipFile(corpus.path(name), "w") as archive:
            for member, content in [("metadata.json", b'{"keras_version": "3.15.1"}'), ("config.json", b"{}"),
                                    ("model.weights.h5", corpus.read("keras3_mlp_model.weights.h5"))]:
                archive.writestr(zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0)), content)
        corpus.add(name, "not-hdf5", "a .keras zip archive (weights inside as model.weights.h5, stored), whatever "
                   "its name: read by content", "valid")
    os.makedirs(corpus.path("directory.h5"), exist_ok=True)
    corpus.add("directory.h5", "not-a-file", "a directory named like a weights file", "refuse")
    os.mkfifo(corpus.path("fifo.h5"))
    corpus.add("fifo.h5", "not-a-file", "a named pipe (FIFO) with no writer; opening it blocks", "refuse")
    for name, target, description, expect in [
            ("symlink-passwd.h5", "/etc/passwd", "a symbolic link to /etc/passwd", "refuse"),
            ("symlink-devzero.h5", "/dev/zero", "a symbolic link to /dev/zero (endless zeros)", "refuse"),
            ("symlink-dangling.h5", "does-not-exist.h5", "a dangling symbolic link", "refuse"),
            ("symlink-good.h5", "skeleton.h5", "a symbolic link to a sound file", "valid")]:
        os.symlink(target, corpus.path(name))
        corpus.add(name, "not-a-file", description, expect, forbidden=[PASSWD_TEXT])
    shutil.copyfile(corpus.path("skeleton.h5"), corpus.path("mode000.h5"))
    os.chmod(corpus.path("mode000.h5"), 0)
    corpus.add("mode000.h5", "not-a-file", "a copy of skeleton.h5 with mode 000 (root can still read it)", "unreadable")


def layouts(corpus):
    """Keras structure errors and legal-but-unusual structures."""
    def derived(name, description, expect, edit, base=skeleton):
        with base(corpus.path(name)) as f:
            edit(f)
        corpus.add(name, "layout", description, expect,
                   good="skeleton.weights.h5" if base is v3_skeleton else "skeleton.h5")

    with new_file(corpus.path("plain-data.h5")) as f:
        f.create_dataset("data/x", data=np.arange(6, dtype=np.float64).reshape(3, 2))
        f["data"].attrs["note"] = "no Keras structure"
    corpus.add("plain-data.h5", "layout", "HDF5 with a dataset but no Keras structure", "plain")
    new_file(corpus.path("plain-empty.h5")).close()
    corpus.add("plain-empty.h5", "layout", "an HDF5 file with only the root group", "plain")

    def attr(key, value):
        return lambda f: f.attrs.__setitem__(key, value)

    def layer_attr(layer, key, value):
        return lambda f: f[layer].attrs.__setitem__(key, value)

    derived("layer-names-missing-group.h5", "layer_names lists 'ghost', which has no group", "refuse",
            attr("layer_names", np.array([b"dense", b"dense_1", b"ghost"])))
    derived("weight-names-missing-dataset.h5", "weight_names lists 'dense/gamma:0', which does not exist", "refuse",
            layer_attr("dense", "weight_names", np.array([b"dense/kernel:0", b"dense/bias:0", b"dense/gamma:0"])))

    def weightless(f):
        f.attrs["layer_names"] = np.array([b"dense", b"dropout", b"dense_1"])
        f.create_group("dropout").attrs["weight_names"] = np.zeros((0,), np.float64)
    derived("weight-names-empty-float64.h5", "a weightless layer whose weight_names is an empty float64 array (as Keras writes)",
            "valid", weightless)
    derived("weight-names-float64-values.h5", "weight_names is the float64 array [1.0, 2.0]", "refuse",
            layer_attr("dense", "weight_names", np.array([1.0, 2.0])))
    derived("layer-names-float64.h5", "layer_names is the float64 array [1.0, 2.0]", "refuse",
            attr("layer_names", np.array([1.0, 2.0])))
    derived("layer-names-scalar.h5", "layer_names is one scalar string instead of an array", "refuse",
            attr("layer_names", b"dense"))
    derived("layer-names-duplicate.h5", "layer_names lists 'dense' twice", "refuse",
            attr("layer_names", np.array([b"dense", b"dense", b"dense_1"])))
    derived("weight-names-duplicate.h5", "weight_names lists 'dense/kernel:0' twice", "refuse",
            layer_attr("dense", "weight_names", np.array([b"dense/kernel:0", b"dense/kernel:0", b"dense/bias:0"])))

    def chunked_names(f):
        del f.attrs["layer_names"]
        f.attrs["layer_names0"] = np.array([b"dense"])
        f.attrs["layer_names1"] = np.array([b"dense_1"])
        weight_names = f["dense"].attrs["weight_names"]
        del f["dense"].attrs["weight_names"]
        f["dense"].attrs["weight_names0"] = weight_names[:1]
        f["dense"].attrs["weight_names1"] = weight_names[1:]
    derived("names-chunked.h5", "layer_names and weight_names split into chunks name0, name1 (as Keras does past 64 KiB)",
            "valid", chunked_names)

    def weight_is_group(f):
        del f["dense/dense/bias:0"]
        f.create_group("dense/dense/bias:0")
    derived("weight-is-a-group.h5", "weight_names lists a path that is a group, not a dataset", "refuse", weight_is_group)

    def no_layer_names(f):
        del f.attrs["layer_names"]
    derived("legacy-without-layer-names.h5", "legacy groups and weight_names but no layer_names attribute", "plain",
            no_layer_names)

    def vars_gap(f):
        f.move("layers/dense/vars/1", "layers/dense/vars/2")
    derived("v3-vars-gap.weights.h5", "a Keras 3 layer whose vars are 0 and 2 (1 missing)", "unchecked", vars_gap,
            base=v3_skeleton)

    def vars_group(f):
        del f["layers/dense/vars/1"]
        f.create_group("layers/dense/vars/1")
    derived("v3-var-is-group.weights.h5", "a Keras 3 var '1' that is a group, not a dataset", "refuse", vars_group,
            base=v3_skeleton)

    def both_layouts(f):
        f.create_dataset("layers/dense/vars/0", data=values((4, 3), 99))
    derived("legacy-and-v3.h5", "a legacy file that also holds a Keras 3 /layers tree", "unchecked", both_layouts)

    def garbage_config(f):
        f.attrs["model_config"] = "{not json"
    derived("model-config-garbage.h5", "a full-model-style model_config attribute that is not JSON", "unchecked",
            garbage_config)


def sizes(corpus):
    """Huge declared shapes, dims beyond maxdims, unwritten data and compression bombs."""
    def derived(name, description, expect, edit):
        with skeleton(corpus.path(name)) as f:
            edit(f)
        corpus.add(name, "size", description, expect)

    def replace(path, **kwargs):
        def edit(f):
            del f[path]
            f.create_dataset(path, **kwargs)
        return edit

    derived("huge-dims-4pib.h5", "kernel declared 2^25 x 2^25 float32 (4 PiB), chunked, no chunk written", "bad-values",
            replace("dense/dense/kernel:0", shape=(2 ** 25, 2 ** 25), dtype=np.float32, chunks=(1024, 1024)))
    derived("huge-dims-overflow.h5", "kernel declared 2^40 x 2^40 float32 (2^82 bytes, overflows 64 bits)", "refuse",
            replace("dense/dense/kernel:0", shape=(2 ** 40, 2 ** 40), dtype=np.float32, chunks=(1024, 1024)))
    derived("unwritten-contiguous.h5", "bias created without data (contiguous, no storage allocated)", "bad-values",
            replace("dense/dense/bias:0", shape=(3,), dtype=np.float32))
    derived("unwritten-chunked-fill.h5", "bias chunked with fill value 7, no chunk written", "bad-values",
            replace("dense/dense/bias:0", shape=(3,), dtype=np.float32, chunks=(3,), fillvalue=7.0))

    def partial(f):
        del f["dense/dense/kernel:0"]
        dataset = f["dense"].create_dataset("dense/kernel:0", shape=(64, 64), dtype=np.float32, chunks=(32, 32))
        dataset[:32, :32] = values((32, 32), 5)
    derived("partially-written-chunks.h5", "kernel 64x64 in 32x32 chunks, only one of four chunks written", "bad-values",
            partial)
    inflated_dims(corpus)
    bombs(corpus)


def inflated_dims(corpus):
    """Dataspace dims patched in the file bytes: dims > maxdims, and dims = maxdims far beyond the
    stored bytes (what a flipped dims byte does)."""
    with skeleton(corpus.path("dims-source.tmp")) as f:
        del f["dense/dense/kernel:0"]
        space = h5py.h5s.create_simple((32, 10), (32, 10))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_obj_track_times(False)
        dataset = h5py.h5d.create(f["dense/dense"].id, b"kernel:0", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, values((32, 10), 3))
    data = corpus.read("dims-source.tmp")
    os.remove(corpus.path("dims-source.tmp"))
    pattern = struct.pack("<4Q", 32, 10, 32, 10)
    assert data.count(pattern) == 1, "the dataspace message of the (32, 10) kernel is not unique"
    at = data.index(pattern)
    big = 2 ** 48 + 10
    corpus.write("dims-over-maxdims.h5", data[:at] + struct.pack("<4Q", 32, big, 32, 10) + data[at + 32:], "size",
                 f"kernel dims patched to (32, {big}) with maxdims (32, 10), 1,280 bytes stored", "refuse")
    corpus.write("dims-inflated.h5", data[:at] + struct.pack("<4Q", 32, big, 32, big) + data[at + 32:], "size",
                 f"kernel dims and maxdims patched to (32, {big}), 1,280 bytes stored (36 PB declared)", "refuse")


def zeros_deflated(size, block=16 << 20):
    """A zlib stream (what HDF5's deflate filter stores) that inflates to `size` zero bytes, built
    from one compressed block: after a full flush deflate restarts, so every block of zeros
    compresses to the same bytes. Fast even for 1 GiB."""
    assert size % block == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = (size % 65521) << 16 | 1  # Adler-32 of `size` zero bytes
    return b"\x78\xda" + body * (size // block) + compressor.flush() + adler.to_bytes(4, "big")


def bombs(corpus):
    """Deflate bombs: 1 GiB of zeros in about 1 MB, in 16 MiB chunks and in one 1 GiB chunk."""
    side = 16384
    for name, chunk_side, description in [
            ("bomb-deflate-1gib.h5", 2048, "kernel: 1 GiB of zeros deflated to ~1 MB in 64 chunks of 16 MiB"),
            ("bomb-one-chunk-1gib.h5", side, "kernel: one deflated chunk that inflates to 1 GiB of zeros")]:
        chunk = zeros_deflated(chunk_side * chunk_side * 4)
        with skeleton(corpus.path(name)) as f:
            del f["dense/dense/kernel:0"]
            dataset = f["dense"].create_dataset("dense/kernel:0", shape=(side, side), dtype=np.float32,
                                                chunks=(chunk_side, chunk_side), compression="gzip")
            for row in range(0, side, chunk_side):
                for column in range(0, side, chunk_side):
                    dataset.id.write_direct_chunk((row, column), chunk)
        corpus.add(name, "bomb", description, "unchecked")


def links(corpus):
    """External and soft links, external raw storage, virtual datasets, hard-link cycles, deep nesting."""
    def derived(name, description, expect, edit, base=skeleton, forbidden=(VICTIM_TEXT, PASSWD_TEXT)):
        with base(corpus.path(name)) as f:
            edit(f)
        corpus.add(name, "links", description, expect, forbidden=list(forbidden),
                   good="skeleton.weights.h5" if base is v3_skeleton else "skeleton.h5")

    def link(path, make):
        def edit(f):
            del f[path]
            f[path] = make(f)
        return edit

    derived("extlink-relative.h5", "bias is an external link to victim.h5:/secret/secret/kernel:0 (relative path)",
            "refuse", link("dense/dense/bias:0", lambda f: h5py.ExternalLink("victim.h5", "/secret/secret/kernel:0")))
    derived("extlink-absolute.h5", "bias is an external link to /etc/passwd:/x (absolute path)", "refuse",
            link("dense/dense/bias:0", lambda f: h5py.ExternalLink("/etc/passwd", "/x")))
    derived("extlink-group.weights.h5", "a Keras 3 layer's vars group is an external link into victim.h5", "refuse",
            link("layers/dense/vars", lambda f: h5py.ExternalLink("victim.h5", "/secret/secret")), base=v3_skeleton)
    derived("softlink-weight.h5", "bias is a soft link to another layer's bias", "refuse",
            link("dense/dense/bias:0", lambda f: h5py.SoftLink("/dense_1/dense_1/bias:0")))
    derived("softlink-dangling.h5", "bias is a soft link to a path that does not exist", "refuse",
            link("dense/dense/bias:0", lambda f: h5py.SoftLink("/nowhere/bias:0")))
    derived("softlink-var.weights.h5", "a Keras 3 var is a soft link", "refuse",
            link("layers/dense/vars/1", lambda f: h5py.SoftLink("/layers/dense_1/vars/1")), base=v3_skeleton)

    def external_storage(target, size, path="dense/dense/bias:0", shape=(3,)):
        def edit(f):
            del f[path]
            f.create_dataset(path, shape=shape, dtype=np.float32, external=[(target, 0, size)])
        return edit

    derived("external-storage-passwd.h5", "bias reads its bytes from /etc/passwd (external raw storage)", "refuse",
            external_storage("/etc/passwd", 12))
    derived("external-storage-passwd.weights.h5", "a Keras 3 var reads its bytes from /etc/passwd", "refuse",
            external_storage("/etc/passwd", 12, "layers/dense/vars/1"), base=v3_skeleton)
    derived("external-storage-devzero.h5", "kernel 2^14 x 2^14 float32 read from /dev/zero (external raw storage)",
            "refuse", external_storage("/dev/zero", 2 ** 30, "dense/dense/kernel:0", (2 ** 14, 2 ** 14)))

    # Off the weight paths: a legacy file is read through layer_names and weight_names, so objects
    # nothing lists are never opened (exit 0); a Keras 3 file is walked whole, so they are refused.
    def add_object(path, make):
        return lambda f: f.__setitem__(path, make(f))
    derived("extlink-off-path.h5", "an unlisted group /extra is an external link to /etc/passwd:/x", "valid",
            add_object("extra", lambda f: h5py.ExternalLink("/etc/passwd", "/x")))
    derived("softlink-off-path.h5", "an unlisted soft link /dense/elsewhere to a missing path", "valid",
            add_object("dense/elsewhere", lambda f: h5py.SoftLink("/nowhere")))
    derived("external-storage-off-path.h5", "an unlisted dataset /extra reads /etc/passwd (external raw storage)",
            "valid", lambda f: f.create_dataset("extra", shape=(3,), dtype=np.float32, external=[("/etc/passwd", 0, 12)]))
    derived("extlink-off-path.weights.h5", "a Keras 3 file with an external link /extra to /etc/passwd:/x",
            "refuse", add_object("extra", lambda f: h5py.ExternalLink("/etc/passwd", "/x")), base=v3_skeleton)

    def virtual(path, shape):
        def edit(f):
            del f[path]
            layout = h5py.VirtualLayout(shape=shape, dtype=np.float32)
            layout[...] = h5py.VirtualSource("victim.h5", "/secret/secret/kernel:0", shape=shape)
            dcpl = layout._get_dcpl(f.filename)  # create_virtual_dataset's own dcpl, minus the timestamp
            dcpl.set_obj_track_times(False)
            parent, _, leaf = path.rpartition("/")
            h5py.h5d.create(f[parent].id, leaf.encode(), h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple(shape), dcpl=dcpl)
        return edit

    derived("vds-victim.h5", "kernel is a virtual dataset whose source is victim.h5", "refuse",
            virtual("dense/dense/kernel:0", (4, 3)))
    derived("vds-victim.weights.h5", "a Keras 3 var is a virtual dataset whose source is victim.h5", "refuse",
            virtual("layers/dense/vars/0", (4, 3)), base=v3_skeleton)

    def hard(path, target):
        return lambda f: f.__setitem__(path, f[target])

    derived("cycle-legacy.h5", "group /dense/dense/loop is a hard link to /dense (a cycle off the weight paths)",
            "unchecked", hard("dense/dense/loop", "dense"))
    def weight_path_through_cycle(f):
        hard("dense/loop", "dense")(f)
        f["dense"].attrs["weight_names"] = np.array([b"dense/kernel:0", b"loop/dense/bias:0"])
    derived("cycle-through-weight-path.h5", "weight_names reach the bias through the cycle dense/loop/dense/bias:0",
            "unchecked", weight_path_through_cycle)
    derived("cycle-v3.weights.h5", "/layers/dense/vars/loop is a hard link to /layers/dense", "refuse",
            hard("layers/dense/vars/loop", "layers/dense"), base=v3_skeleton)
    derived("cycle-root.weights.h5", "/layers/dense/up is a hard link to the root group", "refuse",
            hard("layers/dense/up", "/"), base=v3_skeleton)
    deep(corpus)


def deep(corpus):
    """10,000 nested groups (superblock v3 keeps this at ~1.5 MB; v0 would take 10 MB)."""
    depth = 10000
    for name, base, where, expect, good in [
            ("deep-plain.h5", new_file, "d", "refuse", "skeleton.h5"),
            ("deep-legacy.h5", skeleton, "dense/dense/d", "unchecked", "skeleton.h5"),
            ("deep-v3.weights.h5", v3_skeleton, "layers/deep/vars", "refuse", "skeleton.weights.h5")]:
        with base(corpus.path(name), libver="v110") as f:
            innermost = group(f, where).id
            gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
            gcpl.set_obj_track_times(False)
            for _ in range(depth - 1):
                innermost = h5py.h5g.create(innermost, b"d", gcpl=gcpl)
        corpus.add(name, "links", f"{depth:,} nested groups below /{where}", expect, good=good)


def dtypes(corpus):
    """Weights stored with odd element types."""
    def with_bias(name, description, expect, data=None, dtype=None, attrs=None, base=skeleton, path="dense/dense/bias:0"):
        with base(corpus.path(name)) as f:
            del f[path]
            dataset = f.create_dataset(path, data=data(f) if callable(data) else data, dtype=dtype)
            for key, value in (attrs or {}).items():
                dataset.attrs[key] = value
        corpus.add(name, "dtype", description, expect,
                   good="skeleton.weights.h5" if base is v3_skeleton else "skeleton.h5")

    bias = values((3,), 2)
    with_bias("dtype-compound.h5", "bias is a compound {a: f4, b: f4}", "refuse",
              np.array([(1.0, 2.0)] * 3, dtype=[("a", "<f4"), ("b", "<f4")]))
    with_bias("dtype-vlen-string.h5", "bias is a variable-length string array", "refuse",
              np.array(["a", "b", "c"], dtype=object), h5py.string_dtype())
    with_bias("dtype-fixed-string.h5", "bias is a fixed-length string array S4", "refuse", np.array([b"abcd"] * 3))
    with_bias("dtype-enum.h5", "bias is an int8 enum", "refuse", np.array([0, 1, 0], np.int8),
              h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i1"))
    with_bias("dtype-bool.h5", "bias is numpy bool (h5py writes an enum)", "refuse", np.array([True, False, True]))
    with_bias("dtype-reference.h5", "bias is an array of object references", "refuse",
              lambda f: np.array([f.ref] * 3, dtype=h5py.ref_dtype))
    with_bias("dtype-complex64.h5", "bias is complex64 (a compound to HDF5)", "refuse", bias.astype(np.complex64))
    with_bias("dtype-longdouble.h5", "bias is a 16-byte long double float", "refuse", bias.astype(np.longdouble))
    with_bias("dtype-opaque4.h5", "bias is a 4-byte opaque type", "refuse", np.frombuffer(bias.tobytes(), "V4"))
    with skeleton(corpus.path("dtype-array.h5")) as f:
        # h5py turns a numpy sub-array dtype into extra dimensions, so the HDF5 array type is made
        # with the low-level API: 3 elements, each an H5T_ARRAY of 2 float32.
        del f["dense/dense/bias:0"]
        array_type = h5py.h5t.array_create(h5py.h5t.IEEE_F32LE, (2,))
        h5py.h5d.create(f["dense/dense"].id, b"bias:0", array_type, h5py.h5s.create_simple((3,)))
    corpus.add("dtype-array.h5", "dtype", "bias is an HDF5 array type (2 float32 per element)", "refuse", good="skeleton.h5")
    with_bias("dtype-int8.h5", "bias is int8", "valid", np.array([1, -2, 3], np.int8))
    with_bias("dtype-uint64.h5", "bias is uint64", "valid", np.array([1, 2, 2 ** 63], np.uint64))
    with_bias("dtype-big-endian.h5", "bias is big-endian float32", "valid", bias.astype(">f4"))
    with_bias("dtype-float16.h5", "bias is float16", "valid", bias.astype(np.float16))
    bf16 = np.frombuffer((bias.view(np.uint32) >> 16).astype("<u2").tobytes(), "V2")
    with_bias("dtype-bf16-untagged.h5", "bias is 2-byte opaque without the dtype attribute (legacy Keras bf16)",
              "unchecked", bf16)
    with_bias("dtype-bf16-tagged.weights.h5", "a Keras 3 var in bfloat16: 2-byte opaque + dtype='bfloat16'", "valid",
              bf16, attrs={"dtype": "bfloat16"}, base=v3_skeleton, path="layers/dense/vars/1")
    with_bias("dtype-scalar.h5", "bias is a scalar float32 (rank 0)", "unchecked", np.float32(1.5))
    with_bias("dtype-nan-inf.h5", "bias holds NaN, +inf and -inf", "unchecked",
              np.array([np.nan, np.inf, -np.inf], np.float32))


def names(corpus):
    """Non-ASCII, spaced, dotted, very long and control-character names."""
    def legacy(name, description, expect, layers, weight=lambda layer: layer):
        with new_file(corpus.path(name)) as f:
            legacy_root(f, layers)
            for index, layer in enumerate(layers):
                layer_group = group(f, layer)
                inner = weight(layer)
                layer_group.attrs["weight_names"] = np.array([f"{inner}/kernel:0".encode(), f"{inner}/bias:0".encode()])
                layer_group.create_dataset(f"{inner}/kernel:0", data=values((4, 3), index))
                layer_group.create_dataset(f"{inner}/bias:0", data=values((3,), index + 50))
        corpus.add(name, "names", description, expect)

    legacy("names-unicode.h5", "layer names in Cyrillic, CJK and with accents", "valid", ["слой", "层_1", "dénse"])
    legacy("names-spaces.h5", "layer names with spaces", "valid", ["my dense", " lead and trail "])
    legacy("names-dotdot.h5", "a layer named '..'", "unchecked", ["..", "dense"])
    legacy("names-long.h5", "a layer name of 3,000 characters", "unchecked", ["d" * 3000])
    legacy("names-colon-slash.h5", "weight paths with several ':' and nested '/'", "valid", ["a:b"],
           weight=lambda layer: "x/y/z")
    terminal = ["title\x1b]0;pwned\x07", "clear\x1b[2J\x1b[H", "bell\x07", "return\roverwritten", "del\x7f",
                "c1\u009b31mred", "rlo\u202egnp.exe", "forged\nheft: error: forged line"]
    legacy("names-terminal.h5", "layer and weight names with escape sequences, BEL, CR, DEL, C1, RLO and a newline",
           "valid", terminal, weight=lambda layer: layer + "\x1b[5m")
    with v3_skeleton(corpus.path("names-unicode.weights.h5"), layers=("слой", "层_1")):
        pass
    corpus.add("names-unicode.weights.h5", "names", "Keras 3 layer paths in Cyrillic and CJK", "valid",
               good="skeleton.weights.h5")
    with skeleton(corpus.path("names-invalid-utf8.h5")) as f:
        f.attrs["layer_names"] = np.array([b"dense", b"\xff\xfe"])
        f.create_group(b"\xff\xfe").attrs["weight_names"] = np.zeros((0,), np.float64)
    corpus.add("names-invalid-utf8.h5", "names", "a layer name that is not UTF-8 (bytes ff fe)", "unchecked")

    def missing_layer(name, ghost, description):
        with skeleton(corpus.path(name)) as f:
            f.attrs["layer_names"] = np.array([b"dense", ghost])
        corpus.add(name, "names", description, "refuse")

    missing_layer("names-newline-missing.h5", b"ghost\nheft: error: forged second line",
                  "layer_names lists a missing layer whose name holds a newline (must stay one line)")
    missing_layer("names-escape-missing.h5", b"ghost\x1b[31mred\x1b[0m",
                  "layer_names lists a missing layer whose name holds terminal escape codes")
    with skeleton(corpus.path("names-dotdot-path.h5")) as f:
        f["dense"].attrs["weight_names"] = np.array([b"../dense_1/dense_1/kernel:0", b"dense/bias:0"])
    corpus.add("names-dotdot-path.h5", "names", "weight_names path '../dense_1/…' (HDF5 has no '..')", "refuse")
    with skeleton(corpus.path("names-absolute-path.h5")) as f:
        f["dense"].attrs["weight_names"] = np.array([b"/dense_1/dense_1/kernel:0", b"dense/bias:0"])
    corpus.add("names-absolute-path.h5", "names", "weight_names path '/dense_1/…' escapes the layer's group", "unchecked")


def attributes(corpus):
    """Attributes holding more text than any real file: cut when shown, refused where a name."""
    with skeleton(corpus.path("attributes-version-4mb.h5")) as f:
        f.attrs["keras_version"] = "9" * (4 << 20)
    corpus.add("attributes-version-4mb.h5", "attributes", "keras_version of 4 MiB (shown cut after 256 bytes)", "valid")
    with skeleton(corpus.path("attributes-config-garbage.h5")) as f:
        f.attrs["model_config"] = "{" * (2 << 20)
    corpus.add("attributes-config-garbage.h5", "attributes", "model_config of 2 MiB that is not JSON", "valid")
    # Stored in the object header's dense attribute heap (libver='latest'), a value libhdf5 loads
    # whole as soon as the attribute is opened or merely looked up: refused by its size first.
    with skeleton(corpus.path("attributes-dense-names-100mb.h5"), libver="latest") as f:
        f.attrs["layer_names"] = np.array([b"d" * 100_000_000, b"dense", b"dense_1"])
    corpus.add("attributes-dense-names-100mb.h5", "attributes",
               "a fixed-length layer_names of 100 MB in dense attribute storage", "refuse", max_rss_mib=100)
    with skeleton(corpus.path("attributes-dense-version-80mb.h5"), libver="latest") as f:
        f.attrs["keras_version"] = np.bytes_(b"2" * 80_000_000)
    corpus.add("attributes-dense-version-80mb.h5", "attributes",
               "a fixed-length keras_version of 80 MB in dense attribute storage", "refuse", max_rss_mib=100)
    with v3_skeleton(corpus.path("attributes-vars-name-100kb.weights.h5")) as f:
        f["layers/dense/vars"].attrs["name"] = "n" * 100_000
    corpus.add("attributes-vars-name-100kb.weights.h5", "attributes", "a Keras 3 vars name of 100 kB (names stop at 64 KiB)",
               "refuse", good="skeleton.weights.h5")


def heft_digests(path):
    """Gives a file Heft's integrity data: a sha256 attribute per dataset (canonical little-endian
    bytes) and the root heft_manifest over every weight path, as Heft's writer does."""
    with h5py.File(path, "r+") as f:
        entries = []
        for layer in f.attrs["layer_names"]:
            layer = layer.decode()
            for weight in f[layer].attrs["weight_names"]:
                dataset = f[layer][weight.decode()]
                digest = hashlib.sha256(np.ascontiguousarray(dataset[()]).astype(dataset.dtype.newbyteorder("<")).tobytes()).hexdigest()
                dataset.attrs["sha256"] = digest
                entries.append((dataset.name, digest, dataset.size * dataset.dtype.itemsize))
        lines = "".join(f"{p} {d}\n" for p, d, _ in sorted(entries))
        manifest = {"algorithm": "sha256", "bytes": sum(n for _, _, n in entries), "digest": hashlib.sha256(lines.encode()).hexdigest(),
                    "tensors": len(entries)}
        f.attrs["heft_manifest"] = json.dumps(manifest, sort_keys=True, separators=(",", ":"))


def tampered(corpus):
    """Heft files changed after they were written: each fails verify and is refused by convert."""
    with skeleton(corpus.path("heft-intact.h5")):
        pass
    heft_digests(corpus.path("heft-intact.h5"))
    corpus.add("heft-intact.h5", "tampered", "a Heft file with its digests and manifest, unchanged", "valid")

    def variant(name, description, change):
        shutil.copy(corpus.path("heft-intact.h5"), corpus.path(name))
        with h5py.File(corpus.path(name), "r+") as f:
            change(f)
        corpus.add(name, "tampered", description, "tampered")

    def rehash(f):
        kernel = f["dense/dense/kernel:0"]
        kernel[0, 0] = 123.0
        kernel.attrs["sha256"] = hashlib.sha256(kernel[()].astype("<f4").tobytes()).hexdigest()

    def swap(f):
        a, b = f["dense/dense/kernel:0"], f["dense_1/dense_1/kernel:0"]
        (va, da), (vb, db) = (a[()], a.attrs["sha256"]), (b[()], b.attrs["sha256"])
        a[...], b[...] = vb, va
        a.attrs["sha256"], b.attrs["sha256"] = db, da

    variant("heft-rehashed.h5", "a value changed and its digest recomputed: the manifest is stale", rehash)
    variant("heft-swapped.h5", "two same-shape kernels swapped between layers, digests and all", swap)
    variant("heft-no-manifest.h5", "the manifest removed", lambda f: f.attrs.__delitem__("heft_manifest"))
    variant("heft-no-digest.h5", "one tensor's digest removed", lambda f: f["dense/dense/bias:0"].attrs.__delitem__("sha256"))


# MARK: - Containers

CONTAINER_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "containers")
# 2026-01-01 00:00:00 as a DOS date and time: every zip entry written here carries it.
DOS_DATE, DOS_TIME = (2026 - 1980) << 9 | 1 << 5 | 1, 0


def _gf2_times(matrix, vector):
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def crc32_combine(crc1, crc2, length2):
    """CRC-32 of A + B from crc32(A), crc32(B) and len(B) (zlib's crc32_combine, which Python's zlib
    does not expose): the CRC of gigabytes of zeros without hashing them."""
    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = [_gf2_times(odd, odd[n]) for n in range(32)]  # two zero bits
    odd = [_gf2_times(even, even[n]) for n in range(32)]  # four zero bits
    while True:
        even = [_gf2_times(odd, odd[n]) for n in range(32)]
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = [_gf2_times(even, even[n]) for n in range(32)]
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def crc32_zeros(size, block=1 << 20):
    """CRC-32 of `size` zero bytes: whole blocks by doubling, then the rest hashed."""
    crc, unit, unit_length = 0, zlib.crc32(bytes(block)), block
    count = size // block
    while count:
        if count & 1:
            crc = crc32_combine(crc, unit, unit_length)
        unit, unit_length = crc32_combine(unit, unit, unit_length), unit_length * 2
        count >>= 1
    rest = size % block
    return crc32_combine(crc, zlib.crc32(bytes(rest)), rest)


def raw_zeros_deflated(size, block=16 << 20):
    """A raw DEFLATE stream (what a zip entry holds) that inflates to `size` zero bytes; see
    zeros_deflated. About 1 MB per GiB, the format's limit of ~1030:1."""
    assert size % block == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return body * (size // block) + compressor.flush()


def zip_local(name, crc, compressed, size, method=0, zip64=False):
    """A local file header. With zip64 the 32-bit sizes read 0xFFFFFFFF and a zip64 extra field
    holds the real ones."""
    name = name.encode() if isinstance(name, str) else name
    extra = b""
    if zip64:
        extra, compressed, size = struct.pack("<HHQQ", 1, 16, size, compressed), 0xFFFFFFFF, 0xFFFFFFFF
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, 0, method, DOS_TIME, DOS_DATE, crc,
                       compressed, size, len(name), len(extra)) + name + extra


def zip_central(name, crc, compressed, size, offset, method=0, zip64=False):
    """A central-directory entry (made on Unix, mode 0600, as Keras's entries are)."""
    name = name.encode() if isinstance(name, str) else name
    extra = b""
    if zip64:
        extra = struct.pack("<HHQQQ", 1, 24, size, compressed, offset)
        compressed, size, offset = 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    version = 45 if zip64 else 20
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 3 << 8 | version, version, 0, method, DOS_TIME, DOS_DATE, crc,
                       compressed, size, len(name), len(extra), 0, 0, 0, 0o600 << 16, offset) + name + extra


def zip_end(count, cd_size, cd_offset, zip64_count=None):
    """The end of central directory record; with `zip64_count`, a zip64 end record declaring that
    many entries and its locator come first, and the classic record's fields read 0xFFFF…"""
    if zip64_count is None:
        return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0)
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, zip64_count, zip64_count, cd_size, cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, cd_offset + cd_size, 1)
    return record + locator + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)


def build_zip(entries, zip64_count=None):
    """A zip archive of `entries`: (name, content) stored, or dicts with name, data (the bytes on
    disk), method, crc, size (uncompressed) and zip64 for anything else."""
    out, central = bytearray(), bytearray()
    for entry in entries:
        if not isinstance(entry, dict):
            name, content = entry
            entry = {"name": name, "data": content, "crc": zlib.crc32(content), "size": len(content)}
        method, zip64 = entry.get("method", 0), entry.get("zip64", False)
        offset = len(out)
        out += zip_local(entry["name"], entry["crc"], len(entry["data"]), entry["size"], method, zip64) + entry["data"]
        central += zip_central(entry["name"], entry["crc"], len(entry["data"]), entry["size"], offset, method, zip64)
    return bytes(out + central + zip_end(len(entries), len(central), len(out), zip64_count))


def keras_members(path):
    """The (name, content) entries of a Keras-written `.keras` archive, in its order."""
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info.filename)) for info in archive.infolist()]


def safetensors_bytes(tensors, metadata=None, data=None, header=None):
    """A safetensors file: 8-byte little-endian header length, the JSON header padded with spaces to
    a multiple of 8 (as the safetensors package writes it), the data buffer. `tensors` lists (name,
    dtype, shape, [begin, end]); `data` defaults to zeros up to the largest end; `header` (bytes)
    replaces the JSON."""
    if header is None:
        document = {"__metadata__": metadata} if metadata is not None else {}
        for name, dtype, shape, offsets in tensors:
            document[name] = {"dtype": dtype, "shape": shape, "data_offsets": offsets}
        header = json.dumps(document, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    if data is None:
        data = bytes(max((end for _, _, _, (_, end) in tensors), default=0))
    return struct.pack("<Q", len(header)) + header + data


def containers(corpus):
    """Hostile and odd files of the three containers Heft reads (`.keras` archives,
    sharded `.weights.json` sets, `.safetensors`) and of formats it must name when refusing them
    (.npz, a PyTorch zip, a pickle, JSON that is no index). Valid bases are real files:
    fixtures/containers/keras3_named.* (written by Keras 3.15.1 and safetensors 0.8.0; the named
    family of tools/python/keras_world.py, its dense layer split across shards 0 and 1).

    What the Python libraries of the pinned venv (Python 3.11.7: zipfile; Keras 3.15.1,
    `keras.saving.load_model` / `model.load_weights` into the named model built fresh; safetensors
    0.8.0, `safetensors.numpy.load_file`; h5py 3.14; numpy 2.4.6) do with each file is at the end of
    its description, after "Python:".
    """
    def copy(source, name, description, expect, category="keras", **extra):
        shutil.copyfile(os.path.join(CONTAINER_FIXTURES, source), corpus.path(name))
        corpus.add(name, category, description, expect, **extra)

    # .keras archives
    good = "keras-valid.keras"
    copy("keras3_named.keras", good, "a .keras archive written by Keras 3.15.1 (metadata.json, config.json, "
         "model.weights.h5 stored). Python: load_model loads it", "valid", good=good)
    copy("keras3_trained_adam.deflated.keras", "keras-deflated.keras",
         "a Keras 3.15.1 .keras (trained_adam, with optimizer state) rewritten with model.weights.h5 DEFLATE-compressed. "
         "Python: load_model loads it, weights and optimizer state", "valid", good="keras-deflated.keras")
    members = keras_members(os.path.join(CONTAINER_FIXTURES, "keras3_named.keras"))
    metadata, config, weights = (dict(members)[n] for n in ("metadata.json", "config.json", "model.weights.h5"))

    def keras_zip(name, description, expect, entries, zip64_count=None, **extra):
        corpus.write(name, build_zip(entries, zip64_count), "keras", description, expect, good=good, **extra)

    gib = 1 << 30
    kernel = raw_zeros_deflated(gib)
    crc_gib = crc32_zeros(gib)
    bomb = {"name": "model.weights.h5", "data": kernel, "method": 8, "crc": crc_gib, "size": gib}
    keras_zip("keras-bomb-1gib.keras",
              f"model.weights.h5 is {len(kernel):,} bytes of DEFLATE that inflate to 1 GiB of zeros (ratio ~1000:1), "
              "sizes declared truly. Python: zipfile inflates it; Keras's bomb guard lets it pass (it refuses only "
              "members over 4 GiB and 100x their stored size), reads the 1 GiB into memory, then h5py fails: "
              "file signature not found", "refuse",
              [("metadata.json", metadata), ("config.json", config), bomb])
    small = raw_zeros_deflated(1 << 20, block=1 << 20)
    keras_zip("keras-bomb-declared-1tib.keras",
              f"model.weights.h5 declares 1 TiB uncompressed (zip64) for a {len(small):,}-byte DEFLATE stream that "
              "inflates to 1 MiB. Python: Keras refuses it before reading (ValueError: Not allowed: ZIP member "
              "'model.weights.h5' declares 1.00 TB but only 1.01 KB are stored on disk; refusing to load a "
              "potential decompression bomb.); zipfile alone reads the 1 MiB the stream holds without complaint",
              "refuse",
              [("metadata.json", metadata), ("config.json", config),
               {"name": "model.weights.h5", "data": small, "method": 8, "crc": crc32_zeros(1 << 20), "size": 1 << 40,
                "zip64": True}])

    # 42.zip's ratio without nesting: 1,024 central-directory entries share one local entry.
    local = zip_local("model.weights.h5", crc_gib, len(kernel), gib, method=8)
    head = zip_local("config.json", zlib.crc32(config), len(config), len(config)) + config
    directory = zip_central("config.json", zlib.crc32(config), len(config), len(config), 0)
    for _ in range(1024):
        directory += zip_central("model.weights.h5", crc_gib, len(kernel), gib, len(head), method=8)
    body = head + local + kernel
    corpus.write("keras-bomb-overlap-1tib.keras", body + directory + zip_end(1025, len(directory), len(body)), "keras",
                 f"1,024 central-directory entries named model.weights.h5 all point at one local entry whose "
                 f"{len(kernel):,} bytes inflate to 1 GiB: 1 TiB declared in {len(body) + len(directory):,} bytes "
                 "(42.zip's ratio, by overlap instead of nesting). Python: zipfile lists 1,025 names and gives "
                 "the last duplicate; Keras inflates its 1 GiB into memory, then h5py fails (file signature not found)",
                 "refuse", good=good)

    # Overlaps and duplicates.
    other = values((4, 5), 77).tobytes()
    keras_zip("keras-duplicate-weights.keras",
              "two entries named model.weights.h5: the Keras weights, then a second stored entry (not HDF5). "
              "Python: zipfile warns nothing on reading and gives the last entry; Keras then fails in h5py "
              "(file signature not found)", "refuse",
              [("metadata.json", metadata), ("config.json", config), ("model.weights.h5", weights),
               ("model.weights.h5", other)])
    tail = zip_local("config.json", zlib.crc32(config), len(config), len(config)) + config
    tail += zip_local("metadata.json", zlib.crc32(metadata), len(metadata), len(metadata)) + metadata
    span = weights + tail  # model.weights.h5's declared range runs over both following entries
    first = zip_local("model.weights.h5", zlib.crc32(span), len(span), len(span))
    config_at = len(first) + len(weights)
    metadata_at = config_at + 30 + len("config.json") + len(config)
    directory = (zip_central("model.weights.h5", zlib.crc32(span), len(span), len(span), 0)
                 + zip_central("config.json", zlib.crc32(config), len(config), len(config), config_at)
                 + zip_central("metadata.json", zlib.crc32(metadata), len(metadata), len(metadata), metadata_at))
    body = first + span
    corpus.write("keras-overlap-weights-config.keras", body + directory + zip_end(3, len(directory), len(body)), "keras",
                 "model.weights.h5 comes first and its declared size (CRC matching) runs over the config.json and "
                 "metadata.json entries that follow. Python: zipfile 3.11.7 has no overlap check and reads all "
                 "three; h5py ignores bytes past the HDF5 end of file, so Keras loads the model", "refuse", good=good)

    # Names.
    keras_zip("keras-entry-dotdot.keras",
              "the three Keras entries plus '../../heft-escape.txt'. Refused rather than ignored: no Keras writes "
              "such a name, and a tool that extracts the archive (Keras itself extracts every entry to a temporary "
              "folder when there are more than three) must filter it. Python: Keras skips it with a warning "
              "(Skipping invalid path during archive extraction) and loads the model", "refuse",
              [("metadata.json", metadata), ("config.json", config), ("model.weights.h5", weights),
               ("../../heft-escape.txt", b"written outside the extraction folder\n")])
    keras_zip("keras-entry-absolute.keras",
              "the weights entry is named '/model.weights.h5' (absolute). Refused: a reader that strips the '/' "
              "finds weights, one that does not finds none, so the name is ambiguous. Python: Keras finds no "
              "model.weights.h5 (ValueError: Expected a model.weights.h5 or model.weights.npz file.)", "refuse",
              [("metadata.json", metadata), ("config.json", config), ("/model.weights.h5", weights)])
    keras_zip("keras-no-weights.keras", "metadata.json and config.json, no model.weights.h5. Python: Keras: "
              "ValueError: Expected a model.weights.h5 or model.weights.npz file.", "refuse",
              [("metadata.json", metadata), ("config.json", config)])

    # Truncations and a lying end record.
    data = corpus.read(good)
    corpus.write("keras-truncated-half.keras", data[:len(data) // 2], "keras",
                 f"{good} cut to {len(data) // 2} of {len(data)} bytes (no central directory). Python: zipfile: "
                 "BadZipFile: File is not a zip file; Keras: ValueError: File not found: filepath=… Please ensure "
                 "the file is an accessible `.keras` zip file.", "refuse", good=good)
    corpus.write("keras-truncated-end.keras", data[:-1], "keras",
                 f"{good} without its last byte (end of central directory record cut). Python: zipfile: "
                 "BadZipFile: File is not a zip file; Keras: ValueError: File not found (as above)", "refuse",
                 good=good)
    keras_zip("keras-entries-1e9.keras",
              "the three Keras entries, but a zip64 end record declaring 1,000,000,000 entries. Python: zipfile "
              "reads the central directory by its byte size and ignores the count; Keras loads the model",
              "refuse", [("metadata.json", metadata), ("config.json", config), ("model.weights.h5", weights)],
              zip64_count=1_000_000_000)

    # A 100 MB config.json: 4 KiB of random bytes, then a hole (sparse, zeros).
    size, prefix = 100 * 1000 * 1000, random.Random(9).randbytes(4096)
    crc = crc32_combine(zlib.crc32(prefix), crc32_zeros(size - len(prefix)), size - len(prefix))
    with open(corpus.path("keras-config-100mb.keras"), "wb") as f:
        entries = []
        for name, content in [("metadata.json", metadata), ("model.weights.h5", weights)]:
            entries.append((name, zlib.crc32(content), len(content), f.tell()))
            f.write(zip_local(name, zlib.crc32(content), len(content), len(content)) + content)
        entries.append(("config.json", crc, size, f.tell()))
        f.write(zip_local("config.json", crc, size, size) + prefix)
        f.seek(size - len(prefix), os.SEEK_CUR)
        start = f.tell()
        directory = b"".join(zip_central(n, c, s, s, o) for n, c, s, o in entries)
        f.write(directory + zip_end(len(entries), len(directory), start))
    corpus.add("keras-config-100mb.keras", "keras",
               "config.json is 100 MB of garbage (4 KiB random bytes, then zeros; stored, CRC right; a sparse file), "
               "model.weights.h5 sound: refused without reading config.json whole. Python: Keras reads all "
               "100 MB and fails in json.loads (UnicodeDecodeError)", "refuse", good=good, max_rss_mib=100)

    # Sharded sets: an index <base>.weights.json and shards <base>_0000N.weights.h5 (Keras opens shard
    # 0 by that derived name, the others by the names in the index).
    index = json.load(open(os.path.join(CONTAINER_FIXTURES, "keras3_named.weights.json")))
    shards = sorted({f for files in index["weight_map"].values() for f in ([files] if isinstance(files, str) else files)})
    good = "sharded-valid.weights.json"

    def sharded(base, description, expect, edit_map=None, edit_shards=None, size=None, **extra):
        names = {old: f"{base}_{number:05d}.weights.h5" for number, old in enumerate(shards)}
        for old, new in names.items():
            shutil.copyfile(os.path.join(CONTAINER_FIXTURES, old), corpus.path(new))
        weight_map = {key: ([names[f] for f in files] if isinstance(files, list) else names[files])
                      for key, files in index["weight_map"].items()}
        if edit_map:
            edit_map(weight_map, [names[old] for old in shards])
        if edit_shards:
            edit_shards([corpus.path(names[old]) for old in shards])
        text = json.dumps({"metadata": index["metadata"], "weight_map": weight_map}, indent=4)
        if size:  # grown to `size` bytes with objects no model has, each in shard 0
            line = ',\n        "/layers/padding_{:07d}/vars": "' + names[shards[0]] + '"'
            count = (size - len(text)) // len(line.format(0)) + 1
            padding = "".join(line.format(n) for n in range(count))
            text = text[:text.rindex("}", 0, text.rindex("}"))].rstrip() + padding + "\n    }\n}"
            description = description.format(count=count, size=len(text))
        with open(corpus.path(base + ".weights.json"), "w") as f:
            f.write(text)
        corpus.add(base + ".weights.json", "sharded", description, expect, good=good, **extra)

    sharded("sharded-valid", f"a sharded set written by Keras 3.15.1: index and {len(shards)} shards, the dense "
            "layer's kernel in shard 0 and its bias in shard 1. Python: load_weights loads it", "valid")

    def point(target):
        def edit(weight_map, _):
            weight_map["/layers/dense_1/vars"] = target
        return edit

    sharded("sharded-dotdot", "the index names the shard '../../etc/passwd' for layers/dense_1. Python: Keras: "
            "ValueError: Invalid name '../../etc/passwd' (pathlib's with_name refuses a path)", "refuse",
            point("../../etc/passwd"), forbidden=[PASSWD_TEXT])
    sharded("sharded-absolute", "the index names the shard '/etc/passwd' for layers/dense_1. Python: Keras: "
            "ValueError: Invalid name '/etc/passwd'", "refuse", point("/etc/passwd"), forbidden=[PASSWD_TEXT])
    sharded("sharded-missing-shard", "shard 2 (layers/dense_1) does not exist. Python: Keras: FileNotFoundError "
            "from h5py (Unable to synchronously open file … No such file or directory)", "refuse",
            edit_shards=lambda paths: os.remove(paths[2]))

    def truncate(paths):
        with open(paths[1], "r+b") as f:
            f.truncate(os.path.getsize(paths[1]) // 2)
    sharded("sharded-truncated-shard", "shard 1 (the dense bias, the layer normalization) cut in half. Python: h5py: "
            "OSError: Unable to synchronously open file (truncated file: eof = …, stored_eof = …); Keras's "
            "load_weights returns WITHOUT an error having loaded nothing: the failed switch to shard 1 leaves the "
            "store closed, later visits of the layers read that as 'no weights' and clear the recorded failure",
            "refuse", edit_shards=truncate)
    for number, why in [(1, "it holds layers/dense/vars/1 without vars/0 (the kernel is in shard 0): a later shard "
                            "of a set, recognisable by its name and by vars that do not start at 0"),
                        (0, "by content a sound Keras 3 file (its vars start at 0), but a shard holds part of a model "
                            "by construction (here only the dense kernel; its bias and every other layer are in "
                            "shards 1 and 2): treating it as the model would silently drop them. Heft must say it is "
                            "shard 0 of a set and that the set is opened through its .weights.json index")]:
        name = f"sharded-lone_{number:05d}.weights.h5"
        copy(shards[number], name, f"shard {number} of a sharded set given alone (no index beside it): refused because "
             f"{why}. Python: h5py opens it; load_weights reads it as a .weights.h5 and fails: A total of "
             f"{3 - number} objects could not be loaded … Layer 'encoder' expected 2 variables, but received 1",
             "refuse", category="sharded", good=good)
    sharded("sharded-index-50mb", "the valid index grown to {size:,} bytes with {count:,} more weight_map entries, "
            "for layers no model has (a real index has one line per layer). Python: Keras json.loads it whole "
            "(about 1.5 s), ignores the unknown entries and loads the model", "refuse", size=50 * 1000 * 1000,
            max_rss_mib=150)

    def twice(weight_map, files):
        weight_map["/layers/dense_1/vars"] = [files[2], files[2]]
    sharded("sharded-shard-twice", "the index lists shard 2 twice for layers/dense_1 (Keras's writer never repeats "
            "one). Python: Keras counts shard 2's variables twice: Layer 'head' expected 2 variables, but received 4 "
            "variables during loading", "refuse", twice)

    def duplicate(paths):
        with h5py.File(paths[1], "r+") as f:
            f["layers/dense/vars"].create_dataset("0", data=np.full((4, 5), 7.0, np.float32))
    sharded("sharded-var-in-two-shards", "layers/dense/vars/0 is in shard 0 and, with other values (all 7.0), in "
            "shard 1; the index lists both shards for layers/dense. Python: h5py reads both; Keras: Layer 'encoder' "
            "expected 2 variables, but received 3 variables during loading", "refuse", edit_shards=duplicate)

    # safetensors files.
    good = "safetensors-valid.safetensors"
    copy("keras3_named.safetensors", good, "a safetensors file written by safetensors 0.8.0 (the named model's six "
         "float32 variables by Keras variable path, __metadata__ format=keras-weights). Python: load_file reads it",
         "valid", category="safetensors", good=good)

    def tensors(name, description, expect, entries, **kwargs):
        corpus.write(name, safetensors_bytes(entries, **kwargs), "safetensors", description, expect, good=good)

    four = [4]
    tensors("safetensors-overlap.safetensors", "two F32[4] tensors at data_offsets [0, 16] and [8, 24]. Python: "
            "SafetensorError: Error while deserializing header: invalid offset for tensor `b`",
            "refuse", [("a", "F32", four, [0, 16]), ("b", "F32", four, [8, 24])])
    tensors("safetensors-out-of-bounds.safetensors", "the second tensor's data_offsets end at 32 in a 24-byte data "
            "buffer. Python: SafetensorError: Error while deserializing header: incomplete metadata, file not fully "
            "covered",
            "refuse", [("a", "F32", four, [0, 16]), ("b", "F32", [4], [16, 32])], data=bytes(24))
    tensors("safetensors-gap.safetensors", "8 unused bytes between two tensors ([0, 16], [24, 40]). The README "
            "promises addresses that 'do not overlap in any way'; the reference reader (Metadata::validate) also "
            "requires every tensor, in offset order, to start where the previous one ended and the last to end at "
            "the end of the file, so no byte is unaccounted for. Python: SafetensorError: Error while deserializing "
            "header: invalid offset for tensor `b`", "refuse",
            [("a", "F32", four, [0, 16]), ("b", "F32", four, [24, 40])])
    tensors("safetensors-trailing-bytes.safetensors", "8 bytes after the last tensor's end (a polyglot's hiding place). "
            "Python: SafetensorError: Error while deserializing header: incomplete metadata, file not fully covered",
            "refuse", [("a", "F32", four, [0, 16])], data=bytes(24))
    corpus.write("safetensors-header-1gb.safetensors", struct.pack("<Q", 10 ** 9) + b'{"a":{' + bytes(58), "safetensors",
                 "the 8-byte header length says 1,000,000,000 in a 72-byte file. Python: SafetensorError: Error "
                 "while deserializing header: header too large (the package caps headers at 100,000,000 bytes)", "refuse",
                 good=good)
    corpus.write("safetensors-header-length-max.safetensors", b"\xff" * 8 + b"{}      ", "safetensors",
                 "the header length is 2^64 - 1. Python: SafetensorError: … header too large", "refuse", good=good)
    tensors("safetensors-header-not-json.safetensors", "the header is not JSON. Python: SafetensorError: Error "
            "while deserializing header: invalid JSON in header: key must be a string at line 1 column 2", "refuse", [],
            header=b"{not json: [", data=bytes(8))
    tensors("safetensors-dtype-f8.safetensors", "a tensor of dtype F8_E4M3 (a float8 of the spec; ml_dtypes "
            "float8_e4m3fn). Refused: valid safetensors, but Heft has no element type for it, so no subcommand "
            "could show, compare or convert its values; the message must name the dtype. Python: the header is "
            "valid (safe_open lists the tensor, safetensors.deserialize returns its bytes), but load_file fails: "
            "AttributeError: module 'numpy' has no attribute 'float8_e4m3fn' (ml_dtypes imported or not)", "refuse",
            [("a", "F8_E4M3", four, [0, 4])])
    tensors("safetensors-dtype-unknown.safetensors", "a tensor of dtype 'F7', which the spec does not have. "
            "Python: SafetensorError: Error while deserializing header: invalid JSON in header: unknown variant `F7`, "
            "expected one of `BOOL`, `F4`, … `U64`", "refuse",
            [("a", "F7", four, [0, 16])])
    tensors("safetensors-size-mismatch.safetensors", "an F32[4] tensor (16 bytes) whose data_offsets span 12. "
            "Python: SafetensorError: Error while deserializing header: invalid shape, data type, or offset for tensor",
            "refuse",
            [("a", "F32", four, [0, 12])])
    many = safetensors_bytes([(f"sequential/dense_{i}/kernel", "F32", [0], [0, 0]) for i in range(100_000)],
                             metadata={"format": "keras-weights"})
    corpus.write("safetensors-100k-empty.safetensors", many, "safetensors",
                 f"100,000 tensors of shape [0], all at data_offsets [0, 0] (a header of {len(many) - 8:,} bytes, no "
                 "data). Valid: within the format's 100 MB header cap and Heft's bound of 1,000,000 objects; it "
                 "tests per-tensor cost. Python: load_file reads it (0.6 s, 120 MiB). Heft, known to be slower here and left "
                 "for the many-small-tensors work: a release build dumps or verifies it in 3.5 s at 350 MiB (the index and "
                 "the Keras view hold about 3.5 KiB per tensor), a diff of it with itself opens it twice (7 s, 520 MiB), and "
                 "the debug build the tests run takes up to 17 s alone and past 30 s beside the other tests on two cores; hence the "
                 "60 s and 1 GiB bounds", "valid", good=good,
                 timeout_s=60, max_rss_mib=1024)
    header = b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"w":{"dtype":"I32","shape":[4],"data_offsets":[0,16]}}'
    tensors("safetensors-duplicate-key.safetensors", "the header names tensor 'w' twice (F32[4], then I32[4], both "
            "at [0, 16]). The README: 'Duplicate keys are disallowed. Not all parsers may respect this.' Python: "
            "load_file keeps the last (int32) without a word", "refuse",
            [], header=header, data=values(four, 3).tobytes())
    header = b'{"w\xff\xfe":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}'
    tensors("safetensors-non-utf8.safetensors", "a tensor name with the bytes ff fe: the header is not UTF-8. Python: "
            "SafetensorError: Error while deserializing header: invalid UTF-8 in header: invalid utf-8 sequence of 1 "
            "bytes from index 3", "refuse",
            [], header=header, data=values(four, 4).tobytes())

    # Formats Heft does not read, each to be named in the refusal.
    buffer = io.BytesIO()
    np.savez(buffer, kernel=values((4, 3), 1), bias=values((3,), 2))
    corpus.write("other-numpy.npz", buffer.getvalue(), "other", "a NumPy .npz archive (np.savez of a kernel and a "
                 "bias; np.load reads it); must be refused as such", "refuse", good="keras-valid.keras")
    pickle_bytes = pickle.dumps({"dense.weight": [[0.5, -0.25], [0.125, 1.0]], "dense.bias": [0.0, 1.0]}, protocol=2)
    torch_like = [("archive/data.pkl", pickle_bytes), ("archive/byteorder", b"little"),
                  ("archive/data/0", values((2, 2), 5).tobytes()), ("archive/version", b"3\n")]
    corpus.write("other-pytorch.pt", build_zip(torch_like), "other", "a PyTorch-style zip (archive/data.pkl, "
                 "archive/data/0, archive/version; the pickle is a plain dict); must be refused as PyTorch and "
                 "never unpickled", "refuse", good="keras-valid.keras")
    corpus.write("other-weights.pkl", pickle_bytes, "other", "a Python pickle (protocol 2, a dict of lists); must be "
                 "refused as a pickle and never unpickled", "refuse", good="keras-valid.keras")
    corpus.write("other-config.json", config, "other", "a Keras config.json (the named model's, from its .keras): "
                 "JSON that is not a weights index; must be refused as such", "refuse", good="keras-valid.keras")
    corpus.write("other-not-index.weights.json", b'{"weights": [[0.5, -0.25], [0.125, 1.0]]}\n', "other",
                 "JSON named like a sharded-weights index without metadata or weight_map. Python: Keras opens shard 0 "
                 "by its derived name before reading the index: FileNotFoundError … other-not-index_00000.weights.h5",
                 "refuse", good="keras-valid.keras")


# The categories every run builds.
CATEGORIES = [baselines, truncations, zeroings, flips, not_hdf5, layouts, sizes, links, dtypes, names, attributes, tampered,
              containers]


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: write_hostile_corpus.py OUTDIR")
    corpus = Corpus(sys.argv[1])
    if os.listdir(corpus.root):
        sys.exit(f"write_hostile_corpus.py: {corpus.root} is not empty")
    for build in CATEGORIES:
        build(corpus)
    corpus.write_manifest()
    print(f"write_hostile_corpus.py: {len(corpus.entries)} files in {corpus.root}", file=sys.stderr)


if __name__ == "__main__":
    main()
