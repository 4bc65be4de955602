import Foundation

/// A seeded pseudo-random generator of the engine's own (xoshiro256**, seeded through
/// SplitMix64), so that the same seed gives the same numbers on every machine and every Swift
/// version; `SystemRandomNumberGenerator` cannot be seeded and the standard library's own
/// algorithms (such as `shuffle`) may change between versions.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  /// A generator whose whole sequence is fixed by `seed`.
  public init(seed: UInt64) {
    var splitMix = seed
    func nextSplitMix() -> UInt64 {
      splitMix &+= 0x9E37_79B9_7F4A_7C15
      var z = splitMix
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
  }

  /// A generator seeded from a chapter's `--seed` value.
  public init(seed: Int) { self.init(seed: UInt64(bitPattern: Int64(seed))) }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotateLeft(state.1 &* 5, by: 7) &* 9
    let shifted = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= shifted
    state.3 = rotateLeft(state.3, by: 45)
    return result
  }

  private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform `Float` in [0, 1), from the top 24 bits (a Float's whole significand).
  public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

  /// A uniform `Float` in `range`.
  public mutating func nextFloat(in range: Range<Float>) -> Float {
    range.lowerBound + (range.upperBound - range.lowerBound) * nextFloat()
  }

  /// A uniform integer in 0..<bound, without the bias of a plain modulo (Lemire's method).
  public mutating func nextInt(below bound: Int) -> Int {
    if bound <= 0 { fatalError("RandomGenerator.nextInt(below: \(bound)): the bound must be positive") }
    let bound64 = UInt64(bound)
    var product = next().multipliedFullWidth(by: bound64)
    if product.low < bound64 {
      let threshold = (0 &- bound64) % bound64
      while product.low < threshold { product = next().multipliedFullWidth(by: bound64) }
    }
    return Int(product.high)
  }

  /// A sample of the standard normal distribution N(0, 1), by the Box–Muller transform computed
  /// in Double so that it rounds the same way everywhere.
  public mutating func nextNormal() -> Float {
    // 1 − u lies in (0, 1], so the logarithm is finite.
    let u1 = 1 - Double(next() >> 11) * 0x1p-53
    let u2 = Double(next() >> 11) * 0x1p-53
    return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
  }

  /// Shuffles `array` in place (Fisher–Yates), the same way for the same seed on every platform.
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      array.swapAt(i, nextInt(below: i + 1))
    }
  }

  /// The numbers 0..<count in a random order.
  public mutating func permutation(_ count: Int) -> [Int] {
    var indices = Array(0..<count)
    shuffle(&indices)
    return indices
  }
}
