#!/usr/bin/env python3
"""Writes Heft's test fixtures with real Keras (tf-keras 2 and Keras 3).

Run through `tools/make-fixtures`, which uses the pinned venv of `tools/requirements.txt`.
Everything written is deterministic: weights come from numpy generators with fixed seeds.

fixtures/forward/<case>.json   a model's layers and weights, an input batch and Keras's output
fixtures/summary/<case>.txt    tf-keras's model.summary() text, verbatim
fixtures/keras/<writer>_<model>.{h5,weights.h5,full.h5,json}
                               weight files of the interop zoo (tools/keras_models.py) as each Keras
                               writes them, with an input batch, Keras's output and a float64 numpy
                               reference output in the JSON
fixtures/world/<writer>_<family>.{h5,full.h5,weights.h5,json}
                               the Keras-world corpus (tools/keras_world.py): each family as each Keras
                               line writes it, with the model's weights list, an input and Keras's output
fixtures/hostile/*.h5          valid HDF5 files in the legacy layout whose datasets read other files
                               (external raw storage, a virtual dataset), written with h5py
"""
import io
import json
import os
import sys
from contextlib import redirect_stdout

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_models  # noqa: E402
import keras_world  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


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
