import Foundation

// MARK: - Pooling

/// Calls `body(output, corner)` for every window of a pooling over `g`, in output order;
/// `corner` is the flat index of the window's top-left input element.
@inline(__always)
func forEachPoolingWindow(_ g: ConvolutionGeometry, _ body: (_ output: Int, _ corner: Int) -> Void) {
  let planeSize = g.height * g.width
  var output = 0
  for plane in 0..<g.batch * g.channels {
    for y in 0..<g.outputHeight {
      for x in 0..<g.outputWidth {
        body(output, plane * planeSize + (y * g.width + x) * g.stride)
        output += 1
      }
    }
  }
}

// snippet: pooling
/// Max pooling: the largest value in each kernelSize × kernelSize window, moved by `stride`
/// (by default the window size, so windows do not overlap), on every channel of
/// `input` [N, C, H, W]. The gradient flows only to each window's maximum (the first one on a
/// tie), because nudging the others does not change the output.
public func maxPool2d(_ input: Tensor, kernelSize: Int, stride: Int? = nil) -> Tensor {
  let g = ConvolutionGeometry(input: input.shape, kernel: (kernelSize, kernelSize),
                              stride: stride ?? kernelSize, padding: 0, operation: "maxPool2d")
  let count = g.batch * g.channels * g.positions
  var output = [Float](repeating: 0, count: count)
  var winners = [Int](repeating: 0, count: count)  // the flat input index of each maximum
  input.data.withUnsafeBufferPointer { x in
    output.withUnsafeMutableBufferPointer { output in
      winners.withUnsafeMutableBufferPointer { winners in
        forEachPoolingWindow(g) { out, corner in
          var best = corner, largest = x[corner]
          for i in 0..<kernelSize {
            let row = corner + i * g.width
            for j in 0..<kernelSize {
              // Selects rather than branches: which element wins is as good as random, and a
              // mispredicted branch would cost more than the comparison.
              let value = x[row + j], isLarger = value > largest
              largest = isLarger ? value : largest
              best = isLarger ? row + j : best
            }
          }
          output[out] = largest
          winners[out] = best
        }
      }
    }
  }
  let value = Tensor(shape: [g.batch, g.channels, g.outputHeight, g.outputWidth], data: output)
  let shape = input.shape
  return .record(value, operation: "maxPool2d", inputs: [input]) { grad in
    var routed = [Float](repeating: 0, count: shape.product)
    grad.data.withUnsafeBufferPointer { gradient in
      routed.withUnsafeMutableBufferPointer { routed in
        for out in 0..<count { routed[winners[out]] += gradient[out] }
      }
    }
    return [Tensor(shape: shape, data: routed)]
  }
}

/// Average pooling: the mean of each kernelSize × kernelSize window, moved by `stride` (by
/// default the window size). Every input of a window receives 1/k² of that window's gradient.
public func avgPool2d(_ input: Tensor, kernelSize: Int, stride: Int? = nil) -> Tensor {
  let g = ConvolutionGeometry(input: input.shape, kernel: (kernelSize, kernelSize),
                              stride: stride ?? kernelSize, padding: 0, operation: "avgPool2d")
  let scale = 1 / Float(kernelSize * kernelSize)
  var output = [Float](repeating: 0, count: g.batch * g.channels * g.positions)
  input.data.withUnsafeBufferPointer { x in
    output.withUnsafeMutableBufferPointer { output in
      forEachPoolingWindow(g) { out, corner in
        var sum: Float = 0
        for i in 0..<kernelSize {
          for j in 0..<kernelSize { sum += x[corner + i * g.width + j] }
        }
        output[out] = sum * scale
      }
    }
  }
  let value = Tensor(shape: [g.batch, g.channels, g.outputHeight, g.outputWidth], data: output)
  let shape = input.shape
  return .record(value, operation: "avgPool2d", inputs: [input]) { grad in
    var spread = [Float](repeating: 0, count: shape.product)
    grad.data.withUnsafeBufferPointer { gradient in
      spread.withUnsafeMutableBufferPointer { spread in
        forEachPoolingWindow(g) { out, corner in
          let share = gradient[out] * scale
          for i in 0..<kernelSize {
            for j in 0..<kernelSize { spread[corner + i * g.width + j] += share }
          }
        }
      }
    }
    return [Tensor(shape: shape, data: spread)]
  }
}
// end snippet
