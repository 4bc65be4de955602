import Foundation
import Kernels

// The Gaussian error linear unit, GPT-2's activation: x·Φ(x), a ReLU whose corner is smoothed by
// the normal distribution's CDF Φ. GPT-2 computes Φ with the tanh approximation below (PyTorch's
// `approximate="tanh"`), which is what a model trained as GPT-2 expects.

/// GELU in GPT-2's tanh form, with c = √(2/π) and a = 0.044715:
///
///     gelu(x) = ½·x·(1 + tanh u),   u = c·(x + a·x³)
///     d gelu/dx = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·c·(1 + 3a·x²)
///
/// Computed as x·σ(2u), the same number (½(1 + tanh u) = σ(2u), and 1 − tanh² u = 4σ(1 − σ)),
/// because σ costs one eˣ and one division where tanh needs more.
public func gelu(_ x: Tensor) -> Tensor {
  // One pass computes σ(2u) once for both the value and the slope (`elementwise` would compute
  // it twice), eight numbers at a time, on every core for a large tensor.
  let needsSlope = isGradientRecordingEnabled && x.requiresGrad
  var y = uninitializedFloats(x.count)
  var slope = uninitializedFloats(needsSlope ? x.count : 0)
  let (c, a) = (SIMD8<Float>(repeating: 0.797_884_56), SIMD8<Float>(repeating: 0.044_715))  // √(2/π)
  x.data.withUnsafeBufferPointer { xs in
    y.withUnsafeMutableBufferPointer { ys in
      slope.withUnsafeMutableBufferPointer { slopes in
        guard let xs = xs.baseAddress, let ys = ys.baseAddress else { return }
        // (An empty array may still have a base address: ask `needsSlope`, not the pointer.)
        let slopes = needsSlope ? slopes.baseAddress : nil
        let blocks = (x.count + 7) / 8
        splitRows(blocks, work: x.count * 4) { range in
          for block in range {
            let start = block * 8, lanes = Swift.min(8, x.count - start)
            let x = VectorMath.load8(xs + start, lanes: lanes)
            let x2 = x * x
            let s = VectorMath.sigmoid(2 * c * (x + a * x2 * x))           // σ(2u) = ½(1 + tanh u)
            VectorMath.store(x * s, to: ys + start, lanes: lanes)
            guard let slopes else { continue }
            let du = c * (1 + 3 * a * x2)                                   // du/dx
            VectorMath.store(s + 2 * x * s * (1 - s) * du, to: slopes + start, lanes: lanes)
          }
        }
      }
    }
  }
  return x.recordElementwise("gelu", value: y, slope: slope)
}

