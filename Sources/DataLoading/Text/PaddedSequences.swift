import Foundation
import Core
import CourseSupport

// Texts have different lengths, but a batch is one rectangular [N, T] array. Short sequences
// are filled up with <pad> (index 0) and long ones cut; the real lengths are kept, so that the
// LSTM can stop at each sequence's last real token instead of reading the padding.

// snippet: padding
/// Index sequences padded or truncated to one `length`: the [N, T] input of an `Embedding`,
/// with each row's real length (how many of its T entries are tokens rather than padding).
///
///     PaddedSequences([[5, 8, 2], [7]], length: 4)
///     // indices [[5, 8, 2, 0], [7, 0, 0, 0]], lengths [3, 1]
public struct PaddedSequences: Sendable {
  /// Which end of a sequence longer than `length` is kept.
  public enum Truncation: Sendable {
    /// Keep the first `length` tokens (the beginning of a review).
    case keepFirst
    /// Keep the last `length` tokens (the end of a review, often its verdict).
    case keepLast
  }

  /// N rows of `length` indices each, padding after the real tokens.
  public let indices: [[Int]]
  /// The number of real tokens of each row, between 0 (an empty text) and `length`.
  public let lengths: [Int]
  /// T, the common length of every row.
  public let length: Int

  /// Pads each sequence with `paddingIndex` up to `length`, or cuts it to `length`.
  public init(_ sequences: [[Int]], length: Int, truncation: Truncation = .keepFirst,
              paddingIndex: Int = Vocabulary.paddingIndex) {
    if length < 1 {
      fatalError("PaddedSequences(length: \(length)): the length must be at least 1")
    }
    self.length = length
    lengths = sequences.map { Swift.min($0.count, length) }
    indices = sequences.map { sequence in
      let kept = sequence.count <= length ? sequence[...]
        : truncation == .keepFirst ? sequence.prefix(length) : sequence.suffix(length)
      return Array(kept) + [Int](repeating: paddingIndex, count: length - kept.count)
    }
  }

  private init(indices: [[Int]], lengths: [Int], length: Int) {
    self.indices = indices
    self.lengths = lengths
    self.length = length
  }

  /// N, the number of sequences.
  public var count: Int { indices.count }

  /// All indices row after row, N·T of them: what `Embedding` reads with the shape [N, T].
  public var flatIndices: [Int] { indices.flatMap { $0 } }

  /// 1 where a row has a real token and 0 where it has padding, as an [N, T] tensor: for
  /// averaging over real time steps only.
  public var mask: Tensor {
    var values = [Float](repeating: 0, count: count * length)
    for (row, realLength) in lengths.enumerated() {
      for t in 0..<realLength { values[row * length + t] = 1 }
    }
    return Tensor(shape: [count, length], data: values)
  }

  /// The chosen rows, in the given order: one mini-batch.
  ///
  ///     for rows in MiniBatches(indices: Array(0..<train.count), batchSize: 32,
  ///                             shuffledBy: &generator) {
  ///       let batch = train[rows]                  // [32, T] indices and their lengths
  ///       let labels = rows.map { trainLabels[$0] }
  ///       …
  ///     }
  public subscript(rows: [Int]) -> PaddedSequences {
    for row in rows where row < 0 || row >= count {
      fatalError("PaddedSequences[rows]: row \(row) is outside 0..<\(count)")
    }
    return PaddedSequences(indices: rows.map { indices[$0] }, lengths: rows.map { lengths[$0] },
                           length: length)
  }
}
// end snippet

extension PaddedSequences {
  /// The same rows cut to the longest real length among them (at least 1), with the same real
  /// lengths: every step after it is padding in every row, and computing on it would only add
  /// zeros. A mini-batch of short texts then costs what short texts cost.
  ///
  ///     PaddedSequences([[5, 8, 2], [7]], length: 6).trimmedToLongest()
  ///     // indices [[5, 8, 2], [7, 0, 0]], lengths [3, 1], length 3
  public func trimmedToLongest() -> PaddedSequences {
    let longest = Swift.max(1, lengths.max() ?? 1)
    if longest == length { return self }
    // Each row's real tokens come first, so its first `longest` entries hold all of them.
    return PaddedSequences(indices: indices.map { Array($0.prefix(longest)) }, lengths: lengths,
                           length: longest)
  }
}
