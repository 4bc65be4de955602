// Small helpers for the loops over raw float buffers that every kernel and operation shares.

/// `count` floats left unset, for a matrix product that overwrites every one of them
/// (accumulate: false): zeroing megabytes first would be wasted work.
public func uninitializedFloats(_ count: Int) -> [Float] {
  _ = allocatorTuned
  return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}

/// x[start] + … + x[start + count − 1], kept in 64 running sums so that the additions run a
/// whole vector at a time, four vectors side by side (one running sum would wait on each
/// previous addition, four cycles each).
///
/// The order of the additions is fixed whatever the vector width: running sum r adds the elements
/// r, r + 64, r + 128, …; the 64 sums are then added in the same tree on both kernel paths (as four
/// 16-wide vectors, or eight 8-wide ones, lane by lane). So the 8-wide and 16-wide paths give
/// bit-identical sums.
@inlinable
public func sumOfRun(_ x: UnsafeBufferPointer<Float>, start: Int, count: Int,
                     path: KernelPath = .preferred) -> Float {
  guard let base = x.baseAddress.map({ UnsafeRawPointer($0 + start) }) else { return 0 }
  switch path {
  case .simd8: return sumOfRun8(base, count: count)
  case .simd16: return sumOfRun16(base, count: count)
  }
}

/// `sumOfRun` on 16-wide vectors: four of them hold the 64 running sums.
@inlinable @inline(__always)
public func sumOfRun16(_ base: UnsafeRawPointer, count: Int) -> Float {
  func load(_ i: Int) -> SIMD16<Float> { base.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) }
  var (s0, s1, s2, s3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
  var i = 0
  while i + 64 <= count {
    s0 += load(i); s1 += load(i + 16); s2 += load(i + 32); s3 += load(i + 48)
    i += 64
  }
  // Whole vectors left over go to the first running sums, a scalar tail to the total.
  if i + 16 <= count { s0 += load(i); i += 16 }
  if i + 16 <= count { s1 += load(i); i += 16 }
  if i + 16 <= count { s2 += load(i); i += 16 }
  let s = (s0 + s1) + (s2 + s3)
  var sum = reduceLanes(s.lowHalf + s.highHalf)
  while i < count { sum += base.load(fromByteOffset: i * 4, as: Float.self); i += 1 }
  return sum
}

/// `sumOfRun` on 8-wide vectors: eight of them hold the same 64 running sums, each 16-wide vector
/// of the 16-wide version as a low (l) and a high (h) half.
@inlinable @inline(__always)
public func sumOfRun8(_ base: UnsafeRawPointer, count: Int) -> Float {
  func load(_ i: Int) -> SIMD8<Float> { base.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) }
  var (s0l, s0h, s1l, s1h) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var (s2l, s2h, s3l, s3h) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
  var i = 0
  while i + 64 <= count {
    s0l += load(i); s0h += load(i + 8); s1l += load(i + 16); s1h += load(i + 24)
    s2l += load(i + 32); s2h += load(i + 40); s3l += load(i + 48); s3h += load(i + 56)
    i += 64
  }
  if i + 16 <= count { s0l += load(i); s0h += load(i + 8); i += 16 }
  if i + 16 <= count { s1l += load(i); s1h += load(i + 8); i += 16 }
  if i + 16 <= count { s2l += load(i); s2h += load(i + 8); i += 16 }
  let low = (s0l + s1l) + (s2l + s3l), high = (s0h + s1h) + (s2h + s3h)
  var sum = reduceLanes(low + high)
  while i < count { sum += base.load(fromByteOffset: i * 4, as: Float.self); i += 1 }
  return sum
}

/// The sum of eight lanes as a tree, halves first: the same order on every path.
@inlinable @inline(__always)
public func reduceLanes(_ v: SIMD8<Float>) -> Float {
  let four = v.lowHalf + v.highHalf
  let two = four.lowHalf + four.highHalf
  return two[0] + two[1]
}
