import Core

// The order in which an epoch visits the training examples.

/// The mini-batches of one epoch: `indices` in a shuffled (or fixed) order, cut into runs of
/// `batchSize`; the last batch keeps the remainder, so every index comes exactly once.
///
/// ```swift
/// var generator = RandomGenerator(seed: 42)
/// for epoch in 1...epochs {
///   for rows in MiniBatches(indices: split.train, batchSize: 64, shuffledBy: &generator) {
///     let batch = makeBatch(rows, inputs: x, labels: train.labels)
///     …
///   }
/// }
/// ```
/// Each epoch draws a new order from the same generator, so a whole run is fixed by its seed.
public struct MiniBatches: RandomAccessCollection, Sendable {
  /// Every index of the epoch, in the order the batches take them.
  public let order: [Int]
  /// The number of indices per batch (the last batch may have fewer).
  public let batchSize: Int

  /// The batches of `indices` in a random order drawn from `generator` (Fisher–Yates).
  public init(indices: [Int], batchSize: Int, shuffledBy generator: inout RandomGenerator) {
    var order = indices
    generator.shuffle(&order)
    self.init(inOrder: order, batchSize: batchSize)
  }

  /// The batches of `indices` in a random order fixed by `seed`.
  public init(indices: [Int], batchSize: Int, seed: UInt64) {
    var generator = RandomGenerator(seed: seed)
    self.init(indices: indices, batchSize: batchSize, shuffledBy: &generator)
  }

  /// The batches of `indices` in the given order, for evaluation, where order does not matter.
  public init(inOrder indices: [Int], batchSize: Int) {
    if batchSize <= 0 { fatalError("MiniBatches: the batch size must be positive, got \(batchSize)") }
    self.order = indices
    self.batchSize = batchSize
  }

  /// The first batch's position, 0.
  public var startIndex: Int { 0 }
  /// The number of batches, ⌈indices / batchSize⌉.
  public var endIndex: Int { (order.count + batchSize - 1) / batchSize }

  /// The indices of batch `position`.
  public subscript(position: Int) -> [Int] {
    if position < 0 || position >= endIndex {
      fatalError("MiniBatches: batch \(position) is out of range 0..<\(endIndex)")
    }
    let start = position * batchSize
    return Array(order[start..<Swift.min(start + batchSize, order.count)])
  }
}
