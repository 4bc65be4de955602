import Foundation

// eˣ, σ and tanh eight numbers at a time, for elementwise operations on whole tensors.
//
// The C library's expf and tanhf compute one number per call (about 5 and 20 ns here); these
// compute eight with SIMD in about the time of one, at an error below 1e-6 (the tests measure
// it), far under the noise of Float32 training.

/// Vectorised exponential, sigmoid and tanh on `SIMD8<Float>`.
public enum VectorMath {
  /// eˣ for eight numbers: eˣ = 2ⁿ · eʳ with n = round(x / ln 2) and r = x − n ln 2 in
  /// [−ln2/2, ln2/2], where a degree-6 polynomial (Cephes' expf) is accurate to Float32
  /// precision; 2ⁿ is made by writing n + 127 into the exponent bits. x is clamped to [−87, 88],
  /// where eˣ is a normal Float.
  @inlinable @inline(__always)
  public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // (A select, because the standard library's `clamped` goes through scalar min and max.)
    let low = SIMD8<Float>(repeating: -87), high = SIMD8<Float>(repeating: 88)
    let x = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    // Adding 1.5·2²³ rounds x/ln2 to an integer and leaves that integer in the low mantissa bits.
    let magic: Float = 12_582_912
    let shifted = x * 1.442_695_04 + magic
    let n = shifted - magic
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4  // ln 2 in two parts, so r stays exact
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 0.166_666_655
    p = p * r + 0.500_000_01
    let er = p * r * r + r + 1
    let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
    return er * unsafeBitCast((exponent &+ 127) &<< 23, to: SIMD8<Float>.self)
  }

  /// σ(x) = 1/(1 + e⁻ˣ) for eight numbers; e⁻ˣ is at most e⁸⁸, so the result is never NaN.
  @inlinable @inline(__always)
  public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + exp(-x)) }

  /// tanh x for eight numbers, to about one unit in the last place. Away from zero,
  /// tanh|x| = 1 − 2/(e^(2|x|) + 1), given x's sign; near zero that difference would cancel
  /// most digits away, so |x| < 0.625 uses Cephes' odd polynomial x + x³·P(x²) instead.
  @inlinable @inline(__always)
  public static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let negative = x .< 0
    let magnitude = x.replacing(with: -x, where: negative)
    let away = 1 - 2 / (exp(2 * magnitude) + 1)
    let z = x * x
    var p = SIMD8<Float>(repeating: -5.704_988_72e-3)
    p = p * z + 2.063_908_87e-2
    p = p * z - 5.373_971_55e-2
    p = p * z + 0.133_314_422
    p = p * z - 0.333_332_819
    let near = p * z * x + x
    return away.replacing(with: -away, where: negative)
      .replacing(with: near, where: magnitude .< 0.625)
  }

  /// Applies `function` to `count` floats in place, eight at a time.
  @inlinable @inline(__always)
  public static func apply(_ function: (SIMD8<Float>) -> SIMD8<Float>,
                    to values: UnsafeMutablePointer<Float>, count: Int) {
    for start in stride(from: 0, to: count, by: 8) {
      let lanes = min(8, count - start)
      store(function(load(values + start, lanes: lanes)), to: values + start, lanes: lanes)
    }
  }

  /// Loads `lanes` (at most 8) consecutive floats as a vector, zero-padded when fewer than 8.
  @inlinable @inline(__always)
  public static func load(_ pointer: UnsafePointer<Float>, lanes: Int = 8) -> SIMD8<Float> {
    if lanes == 8 { return UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self) }
    var vector = SIMD8<Float>()
    for lane in 0..<lanes { vector[lane] = pointer[lane] }
    return vector
  }

  @inlinable @inline(__always)
  public static func load(_ pointer: UnsafeMutablePointer<Float>, lanes: Int = 8) -> SIMD8<Float> {
    load(UnsafePointer(pointer), lanes: lanes)
  }

  /// Stores the first `lanes` (at most 8) floats of a vector.
  @inlinable @inline(__always)
  public static func store(_ vector: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>,
                    lanes: Int = 8) {
    if lanes == 8 {
      UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
      return
    }
    for lane in 0..<lanes { pointer[lane] = vector[lane] }
  }
}
