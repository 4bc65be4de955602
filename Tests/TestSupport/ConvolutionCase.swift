import Testing

/// One convolution's shapes: input [batch, channels, height, width], weight
/// [outputs, channels, kernelHeight, kernelWidth], and the window's stride and padding.
public struct ConvolutionCase: Sendable, CustomTestStringConvertible {
  public let batch, channels, height, width, outputs, kernelHeight, kernelWidth, stride, padding: Int

  public var inputShape: [Int] { [batch, channels, height, width] }
  public var weightShape: [Int] { [outputs, channels, kernelHeight, kernelWidth] }
  public init(batch: Int, channels: Int, height: Int, width: Int, outputs: Int, kernelHeight: Int,
              kernelWidth: Int, stride: Int, padding: Int) {
    (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
    (self.outputs, self.kernelHeight, self.kernelWidth) = (outputs, kernelHeight, kernelWidth)
    (self.stride, self.padding) = (stride, padding)
  }

  public var testDescription: String {
    "\(inputShape) ⊛ \(weightShape), stride \(stride), padding \(padding)"
  }
}
