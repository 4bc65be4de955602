import Testing
@testable import DeepLearning
@testable import DataLoading

@Suite("Chapter17 · byte-pair encoding")
struct Chapter17BytePairEncodingTests {
  /// The example of Wikipedia's "Byte pair encoding" article, as minbpe's tests/test_tokenizer.py checks it.
  @Test func wikipediaExample() {
    let bpe = BytePairEncoding.train(on: "aaabdaaabac", merges: 3)
    #expect(bpe.encode("aaabdaaabac") == [258, 100, 258, 97, 99])
    // After "aa" → 256 the sequence is 256 a b d 256 a b a c: (256, a) and (a, b) both occur twice;
    // (256, a) occurs first, so it wins the tie, as in minbpe (Wikipedia merges "ab" instead).
    let pairs = bpe.merges.map { [$0.left, $0.right, $0.id] }
    #expect(pairs == [[97, 97, 256], [256, 97, 257], [257, 98, 258]])
    #expect(bpe.decode([258, 100, 258, 97, 99]) == "aaabdaaabac")
    #expect(bpe.vocabularySize == 259)
  }

  /// Merges and ids computed once by hand with minbpe's BasicTokenizer (commit 1acefe8,
  /// `tokenizer.train(text, 256 + 30)`), so ties, bytes of multibyte characters and pairs of
  /// merged tokens are all compared with the reference.
  @Test func matchesMinbpe() {
    let text = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
      + "First Citizen:\nYou are all resolved rather to die than to famish?\n\n"
      + "我爱这部电影，这部电影很好。🙂🙂 naïve café\n"
    let bpe = BytePairEncoding.train(on: text, merges: 30)
    let expected = [
      (101, 32), (101, 97), (58, 10), (116, 104), (112, 257), (260, 107), (10, 10), (70, 105), (263, 114),
      (264, 115), (265, 116), (266, 32), (267, 67), (268, 105), (269, 116), (270, 105), (271, 122),
      (272, 101), (273, 110), (274, 258), (114, 256), (101, 100), (277, 32), (97, 110), (32, 102),
      (259, 101), (281, 114), (44, 32), (115, 261), (284, 46),
    ].map { [$0.0, $0.1] }
    #expect(bpe.merges.map { [$0.left, $0.right] } == expected)
    #expect(bpe.encode("Speak, First Citizen! 电影 café")
      == [83, 261, 283, 274, 33, 32, 231, 148, 181, 229, 189, 177, 32, 99, 97, 102, 195, 169])
    let ids = bpe.encode(text)
    #expect(ids.count == 142)
    #expect(Array(ids.prefix(12)) == [275, 66, 101, 102, 111, 276, 119, 256, 112, 114, 111, 99])
  }

  @Test(arguments: [
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.",
    "大型语言模型从文本中学习。语言模型预测下一个词，模型越大，学得越多。",
    "🙂🙃 👨‍👩‍👧 family, 🇫🇷 flag, é and e\u{301}: 🙂🙂🙂 done 👍🏽",
  ])
  func roundTrip(text: String) {
    let bpe = BytePairEncoding.train(on: text, merges: 40)
    #expect(bpe.decode(bpe.encode(text)) == text)
    #expect(bpe.encode(text).count < text.utf8.count, "merges should shorten the text they were learned from")
    // A text the merges were not learned from still round-trips: every byte is a token.
    let other = "Unseen: żółć, 日本語, 🚀 and \u{0}\t\r\n."
    #expect(bpe.decode(bpe.encode(other)) == other)
  }

  @Test(arguments: [0, 1, 5, 50, 10_000])
  func mergesNeverExceedTheRequestedNumber(requested: Int) {
    let text = "to be or not to be, that is the question"
    let bpe = BytePairEncoding.train(on: text, merges: requested)
    #expect(bpe.merges.count <= requested)
    #expect(bpe.merges.map(\.id) == Array(256..<(256 + bpe.merges.count)))
    #expect(bpe.vocabularySize == 256 + bpe.merges.count)
    // Many merges end with the whole text as one token; training then stops early.
    if requested == 10_000 { #expect(bpe.encode(text).count == 1) }
  }

  @Test(arguments: ["", "a"])
  func tinyTextsGiveNoMerges(text: String) {
    let bpe = BytePairEncoding.train(on: text, merges: 10)
    #expect(bpe.merges.isEmpty)
    #expect(bpe.encode(text) == text.utf8.map(Int.init))
    #expect(bpe.decode(bpe.encode(text)) == text)
  }

  @Test func trainingIsDeterministic() {
    let text = String(repeating: "abracadabra, banana bandana; ", count: 20) + "ab ba ab ba"
    let first = BytePairEncoding.train(on: text, merges: 25)
    let second = BytePairEncoding.train(on: text, merges: 25)
    #expect(first == second)
    #expect(first.encode(text) == second.encode(text))
    // The slower dictionary counter, used for very many merges, must choose the same pairs.
    let viaDictionary = BytePairEncoding.train(on: Array(text.utf8), merges: 25, pairTableLimit: 0)
    #expect(viaDictionary == first)
  }

  @Test func rebuildingFromSavedPairsGivesTheSameTokenizer() {
    let trained = BytePairEncoding.train(on: "hello hello help helm", merges: 6)
    let rebuilt = BytePairEncoding(mergedPairs: trained.merges.map { ($0.left, $0.right) })
    #expect(rebuilt == trained)
    #expect(rebuilt.encode("hello help") == trained.encode("hello help"))
  }

  @Test func decodingIsLossyOnSplitCharacters() {
    let bpe = BytePairEncoding(mergedPairs: [])
    let bytesOfZhong = Array("中".utf8)  // E4 B8 AD
    #expect(bytesOfZhong == [0xE4, 0xB8, 0xAD])
    #expect(bpe.decode([Int(bytesOfZhong[0])]) == "\u{FFFD}")
    #expect(bpe.decode(bytesOfZhong.map(Int.init)) == "中")
  }
}
