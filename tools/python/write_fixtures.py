#!/usr/bin/env python3
"""Writes Heft's test fixtures with real Keras (tf-keras 2 and Keras 3).

Run through `tools/fixtures`, which uses the pinned venv of `tools/python/requirements.txt`.
Everything written is deterministic: weights come from numpy generators with fixed seeds.

fixtures/forward/<case>.json   a model's layers and weights, an input batch and Keras's output
fixtures/summary/<case>.txt    tf-keras's model.summary() text, verbatim
fixtures/keras/<writer>_<model>.{h5,weights.h5,full.h5,json}
                               weight files of the interop zoo (tools/python/keras_models.py) as each Keras
                               writes them, with an input batch, Keras's output and a float64 numpy
                               reference output in the JSON
fixtures/world/<writer>_<family>.{h5,full.h5,weights.h5,json}
                               the Keras-world corpus (tools/python/keras_world.py): each family as each Keras
                               line writes it, with the model's weights list, an input and Keras's output
fixtures/hostile/*.h5          valid HDF5 files in the legacy layout whose datasets read other files
                               (external raw storage, a virtual dataset), written with h5py
fixtures/containers/           the Keras-world models of Keras 3 in the three containers: `.keras`
                               (model.save), sharded `.weights.json` + `_NNNNN.weights.h5`
                               (save_weights with max_shard_size), `.safetensors` (the safetensors
                               package), a JSON sidecar per family, and safetensors files of other
                               dtypes, edge shapes and a larger size; see write_container_files
"""
import hashlib
import io
import json
import math
import os
import shutil
import struct
import sys
import tempfile
import zipfile
from contextlib import contextmanager, redirect_stdout

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_check  # noqa: E402
import keras_models  # noqa: E402
import keras_world  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures")


def floats(array):
    """float32 values as exact JSON numbers (repr of the float64 that equals each float32)."""
    return [float(x) for x in np.asarray(array, dtype=np.float32).ravel()]


def deterministic_weights(model, seed):
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(values)


def write_forward_case(name, keras_name, keras_version, model, dense_specs, batch, seed):
    deterministic_weights(model, seed)
    x = np.random.default_rng(seed + 1).uniform(-2, 2, size=batch).astype(np.float32)
    y = np.asarray(model(x), dtype=np.float32)
    case = {
        "writer": f"{keras_name} {keras_version}",
        "layers": dense_specs,
        "weights": [{"shape": list(w.shape), "values": floats(w)} for w in model.get_weights()],
        "input": {"shape": list(x.shape), "values": floats(x)},
        "output": {"shape": list(y.shape), "values": floats(y)},
    }
    with open(os.path.join(ROOT, "forward", f"{name}.json"), "w") as f:
        json.dump(case, f)


ACTIVATIONS_K3 = ["linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "gelu",
                  "swish", "silu", "softplus", "leaky_relu"]


def keras3_forward():
    import keras
    from keras import layers
    for activation in ACTIVATIONS_K3:
        model = keras.Sequential([keras.Input((7,)), layers.Dense(5, activation=activation)])
        write_forward_case(f"keras3_activation_{activation}", "keras", keras.version(), model,
                           [{"units": 5, "activation": activation, "use_bias": True}], (4, 7), seed=11)
    model = keras.Sequential([keras.Input((6,)), layers.Dense(3, use_bias=False), layers.Dense(2, activation="tanh")])
    write_forward_case("keras3_no_bias", "keras", keras.version(), model,
                       [{"units": 3, "activation": "linear", "use_bias": False},
                        {"units": 2, "activation": "tanh", "use_bias": True}], (3, 6), seed=5)


def tf_keras_forward():
    import tf_keras as keras
    from tf_keras import layers
    model = keras.Sequential([layers.Dense(256, activation="relu", input_shape=(20,)), layers.Dense(10)])
    write_forward_case("tfkeras_seed_mlp", "tf-keras", keras.__version__, model,
                       [{"units": 256, "activation": "relu", "use_bias": True},
                        {"units": 10, "activation": "linear", "use_bias": True}], (2, 20), seed=1)
    model = keras.Sequential([layers.Dense(64, activation="sigmoid", input_shape=(33,)),
                              layers.Dense(32, activation="elu"), layers.Dense(8, activation="softmax")])
    write_forward_case("tfkeras_deep", "tf-keras", keras.__version__, model,
                       [{"units": 64, "activation": "sigmoid", "use_bias": True},
                        {"units": 32, "activation": "elu", "use_bias": True},
                        {"units": 8, "activation": "softmax", "use_bias": True}], (16, 33), seed=3)


def tf_keras_summaries():
    """The seed workflow's summaries, in the seed's order, so the automatic names match."""
    import tf_keras as keras
    import tensorflow as tf
    from tf_keras import layers

    def save(name, model):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            model.summary()
        with open(os.path.join(ROOT, "summary", f"{name}.txt"), "w") as f:
            f.write(buffer.getvalue())

    keras.backend.clear_session()
    net = keras.Sequential([layers.Dense(256, activation="relu", input_shape=(20,)), layers.Dense(10)])
    save("seed_mlp", net)

    def my_init(shape, dtype=None):
        return tf.random.normal(shape=shape, dtype=dtype)
    net = keras.Sequential()
    net.add(layers.Dense(64, kernel_initializer=my_init, input_shape=(10,)))
    save("seed_my_init", net)

    class MLPModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(2, activation="relu")
            self.hidden1 = layers.Dense(2, activation="relu")
            self.out = layers.Dense(2)

        def call(self, x):
            x = self.hidden(x)
            x = self.hidden1(x)
            self.hidden1.set_weights(self.hidden.get_weights())
            return self.out(x)
    model = MLPModel()
    model(np.ones((1, 2), np.float32))
    save("seed_mlp_model", model)

    keras.backend.clear_session()
    frozen = keras.Sequential([
        layers.Dense(4000, input_shape=(1000,), trainable=False, dtype="float64"),
        layers.Dense(3, name="a_rather_long_layer_name_that_wraps_around"),
    ])
    save("frozen_float64_long_name", frozen)


def write_keras_files(keras, writer, version):
    """Every zoo model in each layout this Keras line writes, plus the JSON of inputs and outputs."""
    folder = os.path.join(ROOT, "keras")
    os.makedirs(folder, exist_ok=True)
    for seed, name in enumerate(keras_models.NAMES):
        keras.backend.clear_session()
        model = keras_models.build(keras, name)
        keras_models.fill(model, seed=100 + seed)
        stem = os.path.join(folder, f"{writer}_{name}")
        files = {}
        if writer == "tfkeras":
            model.save_weights(stem + ".h5")
            files["legacy"] = os.path.basename(stem + ".h5")
        model.save_weights(stem + ".weights.h5")
        files["v3"] = os.path.basename(stem + ".weights.h5")
        if writer == "keras3" and name != "mlp_model":  # Keras 3 saves legacy .h5 only as a full model
            model.save(stem + ".full.h5")
            files["legacy_full"] = os.path.basename(stem + ".full.h5")
        x = keras_models.sample_input(name, seed=200 + seed)
        y = np.asarray(model(x)).astype(np.float32)
        case = {
            "writer": f"{writer} {version}", "model": name, "files": files,
            "layers": [layer.name for layer in model.layers],
            "weights": [{"shape": list(w.shape), "dtype": str(w.dtype), "values": [float(v) for v in np.ravel(w)]}
                        for w in model.get_weights()],
            "input": {"shape": list(x.shape), "values": floats(x)},
            "output": {"shape": list(y.shape), "values": floats(y)},
            "reference": {"shape": list(y.shape),
                          "values": [float(v) for v in np.ravel(keras_models.reference_output(model, x))]},
        }
        with open(stem + ".json", "w") as f:
            json.dump(case, f)


def write_world_files(keras, writer, version):
    """The Keras-world corpus: every family this Keras line has, in every layout it writes.

    Weights-only legacy `.h5`: tf-keras `save_weights`, and for Keras 3 (whose `save_weights` writes
    only `.weights.h5`) Keras 3's own legacy writer, the one `model.save('m.h5')` uses for its
    `model_weights` group. Full-model `.h5`: `model.save`. `.weights.h5`: `save_weights`.
    """
    import h5py
    folder = os.path.join(ROOT, "world")
    os.makedirs(folder, exist_ok=True)
    for seed, family in enumerate(keras_world.FAMILIES):
        if not keras_world.available(family, writer):
            continue
        keras.backend.clear_session()
        model = keras_world.build(keras, family)
        keras_world.fill(model, family, seed=300 + seed)
        stem = os.path.join(folder, f"{writer}_{family}")
        files = {}
        if writer == "tfkeras":
            model.save_weights(stem + ".h5", save_format="h5")
            model.save(stem + ".full.h5", save_format="h5")
            files.update(legacy=stem + ".h5", legacy_full=stem + ".full.h5")
        elif family != "shared_sequential":  # Keras 3's legacy writer fails on a layer listed twice
            from keras.src.legacy.saving import legacy_h5_format
            with h5py.File(stem + ".h5", "w") as f:
                legacy_h5_format.save_weights_to_hdf5_group(f, model)
            model.save(stem + ".full.h5")
            files.update(legacy=stem + ".h5", legacy_full=stem + ".full.h5")
        model.save_weights(stem + ".weights.h5")
        files["v3"] = stem + ".weights.h5"
        x = keras_world.sample_input(family, seed=400 + seed)
        y = np.asarray(model(x)).astype(np.float32)
        optimizer = getattr(model, "optimizer", None) if family.startswith("trained_") else None
        case = {
            "writer": writer, "keras_version": version, "family": family,
            "files": {layout: os.path.basename(path) for layout, path in files.items()},
            "layers": {layer.name: type(layer).__name__ for layer in model.layers},
            "weights": [{"name": getattr(w, "path", w.name), "shape": list(w.shape), "trainable": bool(w.trainable)}
                        for w in model.weights],
            "optimizer": None if optimizer is None else {"class": type(optimizer).__name__,
                                                         "variables": len(optimizer.variables)},
            "input": {"shape": list(x.shape), "dtype": str(x.dtype), "values": [float(v) for v in x.ravel()]},
            "output": {"shape": list(y.shape), "values": floats(y)},
        }
        with open(stem + ".json", "w") as f:
            json.dump(case, f)


def write_hostile_files():
    """Legacy-layout files whose bias dataset would read another file of the machine."""
    import h5py
    folder = os.path.join(ROOT, "hostile")
    os.makedirs(folder, exist_ok=True)

    def skeleton(f):
        f.attrs["layer_names"] = [b"dense"]
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.21.0"
        group = f.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        group.create_dataset("dense/kernel:0", data=np.ones((4, 3), np.float32))
        return group

    with h5py.File(os.path.join(folder, "external_storage.h5"), "w") as f:
        skeleton(f).create_dataset("dense/bias:0", shape=(3,), dtype=np.float32, external=[("/etc/passwd", 0, 12)])
    with h5py.File(os.path.join(folder, "virtual_dataset.h5"), "w") as f:
        layout = h5py.VirtualLayout(shape=(3,), dtype=np.float32)
        layout[:] = h5py.VirtualSource("/etc/other.h5", "data", shape=(3,))
        skeleton(f).create_virtual_dataset("dense/bias:0", layout)


# MARK: - Containers (fixtures/containers)

# The clock Keras's `.keras` writer reads while the generator saves (see fixed_clock).
CONTAINER_TIME = (2026, 1, 1, 0, 0, 0)
# The family whose `.keras` archive is also rewritten with model.weights.h5 deflated.
DEFLATED_FAMILY = "trained_adam"
# Files Keras 3.15.1 writes but cannot load back, with the text of its error. A Sequential listing
# one Dense twice stores its variables under layers/dense and layers/dense_2 (the second listing
# takes the counter dense_1 and is skipped as already saved), but its config.json lists the shared
# Dense once, so load_model rebuilds [Dense 'dense', Dense 'dense_1'] and finds no layers/dense_1.
KERAS_CANNOT_LOAD = {("shared_sequential", "keras"): "Layer 'dense_1' expected 2 variables, but received 0 variables"}


@contextmanager
def fixed_clock():
    """Keras stamps a `.keras` archive with the current time in two places: the zip entry time of
    model.weights.h5 (written with ZipFile.writestr, which reads time.localtime(time.time())) and
    `date_saved` in metadata.json (datetime.now()). config.json and metadata.json are written
    through ZipFile.open(name, "w"), whose entries carry the zip epoch 1980-01-01 00:00:00. While
    this is active both clocks read CONTAINER_TIME; nothing else about the archive changes. The
    archive is still not byte-reproducible: config.json holds `shared_object_id` values, CPython
    id()s (addresses) of objects the model shares (its DTypePolicy), new in every process. They
    are 15 digits here, so a rerun changes config.json's bytes and CRC but not the offsets."""
    import datetime
    import types
    from keras.src.saving import saving_lib
    moment = datetime.datetime(*CONTAINER_TIME)
    clock = types.SimpleNamespace(time=lambda: moment.timestamp(), localtime=lambda *_: moment.timetuple())
    calendar = types.SimpleNamespace(datetime=types.SimpleNamespace(now=lambda *_: moment))
    saved = zipfile.time, saving_lib.datetime
    zipfile.time, saving_lib.datetime = clock, calendar
    try:
        yield
    finally:
        zipfile.time, saving_lib.datetime = saved


@contextmanager
def recording_shards(log):
    """Appends to `log`, for every variable Keras's sharded writer stores, in Keras's order: its
    HDF5 path inside the shard, Keras's variable path, shape, dtype, byte count (as Keras counts it
    for max_shard_size) and the shard it went to. Observes only; the files are Keras's."""
    from keras.src.saving import saving_lib
    import keras
    store = saving_lib.ShardedH5IOStore
    original = store.__setitem__

    def record(self, key, value):
        original(self, key, value)
        dtype = keras.backend.standardize_dtype(value.dtype)
        shape = [int(d) for d in value.shape]
        log.append({"h5": f"{self._h5_entry_group.name}/{key}".lstrip("/"), "variable": getattr(value, "path", None),
                    "shape": shape, "dtype": dtype, "bytes": math.prod(shape) * np.dtype(dtype).itemsize,
                    "shard": self.current_shard_path.name})
    store.__setitem__ = record
    try:
        yield
    finally:
        store.__setitem__ = original


def h5_datasets(source):
    """Every dataset of an HDF5 file (path, or bytes of one) as {path: numpy array}."""
    import h5py
    found = {}
    with h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return found


def same_arrays(a, b):
    """Whether two {path: array} maps hold the same paths with the same dtypes, shapes and bytes."""
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and a[k].tobytes() == b[k].tobytes() for k in a)


def zip_entries(path):
    """Every entry of a zip file in central-directory order: name, compression method (0 stored, 8
    deflated), offset of its local header, offset of its data (after the local header's name and
    extra field), stored and uncompressed sizes, CRC-32 and time."""
    with open(path, "rb") as f:
        data = f.read()
    entries = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            signature, name_length, extra_length = struct.unpack_from("<I22xHH", data, info.header_offset)
            assert signature == 0x04034B50, f"{path}: no local header at {info.header_offset}"
            start = info.header_offset + 30 + name_length + extra_length
            entries.append({"name": info.filename, "method": info.compress_type,
                            "compression": {0: "stored", 8: "deflated"}.get(info.compress_type, str(info.compress_type)),
                            "header_offset": info.header_offset, "data_offset": start,
                            "compressed_size": info.compress_size, "size": info.file_size,
                            "crc32": info.CRC, "date_time": list(info.date_time), "flag_bits": info.flag_bits,
                            "sha256": hashlib.sha256(archive.read(info.filename)).hexdigest()})
    return entries


def safetensors_header(path):
    """The header of a safetensors file: its length, `__metadata__` and the tensors in header order."""
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))  # dicts keep the file's order
    metadata = header.pop("__metadata__", None)
    return {"header_length": length, "data_start": 8 + length, "metadata": metadata,
            "tensors": [{"name": name, **info} for name, info in header.items()]}


def save_safetensors(tensors, path, metadata):
    """safetensors.numpy.save_file, repeated until `__metadata__` comes out with its keys sorted.
    The package serializes `__metadata__` from a Rust HashMap, whose order changes from call to
    call, so one save is not byte-reproducible; tensors are always in the same order (by dtype
    alignment, then name). Repeating the save keeps the file the package's own output."""
    from safetensors.numpy import save_file
    for _ in range(200):
        save_file(tensors, path, metadata=metadata)
        written = safetensors_header(path)["metadata"]
        if written is None or list(written) == sorted(written):
            return
    raise RuntimeError(f"{path}: __metadata__ never came out sorted")


def deflate_weights_entry(source, target):
    """A copy of the Keras archive `source` whose model.weights.h5 entry is DEFLATE-compressed
    (level 9); every other entry, the entry order, names, times and attributes are kept."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.external_attr, copy.create_system = info.external_attr, info.create_system
            if info.filename == "model.weights.h5":
                copy.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(copy, zin.read(info.filename), compresslevel=9)
            else:
                zout.writestr(copy, zin.read(info.filename))


def write_container_case(keras, family, seed, folder):
    """One Keras-world family of Keras 3 in the three containers, checked against
    fixtures/world/keras3_<family>.* and loaded back through keras_check.load_container."""
    import safetensors
    keras.backend.clear_session()
    model = keras_world.build(keras, family)
    keras_world.fill(model, family, seed=300 + seed)
    name = f"keras3_{family}"
    stem = os.path.join(folder, name)
    world_stem = os.path.join(ROOT, "world", name)
    if family.startswith("trained_"):
        # fill's two training steps are not reproducible: model.fit shuffles the batch order with
        # an unseeded generator, so each run trains to other weights and optimizer state. The
        # optimizer now exists (built by fit); take the world fixture's weights and state.
        model.load_weights(world_stem + ".weights.h5")

    # .keras: Keras's own archive, its clock fixed.
    with fixed_clock():
        model.save(stem + ".keras")

    # Sharded: a dry run finds what Keras stores, then max_shard_size is chosen so that the set has
    # about three shards: the larger of the largest variable and a third of the total, in bytes.
    with tempfile.TemporaryDirectory() as scratch:
        dry = []
        with recording_shards(dry):
            model.save_weights(os.path.join(scratch, "dry.weights.json"), max_shard_size=1)
    total = sum(entry["bytes"] for entry in dry)
    shard_bytes = max(max(entry["bytes"] for entry in dry), math.ceil(total / 3))
    shard_gb = shard_bytes / 1024 ** 3  # Keras multiplies by 1024**3: exact for any integer byte count
    for old in os.listdir(folder):
        if old.startswith(name + "_") and old.endswith(".weights.h5"):
            os.remove(os.path.join(folder, old))
    stored = []
    with recording_shards(stored):
        model.save_weights(stem + ".weights.json", max_shard_size=shard_gb)
    index = json.load(open(stem + ".weights.json"))
    shards = sorted({entry["shard"] for entry in stored})
    on_disk = sorted(f for f in os.listdir(folder) if f.startswith(name + "_") and f.endswith(".weights.h5"))
    assert shards == on_disk, f"{name}: shards written {on_disk}, variables stored in {shards}"

    # safetensors: model.weights by Keras's variable path.
    tensors = {w.path: np.asarray(w.numpy()) for w in model.weights}
    assert len(tensors) == len(model.weights), f"{name}: variable paths are not unique"
    save_safetensors(tensors, stem + ".safetensors", {"format": "keras-weights", "source": name})

    # The same weights everywhere: the world fixture's .weights.h5, the archive's model.weights.h5,
    # the shards together, and each safetensors tensor equal to the variable stored at its h5 path.
    world = h5_datasets(world_stem + ".weights.h5")
    with zipfile.ZipFile(stem + ".keras") as archive:
        inside = h5_datasets(archive.read("model.weights.h5"))
    sharded = {}
    for shard in shards:
        part = h5_datasets(os.path.join(folder, shard))
        assert not sharded.keys() & part.keys(), f"{name}: a dataset in two shards"
        sharded.update(part)
    assert same_arrays(world, inside), f"{name}: model.weights.h5 in the .keras differs from the world fixture"
    assert same_arrays(world, sharded), f"{name}: the shards differ from the world fixture"
    for entry in stored:
        if entry["variable"] in tensors:  # optimizer variables are not in the safetensors file
            assert tensors[entry["variable"]].tobytes() == world[entry["h5"]].tobytes(), f"{name}: {entry['h5']} differs"
    assert {e["variable"] for e in stored} >= set(tensors), f"{name}: a model variable is not stored"

    # Output: the world fixture's input, and Keras's output for it must equal the world fixture's.
    x = keras_world.sample_input(family, seed=400 + seed)
    y = np.asarray(model(x)).astype(np.float32)
    world_case = json.load(open(world_stem + ".json"))
    assert world_case["output"]["values"] == floats(y), f"{name}: the output differs from the world fixture"

    # Each container loaded back by real Keras (the checker's own code) gives the same output.
    files = {"keras": name + ".keras", "sharded": name + ".weights.json", "safetensors": name + ".safetensors"}
    loaded = {}
    for container, file in files.items():
        known = KERAS_CANNOT_LOAD.get((family, container))
        try:
            back, extra = keras_check.load_container(keras, family, container, os.path.join(folder, file))
        except Exception as error:
            if known is None or known not in str(error):
                raise
            loaded[container] = {"error": f"{type(error).__name__}: {error}"}
            continue
        assert known is None, f"{name}: Keras now loads the {container} file; remove it from KERAS_CANNOT_LOAD"
        assert floats(np.asarray(back(x))) == floats(y), f"{name}: {container} loads with another output"
        loaded[container] = {"output_equal": True, **extra}

    splits = {}
    for entry in stored:
        splits.setdefault(entry["h5"].rsplit("/", 1)[0], []).append(entry["shard"])
    optimizer = getattr(model, "optimizer", None) if family.startswith("trained_") else None
    case = {
        "writer": "keras3", "keras_version": keras.version(), "safetensors_version": safetensors.__version__,
        "family": family,
        "files": {**files, "shards": shards, "world_v3": f"../world/{name}.weights.h5"},
        "layers": {layer.name: type(layer).__name__ for layer in model.layers},
        "weights": [{"name": w.path, "shape": list(w.shape), "dtype": w.dtype, "trainable": bool(w.trainable)}
                    for w in model.weights],
        "optimizer": None if optimizer is None else {
            "class": type(optimizer).__name__,
            "variables": [{"name": v.path, "shape": list(v.shape), "dtype": v.dtype} for v in optimizer.variables]},
        "stored": stored,
        "keras": {"entries": zip_entries(stem + ".keras"),
                  "metadata": json.loads(zipfile.ZipFile(stem + ".keras").read("metadata.json")),
                  "load_model": loaded["keras"]},
        "sharded": {"max_shard_size": shard_gb, "max_shard_bytes": shard_bytes,
                    "total_size": index["metadata"]["total_size"],
                    "shards": [{"file": shard, "bytes": os.path.getsize(os.path.join(folder, shard)),
                                "variables": [e["h5"] for e in stored if e["shard"] == shard]} for shard in shards],
                    "split": {group: sorted(set(where)) for group, where in splits.items() if len(set(where)) > 1},
                    "load_weights": loaded["sharded"]},
        "safetensors": {**safetensors_header(stem + ".safetensors"), "load": loaded["safetensors"]},
        "input": {"shape": list(x.shape), "dtype": str(x.dtype), "values": [float(v) for v in x.ravel()]},
        "output": {"shape": list(y.shape), "values": floats(y)},
    }
    if family == DEFLATED_FAMILY:
        deflated = name + ".deflated.keras"
        deflate_weights_entry(stem + ".keras", os.path.join(folder, deflated))
        back, extra = keras_check.load_container(keras, family, "keras", os.path.join(folder, deflated))
        assert floats(np.asarray(back(x))) == floats(y), f"{deflated}: loads with another output"
        case["files"]["keras_deflated"] = deflated
        case["keras_deflated"] = {"entries": zip_entries(os.path.join(folder, deflated)),
                                  "load_model": {"output_equal": True, **extra}}
    if family == "conv2d":   # the input of the README's `heft run` example
        np.save(stem + ".input.npy", x.astype("float32"))
    with open(stem + ".json", "w") as f:
        json.dump(case, f)
    print(f"containers: {name}: {len(shards)} shards of at most {shard_bytes} bytes"
          f"{', split: ' + ', '.join(case['sharded']['split']) if case['sharded']['split'] else ''}", file=sys.stderr)


def tensor_record(name, array):
    """A tensor of a safetensors sidecar: dtype, shape, little-endian bytes (hex, or their sha256
    past 256 bytes) and the values as JSON numbers (floats exact, bool as 0/1)."""
    raw = np.ascontiguousarray(array).tobytes()
    record = {"name": name, "dtype": str(array.dtype), "shape": list(array.shape)}
    if len(raw) <= 256:
        record["hex"] = raw.hex()
        kind = array.dtype.kind
        if kind in "iub":
            record["values"] = [int(v) for v in array.ravel()]
        else:
            record["values"] = [float(v) for v in array.astype(np.float64).ravel()]
    else:
        record["sha256"] = hashlib.sha256(raw).hexdigest()
        flat = array.astype(np.float64).ravel()
        record.update(first=[float(v) for v in flat[:4]], last=[float(v) for v in flat[-4:]], sum=float(flat.sum()))
    return record


def write_safetensors_case(folder, name, tensors, metadata, description):
    """A safetensors file written by the safetensors package, its sidecar, and a check that the
    package reads back the same dtypes, shapes and bytes."""
    import ml_dtypes  # noqa: F401  (bfloat16 for numpy)
    import safetensors
    path = os.path.join(folder, name + ".safetensors")
    save_safetensors(tensors, path, metadata)
    back, read_metadata = keras_check.read_safetensors(path)
    assert read_metadata == metadata and back.keys() == tensors.keys(), f"{name}: read back differently"
    for key, array in tensors.items():
        same = back[key].dtype == array.dtype and back[key].shape == array.shape
        assert same and back[key].tobytes() == array.tobytes(), f"{name}: {key} read back differently"
    header = safetensors_header(path)
    case = {"writer": f"safetensors {safetensors.__version__}", "description": description,
            "files": {"safetensors": name + ".safetensors"}, "size": os.path.getsize(path), **header,
            "arrays": [tensor_record(key, tensors[key]) for key in sorted(tensors)]}
    with open(os.path.join(folder, name + ".json"), "w") as f:
        json.dump(case, f)


def write_safetensors_extras(folder):
    """Safetensors files beyond float32 models: every numpy-expressible dtype Keras uses, 0-d and
    zero-size tensors, and a ~250 KB file."""
    import ml_dtypes
    rng = np.random.default_rng(500)
    floats16 = np.array([1.5, -0.0, 65504.0, 6e-08, -2.0, 0.333], np.float16)  # max, smallest subnormal
    dtypes = {
        "f64": np.array([[1.0, -2.5, 1e300], [5e-324, -0.0, np.pi]], np.float64),
        "f32": np.array([1.0, -0.0, 3.4028235e38, 1e-45], np.float32),
        "f16": floats16.reshape(2, 3),
        "bf16": np.array([1.0, -0.0, 3.3895314e38, 9.2e-41, -1.5, 0.1], ml_dtypes.bfloat16),
        "i64": np.array([-2 ** 63, 2 ** 63 - 1, 0, -1, 2 ** 53 + 1], np.int64),
        "i32": np.array([-2 ** 31, 2 ** 31 - 1, 7], np.int32),
        "i16": np.array([-32768, 32767], np.int16),
        "i8": np.array([-128, 127, 0], np.int8),
        "u64": np.array([0, 2 ** 64 - 1], np.uint64),
        "u32": np.array([0, 2 ** 32 - 1], np.uint32),
        "u16": np.array([0, 65535], np.uint16),
        "u8": np.array([[0, 1, 255], [128, 64, 2]], np.uint8),
        "bool": np.array([True, False, True, True], np.bool_),
    }
    write_safetensors_case(folder, "dtypes", dtypes, {"format": "keras-weights", "source": "dtypes"},
                           "one tensor of each dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL) with edge values")
    edge = {"scalar": np.array(2.5, np.float32), "empty": np.zeros((0,), np.float32),
            "empty_2d": np.zeros((3, 0), np.int64), "after": np.arange(4, dtype=np.float32).reshape(2, 2)}
    write_safetensors_case(folder, "edge", edge, None,
                           "a 0-d tensor, zero-size tensors of shape [0] and [3, 0], one after them; no __metadata__")
    large = {"dense/kernel": rng.uniform(-0.5, 0.5, (240, 256)).astype(np.float32),
             "dense/bias": rng.uniform(-0.5, 0.5, (256,)).astype(np.float32),
             "norm/gamma": rng.uniform(0.5, 1.5, (256,)).astype(np.float16)}
    write_safetensors_case(folder, "large", large, {"format": "keras-weights", "source": "large"},
                           "a 240 x 256 float32 kernel (240 KiB) with a bias and a float16 vector")


def write_container_files():
    """The container fixtures: every Keras-world family Keras 3 has (with the world corpus's seeds,
    so the weights equal fixtures/world/keras3_<family>.weights.h5) as `.keras`, sharded
    `.weights.json` and `.safetensors`, one `.keras` with a deflated model.weights.h5, and the
    safetensors extras."""
    import keras
    folder = os.path.join(ROOT, "containers")
    os.makedirs(folder, exist_ok=True)
    for seed, family in enumerate(keras_world.FAMILIES):
        if keras_world.available(family, "keras3"):
            write_container_case(keras, family, seed, folder)
    write_safetensors_extras(folder)


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("all", "tf-keras"):
        tf_keras_forward()
        tf_keras_summaries()
        import tf_keras
        write_keras_files(tf_keras, "tfkeras", tf_keras.__version__)
    if which in ("all", "hostile"):
        write_hostile_files()
    if which in ("all", "keras3"):
        keras3_forward()
        import keras
        write_keras_files(keras, "keras3", keras.version())
    if which in ("all", "world"):
        import tf_keras
        write_world_files(tf_keras, "tfkeras", tf_keras.__version__)
        import keras
        write_world_files(keras, "keras3", keras.version())
    if which in ("all", "containers"):
        write_container_files()
