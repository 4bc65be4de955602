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
