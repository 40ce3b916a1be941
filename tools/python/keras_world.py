"""The Keras-world corpus: one small model per family of built-in layers, built the same way in
tf-keras 2 and Keras 3, plus small models trained with each optimizer.

`tools/python/write_fixtures.py world` writes every model with random non-zero weights in each layout its
Keras line writes (fixtures/world); `tools/python/keras_check.py world` rebuilds a model in either line,
loads a weights file into it and reports the output. Names are Keras's automatic ones (after
`clear_session()`) except in the `named` and `nested` families, so both lines name layers alike.

  recurrent    LSTM, GRU (reset_after true and false), SimpleRNN
  attention    MultiHeadAttention, LayerNormalization (functional, self-attention)
  conv2d       Conv2D, BatchNormalization (moving statistics), DepthwiseConv2D, SeparableConv2D, Conv2DTranspose
  conv1d       Conv1D, SeparableConv1D, DepthwiseConv1D, Conv1DTranspose, GroupNormalization
  conv3d       Conv3D, Conv3DTranspose
  wrappers     Bidirectional(LSTM), TimeDistributed(Dense), Bidirectional(GRU)
  nested       a Sequential (Dense, BatchNormalization, Dense) nested in a functional model
  embedding    Embedding, EinsumDense, PReLU
  convlstm     ConvLSTM1D, ConvLSTM2D (two branches of one functional model)
  named        custom layer names (Dense, LayerNormalization, Dense)
  gqa          GroupQueryAttention (Keras 3 only)
  shared_sequential  a Sequential that applies one Dense twice (Keras 3 cannot save it as legacy .h5)
  trained_<o>  Dense, BatchNormalization, Dense trained for two steps with optimizer <o>
"""
import numpy as np

OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "nadam", "adamax", "lion"]
FAMILIES = ["recurrent", "attention", "conv2d", "conv1d", "conv3d", "wrappers", "nested", "embedding",
            "convlstm", "named", "gqa", "shared_sequential"] + [f"trained_{name}" for name in OPTIMIZERS]

INPUTS = {"recurrent": (5, 4), "attention": (6, 8), "conv2d": (8, 8, 3), "conv1d": (12, 3), "conv3d": (4, 4, 4, 2),
          "wrappers": (5, 4), "nested": (4,), "embedding": (6,), "convlstm": (3, 6, 2), "named": (4,), "gqa": (5, 8), "shared_sequential": (4,)}


def available(family, line):
    """Whether the family exists in the Keras line (`keras3` or `tfkeras`)."""
    return family != "gqa" or line == "keras3"


def input_shape(family):
    return INPUTS.get(family, (3,))


def input_dtype(family):
    return "int32" if family == "embedding" else "float32"


def optimizer(keras, name):
    o = keras.optimizers
    return {"sgd": lambda: o.SGD(momentum=0.9), "adam": lambda: o.Adam(), "adamw": lambda: o.AdamW(),
            "rmsprop": lambda: o.RMSprop(momentum=0.5, centered=True), "adagrad": lambda: o.Adagrad(),
            "adadelta": lambda: o.Adadelta(), "nadam": lambda: o.Nadam(), "adamax": lambda: o.Adamax(),
            "lion": lambda: o.Lion()}[name]()


def build(keras, family):
    """The built model of `family` (untrained, Keras's initial weights) in the `keras` module given."""
    L = keras.layers
    shape = input_shape(family)
    inputs = keras.Input(shape, dtype=input_dtype(family))
    if family == "recurrent":
        return keras.Sequential([inputs, L.LSTM(3, return_sequences=True), L.GRU(3, return_sequences=True),
                                 L.GRU(3, reset_after=False, return_sequences=True), L.SimpleRNN(2), L.Dense(1)])
    if family == "attention":
        attended = L.MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs)
        h = L.LayerNormalization()(L.Add()([inputs, attended]))
        return keras.Model(inputs, L.Dense(3)(L.GlobalAveragePooling1D()(h)))
    if family == "conv2d":
        return keras.Sequential([inputs, L.Conv2D(4, 3), L.BatchNormalization(), L.DepthwiseConv2D(3),
                                 L.SeparableConv2D(4, 2), L.Conv2DTranspose(3, 2), L.GlobalAveragePooling2D(), L.Dense(2)])
    if family == "conv1d":
        return keras.Sequential([inputs, L.Conv1D(4, 3), L.SeparableConv1D(4, 2), L.DepthwiseConv1D(2),
                                 L.Conv1DTranspose(2, 2), L.GroupNormalization(2), L.Flatten(), L.Dense(2)])
    if family == "conv3d":
        return keras.Sequential([inputs, L.Conv3D(2, 2), L.Conv3DTranspose(2, 2), L.Flatten(), L.Dense(1)])
    if family == "wrappers":
        return keras.Sequential([inputs, L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                 L.TimeDistributed(L.Dense(2)), L.Bidirectional(L.GRU(2)), L.Dense(1)])
    if family == "nested":
        inner = keras.Sequential([L.Dense(5), L.BatchNormalization(), L.Dense(3)])
        return keras.Model(inputs, L.Dense(1)(inner(L.Dense(6)(inputs))))
    if family == "embedding":
        h = L.Embedding(20, 4)(inputs)
        h = L.EinsumDense("abc,cd->abd", output_shape=(6, 5), bias_axes="d")(h)
        return keras.Model(inputs, L.Dense(2)(L.Flatten()(L.PReLU()(h))))
    if family == "convlstm":
        # tf-keras's ConvLSTM defaults to hard_sigmoid, Keras 3's to sigmoid: set it so both lines compute alike.
        one = L.ConvLSTM1D(2, 3, recurrent_activation="sigmoid")(inputs)
        two = L.ConvLSTM2D(2, 2, recurrent_activation="sigmoid")(L.Reshape((3, 3, 2, 2))(inputs))
        return keras.Model(inputs, L.Dense(1)(L.Concatenate()([L.Flatten()(one), L.Flatten()(two)])))
    if family == "named":
        return keras.Sequential([inputs, L.Dense(5, name="encoder"), L.LayerNormalization(name="norm"),
                                 L.Dense(2, name="head")], name="named")
    if family == "shared_sequential":
        shared = L.Dense(4, activation="relu")
        return keras.Sequential([inputs, shared, shared, L.Dense(2)])
    if family == "gqa":
        attended = L.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)(inputs, inputs)
        return keras.Model(inputs, L.Dense(1)(L.GlobalAveragePooling1D()(attended)))
    if family.startswith("trained_"):
        model = keras.Sequential([inputs, L.Dense(4), L.BatchNormalization(), L.Dense(2)])
        model.compile(optimizer(keras, family[len("trained_"):]), "mse")
        return model
    raise ValueError(f"unknown family {family}")


def fill(model, family, seed):
    """Random non-zero weights (positive where Keras keeps variances); trained models then take two
    optimizer steps, so their optimizer state exists and is non-zero."""
    rng = np.random.default_rng(seed)
    values = []
    for weight in model.weights:
        path = getattr(weight, "path", weight.name)
        low, high = (0.5, 1.5) if "moving_variance" in path else (-0.5, 0.5)
        values.append(rng.uniform(low, high, size=tuple(weight.shape)).astype(np.float32))
    model.set_weights(values)
    if family.startswith("trained_"):
        x = rng.uniform(-1, 1, size=(8,) + input_shape(family)).astype(np.float32)
        y = rng.uniform(-1, 1, size=(8, 2)).astype(np.float32)
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)


def sample_input(family, seed):
    rng = np.random.default_rng(seed)
    shape = (3,) + input_shape(family)
    if family == "embedding":
        return rng.integers(0, 20, size=shape).astype(np.int32)
    return rng.uniform(-1, 1, size=shape).astype(np.float32)
