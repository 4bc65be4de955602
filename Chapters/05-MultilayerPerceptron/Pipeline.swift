// The chapter's helpers: a first look at the images, and the network. They live outside
// main.swift so that the tests can call them (`@testable import Chapter05`) and so that they read
// no global state of the notebook.

import DeepLearning

/// What a run costs on a 2-core machine: three trainings of `epochs` epochs (5.4 and 5.5 on 90% of
/// the images, 5.6 on all), each epoch a cost per gradient step that grows with the parameters
/// (Adam updates every one) and a cost per image that grows with its pixels and the batch.
func estimatedCost(data: String, epochs: Int, batchSize: Int) -> RunCost {
  let (images, parameters, perImage) = data == "uci-digits" ? (1438.0, 50_000.0, 0.0000094) : (5000.0, 235_000.0, 0.0000178)
  let trained = 2.8 * images
  let batch = min(Double(batchSize), images)
  let epochSeconds = (trained / batch).rounded(.up) * parameters * 0.0000000061 + trained * perImage * (1 + batch / 4500)
  return RunCost(seconds: images * 0.000056 + Double(epochs) * epochSeconds)
}

/// What a first look at a set of images finds, before any training.
struct ImageCheck {
  /// The smallest and largest pixel value.
  var pixelRange: ClosedRange<Float>
  /// The images with no ink at all (every pixel 0).
  var blankImages: [Int]
  /// The images identical, pixel for pixel, to an earlier image of the set.
  var duplicates: [Int]
  /// How many pixel positions hold the same value in every image (the empty border of a digit).
  var constantPixels: Int
}

/// Looks at every image of `data`: pixel range, blank images, exact duplicates, and pixel
/// positions that never change. A duplicate is worth finding before the split: one copy in the
/// training rows and one in the validation rows would make validation look better than it is.
func checkImages(_ data: ImageDataset) -> ImageCheck {
  let size = data.rows * data.columns
  let flat = data.images.reshaped([data.count, size])
  // The engine's reductions do the counting: the largest pixel of each image (0 means blank), and
  // each pixel position's largest and smallest value over all images (equal means constant).
  let brightest = flat.max(axis: 1).data
  let highest = flat.max(axis: 0).data, lowest = (-flat).max(axis: 0).data.map { -$0 }
  var seen: Set<ArraySlice<Float>> = []
  var duplicates: [Int] = []
  for image in 0..<data.count where !seen.insert(flat.data[image * size..<(image + 1) * size]).inserted {
    duplicates.append(image)
  }
  return ImageCheck(
    pixelRange: (lowest.min() ?? 0)...(highest.max() ?? 0),
    blankImages: brightest.indices.filter { brightest[$0] == 0 },
    duplicates: duplicates,
    constantPixels: zip(lowest, highest).filter { $0 == $1 }.count)
}

// snippet: mlp-model
/// A multilayer perceptron: for each hidden width a `Linear` layer followed by `ReLU`, then a
/// `Linear` layer to one score (logit) per class. He initialisation, drawn from `seed`.
///
///     multilayerPerceptron(inputs: 784, hidden: [256, 128], classes: 10, seed: 42)
///     // 784 → 256 → ReLU → 128 → ReLU → 10
func multilayerPerceptron(inputs: Int, hidden: [Int], classes: Int, seed: UInt64) -> Sequential {
  var generator = RandomGenerator(seed: seed)
  var layers: [any Layer] = []
  var width = inputs
  for size in hidden {
    layers += [Linear(inputs: width, outputs: size, initialization: .he, using: &generator), ReLU()]
    width = size
  }
  layers.append(Linear(inputs: width, outputs: classes, initialization: .he, using: &generator))
  return Sequential(layers)
}
// end snippet

/// The shapes of a network's layers, for printing: `Linear 784 → 256`, `ReLU`, ….
func layerDescriptions(_ model: Sequential) -> [String] {
  model.layers.map { layer in
    if let linear = layer as? Linear {
      return "Linear \(linear.weight.shape[0]) → \(linear.weight.shape[1])"
        + "   (\(linear.parameterCount) parameters)"
    }
    return String(describing: type(of: layer))
  }
}

/// The mean, standard deviation and largest value of all the elements of `x`, for checking
/// what scaling did: σ = √(mean(x²) − mean(x)²).
func summary(_ x: Tensor) -> (mean: Double, std: Double, max: Double) {
  // Column sums by the engine, then their total in Double: a Float running sum over millions of
  // elements would drift.
  let n = Double(Swift.max(x.count, 1))
  let mean = x.sum(axis: 0).data.reduce(0.0) { $0 + Double($1) } / n
  let meanOfSquares = (x * x).sum(axis: 0).data.reduce(0.0) { $0 + Double($1) } / n
  return (mean, Swift.max(meanOfSquares - mean * mean, 0).squareRoot(), Double(x.valueRange?.upperBound ?? 0))
}
