#!/usr/bin/env python3
"""Loads weight files written by Heft into real Keras and reports what Keras computes.

Used by Heft's interop tests (Tests/InteropTests):  keras_check.py MANIFEST RESULT
                                                     keras_check.py world MANIFEST RESULT
                                                     keras_check.py containers MANIFEST RESULT
                                                     keras_check.py safetensors MANIFEST RESULT
                                                     keras_check.py layers MANIFEST RESULT
                                                     keras_check.py functional MANIFEST RESULT
                                                     keras_check.py saved MANIFEST RESULT

MANIFEST is JSON: {"cases": [{"model": <zoo name>, "legacy": <path>.h5, "v3": <path>.weights.h5,
                              "input": {"shape": [...], "values": [...]}}]}
RESULT gets, per case, each loader's output (or its error) and, as read by h5py, the values of
every weight path of both files (hard-linked paths included):
  {"<model>": {"outputs": {"<loader>": {"values": [...]} | {"error": "..."}},
               "paths": {"<file>:<path>": [values...]}}}
Loaders: tfkeras_legacy_by_order, tfkeras_legacy_by_name, tfkeras_v3 (Sequential-like models),
keras3_legacy_by_order, keras3_legacy_by_name, keras3_v3. The `world`, `containers`,
`safetensors`, `layers`, `functional` and `saved` modes are described at their functions below.
"""
import io
import json
import os
import sys
from contextlib import redirect_stdout
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_models  # noqa: E402
import keras_world  # noqa: E402


def run(keras, name, x, load):
    try:
        keras.backend.clear_session()
        model = keras_models.build(keras, name)
        load(model)
        return {"values": [float(v) for v in np.ravel(np.asarray(model(x), dtype=np.float64))]}
    except Exception as error:  # reported to the Swift test, which fails on it
        return {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc(limit=3)}


def failure(error):
    """A loader's error as the Swift tests receive it (they fail on it)."""
    return {"error": f"{type(error).__name__}: {error}"[:2000]}


def weight_paths(path):
    """Every weight dataset path as a Keras loader reaches it, hard links included."""
    values = {}
    with h5py.File(path, "r") as f:
        if "layer_names" in f.attrs:
            for layer in f.attrs["layer_names"]:
                layer = layer.decode() if hasattr(layer, "decode") else layer
                group = f[layer]
                for weight in group.attrs.get("weight_names", []):
                    weight = weight.decode() if hasattr(weight, "decode") else weight
                    values[f"/{layer}/{weight}"] = group[weight][()]
        else:
            def walk(group):
                for key in group.keys():
                    item = group[key]
                    if isinstance(item, h5py.Dataset):
                        values[f"{group.name.rstrip('/')}/{key}"] = item[()]
                    else:
                        walk(item)
            walk(f)
    return {p: [float(v) for v in np.ravel(np.asarray(a, dtype=np.float64))] for p, a in values.items()}


def main(manifest_path, result_path):
    import keras
    import tf_keras
    manifest = json.load(open(manifest_path))
    results = {}
    for case in manifest["cases"]:
        name, legacy, v3 = case["model"], case["legacy"], case["v3"]
        x = np.asarray(case["input"]["values"], dtype=np.float32).reshape(case["input"]["shape"])
        outputs = {
            "tfkeras_legacy_by_order": run(tf_keras, name, x, lambda m: m.load_weights(legacy)),
            "tfkeras_legacy_by_name": run(tf_keras, name, x, lambda m: m.load_weights(legacy, by_name=True)),
            "keras3_legacy_by_order": run(keras, name, x, lambda m: m.load_weights(legacy)),
            "keras3_legacy_by_name": run(keras, name, x, lambda m: m.load_weights(legacy, by_name=True)),
            "keras3_v3": run(keras, name, x, lambda m: m.load_weights(v3)),
        }
        if name != "mlp_model":  # tf-keras names a subclassed model's paths in another order
            outputs["tfkeras_v3"] = run(tf_keras, name, x, lambda m: m.load_weights(v3))
        paths = {f"legacy:{p}": v for p, v in weight_paths(legacy).items()}
        paths.update({f"v3:{p}": v for p, v in weight_paths(v3).items()})
        results[name] = {"outputs": outputs, "paths": paths}
    json.dump(results, open(result_path, "w"))


def world(manifest_path, result_path):
    """The Keras-world mode. MANIFEST: {"cases": [{"id", "family", "line": "keras3"|"tfkeras", "file",
    "input": {"shape", "dtype", "values"}}]}; RESULT: {id: {"values": [...]} | {"error": "..."}}, the output of
    the family's model built fresh in that Keras line with the file's weights loaded (`load_weights`)."""
    import keras
    import tf_keras
    results = {}
    for case in json.load(open(manifest_path))["cases"]:
        module = keras if case["line"] == "keras3" else tf_keras
        x = np.asarray(case["input"]["values"], dtype=case["input"]["dtype"]).reshape(case["input"]["shape"])
        try:
            module.backend.clear_session()
            model = keras_world.build(module, case["family"])
            model.load_weights(case["file"])
            results[case["id"]] = {"values": [float(v) for v in np.ravel(np.asarray(model(x), dtype=np.float64))]}
        except Exception as error:  # reported to the Swift test, which fails on it
            results[case["id"]] = failure(error)
    json.dump(results, open(result_path, "w"))


CONTAINERS = ("keras", "sharded", "safetensors")


def read_safetensors(path):
    """The tensors (name -> numpy array) and `__metadata__` of a safetensors file, read by the
    `safetensors` package itself (`safetensors.numpy.load_file`, which validates the header and the
    offsets). ml_dtypes is imported first: the numpy backend makes BF16 and F8_* arrays only when
    numpy knows those dtypes."""
    import ml_dtypes  # noqa: F401  (registers bfloat16, float8_* with numpy)
    from safetensors import safe_open
    from safetensors.numpy import load_file
    tensors = load_file(path)
    with safe_open(path, framework="np") as f:
        metadata = f.metadata()
    return tensors, metadata


def assign_by_path(model, tensors):
    """Sets every variable of `model.weights` from `tensors[variable.path]`; the keys must be exactly
    the model's variable paths, with the variables' shapes and dtypes."""
    variables = {v.path: v for v in model.weights}
    missing = sorted(set(variables) - set(tensors))
    unexpected = sorted(set(tensors) - set(variables))
    if missing or unexpected:
        raise ValueError(f"tensor names differ from the model's variable paths: missing {missing[:8]}, "
                         f"unexpected {unexpected[:8]} ({len(missing)} missing, {len(unexpected)} unexpected)")
    for path, variable in variables.items():
        value = tensors[path]
        if tuple(value.shape) != tuple(variable.shape) or str(value.dtype) != str(variable.dtype):
            raise ValueError(f"{path}: file has {value.dtype}{list(value.shape)}, "
                             f"model has {variable.dtype}{list(variable.shape)}")
        variable.assign(value)


def load_container(keras, family, container, path):
    """A Keras 3 model holding the weights of `path`, loaded as real Keras 3 loads that container:
    `.keras` through `keras.saving.load_model` (config, weights and optimizer state from the
    archive), a sharded `.weights.json` index through `model.load_weights` into the family's model
    built fresh, a `.safetensors` file through `read_safetensors` + `assign_by_path` into it. Returns
    (model, extra), extra being what the result reports besides the output."""
    keras.backend.clear_session()
    if container == "keras":
        model = keras.saving.load_model(path)
        optimizer = getattr(model, "optimizer", None)
        extra = {"class": type(model).__name__}
        if optimizer is not None and optimizer.built:
            extra["optimizer"] = {"class": type(optimizer).__name__, "variables": len(optimizer.variables),
                                  "iterations": int(np.asarray(optimizer.iterations))}
        return model, extra
    model = keras_world.build(keras, family)
    if container == "sharded":
        model.load_weights(path)
        return model, {}
    if container == "safetensors":
        tensors, metadata = read_safetensors(path)
        assign_by_path(model, tensors)
        return model, {"metadata": metadata}
    raise ValueError(f"unknown container {container!r}; expected one of {CONTAINERS}")


def containers(manifest_path, result_path):
    """The container mode (Keras 3 only). MANIFEST: {"cases": [{"id", "family", "container":
    "keras"|"sharded"|"safetensors", "file", "input": {"shape", "dtype", "values"}}]}; RESULT:
    {id: {"values": [...], ...} | {"error": "..."}}: the output of the model `load_container` gives,
    with for `.keras` the loaded model's class and optimizer (class, variable count, iterations)
    and for safetensors the file's `__metadata__`."""
    import keras
    results = {}
    for case in json.load(open(manifest_path))["cases"]:
        x = np.asarray(case["input"]["values"], dtype=case["input"]["dtype"]).reshape(case["input"]["shape"])
        try:
            model, extra = load_container(keras, case["family"], case["container"], case["file"])
            values = [float(v) for v in np.ravel(np.asarray(model(x), dtype=np.float64))]
            results[case["id"]] = {"values": values, **extra}
        except Exception as error:  # reported to the Swift test, which fails on it
            results[case["id"]] = failure(error)
    json.dump(results, open(result_path, "w"))


def safetensors_values(manifest_path, result_path):
    """The safetensors mode: MANIFEST {"files": [path, ...]}; RESULT {path: {"tensors": {key:
    {"dtype", "shape", "values"}}, "metadata": {...}} | {"error": "..."}}, every file read by the
    `safetensors` package itself (`load_file`, which checks the header and offsets)."""
    results = {}
    for path in json.load(open(manifest_path))["files"]:
        try:
            tensors, metadata = read_safetensors(path)
            results[path] = {"metadata": metadata, "tensors": {
                key: {"dtype": str(value.dtype), "shape": list(value.shape),
                      "values": [float(v) for v in np.ravel(value.astype(np.float64))]}
                for key, value in tensors.items()}}
        except Exception as error:  # reported to the Swift test, which fails on it
            results[path] = failure(error)
    json.dump(results, open(result_path, "w"))


def flat_outputs(model, xs):
    """The model's outputs on the inputs `xs` (one array per model input), flattened and
    concatenated in order, as floats."""
    ys = model(xs if len(xs) > 1 else xs[0])
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    return [float(v) for y in ys for v in np.ravel(np.asarray(y, dtype=np.float64))]


def summary_text(model):
    """What `model.summary()` prints."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        model.summary()
    return buffer.getvalue()


def layers_mode(manifest_path, result_path):
    """The layers mode: MANIFEST {"cases": [{"id", "layers": [{"class": name, "config": {...}}],
    "input": {"shape", "values"}, "v3": <path>.weights.h5, "legacy": <path>.h5}]}; RESULT {id:
    {"keras3_v3": {"values": [...]}, "keras3_legacy": ..., "tfkeras_legacy": ...} (or "error")}:
    each Keras line builds the Sequential model of the listed layer classes and configs (Keras's own
    argument names) on an Input of the case's per-sample shape, loads the weights Heft saved, and
    runs the input. Proves at once that Heft creates each layer's weights as Keras does (shapes,
    order, names, paths) and computes the same forward pass. tf-keras's result also carries its
    `model.summary()` text (the layers get tf-keras's automatic names, as Heft's do)."""
    import keras
    import tf_keras
    results = {}
    for case in json.load(open(manifest_path))["cases"]:
        x = np.asarray(case["input"]["values"], dtype="float32").reshape(case["input"]["shape"])
        outputs = {}
        for line, module, files in (("keras3", keras, ("v3", "legacy")), ("tfkeras", tf_keras, ("legacy",))):
            for layout in files:
                key = f"{line}_{layout}"
                try:
                    module.backend.clear_session()
                    def build(name, config):
                        # A wrapper's `layer` argument arrives as {"__layer__": class, "config": {...}}.
                        arguments = {key: build(value["__layer__"], value["config"]) if isinstance(value, dict) and "__layer__" in value
                                     else value for key, value in config.items()}
                        return getattr(module.layers, name)(**arguments)
                    layers = [module.Input(shape=x.shape[1:])] + [build(spec["class"], spec["config"]) for spec in case["layers"]]
                    model = module.Sequential(layers)
                    model.load_weights(case[layout])
                    outputs[key] = {"values": flat_outputs(model, [x])}
                    if line == "tfkeras":
                        outputs[key]["summary"] = summary_text(model)
                except Exception as error:  # reported to the Swift test, which fails on it
                    outputs[key] = failure(error)
        results[case["id"]] = outputs
    json.dump(results, open(result_path, "w"))


def functional_mode(manifest_path, result_path):
    """The functional mode: MANIFEST {"cases": [{"id", "inputs": [{"shape", "values"}], "graph":
    [{"node", "layer", "class", "config", "args": [node ids], "list": bool, "spread": bool}], "outputs": [node
    ids], "v3", "legacy"}]}; RESULT as the layers mode. Inputs are nodes "in0", "in1", …; a layer
    key used by several nodes is one (shared) layer. Each Keras line builds the functional model
    (`keras.Model(inputs, outputs)`), loads Heft's weights and runs the inputs; the outputs are
    flattened and concatenated in order. tf-keras's result carries its `model.summary()` text."""
    import keras
    import tf_keras
    results = {}
    for case in json.load(open(manifest_path))["cases"]:
        xs = [np.asarray(i["values"], dtype="float32").reshape(i["shape"]) for i in case["inputs"]]
        outputs = {}
        for line, module, files in (("keras3", keras, ("v3", "legacy")), ("tfkeras", tf_keras, ("legacy",))):
            for layout in files:
                key = f"{line}_{layout}"
                try:
                    module.backend.clear_session()
                    tensors = {f"in{i}": module.Input(shape=x.shape[1:]) for i, x in enumerate(xs)}
                    layers = {}
                    for node in case["graph"]:
                        if node["layer"] not in layers:
                            layers[node["layer"]] = getattr(module.layers, node["class"])(**node["config"])
                        args = [tensors[a] for a in node["args"]]
                        layer = layers[node["layer"]]
                        # A merge layer takes a list, an attention layer positional (query, value).
                        tensors[node["node"]] = (layer(*args) if node.get("spread") else layer(args) if node["list"] else layer(args[0]))
                    model = module.Model(inputs=[tensors[f"in{i}"] for i in range(len(xs))],
                                         outputs=[tensors[o] for o in case["outputs"]])
                    model.load_weights(case[layout])
                    outputs[key] = {"values": flat_outputs(model, xs)}
                    if line == "tfkeras":
                        outputs[key]["summary"] = summary_text(model)
                except Exception as error:  # reported to the Swift test, which fails on it
                    outputs[key] = failure(error)
        results[case["id"]] = outputs
    json.dump(results, open(result_path, "w"))


def saved_mode(manifest_path, result_path):
    """The saved-model mode: MANIFEST {"cases": [{"id", "inputs": [{"shape", "values"}], "keras":
    <path>.keras, "h5": <path>.h5}]}; RESULT {id: {"keras3_keras": {"values": [...]},
    "keras3_h5": ..., "tfkeras_h5": ...} (or "error")}: whole models Heft saved, loaded with each
    line's own `load_model` (no code describing the model on the Python side) and run on the
    inputs; the outputs are flattened and concatenated in order."""
    import keras
    import tf_keras
    results = {}
    for case in json.load(open(manifest_path))["cases"]:
        xs = [np.asarray(i["values"], dtype="float32").reshape(i["shape"]) for i in case["inputs"]]
        outputs = {}
        for key, module, path in (("keras3_keras", keras, case["keras"]), ("keras3_h5", keras, case["h5"]),
                                  ("tfkeras_h5", tf_keras, case["h5"])):
            try:
                module.backend.clear_session()
                model = (module.saving.load_model(path) if module is keras else module.models.load_model(path))
                outputs[key] = {"values": flat_outputs(model, xs)}
            except Exception as error:  # reported to the Swift test, which fails on it
                outputs[key] = failure(error)
        results[case["id"]] = outputs
    json.dump(results, open(result_path, "w"))


if __name__ == "__main__":
    if sys.argv[1] == "saved":
        saved_mode(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "functional":
        functional_mode(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "layers":
        layers_mode(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "safetensors":
        safetensors_values(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "world":
        world(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "containers":
        containers(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
