import Foundation
import Kernels

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
  if kernelSize > 16 {
    fatalError("maxPool2d: a \(kernelSize)×\(kernelSize) window is larger than 16×16")
  }
  // The loops are in Kernels/Pooling.swift: for each window, its largest value, and the place
  // of that value in the window (i · kernelSize + j), where backward sends the gradient.
  let shape = PoolingShape(planes: g.batch * g.channels, height: g.height, width: g.width,
                           kernel: kernelSize, stride: g.stride)
  let (output, winners) = maxPoolForward(input: input.data, shape: shape)
  let value = Tensor(shape: [g.batch, g.channels, g.outputHeight, g.outputWidth], data: output)
  let inputShape = input.shape
  return .record(value, operation: "maxPool2d", inputs: [input]) { grad in
    [Tensor(shape: inputShape, data: maxPoolBackward(outputGradient: grad.data, winners: winners,
                                                     shape: shape))]
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
