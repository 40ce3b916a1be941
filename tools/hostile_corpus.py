"""Writes Heft's hostile-file corpus: bad, crafted and odd inputs for every `heft` subcommand.

    python tools/hostile_corpus.py OUTDIR      (or tools/make-hostile-corpus OUTDIR)

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
import json
import os
import random
import shutil
import struct
import sys
import zipfile
import zlib

import h5py
import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "keras")

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

    def add(self, name, category, description, expect, good=None, diff_good=None, forbidden=None, max_rss_mib=None):
        """Records a file already written to OUTDIR/name; `max_rss_mib` tightens the memory bound
        every run on it must keep."""
        assert not any(e["name"] == name for e in self.entries), f"duplicate corpus name {name}"
        entry = {"name": name, "category": category, "description": description, "expect": expect,
                 "good": good or "skeleton.h5"}
        if diff_good is not None:
            entry["diff_good"] = diff_good
        if forbidden:
            entry["forbidden"] = forbidden
        if max_rss_mib is not None:
            entry["max_rss_mib"] = max_rss_mib
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
    """Empty, text, zip, safetensors-like, random bytes, signature + garbage, directory, FIFO,
    symbolic links and an unreadable (mode 000) file."""
    corpus.write("empty.h5", b"", "not-hdf5", "an empty file (0 bytes)", "refuse")
    corpus.write("text.h5", b"this is not an HDF5 file, just text\n" * 4, "not-hdf5", "a text file", "refuse")
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    corpus.write("tensors.safetensors", struct.pack("<Q", len(header)) + header + bytes(8), "not-hdf5",
                 "a safetensors file", "refuse")
    corpus.write("random.h5", random.Random(7).randbytes(4096), "not-hdf5", "4 KiB of seeded random bytes", "refuse")
    corpus.write("signature-then-garbage.h5", b"\x89HDF\r\n\x1a\n" + random.Random(8).randbytes(2048), "not-hdf5",
                 "the HDF5 signature followed by random bytes", "refuse")
    for name in ["model.keras", "zip-named.weights.h5"]:
        with zipfile.ZipFile(corpus.path(name), "w") as archive:
            for member, content in [("metadata.json", b'{"keras_version": "3.15.1"}'), ("config.json", b"{}"),
                                    ("model.weights.h5", corpus.read("keras3_mlp_model.weights.h5"))]:
                archive.writestr(zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0)), content)
        corpus.add(name, "not-hdf5", "a .keras zip archive (weights inside as model.weights.h5)", "refuse")
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


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: hostile_corpus.py OUTDIR")
    corpus = Corpus(sys.argv[1])
    if os.listdir(corpus.root):
        sys.exit(f"hostile_corpus.py: {corpus.root} is not empty")
    for build in [baselines, truncations, zeroings, flips, not_hdf5, layouts, sizes, links, dtypes, names, attributes, tampered]:
        build(corpus)
    corpus.write_manifest()
    print(f"hostile_corpus.py: {len(corpus.entries)} files in {corpus.root}", file=sys.stderr)


if __name__ == "__main__":
    main()
