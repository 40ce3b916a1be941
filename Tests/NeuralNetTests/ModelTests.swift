import Testing
@testable import NeuralNet
import TestSupport

@Suite struct ModelTests {
    @Test func automaticNamesFollowKeras() throws {
        try withNamingSession {
            let net = try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)])
            #expect(net.name == "sequential")
            #expect(net.layers.map(\.name) == ["dense", "dense_1"])
            let net2 = try Sequential()
            try net2.add(Dense(64, inputShape: [10]))
            #expect(net2.name == "sequential_1" && net2.layers[0].name == "dense_2")
            let explicit = Dense(3, name: "dense_9")
            #expect(explicit.name == "dense_9" && Dense(3).name == "dense_3")
            #expect(MLPModel().name == "mlp_model")
            #expect(LayerNaming.snakeCase("PReLU") == "p_re_lu" && LayerNaming.snakeCase("Conv2D") == "conv2d")
        }
    }

    @Test func clearSessionRestartsTheGlobalCounters() async {
        // In a child process, so that resetting the process-wide counters cannot disturb other tests.
        await #expect(processExitsWith: .success) {
            _ = Dense(1)
            clearSession()
            precondition(Dense(1).name == "dense" && Dense(1).name == "dense_1")
        }
    }

    @Test func namingSessionsAreIsolatedPerTask() async throws {
        let names = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { withNamingSession { (0..<50).map { _ in Dense(1).name } } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(names.allSatisfy { $0 == ["dense"] + (1..<50).map { "dense_\($0)" } })
    }

    @Test func concurrentGlobalNamingNeverRepeatsAName() async {
        let names = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<200).map { _ in Dense(1).name } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(names).count == names.count)
    }

    @Test func duplicateExplicitNameIsAnErrorAtAddTime() throws {
        let net = try Sequential([Dense(2, name: "head")], name: "net")
        #expect(throws: NeuralNetError.duplicateLayerName(model: "net", name: "head")) {
            try net.add(Dense(3, name: "head"))
        }
        #expect(net.layers.count == 1)
        #expect("\(NeuralNetError.duplicateLayerName(model: "net", name: "head"))".contains("'head' is already in the model"))
    }

    /// Layers added one by one to a built stack are built as they come, each for the previous
    /// layer's output (the stack is built once, not again per layer), and the same layer object
    /// may come back under its own name.
    @Test func layersAddedToABuiltStackAreBuiltForThePreviousOutput() throws {
        let shared = Dense(4, name: "shared")
        let net = try Sequential([Dense(4, inputShape: [3], name: "first")])
        for layer in [shared, Dense(4, name: "middle"), shared, Dense(5, name: "last")] as [any Layer] { try net.add(layer) }
        #expect(net.layers.map(\.name) == ["first", "shared", "middle", "last"])
        #expect(net.weights.map(\.shape) == [[3, 4], [4], [4, 4], [4], [4, 4], [4], [4, 5], [5]])
        #expect(net(.randomUniform([2, 3])).shape == [2, 5])
        let many = try Sequential((0..<3_000).map { Dense(1, inputShape: $0 == 0 ? [1] : nil, name: "d\($0)") })
        #expect(many.weights.count == 6_000 && many.layers.allSatisfy(\.isBuilt))
    }

    @Test func lookupByNameAndIndex() throws {
        let a = Dense(4, inputShape: [3], name: "a"), b = Dense(2, name: "b")
        let net = try Sequential([a, b])
        #expect(try net.layer(named: "b") === b)
        #expect(net.layer(at: 0) === a)
        #expect(throws: NeuralNetError.layerNotFound(model: net.name, name: "c")) { try net.layer(named: "c") }
    }

    @Test func sequentialBuildsWhenTheFirstLayerHasAnInputShape() throws {
        let net = try Sequential([Dense(256, activation: .relu, inputShape: [20]), Dense(10)])
        #expect(net.isBuilt)
        #expect(net.weights.map(\.shape) == [[20, 256], [256], [256, 10], [10]])
        let y = net(.randomUniform([2, 20]))
        #expect(y.shape == [2, 10])
    }

    @Test func sequentialWithoutInputShapeBuildsOnFirstCall() throws {
        let net = try Sequential([Dense(4), Dense(2)])
        #expect(!net.isBuilt && net.weights.isEmpty)
        _ = net(.ones([3, 5]))
        #expect(net.weights.map(\.shape) == [[5, 4], [4], [4, 2], [2]])
        #expect(net.summaryOutputShapes() == ["(None, 4)", "(None, 2)"])
    }

    @Test func nestedSequentialIsOneLayerWithAllItsWeights() throws {
        let inner = try Sequential([Dense(5, inputShape: [8]), Dense(3)])
        let outer = try Sequential([Dense(8, inputShape: [4]), inner, Dense(1)])
        #expect(outer.layers.count == 3)
        #expect(outer.weights.map(\.shape) == [[4, 8], [8], [8, 5], [5], [5, 3], [3], [3, 1], [1]])
        #expect(outer(.ones([2, 4])).shape == [2, 1])
    }

    @Test func customModelGathersSublayersInDeclarationOrder() throws {
        let model = MLPModel()
        #expect(model.layers.map { $0 === model.hidden || $0 === model.hidden1 || $0 === model.out } == [true, true, true])
        #expect(model.layers[0] === model.hidden && model.layers[2] === model.out)
        _ = model(.ones([1, 2]))
        #expect(model.weights.count == 6)
        #expect(model.weights.map(\.layerName) == [model.hidden.name, model.hidden.name, model.hidden1.name,
                                                   model.hidden1.name, model.out.name, model.out.name])
    }

    @Test func customModelBuildCallsItOnce() {
        let model = MLPModel()
        model.build(inputShape: [2])
        #expect(model.isBuilt && model.countParams() == 18)
    }
}
