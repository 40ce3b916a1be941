"""The interop model zoo: each model built the same way in tf-keras 2 and Keras 3.

Heft's interop tests build the equivalent Swift models (Tests/InteropTests/Zoo.swift); the names,
layer order and shapes here must stay in step with that file.

  seed_mlp      Sequential: Dense(256, relu, input 20) -> Dense(10)
  mlp_model     subclassed MLPModel: hidden, hidden1 (copy of hidden's weights on each call), out
  shared_twice  functional: one Dense 'shared' applied twice, then Dense 'head'
  nested        Sequential: Dense 'd0' -> Sequential 'inner' (Dense 'inner_d1', 'inner_d2') -> Dense 'head'
  float16       Sequential of float16 Dense layers
  float64       Sequential of float64 Dense layers
"""
import numpy as np

INPUT_SHAPES = {"seed_mlp": (2, 20), "mlp_model": (3, 2), "shared_twice": (3, 4), "nested": (3, 4),
                "float16": (3, 5), "float64": (3, 5)}
NAMES = list(INPUT_SHAPES)


def build(keras, name):
    """The built model `name` for the `keras` module given (tf_keras or keras)."""
    layers = keras.layers
    if name == "seed_mlp":
        return keras.Sequential([keras.Input((20,)), layers.Dense(256, activation="relu"), layers.Dense(10)])
    if name == "mlp_model":
        class MLPModel(keras.Model):
            def __init__(self):
                super().__init__(name="mlp_model")
                self.hidden = layers.Dense(2, activation="relu")
                self.hidden1 = layers.Dense(2, activation="relu")
                self.out = layers.Dense(2)

            def call(self, x):
                h = self.hidden(x)
                self.hidden1(h)
                self.hidden1.set_weights(self.hidden.get_weights())
                return self.out(self.hidden1(h))
        model = MLPModel()
        model(np.zeros(INPUT_SHAPES[name], np.float32))
        return model
    if name == "shared_twice":
        shared = layers.Dense(4, activation="relu", name="shared")
        inputs = keras.Input((4,), name="x")
        outputs = layers.Dense(1, name="head")(shared(shared(inputs)))
        return keras.Model(inputs, outputs, name="shared_twice")
    if name == "nested":
        inner = keras.Sequential([layers.Dense(5, activation="tanh", name="inner_d1"),
                                  layers.Dense(3, name="inner_d2")], name="inner")
        return keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu", name="d0"), inner,
                                 layers.Dense(1, name="head")], name="nested")
    if name in ("float16", "float64"):
        return keras.Sequential([keras.Input((5,)), layers.Dense(6, activation="relu", dtype=name),
                                 layers.Dense(2, dtype=name)], name=name)
    raise ValueError(f"unknown model {name}")


def fill(model, seed):
    """Deterministic weights; MLPModel's copy-sharing is reproduced (hidden1 = hidden)."""
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-0.8, 0.8, size=w.shape).astype(w.dtype) for w in model.get_weights()]
    if model.name == "mlp_model":
        values[2], values[3] = values[0], values[1]
    model.set_weights(values)


def sample_input(name, seed):
    return np.random.default_rng(seed).uniform(-1, 1, size=INPUT_SHAPES[name]).astype(np.float32)


def reference_output(model, x):
    """The model's output computed in float64 numpy from its weights (independent of Keras's dtype)."""
    def dense(h, kernel, bias, activation):
        y = h @ kernel.astype(np.float64) + bias.astype(np.float64)
        return {"relu": np.maximum(y, 0), "tanh": np.tanh(y), "linear": y}[activation]
    w = [np.asarray(v) for v in model.get_weights()]
    h = x.astype(np.float64)
    name = model.name
    if name == "seed_mlp":
        return dense(dense(h, w[0], w[1], "relu"), w[2], w[3], "linear")
    if name == "mlp_model":
        h = dense(h, w[0], w[1], "relu")
        return dense(dense(h, w[2], w[3], "relu"), w[4], w[5], "linear")
    if name == "shared_twice":
        return dense(dense(dense(h, w[0], w[1], "relu"), w[0], w[1], "relu"), w[2], w[3], "linear")
    if name == "nested":
        h = dense(h, w[0], w[1], "relu")
        h = dense(dense(h, w[2], w[3], "tanh"), w[4], w[5], "linear")
        return dense(h, w[6], w[7], "linear")
    return dense(dense(h, w[0], w[1], "relu"), w[2], w[3], "linear")
