import Foundation
import Core

// The layers of a convolutional network: a convolution with learned kernels, and the poolings
// that shrink the image between convolutions. The operations are in Operations/Convolution.swift.

// snippet: conv2d-layer
/// A 2-D convolution layer: `outputChannels` learned kernelSize × kernelSize filters, each
/// looking at all `inputChannels` of a window, slid over the image by `stride`, with `padding`
/// zeros around the border (padding (k − 1)/2 with stride 1 keeps the image size).
/// Input [N, inputChannels, H, W] → output [N, outputChannels, outH, outW].
public final class Conv2D: Layer {
  /// The filters, [outputChannels, inputChannels, kernelSize, kernelSize].
  public let weight: Tensor
  /// One value per output channel, or nil.
  public let bias: Tensor?
  public let stride: Int, padding: Int
  public var isTraining = true
  public var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }

  /// Creates the layer with weights from `initialization` (He by default, for ReLU networks)
  /// and a zero bias. Each output sees C·k·k inputs, so the fan-in is C·k·k (and the fan-out
  /// O·k·k, as in PyTorch).
  public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1,
              padding: Int = 0, bias: Bool = true, initialization: Initialization = .he,
              using generator: inout RandomGenerator) {
    if inputChannels < 1 || outputChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0 {
      fatalError("Conv2D(inputChannels: \(inputChannels), outputChannels: \(outputChannels), " +
                 "kernelSize: \(kernelSize), stride: \(stride), padding: \(padding)): channels, " +
                 "kernel size and stride must be at least 1 and padding at least 0")
    }
    let window = kernelSize * kernelSize
    weight = initialization.weights([outputChannels, inputChannels, kernelSize, kernelSize],
                                    fanIn: inputChannels * window,
                                    fanOut: outputChannels * window, using: &generator)
    self.bias = bias ? Tensor.zeros([outputChannels], requiresGrad: true) : nil
    self.stride = stride
    self.padding = padding
  }

  public func callAsFunction(_ input: Tensor) -> Tensor {
    conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding)
  }
}
// end snippet

/// Pooling as a layer: one summary of each kernelSize × kernelSize window, windows `stride`
/// apart (by default kernelSize, so a 2 × 2 pool halves height and width). No parameters.
public class Pool2D: Layer {
  public let kernelSize: Int, stride: Int
  public var isTraining = true
  private let pool: (_ input: Tensor, _ kernelSize: Int, _ stride: Int?) -> Tensor

  init(kernelSize: Int, stride: Int?, pool: @escaping (Tensor, Int, Int?) -> Tensor) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.pool = pool
  }

  public func callAsFunction(_ input: Tensor) -> Tensor { pool(input, kernelSize, stride) }
}

/// Max pooling as a layer: the largest value of each window (`maxPool2d`).
public final class MaxPool2D: Pool2D {
  public init(kernelSize: Int, stride: Int? = nil) {
    super.init(kernelSize: kernelSize, stride: stride) { maxPool2d($0, kernelSize: $1, stride: $2) }
  }
}

/// Average pooling as a layer: the mean of each window (`avgPool2d`).
public final class AvgPool2D: Pool2D {
  public init(kernelSize: Int, stride: Int? = nil) {
    super.init(kernelSize: kernelSize, stride: stride) { avgPool2d($0, kernelSize: $1, stride: $2) }
  }
}

/// The mean of each channel over the whole image, [N, C, H, W] → [N, C]: one number per
/// feature map, so a classifier head no longer depends on the image size.
public final class GlobalAveragePool: Layer {
  public var isTraining = true
  public init() {}

  public func callAsFunction(_ input: Tensor) -> Tensor {
    if input.rank != 4 {
      fatalError("GlobalAveragePool: input \(input.shape) must have 4 axes [batch, channels, " +
                 "height, width]")
    }
    let (batch, channels) = (input.shape[0], input.shape[1])
    return input.reshaped([batch, channels, input.shape[2] * input.shape[3]]).mean(axis: -1)
  }
}
