import Foundation
import Testing
@testable import NeuralNet

@Suite struct ActivationTests {
    static let inputs: [Float] = [-3, -0.5, 0, 0.5, 3]

    /// Each activation against its formula, written independently here in Double.
    static let formulas: [(Activation, @Sendable (Double) -> Double)] = [
        (.linear, { $0 }),
        (.relu, { max($0, 0) }),
        (.sigmoid, { 1 / (1 + exp(-$0)) }),
        (.tanh, { tanh($0) }),
        (.elu, { $0 > 0 ? $0 : exp($0) - 1 }),
        (.elu(alpha: 0.5), { $0 > 0 ? $0 : 0.5 * (exp($0) - 1) }),
        (.selu, { 1.0507009873554805 * ($0 > 0 ? $0 : 1.6732632423543772 * (exp($0) - 1)) }),
        (.gelu, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
        (.gelu(approximate: true), { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * pow($0, 3)))) }),
        (.swish, { $0 / (1 + exp(-$0)) }),
        (.silu, { $0 / (1 + exp(-$0)) }),
        (.softplus, { log(1 + exp($0)) }),
        (.leakyReLU, { $0 >= 0 ? $0 : 0.2 * $0 }),
        (.leakyReLU(negativeSlope: 0.01), { $0 >= 0 ? $0 : 0.01 * $0 }),
    ]

    @Test func elementwiseActivationsMatchTheirFormulas() {
        for (activation, formula) in Self.formulas {
            let out = activation(Tensor(shape: [5], scalars: Self.inputs)).scalars
            for (x, y) in zip(Self.inputs, out) {
                #expect(abs(Double(y) - formula(Double(x))) < 1e-6, "\(activation.name)(\(x)) = \(y)")
            }
        }
    }

    @Test func softmaxNormalisesEachRow() {
        let out = Activation.softmax(Tensor([[1, 2, 3], [1000, 1000, 1000]])).scalars
        let expected = [1.0, 2.0, 3.0].map { exp($0) / (exp(1.0) + exp(2.0) + exp(3.0)) }
        for (y, e) in zip(out.prefix(3), expected) { #expect(abs(Double(y) - e) < 1e-6) }
        #expect(out.suffix(3).allSatisfy { abs($0 - 1.0 / 3) < 1e-6 })
    }

    @Test func softplusDoesNotOverflow() {
        #expect(Activation.softplus(Tensor(shape: [2], scalars: [100, -100])).scalars == [100, Float(exp(-100.0))])
    }

    @Test(arguments: ["linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "gelu",
                      "swish", "silu", "softplus", "leaky_relu"])
    func everyKerasIdentifierResolves(_ identifier: String) throws {
        #expect(try Activation(identifier: identifier).name == identifier)
    }

    @Test func unknownIdentifierThrowsANamedError() {
        #expect(throws: NeuralNetError.unknownIdentifier(kind: "activation", name: "relu6x")) {
            try Activation(identifier: "relu6x")
        }
        let literal: Activation = "softmax"
        #expect(literal.name == "softmax")
    }
}
