import DeepLearning
import Foundation

// Printing small matrices, describing and timing layers, and drawing what a CNN learned: the
// chapter's helpers, kept out of main.swift so that it reads as the chapter's story.

/// What a run costs on a 2-core machine: about two seconds for sections 7.2–7.5, and per epoch
/// the two MLPs of 7.1 and the CNN of 7.6, each over 4,500 training and 500 validation images.
func estimatedCost(epochs: Int) -> RunCost {
  RunCost(seconds: 2.4 + 1.6 * Double(epochs))
}

// MARK: - Shuffled pixels

/// Every image of `images` [N, P] with its pixels reordered by `permutation`:
/// out[n, k] = images[n, permutation[k]]. The same permutation for every image.
func shufflePixels(_ images: Tensor, by permutation: [Int]) -> Tensor {
  let width = images.shape.last ?? 0
  if images.rank != 2 || permutation.count != width || Set(permutation) != Set(0..<width) {
    fatalError("shufflePixels: images \(images.shape) must be [N, \(permutation.count)] and the " +
               "permutation must hold every index 0..<\(width) once")
  }
  var out = [Float](repeating: 0, count: images.count)
  images.data.withUnsafeBufferPointer { pixels in
    for n in 0..<images.shape[0] {
      for (k, source) in permutation.enumerated() { out[n * width + k] = pixels[n * width + source] }
    }
  }
  return Tensor(shape: images.shape, data: out)
}

// MARK: - Small matrices in the terminal

/// The rows of `matrix` as right-aligned text, `decimals` digits after the point, a minus sign
/// only where a value is below zero.
func matrixLines(_ matrix: [[Float]], decimals: Int = 0) -> [String] {
  let cells = matrix.map { $0.map { format($0, decimals: decimals) } }
  let width = cells.flatMap { $0 }.map(\.count).max() ?? 0
  return cells.map { row in
    row.map { String(repeating: " ", count: width - $0.count) + $0 }.joined(separator: " ")
  }
}

/// Prints blocks of text next to each other, each under its title, so an input, a kernel and
/// an output can be read across.
func printSideBySide(_ blocks: [(title: String, lines: [String])], gap: Int = 4) {
  let widths = blocks.map { block in max(block.title.count, block.lines.map(\.count).max() ?? 0) }
  let height = blocks.map { $0.lines.count }.max() ?? 0
  for row in -1..<height {
    var line = ""
    for (block, width) in zip(blocks, widths) {
      let text = row < 0 ? block.title : (row < block.lines.count ? block.lines[row] : "")
      line += text + String(repeating: " ", count: width - text.count + gap)
    }
    while line.last == " " { line.removeLast() }
    print(line)
  }
}

/// The 2-D array of a rows × columns block of `tensor`'s values starting at `offset`.
func grid(_ tensor: Tensor, rows: Int, columns: Int, offset: Int = 0) -> [[Float]] {
  (0..<rows).map { r in Array(tensor.data[offset + r * columns..<offset + (r + 1) * columns]) }
}

// MARK: - Layers

/// A layer's name with its settings, such as `Conv2D 1→16, 3×3, padding 1`.
func describe(_ layer: any Layer) -> String {
  switch layer {
  case let conv as Conv2D:
    let (o, c, k) = (conv.weight.shape[0], conv.weight.shape[1], conv.weight.shape[2])
    return "Conv2D \(c)→\(o), \(k)×\(k), padding \(conv.padding)"
  case let pool as MaxPool2D: return "MaxPool2D \(pool.kernelSize)×\(pool.kernelSize)"
  case let linear as Linear: return "Linear \(linear.weight.shape[0])→\(linear.weight.shape[1])"
  default: return String(describing: type(of: layer))
  }
}

/// The output of every layer of `model` for `input`, in order, without recording a graph.
func layerOutputs(_ model: Sequential, _ input: Tensor) -> [Tensor] {
  withoutGradients {
    var outputs: [Tensor] = []
    var x = input
    for layer in model.layers {
      x = layer(x)
      outputs.append(x)
    }
    return outputs
  }
}

/// The milliseconds one call of `layer` on `input` spends in conv2d, forward and backward (the
/// gradients of the weights, the bias, and of the input when it requires one), averaged over
/// `runs` after one warm-up run.
func convolutionMilliseconds(_ layer: Conv2D, input: Tensor, runs: Int = 5)
  -> (forward: Double, backward: Double) {
  layer(input).sum().backward()  // warm-up: the first call pays for allocating memory
  let (_, profiler) = profile {
    for _ in 0..<runs { layer(input).sum().backward() }
  }
  layer.zeroGrad()
  return ((profiler.forward["conv2d"]?.seconds ?? 0) * 1000 / Double(runs),
          (profiler.backward["conv2d"]?.seconds ?? 0) * 1000 / Double(runs))
}

/// Profiles `runs` training steps of `model` (forward, cross-entropy, backward, Adam) on one
/// mini-batch, after one warm-up step.
func profileTrainingStep(_ model: Sequential, inputs: Tensor, labels: [Int], runs: Int) -> Profiler {
  let optimizer = Adam(model.parameters, learningRate: 0.001)
  func step() {
    let loss = crossEntropy(logits: model(inputs), labels: labels)
    optimizer.zeroGrad()
    loss.backward()
    optimizer.step()
  }
  step()
  return profile { for _ in 0..<runs { step() } }.profile
}

// MARK: - Figures

/// The first convolution's filters, one 3 × 3 panel each, blue for negative weights and red for
/// positive ones.
func filterFigure(_ conv: Conv2D, title: String) -> HeatmapGrid {
  let (count, size) = (conv.weight.shape[0], conv.weight.shape[2])
  var figure = HeatmapGrid(title: title, columns: 8)
  figure.colorScale = .diverging()
  for o in 0..<count {
    let values = Array(conv.weight.data[o * size * size..<(o + 1) * size * size])
    figure.add(values, width: size, height: size, caption: "filter \(o + 1)")
  }
  return figure
}

/// The maps of `activation` [1, C, H, W], one panel each.
func featureMapFigure(_ activation: Tensor, title: String, captionPrefix: String, columns: Int = 8) -> HeatmapGrid {
  let (channels, height, width) = (activation.shape[1], activation.shape[2], activation.shape[3])
  var figure = HeatmapGrid(title: title, columns: columns)
  figure.colorScale = .sequential()
  for c in 0..<channels {
    let values = Array(activation.data[c * height * width..<(c + 1) * height * width])
    figure.add(values, width: width, height: height, caption: "\(captionPrefix)\(c + 1)")
  }
  return figure
}

/// Up to `limit` test images the model got wrong, captioned "pred A / true B".
func mistakesFigure(_ images: ImageDataset, predictions: [Int], limit: Int, title: String) -> ImageGrid {
  var figure = ImageGrid(title: title, columns: 8, range: 0...images.maxPixelValue)
  let size = images.rows * images.columns
  let wrong = images.labels.indices.filter { predictions[$0] != images.labels[$0] }
  for n in wrong.prefix(limit) {
    figure.add(Array(images.images.data[n * size..<(n + 1) * size]), width: images.columns,
               height: images.rows,
               caption: "pred \(images.classNames[predictions[n]]) / true \(images.classNames[images.labels[n]])",
               highlighted: true)
  }
  return figure
}

// MARK: - Numbers

/// A kernel slid over an image, one window at a time, as section 7.2 does by hand: no padding,
/// stride 1, out[y][x] = Σᵢ Σⱼ kernel[i][j] · image[y + i][x + j]. (Exercise 2, `convolve`, adds
/// padding and stride; the chapter never calls the exercises, which are yours to rewrite.)
func slide(_ kernel: [[Float]], over image: [[Float]]) -> [[Float]] {
  let (kernelHeight, kernelWidth) = (kernel.count, kernel[0].count)
  return (0...image.count - kernelHeight).map { y in
    (0...image[0].count - kernelWidth).map { x in
      var sum: Float = 0
      for i in 0..<kernelHeight {
        for j in 0..<kernelWidth { sum += kernel[i][j] * image[y + i][x + j] }
      }
      return sum
    }
  }
}


/// `[3, 0, -3]`: whole numbers without decimals, others with two.
func formatValues(_ values: [Float]) -> String {
  "[" + values.map { format($0, decimals: $0 == $0.rounded() ? 0 : 2) }.joined(separator: ", ") + "]"
}
