import Testing
@testable import DeepLearning

@Suite("Chapter17 · character vocabulary")
struct Chapter17CharacterVocabularyTests {
  @Test func idsAreTheSortedDistinctScalars() throws {
    let vocabulary = CharacterVocabulary(text: "hello")
    #expect(vocabulary.scalars == ["e", "h", "l", "o"])
    #expect(vocabulary.count == 4)
    #expect(try vocabulary.encode("hole") == [1, 3, 2, 0])
    #expect(vocabulary.decode([1, 0, 2, 2, 3]) == "hello")
  }

  /// Python's `sorted(set(text))` numbers code points; so do we, not grapheme clusters.
  @Test func countsUnicodeScalarsNotGraphemeClusters() throws {
    let family = "👨‍👩‍👧"  // three people joined by two zero-width joiners: one Character, five scalars
    let text = "e\u{301}" + family
    #expect(text.count == 2)
    let vocabulary = CharacterVocabulary(text: text)
    #expect(vocabulary.scalars.map(\.value) == [0x65, 0x301, 0x200D, 0x1F467, 0x1F468, 0x1F469])
    #expect(try vocabulary.encode(text).count == 7)
    #expect(vocabulary.decode(try vocabulary.encode(text)) == text)
  }

  @Test(arguments: ["Shall I compare thee\nto a summer's day?", "床前明月光，疑是地上霜。", "🙂 ok 🇫🇷 👍🏽", ""])
  func roundTrip(text: String) throws {
    let vocabulary = CharacterVocabulary(text: text)
    #expect(vocabulary.decode(try vocabulary.encode(text)) == text)
  }

  @Test func unknownScalarIsNamedWithItsPosition() {
    let vocabulary = CharacterVocabulary(text: "abc\n")
    do {
      _ = try vocabulary.encode("ab\nca dé")
      Issue.record("encoding a space the vocabulary lacks should throw")
    } catch {
      // The space is scalar 5: line 2, column 3.
      let message = error.description
      for part in ["\" \" (U+0020)", "scalar 5", "line 2, column 3", "vocabulary of 4 characters", "fix:"] {
        #expect(message.contains(part), "\(message)\nshould contain: \(part)")
      }
    }
  }

  @Test func invisibleScalarsAreNamedByCode() {
    let vocabulary = CharacterVocabulary(text: "ab")
    do {
      _ = try vocabulary.encode("a\u{200B}b")
      Issue.record("encoding a zero-width space should throw")
    } catch {
      #expect(error.description.contains("U+200B"), "\(error.description)")
    }
  }
}
