import Foundation
import Core
import CourseSupport

// A network reads numbers, not text. The first step is to cut text into tokens: words for
// English, where spaces already mark the boundaries, or single characters for Chinese and
// Japanese, which are written without spaces. The vocabulary (Vocabulary.swift) then numbers
// the tokens.

// snippet: tokenizer
/// Cuts text into tokens: lower-cased words, with punctuation marks as tokens of their own.
///
///     Tokenizer().tokens("Great film, didn't like the end!")
///     // ["great", "film", ",", "didn't", "like", "the", "end", "!"]
///     Tokenizer().tokens("我爱这部电影")   // ["我", "爱", "这", "部", "电", "影"]
///
/// Punctuation is kept rather than dropped because it carries meaning for a classifier
/// ("!" in a review, "?" in a question); pass `keepsPunctuation: false` to drop it. An apostrophe
/// between two letters stays inside the word ("didn't", "l'amour"). Numbers are words too, but
/// "3.5" becomes "3", ".", "5". The text is walked by `Character` (what a reader sees as one
/// character), so "é" written as e + a combining accent stays one character.
public struct Tokenizer: Sendable {
  /// Where one token ends and the next begins.
  public enum Splitting: Sendable {
    /// Whitespace and punctuation separate words; a run of letters and digits is one token.
    case words
    /// Every character that is not whitespace is a token: for Chinese, or a character-level model.
    case characters
    /// Words, except that each character of a script written without spaces (Chinese characters,
    /// Japanese kana) is a token on its own, so that English, Chinese and mixed text all work.
    case automatic
  }

  public var splitting: Splitting
  /// Whether the text is lower-cased first, so that "Film" and "film" are one token.
  public var lowercases: Bool
  /// Whether punctuation marks and symbols become tokens (true) or are dropped (false).
  public var keepsPunctuation: Bool

  public init(splitting: Splitting = .automatic, lowercases: Bool = true,
              keepsPunctuation: Bool = true) {
    self.splitting = splitting
    self.lowercases = lowercases
    self.keepsPunctuation = keepsPunctuation
  }

  /// The tokens of `text`, in order; an empty or all-whitespace text has none.
  public func tokens(_ text: String) -> [String] {
    // Most English text is plain ASCII, where every Character is one byte: the same rules run on
    // the bytes several times faster than on Characters, which need Unicode's grapheme rules.
    text.utf8.allSatisfy { $0 < 0x80 } ? asciiTokens(text) : characterTokens(text)
  }

  /// `tokens(_:)` walking the text by `Character`: right for every text.
  func characterTokens(_ text: String) -> [String] {
    let characters = Array(lowercases ? text.lowercased() : text)
    var tokens: [String] = []
    var word = ""
    func endWord() {
      if !word.isEmpty { tokens.append(word); word = "" }
    }
    for (position, character) in characters.enumerated() {
      let standsAlone = splitting == .characters
        || (splitting == .automatic && isWrittenWithoutSpaces(character))
      if isWordCharacter(character) && !standsAlone {
        word.append(character)
        continue
      }
      // "didn't": an apostrophe with a letter on both sides belongs to the word.
      if isApostrophe(character), !word.isEmpty, position + 1 < characters.count,
         isWordCharacter(characters[position + 1]), !isWrittenWithoutSpaces(characters[position + 1]),
         splitting != .characters {
        word.append(character)
        continue
      }
      endWord()
      if character.isWhitespace { continue }
      if isWordCharacter(character) || keepsPunctuation {
        tokens.append(String(character))
      }
    }
    endWord()
    return tokens
  }

  /// `characterTokens(_:)` for a text of ASCII characters only, walking its bytes.
  func asciiTokens(_ text: String) -> [String] {
    var bytes = Array(text.utf8)
    if lowercases {
      for i in bytes.indices where bytes[i] >= UInt8(ascii: "A") && bytes[i] <= UInt8(ascii: "Z") {
        bytes[i] += 32
      }
    }
    func isWordByte(_ byte: UInt8) -> Bool {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
           UInt8(ascii: "0")...UInt8(ascii: "9"): return true
      default: return false
      }
    }
    let splitsWords = splitting != .characters
    var tokens: [String] = []
    var wordStart: Int?
    for (position, byte) in bytes.enumerated() {
      if splitsWords && isWordByte(byte) {
        if wordStart == nil { wordStart = position }
        continue
      }
      if splitsWords, byte == UInt8(ascii: "'"), wordStart != nil, position + 1 < bytes.count,
         isWordByte(bytes[position + 1]) {
        continue
      }
      if let start = wordStart {
        tokens.append(String(decoding: bytes[start..<position], as: UTF8.self))
        wordStart = nil
      }
      let isWhitespace = byte == UInt8(ascii: " ") || (9...13).contains(byte)  // \t \n \v \f \r
      if !isWhitespace && (isWordByte(byte) || keepsPunctuation) {
        tokens.append(String(decoding: bytes[position...position], as: UTF8.self))
      }
    }
    if let start = wordStart { tokens.append(String(decoding: bytes[start...], as: UTF8.self)) }
    return tokens
  }

  /// The tokens of each text.
  public func tokens(_ texts: [String]) -> [[String]] { texts.map { tokens($0) } }

  /// `tokenizer("text")` is `tokenizer.tokens("text")`.
  public func callAsFunction(_ text: String) -> [String] { tokens(text) }
}
// end snippet

/// Letters and digits (with any accents combined into them) make up words.
private func isWordCharacter(_ character: Character) -> Bool {
  character.isLetter || character.isNumber
}

private func isApostrophe(_ character: Character) -> Bool {
  character == "'" || character == "\u{2019}"  // ' and ’
}

/// Whether the character belongs to a script written without spaces between words: CJK
/// ideographs (Chinese characters, also used in Japanese and Korean) and the Japanese kana.
/// Unicode blocks, because Swift's `Character` does not expose the script property.
private func isWrittenWithoutSpaces(_ character: Character) -> Bool {
  guard let scalar = character.unicodeScalars.first else { return false }
  switch scalar.value {
  case 0x3040...0x309F,    // Hiragana
       0x30A0...0x30FF,    // Katakana
       0x3400...0x4DBF,    // CJK Unified Ideographs Extension A
       0x4E00...0x9FFF,    // CJK Unified Ideographs
       0xF900...0xFAFF,    // CJK Compatibility Ideographs
       0x20000...0x3134F:  // CJK Unified Ideographs Extensions B–G and supplements
    return true
  default:
    return false
  }
}
