import Testing
@testable import DeepLearning

@Suite("Chapter08 text")
struct Chapter08TextTests {
  // MARK: Tokenizer

  @Test func englishWordsAreLowerCasedWithPunctuationSplitOff() {
    let tokens = Tokenizer().tokens("Great film, didn't like the END!  It's 3.5/5")
    #expect(tokens == ["great", "film", ",", "didn't", "like", "the", "end", "!", "it's",
                       "3", ".", "5", "/", "5"])
  }

  @Test func punctuationCanBeDroppedAndCaseKept() {
    let tokenizer = Tokenizer(lowercases: false, keepsPunctuation: false)
    #expect(tokenizer.tokens("Hello, World! 'quoted'") == ["Hello", "World", "quoted"])
    // An apostrophe at the edge of a word is punctuation, not part of the word.
    #expect(Tokenizer().tokens("'quoted'") == ["'", "quoted", "'"])
  }

  @Test func emptyAndBlankTextsHaveNoTokens() {
    #expect(Tokenizer().tokens("").isEmpty)
    #expect(Tokenizer().tokens("  \n\t ").isEmpty)
    #expect(Tokenizer(splitting: .characters).tokens("").isEmpty)
  }

  @Test func chineseIsSplitIntoCharacters() {
    // No spaces between Chinese words, so each character is a token; "，" and "！" are
    // (full-width) punctuation.
    #expect(Tokenizer().tokens("我爱这部电影，太好看了！") ==
            ["我", "爱", "这", "部", "电", "影", "，", "太", "好", "看", "了", "！"])
    // Mixed text: the Latin word stays a word.
    #expect(Tokenizer().tokens("我爱NLP课程") == ["我", "爱", "nlp", "课", "程"])
    // Word splitting alone would keep the whole sentence as one token.
    #expect(Tokenizer(splitting: .words).tokens("我爱这部电影") == ["我爱这部电影"])
    #expect(Tokenizer(splitting: .characters).tokens("我爱 这部") == ["我", "爱", "这", "部"])
  }

  @Test func charactersAreWhatAReaderSeesAsOne() {
    // "é" written as e + combining acute accent (two Unicode scalars) is one Character.
    let decomposed = "e\u{301}t\u{e9}"
    #expect(Tokenizer().tokens(decomposed).count == 1)
    #expect(Tokenizer(splitting: .characters).tokens(decomposed).count == 3)
    #expect(Tokenizer(splitting: .characters).tokens("ab c!") == ["a", "b", "c", "!"])
  }

  /// The fast path for ASCII text must cut exactly as the general path does, for every ASCII
  /// character (letters, digits, punctuation, whitespace, control characters) in every mode.
  @Test func asciiFastPathAgreesWithTheCharacterPath() {
    var generator = RandomGenerator(seed: 5)
    let alphabet = (0..<128).map { Character(Unicode.Scalar(UInt8($0))) } + Array("aaeeinn'  \r\n")
    let texts = (0..<300).map { _ in
      String((0..<generator.nextInt(below: 40)).map { _ in alphabet[generator.nextInt(below: alphabet.count)] })
    } + ["don't", "'a'", "rock'n'roll", "x' y", "\r\n", "A1b2-C3"]
    for splitting in [Tokenizer.Splitting.words, .characters, .automatic] {
      for (lowercases, keepsPunctuation) in [(true, true), (false, false)] {
        let tokenizer = Tokenizer(splitting: splitting, lowercases: lowercases,
                                  keepsPunctuation: keepsPunctuation)
        for text in texts {
          #expect(tokenizer.asciiTokens(text) == tokenizer.characterTokens(text),
                  "\(splitting) on \(text.unicodeScalars.map { $0.value })")
        }
      }
    }
  }

  // MARK: Vocabulary

  private let training = ["the film was good", "the film was bad", "a good good film", "the end"]

  @Test func specialTokensComeFirstThenByFrequencyThenAlphabetically() {
    let vocabulary = Vocabulary(trainingTexts: training)
    // Counts: film 3, the 3, good 3, was 2, a 1, bad 1, end 1.
    #expect(vocabulary.tokens == ["<pad>", "<unk>", "film", "good", "the", "was", "a", "bad", "end"])
    #expect(vocabulary.frequencies == [0, 0, 3, 3, 3, 2, 1, 1, 1])
    #expect(vocabulary["<pad>"] == Vocabulary.paddingIndex && Vocabulary.paddingIndex == 0)
    #expect(vocabulary["<unk>"] == Vocabulary.unknownIndex && Vocabulary.unknownIndex == 1)
    #expect(vocabulary.count == 9)
  }

  @Test func unknownWordsBecomeUnk() {
    let vocabulary = Vocabulary(trainingTexts: training)
    let encoded = vocabulary.encode(Tokenizer().tokens("The film was TERRIBLE"))
    #expect(encoded == [vocabulary["the"], vocabulary["film"], vocabulary["was"], 1])
    #expect(!vocabulary.contains("terrible"))
    #expect(vocabulary.decode(encoded) == ["the", "film", "was", "<unk>"])
  }

  @Test func minimumFrequencyAndSizeCap() {
    let frequent = Vocabulary(trainingTexts: training, minimumFrequency: 2)
    #expect(frequent.tokens == ["<pad>", "<unk>", "film", "good", "the", "was"])
    // maxSize counts <pad> and <unk>: 4 leaves room for the two most frequent words, and the
    // tie between film, good and the (3 each) is broken alphabetically.
    let capped = Vocabulary(trainingTexts: training, maxSize: 4)
    #expect(capped.tokens == ["<pad>", "<unk>", "film", "good"])
    #expect(capped["the"] == Vocabulary.unknownIndex)
    let both = Vocabulary(trainingTexts: training, maxSize: 100, minimumFrequency: 3)
    #expect(both.count == 5)
  }

  @Test func builtFromTrainingTextsOnly() {
    let test = ["an unseen masterpiece"]
    let vocabulary = Vocabulary(trainingTexts: training)
    for word in Tokenizer().tokens(test[0]) {
      #expect(vocabulary[word] == Vocabulary.unknownIndex, "\(word) is not in the training texts")
    }
    // The same training texts in another order give the same numbering.
    let reordered = Vocabulary(trainingTexts: training.reversed())
    #expect(reordered.tokens == vocabulary.tokens)
  }

  @Test func specialTokensInTheTextAreNotCountedTwice() {
    let vocabulary = Vocabulary(counting: [["<pad>", "<unk>", "word", "word"]])
    #expect(vocabulary.tokens == ["<pad>", "<unk>", "word"])
  }

  // MARK: Padding and batches

  @Test func paddingAndTruncation() {
    let padded = PaddedSequences([[5, 8, 2], [7], [], [1, 2, 3, 4, 5, 6]], length: 4)
    #expect(padded.indices == [[5, 8, 2, 0], [7, 0, 0, 0], [0, 0, 0, 0], [1, 2, 3, 4]])
    #expect(padded.lengths == [3, 1, 0, 4])
    #expect(padded.flatIndices.count == 16)
    #expect(padded.mask.data == [1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    #expect(padded.mask.shape == [4, 4])
    let keepLast = PaddedSequences([[1, 2, 3, 4, 5, 6]], length: 4, truncation: .keepLast)
    #expect(keepLast.indices == [[3, 4, 5, 6]])
  }

  @Test func textsLongerThanTheLengthAreTruncated() {
    let vocabulary = Vocabulary(trainingTexts: training)
    let batch = vocabulary.encode(["the film was good and the end was bad", "", "good"], length: 5)
    #expect(batch.lengths == [5, 0, 1])
    #expect(batch.indices[0] == vocabulary.encode(["the", "film", "was", "good", "and"]))
    #expect(batch.indices[1] == [0, 0, 0, 0, 0])
    #expect(batch.indices[2] == [vocabulary["good"], 0, 0, 0, 0])
  }

  @Test func selectingRowsMakesAMiniBatch() {
    let padded = PaddedSequences((0..<10).map { Array(repeating: $0 + 2, count: $0 % 4) }, length: 3)
    var generator = RandomGenerator(seed: 7)
    var seen: [Int] = []
    for rows in MiniBatches(indices: Array(0..<padded.count), batchSize: 4, shuffledBy: &generator) {
      let batch = padded[rows]
      #expect(batch.count == rows.count && batch.length == 3)
      #expect(batch.indices == rows.map { padded.indices[$0] })
      #expect(batch.lengths == rows.map { Swift.min($0 % 4, 3) })
      seen += rows
    }
    #expect(seen.sorted() == Array(0..<10))
  }
}
