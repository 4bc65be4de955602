// Labelled grey-scale images: MNIST, Fashion-MNIST and the UCI 8×8 digits.

import Core
import CourseSupport

/// How `ImageDataset.inputs` lays the images out for a model.
public enum ImageLayout: Sendable {
  /// [N, rows·columns]: one flat vector per image, for a multilayer perceptron.
  case flat
  /// [N, 1, rows, columns]: one channel per image, for a convolutional network.
  case channels
  /// [N, rows, columns]: as stored.
  case grid
}

/// Labelled grey-scale images: pixel values as stored in the file, their class labels and the class names.
public struct ImageDataset {
  /// A short name for printing, such as `"mnist train"`.
  public var name: String
  /// The pixels, shape [N, rows, columns], unscaled (0…`maxPixelValue`).
  public var images: Tensor
  /// The class of each image, as an index into `classNames`.
  public var labels: [Int]
  /// The class names in label order (`"0"`…`"9"` for digits, `"T-shirt/top"`… for Fashion-MNIST).
  public var classNames: [String]
  /// The largest value a pixel can take (255 for MNIST, 16 for the UCI digits), by which
  /// `inputs(_:scaled:)` divides to bring pixels into [0, 1].
  public var maxPixelValue: Float

  /// Creates a data set from its parts; `images` must be [N, rows, columns] with N labels, each in `0..<classNames.count`.
  public init(name: String, images: Tensor, labels: [Int], classNames: [String], maxPixelValue: Float) {
    if images.rank != 3 || images.shape[0] != labels.count
      || labels.contains(where: { $0 < 0 || $0 >= classNames.count })
    {
      fatalError(
        "ImageDataset(\(name)): images \(images.shape) must be [N, rows, columns] with N = \(labels.count) labels, "
          + "each in 0..<\(classNames.count)")
    }
    self.name = name
    self.images = images
    self.labels = labels
    self.classNames = classNames
    self.maxPixelValue = maxPixelValue
  }

  /// Reads a data set from an IDX images file and an IDX labels file of the same examples.
  ///
  /// - Throws: what `readIDXImages` and `readIDXLabels` throw, and a `CourseError` when the two
  ///   files hold different numbers of examples, a label is not a class, or a pixel exceeds
  ///   `maxPixelValue` (each naming the file and byte offset).
  public init(
    name: String, imagesPath: String, labelsPath: String, classNames: [String], maxPixelValue: Float = 255
  ) throws(CourseError) {
    let images = try readIDXImages(imagesPath)
    let labels = try readIDXLabels(labelsPath)
    if images.shape[0] != labels.count {
      throw CourseError(
        "expected one label per image: \(imagesPath) holds \(images.shape[0]) images, this file \(labels.count) labels",
        path: labelsPath, byteOffset: 4,
        fix: "the two files must be the same split (both train or both test); " + restoreAdvice(for: labelsPath))
    }
    // The first bad label and the first bad pixel, each found in one pass without allocating.
    let headerBytes = 8
    if let bad = labels.firstIndex(where: { $0 >= classNames.count }) {
      throw CourseError(
        "expected a class label 0…\(classNames.count - 1) for example \(bad), found \(labels[bad])",
        path: labelsPath, byteOffset: headerBytes + bad, fix: restoreAdvice(for: labelsPath))
    }
    let tooBright = images.data.withUnsafeBufferPointer { pixels in
      (0..<pixels.count).first { pixels[$0] > maxPixelValue }
    }
    if let bad = tooBright {
      let imageSize = images.shape[1] * images.shape[2]
      throw CourseError(
        "expected pixel values 0…\(Int(maxPixelValue)), found \(Int(images.data[bad])) in image \(bad / imageSize)",
        path: imagesPath, byteOffset: 16 + bad, fix: restoreAdvice(for: imagesPath))
    }
    self.init(name: name, images: images, labels: labels, classNames: classNames, maxPixelValue: maxPixelValue)
  }

  /// The number of images.
  public var count: Int { labels.count }
  /// The height of each image in pixels.
  public var rows: Int { images.shape[1] }
  /// The width of each image in pixels.
  public var columns: Int { images.shape[2] }

  /// How many images each class has, in label order.
  public var classCounts: [Int] { DataLoading.classCounts(labels, classCount: classNames.count) }

  /// The images as a model's input tensor, in `layout`, with pixels divided by `maxPixelValue`
  /// (into [0, 1]) when `scaled`; a new leaf outside the autograd graph.
  ///
  /// ```swift
  /// let x = train.inputs(.flat)          // [5000, 784], values 0…1, for an MLP
  /// let y = train.inputs(.channels)      // [5000, 1, 28, 28], for Conv2D
  /// ```
  public func inputs(_ layout: ImageLayout = .flat, scaled: Bool = true) -> Tensor {
    let shape: [Int]
    switch layout {
    case .flat: shape = [count, rows * columns]
    case .channels: shape = [count, 1, rows, columns]
    case .grid: shape = [count, rows, columns]
    }
    if !scaled { return Tensor(shape: shape, data: images.data) }
    let scale = 1 / maxPixelValue
    let source = images.data
    let values = [Float](unsafeUninitializedCapacity: source.count) { buffer, initialized in
      source.withUnsafeBufferPointer { pixels in
        for i in 0..<pixels.count { buffer[i] = pixels[i] * scale }
      }
      initialized = source.count
    }
    return Tensor(shape: shape, data: values)
  }

  /// The images at `indices`, in that order, with their labels (a split's part).
  public func subset(_ indices: [Int]) -> ImageDataset {
    ImageDataset(
      name: name, images: images.rows(at: indices), labels: indices.map { labels[$0] },
      classNames: classNames, maxPixelValue: maxPixelValue)
  }
}

/// How many of `labels` fall in each class 0..<classCount (labels outside that range are not counted).
public func classCounts(_ labels: [Int], classCount: Int) -> [Int] {
  var counts = [Int](repeating: 0, count: classCount)
  for label in labels where label >= 0 && label < classCount { counts[label] += 1 }
  return counts
}
