import Foundation

// eˣ, σ and tanh a whole vector at a time, for elementwise operations on whole tensors.
//
// The C library's expf and tanhf compute one number per call (about 5 and 20 ns here); these
// compute 8 or 16 with SIMD in about the time of one, at an error below 1e-6 (the tests measure
// it), far under the noise of Float32 training.
//
// Each function is written once, for any vector width (`FloatVector`: SIMD4, SIMD8 or SIMD16 of
// Float). Every lane goes through the same operations whatever the width, so the 8-wide and
// 16-wide kernel paths give bit-identical results.
//
// Their bodies (`of`) are `@_transparent`, which makes the compiler paste them into every caller
// before it optimises. `@inline(__always)` should do the same, but measured on Swift 6.3 it left
// eˣ as a call inside σ and tanh once they were specialised for a vector width.

/// A vector of floats the vector functions are written for: `SIMD4<Float>`, `SIMD8<Float>` or
/// `SIMD16<Float>`, with `Bits` the integer vector of the same width (to build 2ⁿ bit by bit).
///
/// The operations are listed as requirements although `SIMD` has them all, because generic
/// code calls a protocol's own requirements through the conforming type's implementation: here
/// the standard library's `SIMD16<Float>` operators, one vector instruction each. Without them,
/// generic code gets `SIMD`'s lane-by-lane default implementations, which the compiler does not
/// always turn back into vector instructions: measured, tanh ran six times slower. (Internal to
/// Kernels: operators declared in a public protocol would be candidates in every arithmetic
/// expression of the modules that import it, and slow down their type checking.)
@usableFromInline
protocol FloatVector: SIMD where Scalar == Float {
  associatedtype Bits: Int32Vector
  static func + (a: Self, b: Self) -> Self
  static func - (a: Self, b: Self) -> Self
  static func * (a: Self, b: Self) -> Self
  static func / (a: Self, b: Self) -> Self
  static func + (a: Self, b: Float) -> Self
  static func - (a: Self, b: Float) -> Self
  static func * (a: Self, b: Float) -> Self
  static func + (a: Float, b: Self) -> Self
  static func - (a: Float, b: Self) -> Self
  static func * (a: Float, b: Self) -> Self
  static func / (a: Float, b: Self) -> Self
  static prefix func - (a: Self) -> Self
  static func .< (a: Self, b: Self) -> SIMDMask<MaskStorage>
  static func .> (a: Self, b: Self) -> SIMDMask<MaskStorage>
  static func .< (a: Self, b: Float) -> SIMDMask<MaskStorage>
  func replacing(with other: Self, where mask: SIMDMask<MaskStorage>) -> Self
}

/// The integer vector of a `FloatVector`, with the operations eˣ needs (see `FloatVector`).
@usableFromInline
protocol Int32Vector: SIMD where Scalar == Int32 {
  static func &+ (a: Self, b: Int32) -> Self
  static func &- (a: Self, b: Int32) -> Self
  static func &<< (a: Self, b: Int32) -> Self
}

extension SIMD4: FloatVector where Scalar == Float { @usableFromInline typealias Bits = SIMD4<Int32> }
extension SIMD8: FloatVector where Scalar == Float { @usableFromInline typealias Bits = SIMD8<Int32> }
extension SIMD16: FloatVector where Scalar == Float { @usableFromInline typealias Bits = SIMD16<Int32> }
extension SIMD4: Int32Vector where Scalar == Int32 {}
extension SIMD8: Int32Vector where Scalar == Int32 {}
extension SIMD16: Int32Vector where Scalar == Int32 {}

/// A function of one number computed a vector at a time, 8 or 16 numbers, such as
/// `VectorMath.exp`; the elementwise kernels apply it at the width of the kernel path.
public protocol VectorFunction {
  func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float>
  func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float>
}

/// Vectorised exponential, sigmoid and tanh.
public enum VectorMath {
  /// eˣ: `VectorMath.exp(x)` for a vector x of 8 or 16 floats.
  @inlinable public static var exp: Exponential { Exponential() }
  /// σ(x) = 1/(1 + e⁻ˣ).
  @inlinable public static var sigmoid: Sigmoid { Sigmoid() }
  /// tanh x.
  @inlinable public static var tanh: HyperbolicTangent { HyperbolicTangent() }

  /// eˣ = 2ⁿ · eʳ with n = round(x / ln 2) and r = x − n ln 2 in [−ln2/2, ln2/2], where a
  /// degree-6 polynomial (Cephes' expf) is accurate to Float32 precision; 2ⁿ is made by writing
  /// n + 127 into the exponent bits. x is clamped to [−87, 88], where eˣ is a normal Float.
  public struct Exponential: VectorFunction {
    @inlinable public init() {}
    @inlinable public func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Self.of(x) }
    @inlinable public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { Self.of(x) }

    /// eˣ at any width.
    @_transparent @usableFromInline
    static func of<V: FloatVector>(_ x: V) -> V {
      // (A select, because the standard library's `clamped` goes through scalar min and max.)
      let low = V(repeating: -87), high = V(repeating: 88)
      let x = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
      // Adding 1.5·2²³ rounds x/ln2 to an integer and leaves that integer in the low mantissa
      // bits.
      let magic: Float = 12_582_912
      let shifted = x * 1.442_695_04 + magic
      let n = shifted - magic
      let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4  // ln 2 in two parts, so r stays exact
      var p = V(repeating: 1.987_569_15e-4)
      p = p * r + 1.398_199_95e-3
      p = p * r + 8.333_451_9e-3
      p = p * r + 4.166_579_59e-2
      p = p * r + 0.166_666_655
      p = p * r + 0.500_000_01
      let er = p * r * r + r + 1
      let exponent = unsafeBitCast(shifted, to: V.Bits.self)
        &- Int32(bitPattern: magic.bitPattern)
      return er * unsafeBitCast((exponent &+ 127) &<< 23, to: V.self)
    }
  }

  /// σ(x) = 1/(1 + e⁻ˣ); e⁻ˣ is at most e⁸⁸, so the result is never NaN.
  public struct Sigmoid: VectorFunction {
    @inlinable public init() {}
    @inlinable public func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Self.of(x) }
    @inlinable public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { Self.of(x) }

    @_transparent @usableFromInline
    static func of<V: FloatVector>(_ x: V) -> V { 1 / (1 + Exponential.of(-x)) }
  }

  /// tanh x, to about one unit in the last place. Away from zero, tanh|x| = 1 − 2/(e^(2|x|) + 1),
  /// given x's sign; near zero that difference would cancel most digits away, so |x| < 0.625
  /// uses Cephes' odd polynomial x + x³·P(x²) instead.
  public struct HyperbolicTangent: VectorFunction {
    @inlinable public init() {}
    @inlinable public func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { Self.of(x) }
    @inlinable public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { Self.of(x) }

    @_transparent @usableFromInline
    static func of<V: FloatVector>(_ x: V) -> V {
      let negative = x .< 0
      let magnitude = x.replacing(with: -x, where: negative)
      let away = 1 - 2 / (Exponential.of(2 * magnitude) + 1)
      let z = x * x
      var p = V(repeating: -5.704_988_72e-3)
      p = p * z + 2.063_908_87e-2
      p = p * z - 5.373_971_55e-2
      p = p * z + 0.133_314_422
      p = p * z - 0.333_332_819
      let near = p * z * x + x
      return away.replacing(with: -away, where: negative)
        .replacing(with: near, where: magnitude .< 0.625)
    }
  }

  /// Applies `function` to `count` floats in place at the width of `path`.
  @inlinable
  public static func apply(_ function: some VectorFunction, to values: UnsafeMutablePointer<Float>,
                           count: Int, path: KernelPath = .preferred) {
    map(function, UnsafePointer(values), to: values, count: count, path: path)
  }

  /// output[i] = function(input[i]) for `count` floats (output may be input), at the width of
  /// `path`.
  @inlinable
  public static func map(_ function: some VectorFunction, _ input: UnsafePointer<Float>,
                         to output: UnsafeMutablePointer<Float>, count: Int,
                         path: KernelPath = .preferred) {
    switch path {
    case .simd8: map8(function, input, to: output, count: count)
    case .simd16: map16(function, input, to: output, count: count)
    }
  }

  /// `map` on 8-wide vectors. Not inlined into its callers, but specialised for each function:
  /// the compiler stops inlining into functions that have grown very large, and this keeps eˣ,
  /// σ and tanh inlined into this loop.
  @inlinable @inline(never)
  public static func map8<F: VectorFunction>(_ function: F, _ input: UnsafePointer<Float>,
                                             to output: UnsafeMutablePointer<Float>, count: Int) {
    var start = 0
    while start + 8 <= count {
      store(function(load(input + start) as SIMD8<Float>), to: output + start)
      start += 8
    }
    if start < count {
      let lanes = count - start
      store(function(load(input + start, lanes: lanes) as SIMD8<Float>), to: output + start,
            lanes: lanes)
    }
  }

  /// `map` on 16-wide vectors.
  @inlinable @inline(never)
  public static func map16<F: VectorFunction>(_ function: F, _ input: UnsafePointer<Float>,
                                              to output: UnsafeMutablePointer<Float>, count: Int) {
    var start = 0
    while start + 16 <= count {
      store(function(load(input + start) as SIMD16<Float>), to: output + start)
      start += 16
    }
    if start < count {
      let lanes = count - start
      store(function(load(input + start, lanes: lanes) as SIMD16<Float>), to: output + start,
            lanes: lanes)
    }
  }

  /// Loads `lanes` (at most the width) consecutive floats as a vector, zero-padded after them.
  @inlinable @inline(__always)
  public static func load<V: SIMD>(_ pointer: UnsafePointer<Float>,
                                   lanes: Int = V.scalarCount) -> V where V.Scalar == Float {
    if lanes == V.scalarCount { return UnsafeRawPointer(pointer).loadUnaligned(as: V.self) }
    var vector = V()
    for lane in 0..<lanes { vector[lane] = pointer[lane] }
    return vector
  }

  @inlinable @inline(__always)
  public static func load<V: SIMD>(_ pointer: UnsafeMutablePointer<Float>,
                                   lanes: Int = V.scalarCount) -> V where V.Scalar == Float {
    load(UnsafePointer(pointer), lanes: lanes)
  }

  /// `load` at eight lanes, for row loops written for one width (the Transformer's layer norm,
  /// GELU and attention softmax), where the width would otherwise have to be spelled at each call.
  @inlinable @inline(__always)
  public static func load8(_ pointer: UnsafePointer<Float>, lanes: Int = 8) -> SIMD8<Float> {
    load(pointer, lanes: lanes)
  }

  @inlinable @inline(__always)
  public static func load8(_ pointer: UnsafeMutablePointer<Float>, lanes: Int = 8) -> SIMD8<Float> {
    load(UnsafePointer(pointer), lanes: lanes)
  }

  /// Stores the first `lanes` (at most the width) floats of a vector.
  @inlinable @inline(__always)
  public static func store<V: SIMD>(_ vector: V, to pointer: UnsafeMutablePointer<Float>,
                                    lanes: Int = V.scalarCount) where V.Scalar == Float {
    if lanes == V.scalarCount {
      UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: V.self)
      return
    }
    for lane in 0..<lanes { pointer[lane] = vector[lane] }
  }
}
