import Foundation
import Kernels

// Layer normalisation: every row (the features of one token) is shifted to mean 0 and scaled to
// variance 1, then given a learned scale γ and shift β per feature. A Transformer normalises
// before each attention and MLP so that the residual stream may grow without the inputs of
// those layers growing with it.
//
// Composed from mean, subtraction, multiplication, sqrt and division it would make about ten
// tensors and ten backward passes per call; fused, it reads each row from memory once forward
// and once backward, with the standard closed-form backward below, eight features at a time
// and the rows shared between the cores. The tests check it against the composed version and
// against central differences.

/// Layer normalisation over the last axis, as in PyTorch's `F.layer_norm`:
///
///     μ = mean(x),  σ² = mean((x − μ)²)      (per row, the biased variance)
///     x̂ = (x − μ) / √(σ² + ε),   y = x̂ ⊙ γ + β
///
/// Backward, with g the incoming gradient, n the row length and r = 1/√(σ² + ε):
///
///     ∂L/∂x̂ = g ⊙ γ
///     ∂L/∂x = r · (∂L/∂x̂ − mean(∂L/∂x̂) − x̂ · mean(∂L/∂x̂ ⊙ x̂))
///     ∂L/∂γ = Σ_rows g ⊙ x̂,   ∂L/∂β = Σ_rows g
///
/// - Parameters:
///   - weight: γ, one scale per feature: shape [features], the size of `x`'s last axis.
///   - bias: β, one shift per feature, or nil for none (nanoGPT's choice).
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor? = nil,
                      epsilon: Float = 1e-5) -> Tensor {
  let width = x.shape.last ?? 0
  if x.rank == 0 || width == 0 || weight.shape != [width] || (bias.map { $0.shape != [width] } ?? false) {
    fatalError("layerNorm: input \(x.shape), weight \(weight.shape), bias " +
               "\(bias.map { "\($0.shape)" } ?? "none"): weight and bias must be " +
               "[\(width)], the size of the input's last axis (which must not be empty)")
  }
  let rows = x.count / width
  let needsGradient = isGradientRecordingEnabled
    && (x.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
  var y = uninitializedFloats(x.count)
  // Kept for the backward pass: x̂ and each row's r = 1/√(σ² + ε).
  var normalized = uninitializedFloats(needsGradient ? x.count : 0)
  var reciprocalDeviations = uninitializedFloats(needsGradient ? rows : 0)
  let beta = bias?.data ?? [Float](repeating: 0, count: width)
  x.data.withUnsafeBufferPointer { x in
    weight.data.withUnsafeBufferPointer { gamma in
      beta.withUnsafeBufferPointer { beta in
        y.withUnsafeMutableBufferPointer { y in
          normalized.withUnsafeMutableBufferPointer { normalized in
            reciprocalDeviations.withUnsafeMutableBufferPointer { deviations in
              let (x, gamma, beta, y) = (x.baseAddress!, gamma.baseAddress!, beta.baseAddress!, y.baseAddress!)
              // Nil when not kept (an empty array may still have a base address).
              let (normalized, deviations) = needsGradient
                ? (normalized.baseAddress, deviations.baseAddress) : (nil, nil)
              // Rows side by side on the cores; within a row, eight features at a time.
              splitRows(rows, work: 3 * rows * width) { range in
                for row in range {
                  let (input, output) = (x + row * width, y + row * width)
                  var sum = SIMD8<Float>(), squares = SIMD8<Float>()
                  for i in stride(from: 0, to: width, by: 8) {
                    sum += VectorMath.load8(input + i, lanes: Swift.min(8, width - i))
                  }
                  let mean = sum.sum() / Float(width)
                  for i in stride(from: 0, to: width, by: 8) {
                    let lanes = Swift.min(8, width - i)
                    let centred = (VectorMath.load8(input + i, lanes: lanes) - mean)
                      .replacing(with: 0, where: .!leadingLanes(lanes))  // not the padding
                    squares += centred * centred
                  }
                  let r = 1 / (squares.sum() / Float(width) + epsilon).squareRoot()
                  for i in stride(from: 0, to: width, by: 8) {
                    let lanes = Swift.min(8, width - i)
                    let xHat = (VectorMath.load8(input + i, lanes: lanes) - mean) * r
                    let scaled = xHat * VectorMath.load8(gamma + i, lanes: lanes)
                    VectorMath.store(scaled + VectorMath.load8(beta + i, lanes: lanes),
                                     to: output + i, lanes: lanes)
                    if let normalized { VectorMath.store(xHat, to: normalized + row * width + i, lanes: lanes) }
                  }
                  deviations?[row] = r
                }
              }
            }
          }
        }
      }
    }
  }
  let value = Tensor(shape: x.shape, data: y)
  let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
  return .record(value, operation: "layerNorm", inputs: inputs) { grad in
    var dx = uninitializedFloats(x.requiresGrad ? x.count : 0)
    // ∂L/∂γ and ∂L/∂β sum over rows: each part of the rows sums its own, added up at the end.
    let parts = rowParts(rows, work: 4 * rows * width)
    var partialSums = [Float](repeating: 0, count: parts * 2 * width)  // per part: ∂γ, then ∂β
    grad.data.withUnsafeBufferPointer { g in
      weight.data.withUnsafeBufferPointer { gamma in
        normalized.withUnsafeBufferPointer { xHat in
          reciprocalDeviations.withUnsafeBufferPointer { deviations in
            dx.withUnsafeMutableBufferPointer { dx in
              partialSums.withUnsafeMutableBufferPointer { partialSums in
                let (g, gamma, xHat, deviations) = (g.baseAddress!, gamma.baseAddress!, xHat.baseAddress!,
                                                    deviations.baseAddress!)
                let (dx, partialSums) = (x.requiresGrad ? dx.baseAddress : nil, partialSums.baseAddress!)
                splitRows(rows, parts: parts) { part, range in
                  let dGamma = partialSums + part * 2 * width, dBeta = dGamma + width
                  for row in range {
                    let (g, xHat) = (g + row * width, xHat + row * width)
                    var sumDxHat = SIMD8<Float>(), sumDxHatXHat = SIMD8<Float>()
                    for i in stride(from: 0, to: width, by: 8) {
                      let lanes = Swift.min(8, width - i)
                      let (gi, xi) = (VectorMath.load8(g + i, lanes: lanes), VectorMath.load8(xHat + i, lanes: lanes))
                      let dxHat = gi * VectorMath.load8(gamma + i, lanes: lanes)  // 0 in the padding
                      sumDxHat += dxHat
                      sumDxHatXHat += dxHat * xi
                      VectorMath.store(VectorMath.load8(dGamma + i, lanes: lanes) + gi * xi, to: dGamma + i, lanes: lanes)
                      VectorMath.store(VectorMath.load8(dBeta + i, lanes: lanes) + gi, to: dBeta + i, lanes: lanes)
                    }
                    guard let dx else { continue }
                    let meanDxHat = sumDxHat.sum() / Float(width)
                    let meanDxHatXHat = sumDxHatXHat.sum() / Float(width)
                    let r = deviations[row]
                    for i in stride(from: 0, to: width, by: 8) {
                      let lanes = Swift.min(8, width - i)
                      let xi = VectorMath.load8(xHat + i, lanes: lanes)
                      let dxHat = VectorMath.load8(g + i, lanes: lanes) * VectorMath.load8(gamma + i, lanes: lanes)
                      VectorMath.store(r * (dxHat - meanDxHat - xi * meanDxHatXHat),
                                       to: dx + row * width + i, lanes: lanes)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    var dGamma = Array(partialSums[0..<width]), dBeta = Array(partialSums[width..<2 * width])
    for part in 1..<Swift.max(parts, 1) {
      for i in 0..<width {
        dGamma[i] += partialSums[part * 2 * width + i]
        dBeta[i] += partialSums[part * 2 * width + width + i]
      }
    }
    let gradients: [Tensor?] = [
      x.requiresGrad ? Tensor(shape: x.shape, data: dx) : nil,
      Tensor(shape: [width], data: dGamma),
      Tensor(shape: [width], data: dBeta),
    ]
    return Array(gradients.prefix(inputs.count))
  }
}

