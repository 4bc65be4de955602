// Max pooling's loops on raw buffers: the largest value of each window of each plane (a channel
// of an image), and the index of that value inside its window, which the backward pass routes
// the gradient to. Core/Operations/Pooling.swift says what they compute; these say how to walk
// memory fast. The common 2 × 2 window with stride 2 gets loops of its own, whose fixed shape
// the compiler unrolls and vectorises.

/// The sizes of a pooling over `planes` planes of height × width, with square windows of
/// `kernel` × `kernel` moved by `stride`.
public struct PoolingShape: Sendable {
  public let planes: Int, height: Int, width: Int, kernel: Int, stride: Int

  public init(planes: Int, height: Int, width: Int, kernel: Int, stride: Int) {
    (self.planes, self.height, self.width, self.kernel, self.stride) =
      (planes, height, width, kernel, stride)
  }

  public var outputHeight: Int { (height - kernel) / stride + 1 }
  public var outputWidth: Int { (width - kernel) / stride + 1 }
  public var outputCount: Int { planes * outputHeight * outputWidth }
}

/// output[plane, y, x] = the largest input of window (y, x), and winners[...] its place in the
/// window (i · kernel + j; the first one on a tie). Windows have at most 256 elements.
public func maxPoolForward(input: UnsafePointer<Float>, shape s: PoolingShape,
                           output: UnsafeMutablePointer<Float>,
                           winners: UnsafeMutablePointer<UInt8>) {
  let (outputHeight, outputWidth, planeSize) = (s.outputHeight, s.outputWidth, s.height * s.width)
  var out = 0
  for plane in 0..<s.planes {
    let origin = input + plane * planeSize
    for y in 0..<outputHeight {
      let top = origin + y * s.stride * s.width
      if s.kernel == 2 && s.stride == 2 {
        // Rows 2y and 2y + 1, windows side by side; the comparisons in the general loop's order.
        let (upper, lower) = (top, top + s.width)
        for x in 0..<outputWidth {
          var (largest, best) = (upper[2 * x], UInt8(0))
          if upper[2 * x + 1] > largest { (largest, best) = (upper[2 * x + 1], 1) }
          if lower[2 * x] > largest { (largest, best) = (lower[2 * x], 2) }
          if lower[2 * x + 1] > largest { (largest, best) = (lower[2 * x + 1], 3) }
          output[out + x] = largest
          winners[out + x] = best
        }
      } else {
        for x in 0..<outputWidth {
          let corner = top + x * s.stride
          var (largest, best) = (corner[0], 0)
          for i in 0..<s.kernel {
            for j in 0..<s.kernel {
              // Selects rather than branches: which element wins is as good as random, and a
              // mispredicted branch would cost more than the comparison.
              let value = corner[i * s.width + j], isLarger = value > largest
              largest = isLarger ? value : largest
              best = isLarger ? i * s.kernel + j : best
            }
          }
          output[out + x] = largest
          winners[out + x] = UInt8(truncatingIfNeeded: best)
        }
      }
      out += outputWidth
    }
  }
}

/// The input gradient of max pooling: each output's gradient added to its window's winner, zero
/// elsewhere.
public func maxPoolBackward(outputGradient: UnsafePointer<Float>,
                            winners: UnsafePointer<UInt8>, shape s: PoolingShape,
                            inputGradient: UnsafeMutablePointer<Float>) {
  let (outputHeight, outputWidth, planeSize) = (s.outputHeight, s.outputWidth, s.height * s.width)
  if s.kernel == 2 && s.stride == 2 {
    // Each input lies in at most one window: write every window's four gradients (0 + g for
    // the winner, as the sum below would give) and zero only what no window covers.
    var out = 0
    for plane in 0..<s.planes {
      let origin = inputGradient + plane * planeSize
      for y in 0..<outputHeight {
        let (upper, lower) = (origin + 2 * y * s.width, origin + (2 * y + 1) * s.width)
        for x in 0..<outputWidth {
          let (winner, g) = (winners[out + x], 0 + outputGradient[out + x])
          upper[2 * x] = winner == 0 ? g : 0
          upper[2 * x + 1] = winner == 1 ? g : 0
          lower[2 * x] = winner == 2 ? g : 0
          lower[2 * x + 1] = winner == 3 ? g : 0
        }
        if s.width > 2 * outputWidth {  // the last column of an odd width
          upper[s.width - 1] = 0
          lower[s.width - 1] = 0
        }
        out += outputWidth
      }
      // The last row of an odd height.
      (origin + 2 * outputHeight * s.width).update(repeating: 0,
                                                   count: planeSize - 2 * outputHeight * s.width)
    }
    return
  }
  inputGradient.update(repeating: 0, count: s.planes * planeSize)
  var out = 0
  for plane in 0..<s.planes {
    let origin = inputGradient + plane * planeSize
    for y in 0..<outputHeight {
      let top = origin + y * s.stride * s.width
      for x in 0..<outputWidth {
        let winner = Int(winners[out + x])
        let (i, j) = (winner / s.kernel, winner % s.kernel)
        top[x * s.stride + i * s.width + j] += outputGradient[out + x]
      }
      out += outputWidth
    }
  }
}

/// `maxPoolForward` on arrays: the pooled planes and each window's winner.
public func maxPoolForward(input: [Float], shape: PoolingShape) -> (output: [Float], winners: [UInt8]) {
  var output = uninitializedFloats(shape.outputCount)
  var winners = [UInt8](repeating: 0, count: shape.outputCount)
  input.withUnsafeBufferPointer { x in
    output.withUnsafeMutableBufferPointer { out in
      winners.withUnsafeMutableBufferPointer { winners in
        maxPoolForward(input: x.baseAddress!, shape: shape, output: out.baseAddress!,
                       winners: winners.baseAddress!)
      }
    }
  }
  return (output, winners)
}

/// `maxPoolBackward` on arrays: the input gradient [planes, height, width].
public func maxPoolBackward(outputGradient: [Float], winners: [UInt8], shape: PoolingShape) -> [Float] {
  var inputGradient = uninitializedFloats(shape.planes * shape.height * shape.width)
  outputGradient.withUnsafeBufferPointer { gradient in
    winners.withUnsafeBufferPointer { winners in
      inputGradient.withUnsafeMutableBufferPointer { dX in
        maxPoolBackward(outputGradient: gradient.baseAddress!, winners: winners.baseAddress!,
                        shape: shape, inputGradient: dX.baseAddress!)
      }
    }
  }
  return inputGradient
}
