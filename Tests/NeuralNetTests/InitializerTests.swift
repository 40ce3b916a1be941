import Testing
@testable import NeuralNet

@Suite struct InitializerTests {
    /// Expected statistics of a random initializer: bounds and standard deviation of the samples.
    struct Case: CustomTestStringConvertible, Sendable {
        let initializer: Initializer
        let shape: [Int]
        let bound: Double
        let stddev: Double
        var testDescription: String { "\(initializer.name) \(shape)" }
    }

    static let truncation = 0.87962566103423978
    static let cases: [Case] = [
        Case(initializer: .glorotUniform(), shape: [500, 300], bound: (6.0 / 800).squareRoot(), stddev: (2.0 / 800).squareRoot()),
        Case(initializer: .glorotNormal(), shape: [500, 300], bound: 2 * (2.0 / 800).squareRoot() / truncation, stddev: (2.0 / 800).squareRoot()),
        Case(initializer: .heNormal(), shape: [400, 300], bound: 2 * (2.0 / 400).squareRoot() / truncation, stddev: (2.0 / 400).squareRoot()),
        Case(initializer: .heUniform(), shape: [400, 300], bound: (6.0 / 400).squareRoot(), stddev: (2.0 / 400).squareRoot()),
        Case(initializer: .lecunNormal(), shape: [400, 300], bound: 2 * (1.0 / 400).squareRoot() / truncation, stddev: (1.0 / 400).squareRoot()),
        Case(initializer: .lecunUniform(), shape: [400, 300], bound: (3.0 / 400).squareRoot(), stddev: (1.0 / 400).squareRoot()),
        Case(initializer: .randomNormal(), shape: [400, 300], bound: .infinity, stddev: 0.05),
        Case(initializer: .randomUniform(), shape: [400, 300], bound: 0.05, stddev: 0.1 / 12.0.squareRoot()),
        Case(initializer: .truncatedNormal(), shape: [400, 300], bound: 0.1, stddev: 0.05 * truncation),
        Case(initializer: .varianceScaling(), shape: [400, 300], bound: 2 * (1.0 / 400).squareRoot() / truncation, stddev: (1.0 / 400).squareRoot()),
        Case(initializer: .varianceScaling(scale: 3, mode: .fanOut, distribution: .uniform), shape: [100, 600],
             bound: (9.0 / 600).squareRoot(), stddev: (3.0 / 600).squareRoot()),
        Case(initializer: .varianceScaling(scale: 2, mode: .fanAvg, distribution: .untruncatedNormal), shape: [300, 500],
             bound: .infinity, stddev: (2.0 / 400).squareRoot()),
        // Rank 4 (a conv kernel 3×3×16×32): fan_in = 3·3·16 = 144, fan_out = 3·3·32 = 288.
        Case(initializer: .glorotUniform(), shape: [3, 3, 16, 32], bound: (6.0 / 432).squareRoot(), stddev: (2.0 / 432).squareRoot()),
    ]

    @Test(arguments: cases)
    func randomInitializerMatchesItsFormula(_ c: Case) {
        let values = c.initializer(c.shape).scalars
        #expect(values.count == c.shape.reduce(1, *))
        #expect(values.allSatisfy { abs(Double($0)) <= c.bound * (1 + 1e-6) })
        let (mean, variance) = moments(values)
        #expect(abs(mean) < 0.05 * c.stddev + 1e-4, "mean \(mean)")
        #expect(abs(variance.squareRoot() / c.stddev - 1) < 0.02, "std \(variance.squareRoot()) vs \(c.stddev)")
        if c.bound.isFinite {
            // Uniform and truncated samples reach close to their bound.
            #expect(values.map { abs(Double($0)) }.max()! > 0.97 * c.bound)
        }
    }

    @Test func seededInitializersRepeatAndUnseededOnesDoNot() {
        let seeded = Initializer.heNormal(seed: 42)
        #expect(seeded([30, 20]) == seeded([30, 20]))
        #expect(Initializer.heNormal(seed: 42)([30, 20]) == seeded([30, 20]))
        let unseeded = Initializer.heNormal()
        #expect(unseeded([30, 20]) != unseeded([30, 20]))
        setRandomSeed(123)
        let first = unseeded([30, 20])
        setRandomSeed(123)
        #expect(unseeded([30, 20]) == first)
    }

    @Test func constantInitializers() {
        #expect(Initializer.zeros([2, 3]).scalars == Array(repeating: 0, count: 6))
        #expect(Initializer.ones([4]).scalars == [1, 1, 1, 1])
        #expect(Initializer.constant(0.5)([2]).scalars == [0.5, 0.5])
        #expect(Initializer.constant()([2]).scalars == [0, 0])
        #expect(Initializer.ones([2], dtype: .float64).dtype == .float64)
    }

    @Test func identityIsAScaledRectangularEye() {
        #expect(Initializer.identity()([2, 3]).scalars == [1, 0, 0, 0, 1, 0])
        #expect(Initializer.identity(gain: 2)([3, 2]).scalars == [2, 0, 0, 2, 0, 0])
    }

    @Test func identityNeedsAMatrix() async {
        await #expect(processExitsWith: .failure) { _ = Initializer.identity()([4]) }
    }

    @Test(arguments: [[64, 16], [16, 64], [4, 4, 8, 32], [50, 50]])
    func orthogonalGivesOrthonormalRowsOrColumns(_ shape: [Int]) {
        let gain: Float = 1.5
        let q = Initializer.orthogonal(gain: gain, seed: 7)(shape).scalars
        let rows = shape.dropLast().reduce(1, *), cols = shape.last!
        // Gram matrix of the shorter side's vectors must be gain² · I.
        let vectors = min(rows, cols), length = max(rows, cols)
        func element(_ v: Int, _ i: Int) -> Double {
            Double(rows >= cols ? q[i * cols + v] : q[v * cols + i])
        }
        for a in 0..<vectors {
            for b in 0..<vectors {
                let dot = (0..<length).reduce(0.0) { $0 + element(a, $1) * element(b, $1) }
                #expect(abs(dot - (a == b ? Double(gain * gain) : 0)) < 1e-4)
            }
        }
    }

    @Test func customClosureReceivesShapeAndDType() {
        let myInit = Initializer.custom(name: "my_init") { shape, dtype in .randomNormal(shape, dtype: dtype, seed: 1) }
        let t = myInit([10, 64], dtype: .float64)
        #expect(t.shape == [10, 64] && t.dtype == .float64)
        let (mean, variance) = moments(t.scalars)
        #expect(abs(mean) < 0.05 && abs(variance - 1) < 0.1)
    }

    @Test(arguments: [("zeros", "zeros"), ("zero", "zeros"), ("Ones", "ones"), ("normal", "random_normal"),
                      ("uniform", "random_uniform"), ("GlorotUniform", "glorot_uniform"), ("he_normal", "he_normal"),
                      ("truncated_normal", "truncated_normal"), ("variance_scaling", "variance_scaling"),
                      ("Orthogonal", "orthogonal"), ("identity", "identity"), ("lecun_uniform", "lecun_uniform")])
    func identifiersResolveToKerasInitializers(_ identifier: String, _ name: String) throws {
        #expect(try Initializer(identifier: identifier).name == name)
    }

    @Test func unknownIdentifierThrows() {
        #expect(throws: NeuralNetError.unknownIdentifier(kind: "initializer", name: "glorot")) {
            try Initializer(identifier: "glorot")
        }
    }

    @Test func fansFollowKerasComputeFans() {
        #expect(computeFans([]) == (1, 1))
        #expect(computeFans([7]) == (7, 7))
        #expect(computeFans([3, 5]) == (3, 5))
        #expect(computeFans([2, 3, 4, 5]) == (24, 30))
    }
}
