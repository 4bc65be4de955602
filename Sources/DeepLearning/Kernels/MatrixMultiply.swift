// Temporary placeholder; replaced by the blocked SIMD kernel.
import Foundation

public func naiveMatrixMultiply(m: Int, n: Int, k: Int,
                                a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                                b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
  for i in 0..<m {
    for j in 0..<n {
      var sum: Float = accumulate ? c[i * ldc + j] : 0
      for p in 0..<k { sum += a[i * aRowStride + p * aColStride] * b[p * bRowStride + j * bColStride] }
      c[i * ldc + j] = sum
    }
  }
}

public func matrixMultiply(m: Int, n: Int, k: Int,
                           a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int,
                           b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int,
                           accumulate: Bool,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
  naiveMatrixMultiply(m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColStride: aColStride,
                      b: b, bRowStride: bRowStride, bColStride: bColStride, c: c, ldc: ldc,
                      accumulate: accumulate)
}
