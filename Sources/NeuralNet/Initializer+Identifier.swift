extension Initializer {
    /// The Keras initializer for an identifier string, with Keras's defaults.
    ///
    /// Accepts the snake_case ids (`glorot_uniform`, `he_normal`, …), their aliases (`zero`, `one`,
    /// `normal`, `uniform`) and the CamelCase class names (`GlorotUniform`, `Zeros`, …).
    /// - Throws: ``NeuralNetError/unknownIdentifier(kind:name:)`` for any other string.
    public init(identifier: String) throws {
        switch identifier {
        case "zeros", "zero", "Zeros": self = .zeros
        case "ones", "one", "Ones": self = .ones
        case "constant", "Constant": self = .constant()
        case "random_normal", "normal", "RandomNormal": self = .randomNormal()
        case "random_uniform", "uniform", "RandomUniform": self = .randomUniform()
        case "truncated_normal", "TruncatedNormal": self = .truncatedNormal()
        case "glorot_uniform", "GlorotUniform": self = .glorotUniform()
        case "glorot_normal", "GlorotNormal": self = .glorotNormal()
        case "he_normal", "HeNormal": self = .heNormal()
        case "he_uniform", "HeUniform": self = .heUniform()
        case "lecun_normal", "LecunNormal": self = .lecunNormal()
        case "lecun_uniform", "LecunUniform": self = .lecunUniform()
        case "variance_scaling", "VarianceScaling": self = .varianceScaling()
        case "orthogonal", "Orthogonal": self = .orthogonal()
        case "identity", "Identity": self = .identity()
        default: throw NeuralNetError.unknownIdentifier(kind: "initializer", name: identifier)
        }
    }
}
