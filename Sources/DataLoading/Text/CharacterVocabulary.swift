// The simplest tokenizer: one id per character of the training text, as in Karpathy's "char-rnn"
// and nanoGPT's Shakespeare example. It is the baseline BPE is measured against: a tiny
// vocabulary (about 65 ids for Shakespeare) but long sequences.
//
// "Character" here means Unicode scalar, the unit UTF-8 encodes, not Swift's `Character` (a
// grapheme cluster, what a reader sees as one letter). With grapheme clusters, "e" followed by a
// combining accent, or a family emoji made of four people joined by zero-width joiners, would be
// single ids absent from most vocabularies; with scalars the vocabulary stays small and matches
// what Python's `sorted(set(text))` gives, so ids agree with the PyTorch version of the course.

import CourseSupport

/// The sorted distinct Unicode scalars of a text, numbered from 0: a character-level tokenizer.
///
/// ```swift
/// let vocabulary = CharacterVocabulary(text: "hello")
/// vocabulary.scalars                  // ["e", "h", "l", "o"]
/// try vocabulary.encode("hole")       // [1, 3, 2, 0]
/// vocabulary.decode([1, 0, 2, 2, 3])  // "hello"
/// ```
public struct CharacterVocabulary: Sendable, Equatable {
  /// The scalars the vocabulary knows, sorted by value; a scalar's id is its index here.
  public let scalars: [Unicode.Scalar]
  private let idOfScalar: [Unicode.Scalar: Int]

  /// The vocabulary of every distinct Unicode scalar in `text`, sorted by scalar value (code point).
  ///
  /// Sorting makes the ids depend only on which scalars occur, not on where they first occur,
  /// so the same text gives the same ids on every run and machine.
  public init(text: String) {
    self.init(scalars: Set(text.unicodeScalars).sorted { $0.value < $1.value })
  }

  /// A vocabulary of exactly `scalars`, in this order (for a vocabulary saved as the string of its scalars).
  public init(scalars: [Unicode.Scalar]) {
    var idOfScalar: [Unicode.Scalar: Int] = [:]
    for (id, scalar) in scalars.enumerated() {
      if idOfScalar[scalar] != nil {
        fatalError("CharacterVocabulary: \(describe(scalar)) appears twice in the scalars")
      }
      idOfScalar[scalar] = id
    }
    self.scalars = scalars
    self.idOfScalar = idOfScalar
  }

  /// The number of ids: the `vocabularySize` of the model's `Embedding`.
  public var count: Int { scalars.count }

  /// The ids of `text`'s Unicode scalars.
  ///
  /// Throws a `CourseError` naming the first scalar the vocabulary does not know and where it is
  /// (scalar index, line and column), because a model cannot read a character it never saw.
  public func encode(_ text: String) throws(CourseError) -> [Int] {
    var ids: [Int] = []
    ids.reserveCapacity(text.unicodeScalars.count)
    var line = 1, column = 1
    for (position, scalar) in text.unicodeScalars.enumerated() {
      guard let id = idOfScalar[scalar] else {
        throw CourseError(
          "the character \(describe(scalar)) at scalar \(position) (line \(line), column \(column)) "
            + "is not in the vocabulary of \(count) characters",
          fix: "build the vocabulary from a text that contains it, or remove or replace it in the input")
      }
      ids.append(id)
      if scalar == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
    return ids
  }

  /// The text of `ids`, one scalar per id.
  public func decode(_ ids: [Int]) -> String {
    var text = String.UnicodeScalarView()
    for (position, id) in ids.enumerated() {
      if !(0..<count).contains(id) {
        fatalError("CharacterVocabulary.decode: id \(id) at position \(position) is outside 0..<\(count)")
      }
      text.append(scalars[id])
    }
    return String(text)
  }
}

/// A scalar as a learner can identify it, even when invisible: `"é" (U+00E9)`, `"\n" (U+000A)`.
private func describe(_ scalar: Unicode.Scalar) -> String {
  let hex = String(scalar.value, radix: 16, uppercase: true)
  let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  return "\"\(scalar.escaped(asASCII: false))\" (\(code))"
}
