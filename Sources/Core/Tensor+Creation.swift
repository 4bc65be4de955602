import Foundation

// Ways to make a tensor: from numbers, filled, random (from the seeded generator), and a short
// printed summary.

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

