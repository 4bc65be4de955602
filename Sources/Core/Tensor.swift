import Foundation

/// An n-dimensional array of `Float` (Float32, like PyTorch's default), stored row-major in one
/// contiguous buffer, that is also a node of the autograd graph when it takes part in a
/// computation that needs gradients.
///
/// `Tensor` is a class because a parameter has identity: its `grad` accumulates across
/// backward passes and an optimiser updates it in place. Its `data` is a Swift array, so copies
/// made by `reshape` share storage until one of them is written (copy-on-write).
public final class Tensor {
  /// The size of each axis, outermost first; `[]` is a scalar.
  public let shape: [Int]

  /// The elements in row-major order; `data.count == shape.product`. Change them with `update`.
  public internal(set) var data: [Float]

  /// The gradient of the last `backward()` root with respect to this tensor, summed over every
  /// `backward()` since the last `zeroGrad()`. Only leaves (tensors made by you, not by an
  /// operation) keep a gradient, as in PyTorch.
  public var grad: Tensor?

  /// Whether gradients flow to this tensor. Parameters and anything computed from them say yes.
  public var requiresGrad: Bool

  /// The name of the operation that made this tensor (`"matmul"`, `"tanh"` …), or `"leaf"`.
  public internal(set) var operation: String

  /// The tensors this one was computed from: its edges in the autograd graph (empty for leaves
  /// and once `backward()` has released the graph).
  public internal(set) var inputs: [Tensor] = []
  // How to turn the gradient of this tensor into gradients for `inputs`.
  var backwardFunction: ((Tensor) -> [Tensor?])?
  var graphReleased = false

  /// Creates a tensor from row-major `data`; the element count must match the shape.
  public init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
    for size in shape where size < 0 {
      fatalError("Tensor(shape: \(shape)): sizes must not be negative")
    }
    if data.count != shape.product {
      fatalError("Tensor(shape: \(shape), data:): the shape holds \(shape.product) elements " +
                 "but \(data.count) were given")
    }
    self.shape = shape
    self.data = data
    self.requiresGrad = requiresGrad
    self.operation = "leaf"
  }

  /// Changes the elements in place (an optimiser step, a hand-written update in a chapter);
  /// the number of elements must stay the same.
  public func update(_ body: (inout [Float]) -> Void) {
    let before = data.count
    body(&data)
    if data.count != before {
      fatalError("Tensor.update: the tensor of shape \(shape) holds \(before) elements, " +
                 "but the update left \(data.count); create a new tensor to change the size")
    }
  }

  /// Number of elements.
  public var count: Int { data.count }

  /// Number of axes.
  public var rank: Int { shape.count }

  /// The single value of a one-element tensor, such as a loss.
  public var item: Float {
    if count != 1 {
      fatalError("Tensor.item: a tensor of shape \(shape) holds \(count) values, not one")
    }
    return data[0]
  }

  /// The size of `axis`, counting from the end when negative (`size(-1)` is the last axis).
  public func size(_ axis: Int) -> Int { shape[normalizedAxis(axis, rank: rank, in: "size")] }
}

// MARK: - Creation

extension Tensor {
  /// A rank-0 tensor holding one number.
  public convenience init(_ value: Float) { self.init(shape: [], data: [value]) }

  /// A vector.
  public convenience init(_ values: [Float], requiresGrad: Bool = false) {
    self.init(shape: [values.count], data: values, requiresGrad: requiresGrad)
  }

  /// A matrix from its rows, which must all have the same length.
  public convenience init(_ rows: [[Float]], requiresGrad: Bool = false) {
    let columns = rows.first?.count ?? 0
    for (i, row) in rows.enumerated() where row.count != columns {
      fatalError("Tensor(rows): row \(i) has \(row.count) values but row 0 has \(columns)")
    }
    self.init(shape: [rows.count, columns], data: rows.flatMap { $0 }, requiresGrad: requiresGrad)
  }

  /// A tensor filled with `value`.
  public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
    Tensor(shape: shape, data: [Float](repeating: value, count: shape.product),
           requiresGrad: requiresGrad)
  }

  /// A tensor of zeros.
  public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    full(shape, 0, requiresGrad: requiresGrad)
  }

  /// A tensor of ones.
  public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    full(shape, 1, requiresGrad: requiresGrad)
  }

  /// Samples from a normal distribution N(mean, std²), drawn from a seeded generator so that the
  /// same seed gives the same tensor on every machine.
  public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                  using generator: inout RandomGenerator,
                                  requiresGrad: Bool = false) -> Tensor {
    let values = (0..<shape.product).map { _ in mean + std * generator.nextNormal() }
    return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
  }

  /// Samples uniformly from [low, high), drawn from a seeded generator.
  public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                                   using generator: inout RandomGenerator,
                                   requiresGrad: Bool = false) -> Tensor {
    let values = (0..<shape.product).map { _ in generator.nextFloat(in: low..<high) }
    return Tensor(shape: shape, data: values, requiresGrad: requiresGrad)
  }

  /// The numbers start, start + step, … below end, as a vector.
  public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
    Tensor(Array(stride(from: start, to: end, by: step)))
  }

  /// A copy that is a fresh leaf: same values, no graph, no gradient.
  public func detached() -> Tensor { Tensor(shape: shape, data: data) }

  /// Applies `transform` to every element, outside the autograd graph.
  public func map(_ transform: (Float) -> Float) -> Tensor {
    Tensor(shape: shape, data: data.map(transform))
  }

  /// The elements as rows of a matrix (the last axis is the row), for printing and tests.
  public var rows: [[Float]] {
    let width = shape.last ?? 1
    if width == 0 { return [] }
    return stride(from: 0, to: count, by: width).map { Array(data[$0..<$0 + width]) }
  }
}

extension Tensor: CustomStringConvertible {
  /// A short summary: shape, operation and the first few values.
  public var description: String {
    let shown = data.prefix(8).map { String(format: "%.4f", $0) }.joined(separator: ", ")
    let more = count > 8 ? ", … (\(count) values)" : ""
    let graph = requiresGrad ? ", requiresGrad (\(operation))" : ""
    return "Tensor(shape: \(shape), [\(shown)\(more)]\(graph))"
  }
}

// MARK: - Shapes

extension Array where Element == Int {
  /// The product of the sizes: the number of elements a tensor of this shape holds.
  public var product: Int { reduce(1, *) }
}

/// Turns a possibly negative axis (−1 is the last) into an index, or stops with a message naming
/// the operation when it is out of range.
func normalizedAxis(_ axis: Int, rank: Int, in operation: String) -> Int {
  let resolved = axis < 0 ? axis + rank : axis
  if resolved < 0 || resolved >= rank {
    fatalError("\(operation): axis \(axis) is out of range for a tensor of rank \(rank) " +
               "(valid: \(-rank)…\(rank - 1))")
  }
  return resolved
}

/// Row-major strides of a shape: how far apart consecutive elements of each axis lie.
func contiguousStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for axis in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[axis] = running
    running *= shape[axis]
  }
  return strides
}
