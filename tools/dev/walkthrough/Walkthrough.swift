import Checkpoint
import Foundation
import NeuralNet
import TestSupport   // MLPModel, the seed's model, defined once for the tests and this walkthrough

/// The seed workflow of Keras's parameter tutorial, step by step in Heft, printing what Keras prints.
///
/// Each step shows the Swift call, the Keras call it mirrors, and the result.
///
/// `heft-walkthrough [--save-to DIR]`: with a directory, the seed models are also saved there as
/// Keras weights files for `tools/demo` to inspect with `heft`: `seed_mlp.h5` (legacy layout),
/// `mlp_model.weights.h5` (Keras 3 layout, copy-shared layers), `mlp_model_changed.weights.h5` (the
/// same with one weight of `hidden1` changed) and `tied.h5` (two layers holding one kernel).
@main
struct Walkthrough {
    static func main() throws {
        setRandomSeed(0)
        let arguments = Array(CommandLine.arguments.dropFirst())
        let directory = arguments.first == "--save-to" && arguments.count == 2 ? arguments[1] : nil
        let net = try parameterAccess()
        try customInitializer()
        let model = try sharing()
        if let directory { try save(net, model, to: directory) }
    }

    static func save(_ net: Sequential, _ model: MLPModel, to directory: String) throws {
        step("try net.saveWeights(to: \"seed_mlp.h5\"); try model.saveWeights(to: \"mlp_model.weights.h5\")",
             keras: "net.save_weights('seed_mlp.h5'); model.save_weights('mlp_model.weights.h5')")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try net.saveWeights(to: "\(directory)/seed_mlp.h5")
        try model.saveWeights(to: "\(directory)/mlp_model.weights.h5")
        var kernel = model.hidden1.kernel!.value.scalars
        kernel[0] += 0.5
        try model.hidden1.kernel!.assign(Tensor(shape: [2, 2], scalars: kernel))
        try model.saveWeights(to: "\(directory)/mlp_model_changed.weights.h5")
        let encoder = Dense(4, inputShape: [4], name: "encoder"), decoder = Dense(4, name: "decoder")
        decoder.tie(kernel: encoder.kernel!)
        try Sequential([encoder, decoder], name: "tied").saveWeights(to: "\(directory)/tied.h5")
        print("saved seed_mlp.h5, mlp_model.weights.h5, mlp_model_changed.weights.h5 (hidden1's kernel[0, 0] + 0.5) and tied.h5 in \(directory)")
    }

    static func step(_ swift: String, keras: String) {
        print("\n>>> \(swift)\n    # Keras: \(keras)")
    }

    static func parameterAccess() throws -> Sequential {
        step("let net = try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)])",
             keras: "net = Sequential([layers.Dense(256, activation='relu', input_shape=(20,)), layers.Dense(10)])")
        let net = try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)])

        step("let y = net(.randomUniform([2, 20])); y.shape", keras: "Y = net(tf.random.uniform(shape=(2, 20))); Y.shape")
        let y = net(.randomUniform([2, 20]))
        print(formatShape(y.shape))

        step("for w in net.trainableWeights { print(w.shape) }", keras: "for w in net.trainable_weights: print(w.shape)")
        for w in net.trainableWeights { print(formatShape(w.shape)) }

        step("for w in net.getWeights() { print(w.shape) }", keras: "for w in net.get_weights(): print(w.shape)")
        for w in net.getWeights() { print(formatShape(w.shape)) }

        step("for layer in net.layers { try net.layer(named: layer.name).weights }",
             keras: "for layer in net.layers: net.get_layer(name=layer.name).weights")
        for layer in net.layers {
            print(layer.name, try net.layer(named: layer.name).weights.map { "\($0.kerasName) \(formatShape($0.shape))" })
        }

        step("try net.layer(named: \"dense\").getWeights()[1]", keras: "net.get_layer('dense').get_weights()[1]")
        print(try net.layer(named: "dense").getWeights()[1])
        return net
    }

    static func customInitializer() throws {
        step("let myInit = Initializer.custom { shape, dtype in .randomNormal(shape, dtype: dtype) }",
             keras: "def my_init(shape, dtype=None): return tf.random.normal(shape=shape, dtype=dtype)")
        let myInit = Initializer.custom(name: "my_init") { shape, dtype in .randomNormal(shape, dtype: dtype) }

        step("let net = try Sequential(); try net.add(Dense(64, kernelInitializer: myInit, inputShape: [10])); print(net.summary())",
             keras: "net = Sequential(); net.add(layers.Dense(64, kernel_initializer=my_init, input_shape=(10,))); net.summary()")
        let net = try Sequential()
        try net.add(Dense(64, kernelInitializer: myInit, inputShape: [10]))
        print(net.summary())
    }

    static func sharing() throws -> MLPModel {
        step("let model = MLPModel(); _ = model(x)   // call() copies hidden's weights into hidden1",
             keras: "class MLPModel(keras.Model): ... self.hidden1.set_weights(self.hidden.get_weights())")
        let model = MLPModel()
        _ = model(.randomUniform([2, 2]))
        print(model.summary())

        step("model.getWeights()", keras: "net.get_weights()")
        let weights = model.getWeights()
        for (parameter, value) in zip(model.weights, weights) { print(parameter.kerasName, value) }
        print("hidden and hidden1 identical:", weights[0] == weights[2] && weights[1] == weights[3])

        step("let shared = Dense(4, activation: .relu, inputShape: [4]); try Sequential([shared, shared, Dense(1)])",
             keras: "shared = layers.Dense(4, activation='relu'); Sequential([shared, shared, layers.Dense(1)])")
        let shared = Dense(4, activation: .relu, inputShape: [4])
        let twice = try Sequential([shared, shared, Dense(1)])
        print("layers:", twice.layers.map(\.name), "weights:", twice.weights.map(\.kerasName), "params:", twice.countParams())

        step("decoder.tie(kernel: encoder.kernel!)   // one Parameter object in two layers",
             keras: "(a layer holding another layer's variable)")
        let encoder = Dense(4, inputShape: [4]), decoder = Dense(4, inputShape: [4])
        decoder.tie(kernel: encoder.kernel!)
        try encoder.kernel!.assign(.ones([4, 4]))
        print("decoder sees the encoder's update:", decoder.kernel!.value == .ones([4, 4]))
        return model
    }
}
