#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin names for the C math functions, so the rest of the module does not depend on Foundation.
@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) func _exp(_ x: Float) -> Float { expf(x) }
@inline(__always) func _log1p(_ x: Float) -> Float { log1pf(x) }
@inline(__always) func _tanh(_ x: Float) -> Float { tanhf(x) }
@inline(__always) func _erf(_ x: Float) -> Float { erff(x) }
@inline(__always) func _expm1(_ x: Float) -> Float { expm1f(x) }
