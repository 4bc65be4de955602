import Foundation
import Core
import CourseSupport

// The vocabulary numbers the tokens, so that a text becomes a sequence of integers an
// `Embedding` can look up. It is built from the training texts only: a word that appears only
// in the test set must be as unknown to the model as it would be to a model in use, or the
// test accuracy would be measured on information the model could not have had.

// snippet: vocabulary
/// The tokens a model knows, numbered by how often they occur in the training texts.
///
/// Index 0 is `<pad>`, which fills sequences up to a common length, and index 1 is `<unk>`,
/// which stands for every token not in the vocabulary. The others follow from the most frequent
/// down; tokens equally frequent are ordered alphabetically (by Unicode scalar values), so the
/// same texts give the same numbering on every run and machine.
public struct Vocabulary: Sendable {
  public static let paddingToken = "<pad>", unknownToken = "<unk>"
  public static let paddingIndex = 0, unknownIndex = 1

  /// The token of each index: `tokens[0] == "<pad>"`, `tokens[1] == "<unk>"`.
  public let tokens: [String]
  /// How often each token occurred in the training texts (0 for `<pad>` and `<unk>`).
  public let frequencies: [Int]
  private let indexOfToken: [String: Int]

  /// Counts the tokens of the training texts and keeps those occurring at least
  /// `minimumFrequency` times, the most frequent first, up to `maxSize` entries in all
  /// (`<pad>` and `<unk>` included, so that `Embedding(vocabularySize: maxSize, …)` fits).
  public init(counting trainingTokens: [[String]], maxSize: Int? = nil, minimumFrequency: Int = 1) {
    if let maxSize, maxSize < 2 {
      fatalError("Vocabulary(maxSize: \(maxSize)): the size includes <pad> and <unk>, so it " +
                 "must be at least 2")
    }
    if minimumFrequency < 1 {
      fatalError("Vocabulary(minimumFrequency: \(minimumFrequency)): must be at least 1")
    }
    var counts: [String: Int] = [:]
    for text in trainingTokens {
      for token in text { counts[token, default: 0] += 1 }
    }
    counts[Vocabulary.paddingToken] = nil
    counts[Vocabulary.unknownToken] = nil
    var kept = counts.filter { $0.value >= minimumFrequency }.sorted { a, b in
      // More frequent first; on a tie, by Unicode scalar values, which no locale changes.
      a.value != b.value ? a.value > b.value
                         : a.key.unicodeScalars.lexicographicallyPrecedes(b.key.unicodeScalars)
    }
    if let maxSize, kept.count > maxSize - 2 { kept.removeLast(kept.count - (maxSize - 2)) }
    tokens = [Vocabulary.paddingToken, Vocabulary.unknownToken] + kept.map(\.key)
    frequencies = [0, 0] + kept.map(\.value)
    indexOfToken = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0) })
  }

  /// Tokenizes the training texts and counts them; see `init(counting:maxSize:minimumFrequency:)`.
  public init(trainingTexts: [String], tokenizer: Tokenizer = Tokenizer(), maxSize: Int? = nil,
              minimumFrequency: Int = 1) {
    self.init(counting: tokenizer.tokens(trainingTexts), maxSize: maxSize,
              minimumFrequency: minimumFrequency)
  }

  /// The number of entries, `<pad>` and `<unk>` included: the `vocabularySize` of an `Embedding`.
  public var count: Int { tokens.count }

  /// The index of `token`, or `Vocabulary.unknownIndex` when the vocabulary does not have it.
  public subscript(token: String) -> Int { indexOfToken[token] ?? Vocabulary.unknownIndex }

  /// Whether `token` has an index of its own.
  public func contains(_ token: String) -> Bool { indexOfToken[token] != nil }

  /// The index of each token; unknown tokens become `<unk>` (1).
  public func encode(_ tokens: [String]) -> [Int] { tokens.map { self[$0] } }

  /// The token of each index (for printing what a model saw).
  public func decode(_ indices: [Int]) -> [String] {
    indices.map { index in
      if index < 0 || index >= count {
        fatalError("Vocabulary.decode: index \(index) is outside 0..<\(count)")
      }
      return tokens[index]
    }
  }

  /// Tokenizes, encodes and pads (or truncates) each text to `length` tokens: the input of an
  /// Embedding → LSTM classifier.
  public func encode(_ texts: [String], tokenizer: Tokenizer = Tokenizer(), length: Int,
                     truncation: PaddedSequences.Truncation = .keepFirst) -> PaddedSequences {
    PaddedSequences(texts.map { encode(tokenizer.tokens($0)) }, length: length,
                    truncation: truncation)
  }
}
// end snippet
