import DeepLearning
import Foundation

// How the chapter measures: the machine's two roofs (peak arithmetic and memory bandwidth), and
// GFLOP/s; times are medians of several runs (`medianSeconds`, in ChapterSupport).

/// What a run costs on a 2-core machine: the roofs, the small products of 11.8 and the profile
/// of 11.9 (about two seconds), then each version of the n×n product timed as `medianSeconds`
/// times it (a warm-up, then 3 to 50 runs filling 0.6 s), at about the speed it reaches on such a
/// machine. The loops that ignore the cache slow down once the matrices outgrow it (n > 512).
func estimatedCost(size: Int) -> RunCost {
  let n = Double(size)
  let flops = 2 * n * n * n
  let outOfCache = n > 512 ? pow(512 / n, 1.5) : 1
  // GFLOP/s of versions 1–6 and of the engine on one core and on all.
  let speeds = [0.7 * outOfCache, 0.7, 8, 17, 30, 25, 34, 31]
  let timing = speeds.reduce(0.0) { total, speed in
    let once = flops / (speed * 1e9)
    return total + once * Double(1 + max(3, min(50, Int(0.6 / once))))
  }
  return RunCost(seconds: 2 + timing)
}

/// GFLOP/s of an m×k by k×n product that took `seconds`: 2·m·n·k operations (a multiply and an
/// add for every term of every sum).
func gflops(m: Int, n: Int, k: Int, seconds: Double) -> Double {
  2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
}

// snippet: peak-arithmetic
/// The arithmetic roof of one core: fused multiply-adds on twelve independent SIMD registers,
/// with no memory access at all. Twelve, because an FMA takes several cycles to finish and the
/// core starts up to two per cycle: fewer chains would leave it waiting on their own results.
func measurePeakGFLOPS() -> Double {
  let steps = 2_000_000
  var accumulators = [SIMD8<Float>](repeating: SIMD8(repeating: 1), count: 12)
  let x = SIMD8<Float>(repeating: 0.999_999), y = SIMD8<Float>(repeating: 1e-7)
  let seconds = medianSeconds(budget: 0.3) {
    var (r0, r1, r2, r3, r4, r5) = (accumulators[0], accumulators[1], accumulators[2],
                                    accumulators[3], accumulators[4], accumulators[5])
    var (r6, r7, r8, r9, r10, r11) = (accumulators[6], accumulators[7], accumulators[8],
                                      accumulators[9], accumulators[10], accumulators[11])
    for _ in 0..<steps {
      r0.addProduct(x, y); r1.addProduct(x, y); r2.addProduct(x, y); r3.addProduct(x, y)
      r4.addProduct(x, y); r5.addProduct(x, y); r6.addProduct(x, y); r7.addProduct(x, y)
      r8.addProduct(x, y); r9.addProduct(x, y); r10.addProduct(x, y); r11.addProduct(x, y)
    }
    accumulators = [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11]
  }
  if accumulators.reduce(.zero, +).sum() < 0 { print("") }  // keeps the loop from being skipped
  // 12 registers × 8 lanes × 2 operations (multiply and add) per step.
  return Double(steps * 12 * 8 * 2) / seconds / 1e9
}
// end snippet

/// The same roof for 16-wide vectors: the loop above on `SIMD16<Float>`, twice the numbers per
/// instruction. With AVX-512 each is one zmm register; without, the compiler splits each into two
/// 8-wide halves, and the roof stays where the 8-wide one is.
func measureWidePeakGFLOPS() -> Double {
  let steps = 1_000_000
  var accumulators = [SIMD16<Float>](repeating: SIMD16(repeating: 1), count: 12)
  let seconds = medianSeconds(budget: 0.3) {
    // (x and y made here, not captured: captured, the compiler split every 16-wide FMA of this
    // loop into two 8-wide ones.)
    let x = SIMD16<Float>(repeating: 0.999_999), y = SIMD16<Float>(repeating: 1e-7)
    var (r0, r1, r2, r3, r4, r5) = (accumulators[0], accumulators[1], accumulators[2],
                                    accumulators[3], accumulators[4], accumulators[5])
    var (r6, r7, r8, r9, r10, r11) = (accumulators[6], accumulators[7], accumulators[8],
                                      accumulators[9], accumulators[10], accumulators[11])
    for _ in 0..<steps {
      r0.addProduct(x, y); r1.addProduct(x, y); r2.addProduct(x, y); r3.addProduct(x, y)
      r4.addProduct(x, y); r5.addProduct(x, y); r6.addProduct(x, y); r7.addProduct(x, y)
      r8.addProduct(x, y); r9.addProduct(x, y); r10.addProduct(x, y); r11.addProduct(x, y)
    }
    accumulators = [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11]
  }
  if accumulators.reduce(.zero, +).sum() < 0 { print("") }  // keeps the loop from being skipped
  return Double(steps * 12 * 16 * 2) / seconds / 1e9
}

/// The memory roof: bytes per second read from main memory, summing a 128 MB array (four times
/// the largest cache here) with eight SIMD accumulators so that arithmetic is never the limit.
func measureMemoryGBPerSecond() -> Double {
  let count = 32 << 20  // 32 M floats = 128 MB
  let values = [Float](repeating: 1, count: count)
  var total: Float = 0
  let seconds = medianSeconds(budget: 0.5) {
    values.withUnsafeBufferPointer { values in
      let raw = UnsafeRawPointer(values.baseAddress!)
      var sums = [SIMD8<Float>](repeating: .zero, count: 4)
      var (s0, s1, s2, s3) = (sums[0], sums[1], sums[2], sums[3])
      for offset in stride(from: 0, to: count * 4, by: 128) {
        s0 += raw.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
        s1 += raw.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
        s2 += raw.loadUnaligned(fromByteOffset: offset + 64, as: SIMD8<Float>.self)
        s3 += raw.loadUnaligned(fromByteOffset: offset + 96, as: SIMD8<Float>.self)
      }
      sums = [s0, s1, s2, s3]
      total += sums.reduce(.zero, +).sum()
    }
  }
  if total < 0 { print(total) }  // uses the sum, so the compiler cannot skip the loop
  return Double(count * 4) / seconds / 1e9
}
