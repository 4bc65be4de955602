// Small helpers for the loops over raw float buffers that every kernel and operation shares.

/// `count` floats left unset, for a matrix product that overwrites every one of them
/// (accumulate: false): zeroing megabytes first would be wasted work.
public func uninitializedFloats(_ count: Int) -> [Float] {
  _ = allocatorTuned
  return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}

/// x[start] + … + x[start + count − 1], kept in eight running sums so that the additions run
/// eight at a time on SIMD registers (one running sum would wait on each previous addition).
@inlinable @inline(__always)
public func sumOfRun(_ x: UnsafeBufferPointer<Float>, start: Int, count: Int) -> Float {
  guard let base = x.baseAddress.map({ UnsafeRawPointer($0 + start) }) else { return 0 }
  var partial = SIMD8<Float>()
  var i = 0
  while i + 8 <= count {
    partial += base.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
    i += 8
  }
  var sum = partial.sum()
  while i < count { sum += x[start + i]; i += 1 }
  return sum
}

