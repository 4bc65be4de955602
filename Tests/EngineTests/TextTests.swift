import Testing
@testable import DeepLearning
@testable import DataLoading
import TestSupport

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

@Suite("Chapter08 bag of words and trimmed batches")
struct Chapter08BagOfWordsTests {
  // MARK: Trimming a batch to its longest text

  @Test func trimmingCutsToTheLongestRealLengthAndKeepsTheLengths() {
    let batch = PaddedSequences([[5, 6, 7], [8], []], length: 10)
    let trimmed = batch.trimmedToLongest()
    #expect(trimmed.length == 3)
    #expect(trimmed.lengths == [3, 1, 0])
    #expect(trimmed.indices == [[5, 6, 7], [8, 0, 0], [0, 0, 0]])
    #expect(trimmed.mask.data.reduce(0, +) == 4, "padding must not count as real tokens")
    // A batch of empty texts keeps one step; a batch already as long as its longest is unchanged.
    let empty = PaddedSequences([[], []], length: 6).trimmedToLongest()
    #expect(empty.length == 1 && empty.lengths == [0, 0] && empty.indices == [[0], [0]])
    let full = PaddedSequences([[1, 2], [3]], length: 2).trimmedToLongest()
    #expect(full.indices == [[1, 2], [3, 0]] && full.lengths == [2, 1])
  }

  @Test func trimmingAMiniBatchKeepsOnlyItsOwnLongestText() {
    // Rows of lengths 0…9 padded to 12; the batch of rows 1 and 4 is cut to 4 steps.
    let all = PaddedSequences((0..<10).map { Array(repeating: $0 + 2, count: $0) }, length: 12)
    let trimmed = all[[4, 1]].trimmedToLongest()
    #expect(trimmed.length == 4 && trimmed.lengths == [4, 1])
    #expect(trimmed.indices == [[6, 6, 6, 6], [3, 0, 0, 0]])
    // Truncated texts keep their (kept) tokens, and a padding index other than 0 stays the padding.
    let lastTokens = PaddedSequences([[1, 2, 3, 4, 5, 6], [9]], length: 4, truncation: .keepLast)
    #expect(lastTokens[[1]].trimmedToLongest().indices == [[9]])
    #expect(lastTokens.trimmedToLongest().indices == [[3, 4, 5, 6], [9, 0, 0, 0]])
    let customPadding = PaddedSequences([[3], [4, 5]], length: 5, paddingIndex: 99).trimmedToLongest()
    #expect(customPadding.indices == [[3, 99], [4, 5]] && customPadding.lengths == [1, 2])
  }

  @Test func sequenceDataRunsTheModelOnTrimmedBatches() {
    let sequences = PaddedSequences([[5, 6, 7], [8], [2, 2]], length: 9)
    var shapes: [[Int]] = []
    let data = ClassificationData(sequences: sequences, labels: [0, 1, 0]) { batch in
      shapes.append([batch.count, batch.length])
      return Tensor.zeros([batch.count, 2])
    }
    _ = data.logits([1, 2])
    _ = data.logits([0])
    #expect(shapes == [[2, 2], [1, 3]])
  }

  @Test func encodingWholeTextsCutsNothing() {
    let vocabulary = Vocabulary(trainingTexts: ["a good film", "a bad film"])
    let texts = ["a good film , a very good film", "bad", ""]
    let encoded = vocabulary.encodeWhole(texts)
    #expect(encoded.length == 8 && encoded.lengths == [8, 1, 0])
    #expect(encoded.indices[0] == vocabulary.encode(Tokenizer().tokens(texts[0])))
    #expect(encoded.indices[1] == [vocabulary["bad"]] + [Int](repeating: 0, count: 7))
    #expect(vocabulary.encodeWhole([""]).length == 1)
  }

  // MARK: The bag-of-words model

  /// A model with random word weights (the <pad> row left at zero) and bias [−1, 0, 1], and
  /// `rows` random texts of 1 to 7 indices between 1 and 12.
  static func randomModelAndTexts(rows: Int) -> (BagOfWordsClassifier, [[Int]]) {
    let (vocabularySize, classes) = (13, 3)
    let model = BagOfWordsClassifier(vocabularySize: vocabularySize, classes: classes)
    var generator = RandomGenerator(seed: UInt64(rows))
    model.wordWeights.weight.update { w in
      for i in classes..<w.count { w[i] = generator.nextFloat(in: -1..<1) }  // row 0 (<pad>) stays zero
    }
    model.bias.update { b in for i in b.indices { b[i] = Float(i) - 1 } }
    let texts = (0..<rows).map { _ in
      (0..<(1 + generator.nextInt(below: 7))).map { _ in 1 + generator.nextInt(below: 12) }
    }
    return (model, texts)
  }

  /// The dense bag-of-words vectors x of the texts: entry i counts the occurrences of index i.
  static func counts(_ texts: [[Int]], vocabularySize: Int) -> Tensor {
    Tensor(texts.map { text in
      var x = [Float](repeating: 0, count: vocabularySize)
      for index in text { x[index] += 1 }
      return x
    })
  }

  @Test(arguments: [1, 4, 9])
  func logitsEqualCountsTimesWeightsPlusBias(rows: Int) {
    let (model, texts) = Self.randomModelAndTexts(rows: rows)
    let logits = model(PaddedSequences(texts, length: 8))
    let dense = matmul(Self.counts(texts, vocabularySize: 13), model.wordWeights.weight) + model.bias
    #expect(logits.shape == [rows, 3])
    let gap = zip(logits.data, dense.data).map { Swift.abs($0 - $1) }.max() ?? 1
    #expect(gap < 1e-5, "lookup-and-sum \(logits.data) vs dense x·W + b \(dense.data)")
  }

  @Test(arguments: [1, 4, 9])
  func gradientsEqualThoseOfTheDenseModel(rows: Int) {
    let (model, texts) = Self.randomModelAndTexts(rows: rows)
    let labels = (0..<rows).map { $0 % 3 }
    crossEntropy(logits: model(PaddedSequences(texts, length: 8)), labels: labels).backward()
    // The same loss through x·W + b with copies of W and b.
    let w = Tensor(shape: [13, 3], data: model.wordWeights.weight.data, requiresGrad: true)
    let b = Tensor(shape: [3], data: model.bias.data, requiresGrad: true)
    crossEntropy(logits: matmul(Self.counts(texts, vocabularySize: 13), w) + b, labels: labels).backward()
    let gapW = zip(model.wordWeights.weight.grad!.data, w.grad!.data).map { Swift.abs($0 - $1) }.max() ?? 1
    let gapB = zip(model.bias.grad!.data, b.grad!.data).map { Swift.abs($0 - $1) }.max() ?? 1
    #expect(gapW < 1e-5 && gapB < 1e-5, "largest differences: W \(gapW), b \(gapB)")
    #expect(model.wordWeights.weight.grad!.data.prefix(3).allSatisfy { $0 == 0 }, "the <pad> row gets no gradient")
  }
}

extension Chapter08BagOfWordsTests {
  @Test func theBaselineRecipeLearnsWhichWordsPushTowardsWhichClass() throws {
    // Label 1 when the text holds "good" or "great", 0 when it holds "bad" or "awful"; "film",
    // "the" and "plot" occur in both.
    var generator = RandomGenerator(seed: 21)
    func texts(_ count: Int) -> TextDataset {
      let labels = (0..<count).map { _ in generator.nextInt(below: 2) }
      let sentences = labels.map { label in
        let word = label == 1 ? ["good", "great"][generator.nextInt(below: 2)] : ["bad", "awful"][generator.nextInt(below: 2)]
        return ["the film was \(word)", "\(word) plot", "the plot of the film is \(word) ."][generator.nextInt(below: 3)]
      }
      return TextDataset(name: "toy", texts: sentences, labels: labels, labelNames: ["neg", "pos"])
    }
    let training = texts(96), validation = texts(32)
    let vocabulary = Vocabulary(trainingTexts: training.texts)
    let (model, history) = try trainBagOfWords(training: training, validation: validation, vocabulary: vocabulary,
                                               seed: 22)
    #expect(history.epochs.last!.validationAccuracy == 1, "\(history.epochs.map(\.validationAccuracy))")
    // Early stopping with a patience of 3 epochs, on the validation loss.
    #expect(history.stoppedEarly ? history.epochs.count == history.bestEpoch + 3 : history.epochs.count == 30)
    let w = model.wordWeights.weight.data
    func push(_ word: String) -> Float { w[vocabulary[word] * 2 + 1] - w[vocabulary[word] * 2] }
    #expect(push("good") > 0.05 && push("great") > 0.05 && push("bad") < -0.05 && push("awful") < -0.05,
            "pushes: good \(push("good")), great \(push("great")), bad \(push("bad")), awful \(push("awful"))")
    #expect(Swift.abs(push("film")) < Swift.abs(push("good")))
    #expect(w[0] == 0 && w[1] == 0, "the <pad> row stays zero")
  }
}
