import Foundation
import Kernels

// A convolution slides a small kernel over an image and takes a dot product at every position.
// Written as loops that is seven of them nested; written as a matrix product it is one call to
// the fast kernel. im2col ("image to columns") copies the C·kH·kW input values that each output
// position sees (its receptive field) into one column of a matrix; the kernel's weights, flattened
// the same way, are the rows of another; one product gives every output of every channel:
//
//     out[o, (n, y, x)] = Σ_(c, i, j) W[o, (c, i, j)] · cols[(c, i, j), (n, y, x)]
//
// The backward pass is two more products with the same two matrices, and col2im, which adds each
// column back onto the pixels it was copied from: a pixel inside several receptive fields
// collects a gradient from each of them.
//
// im2col and col2im below are those definitions, readable and used to look at im2col's matrix.
// conv2d computes the same products without building the whole matrix: the kernels in
// Kernels/Convolution.swift copy one image's receptive fields at a time into a small matrix that
// stays in the cache, pack the backward pass's operands straight from the images, and read and
// write the images' own [N, C, H, W] layout, which saves several copies of the data per pass
// (the tests check that the results are the same to the bit).
//
// Pooling (max and average over a window) lives here too: it walks the same windows.

/// The sizes of a sliding-window operation (convolution or pooling) on a batch of images
/// [batch, channels, height, width]: where the windows are and how many there are.
struct ConvolutionGeometry: Equatable, Sendable {
  let batch: Int, channels: Int, height: Int, width: Int
  let kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int

  /// Output size: how many window positions fit, ⌊(H + 2·padding − kH) / stride⌋ + 1.
  var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
  var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
  /// Window positions per image and channel.
  var positions: Int { outputHeight * outputWidth }
  /// Values in one receptive field: the rows of the im2col matrix.
  var patchSize: Int { channels * kernelHeight * kernelWidth }
  /// Window positions in the whole batch: the columns of the im2col matrix.
  var columns: Int { batch * positions }

  /// Reads the geometry of `input` [N, C, H, W] for a `kernel` [kH, kW] window, stopping with a
  /// message that names `operation` and the shapes when the input is not a batch of images, the
  /// stride or padding is impossible, or the window does not fit.
  init(input shape: [Int], kernel: (height: Int, width: Int), stride: Int, padding: Int,
       operation: String) {
    if shape.count != 4 {
      fatalError("\(operation): input \(shape) must have 4 axes [batch, channels, height, " +
                 "width]; reshape a single image [C, H, W] to [1, C, H, W]")
    }
    if stride < 1 { fatalError("\(operation): stride \(stride) must be at least 1") }
    if padding < 0 { fatalError("\(operation): padding \(padding) must not be negative") }
    if kernel.height < 1 || kernel.width < 1 {
      fatalError("\(operation): the window \(kernel.height)×\(kernel.width) must be at least 1×1")
    }
    let (height, width) = (shape[2], shape[3])
    if height + 2 * padding < kernel.height || width + 2 * padding < kernel.width {
      fatalError("\(operation): the \(kernel.height)×\(kernel.width) window does not fit in the " +
                 "\(height)×\(width) image of input \(shape) with padding \(padding); use a " +
                 "smaller window, more padding, or fewer pooling steps before this layer")
    }
    self.batch = shape[0]
    self.channels = shape[1]
    self.height = height
    self.width = width
    self.kernelHeight = kernel.height
    self.kernelWidth = kernel.width
    self.stride = stride
    self.padding = padding
  }

  /// The same sizes for the convolution kernels, with `outputChannels` filters.
  func withOutputChannels(_ outputChannels: Int) -> ConvolutionShape {
    ConvolutionShape(batch: batch, channels: channels, height: height, width: width,
                     outputChannels: outputChannels, kernelHeight: kernelHeight,
                     kernelWidth: kernelWidth, stride: stride, padding: padding)
  }

  /// The output columns x (of `outputWidth`) whose input column x·stride + offset lies inside
  /// the image; the others read padding. Shared by im2col and col2im so they agree exactly.
  @inline(__always)
  func validOutputRange(offset: Int, size: Int, count: Int) -> Range<Int> {
    // x·s + offset ≥ 0  ⇔  x ≥ ⌈−offset / s⌉;   x·s + offset < size  ⇔  x < ⌈(size − offset) / s⌉
    let low = offset >= 0 ? 0 : min(count, (-offset + stride - 1) / stride)
    let high = size - offset <= 0 ? 0 : min(count, (size - offset + stride - 1) / stride)
    return low..<max(low, high)
  }
}

// MARK: - im2col and col2im

// snippet: im2col
/// Copies every receptive field of `image` [N, C, H, W] into a column of a
/// [C·kH·kW, N·outH·outW] matrix:
///
///     cols[(c, i, j), (n, y, x)] = image[n, c, y·stride + i − padding, x·stride + j − padding]
///
/// and 0 where the window hangs over the padding. Each row is filled by runs along x, which
/// read the image contiguously when the stride is 1.
func im2col(_ image: [Float], _ g: ConvolutionGeometry) -> [Float] {
  let (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
  let planeSize = g.height * g.width
  return [Float](unsafeUninitializedCapacity: g.patchSize * g.columns) { cols, initialized in
    image.withUnsafeBufferPointer { image in
      // Different images fill different columns, so the cores can share the batch (unsafe:
      // the compiler cannot see that the threads write disjoint parts of `cols`).
      nonisolated(unsafe) let (image, cols) = (image, cols)
      splitBatch(g.batch, work: g.patchSize * g.columns) { images in
        var row = 0
        for c in 0..<g.channels {
          for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
              let inside = g.validOutputRange(offset: j - g.padding, size: g.width,
                                              count: outputWidth)
              var out = row * g.columns + images.lowerBound * g.positions
              for n in images {
                let plane = (n * g.channels + c) * planeSize
                for y in 0..<outputHeight {
                  let imageRow = y * g.stride + i - g.padding
                  if imageRow < 0 || imageRow >= g.height {
                    for x in 0..<outputWidth { cols[out + x] = 0 }
                  } else {
                    let start = plane + imageRow * g.width + j - g.padding
                    for x in 0..<inside.lowerBound { cols[out + x] = 0 }
                    for x in inside { cols[out + x] = image[start + x * g.stride] }
                    for x in inside.upperBound..<outputWidth { cols[out + x] = 0 }
                  }
                  out += outputWidth
                }
              }
              row += 1
            }
          }
        }
      }
    }
    initialized = g.patchSize * g.columns
  }
}

/// The adjoint of `im2col`: adds every entry of `cols` [C·kH·kW, N·outH·outW] back onto the
/// pixel it was copied from, giving [N, C, H, W]. Entries that came from padding are dropped.
///
///     image[n, c, y·stride + i − padding, x·stride + j − padding] += cols[(c, i, j), (n, y, x)]
func col2im(_ cols: [Float], _ g: ConvolutionGeometry) -> [Float] {
  let (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
  let planeSize = g.height * g.width
  var image = [Float](repeating: 0, count: g.batch * g.channels * planeSize)
  cols.withUnsafeBufferPointer { cols in
    image.withUnsafeMutableBufferPointer { image in
      // Different images receive different pixels, so the cores can share the batch (unsafe:
      // the compiler cannot see that the threads write disjoint parts of `image`).
      nonisolated(unsafe) let (image, cols) = (image, cols)
      splitBatch(g.batch, work: g.patchSize * g.columns) { images in
        var row = 0
        for c in 0..<g.channels {
          for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
              let inside = g.validOutputRange(offset: j - g.padding, size: g.width,
                                              count: outputWidth)
              var from = row * g.columns + images.lowerBound * g.positions
              for n in images {
                let plane = (n * g.channels + c) * planeSize
                for y in 0..<outputHeight {
                  let imageRow = y * g.stride + i - g.padding
                  if imageRow >= 0 && imageRow < g.height {
                    let start = plane + imageRow * g.width + j - g.padding
                    for x in inside { image[start + x * g.stride] += cols[from + x] }
                  }
                  from += outputWidth
                }
              }
              row += 1
            }
          }
        }
      }
    }
  }
  return image
}
// end snippet

/// Runs `body` on ranges of images that together cover 0..<batch: on one range, or, when there
/// is `work` enough (elements touched) to pay for waking another core, on one range per core
/// at the same time. `body` must only touch its own images.
func splitBatch(_ batch: Int, work: Int, _ body: @Sendable (Range<Int>) -> Void) {
  let parts = work < 1 << 17 ? 1 : min(batch, engineCores)
  if parts <= 1 { return body(0..<batch) }
  DispatchQueue.concurrentPerform(iterations: parts) { part in
    body(batch * part / parts..<batch * (part + 1) / parts)
  }
}

/// im2col on a tensor, outside the graph, to look at: `image` [N, C, H, W] gives the
/// [C·kH·kW, N·outH·outW] matrix whose columns are the receptive fields a convolution multiplies
/// by its weights.
public func im2col(_ image: Tensor, kernelHeight: Int, kernelWidth: Int, stride: Int = 1,
                   padding: Int = 0) -> Tensor {
  let g = ConvolutionGeometry(input: image.shape, kernel: (kernelHeight, kernelWidth),
                              stride: stride, padding: padding, operation: "im2col")
  return Tensor(shape: [g.patchSize, g.columns], data: im2col(image.data, g))
}

// MARK: - Convolution

// snippet: conv2d
/// 2-D convolution (strictly, cross-correlation, as in every framework) of a batch of images
/// `input` [N, C, H, W] with `weight` [O, C, kH, kW] and an optional `bias` [O], giving
/// [N, O, outH, outW] with outH = ⌊(H + 2·padding − kH) / stride⌋ + 1 (likewise outW):
///
///     out[n, o, y, x] = bias[o] + Σ_(c, i, j) W[o, c, i, j] · in[n, c, y·s + i − p, x·s + j − p]
///
/// computed as the matrix product W [O, C·kH·kW] · im2col(input) [C·kH·kW, N·outH·outW], by
/// kernels that build im2col's matrix one image at a time instead of whole and keep the images'
/// layout (Kernels/Convolution.swift), with the same result to the bit.
/// Backward, with G the output gradient read as [O, N·outH·outW]:
/// ∂L/∂W = G · colsᵀ,  ∂L/∂cols = Wᵀ · G (then col2im),  ∂L/∂bias[o] = Σ G[o, ·].
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                   padding: Int = 0) -> Tensor {
  if weight.rank != 4 {
    fatalError("conv2d: weight \(weight.shape) must have 4 axes [outputChannels, " +
               "inputChannels, kernelHeight, kernelWidth]")
  }
  let g = ConvolutionGeometry(input: input.shape, kernel: (weight.shape[2], weight.shape[3]),
                              stride: stride, padding: padding, operation: "conv2d")
  let outputChannels = weight.shape[0]
  if weight.shape[1] != g.channels {
    fatalError("conv2d: input \(input.shape) has \(g.channels) channels but the weight " +
               "\(weight.shape) expects \(weight.shape[1]) (weight is [outputChannels, " +
               "inputChannels, kernelHeight, kernelWidth])")
  }
  if let bias, bias.shape != [outputChannels] {
    fatalError("conv2d: bias \(bias.shape) must be [\(outputChannels)], one value per output " +
               "channel of the weight \(weight.shape)")
  }
  let shape = g.withOutputChannels(outputChannels)

  // Forward: W · im2col(input), written straight into the [N, O, outH, outW] layout.
  let output = convolutionForward(input: input.data, weight: weight.data, bias: bias?.data,
                                  shape: shape)
  let value = Tensor(shape: [g.batch, outputChannels, g.outputHeight, g.outputWidth],
                     data: output)

  return .record(value, operation: "conv2d", inputs: [input, weight] + (bias.map { [$0] } ?? [])) {
    grad in
    var inputGradient: Tensor?, weightGradient: Tensor?, biasGradient: Tensor?
    if weight.requiresGrad {  // G · colsᵀ
      weightGradient = Tensor(shape: weight.shape, data: convolutionWeightGradient(
        input: input.data, outputGradient: grad.data, shape: shape))
    }
    if input.requiresGrad {  // col2im(Wᵀ · G), an image at a time
      inputGradient = Tensor(shape: input.shape, data: convolutionInputGradient(
        weight: weight.data, outputGradient: grad.data, shape: shape))
    }
    if let bias, bias.requiresGrad {  // each output channel's bias touched all N·P outputs
      biasGradient = Tensor(shape: bias.shape, data: convolutionBiasGradient(
        outputGradient: grad.data, shape: shape))
    }
    return [inputGradient, weightGradient] + (bias == nil ? [] : [biasGradient])
  }
}
// end snippet
