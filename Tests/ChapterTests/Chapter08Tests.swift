// Chapter 8 · Text as numbers: tokens and vocabularies of the real data sets, the cleaning, the
// mean-of-embeddings model, the embedding tools (cosine neighbours, PCA), the exercises, a short
// training run of the bag-of-words model, and the chapter program. `swift test --filter Chapter08`.
// (The engine's bag-of-words model and batch trimming are tested in TextTests.swift.)

import Foundation
import Testing

@testable import Chapter08
@testable import DeepLearning
import TestSupport

@Suite("Chapter 8: text as numbers", .serialized)
struct Chapter08Tests {
  // MARK: Tokens and vocabularies of the real data sets

  @Test("movie-sentiment: the split, its tokens and the capped vocabulary have the published sizes")
  func movieVocabulary() throws {
    let all = try Datasets.textClassification("movie-sentiment", .train)
    let split = StratifiedSplit(labels: all.labels, validation: 0.1, seed: 42)
    let training = all.subset(split.train)
    #expect(training.count == 7250 && split.validation.count == 806)
    let tokens = Tokenizer().tokens(training.texts)
    #expect(tokens.joined().count == 156_060)
    let every = Vocabulary(counting: tokens)
    #expect(every.count == 15_471, "15,469 distinct tokens plus <pad> and <unk>")
    let capped = Vocabulary(counting: tokens, maxSize: 10_000)
    #expect(capped.count == 10_000)
    #expect(Array(capped.tokens.prefix(5)) == ["<pad>", "<unk>", ".", "the", ","])
    // Every token of the capped vocabulary is at least as frequent as any token left out.
    let leftOut = every.tokens.dropFirst(2).filter { !capped.contains($0) }
    let rarestKept = capped.frequencies.dropFirst(2).min() ?? 0
    #expect(leftOut.allSatisfy { every.frequencies[every[$0]] <= rarestKept })
  }

  @Test("chinese-sentiment is cut into characters: a few thousand tokens; only Latin letters and digits make longer ones")
  func chineseVocabulary() throws {
    let train = try Datasets.textClassification("chinese-sentiment", .train)
    let tokens = Tokenizer().tokens(Array(train.texts.prefix(2000)))
    let vocabulary = Vocabulary(counting: tokens)
    #expect((2000...5000).contains(vocabulary.count), "\(vocabulary.count) entries")
    let multiCharacter = vocabulary.tokens.dropFirst(2).filter { $0.count > 1 }
    // Runs of letters and digits ("vista", full-width "ｘｐ", "１００") stay words; no token holds two ideographs.
    let ideographs: ClosedRange<UInt32> = 0x4E00...0x9FFF
    #expect(multiCharacter.allSatisfy { !$0.unicodeScalars.contains { ideographs.contains($0.value) } },
            "\(multiCharacter.prefix(10))")
    #expect(vocabulary.tokens.dropFirst(2).filter { $0.count == 1 }.count > vocabulary.count * 4 / 5)
    #expect(Tokenizer().tokens("这部电影真好看") == ["这", "部", "电", "影", "真", "好", "看"])
  }

  @Test("a token seen only in the validation texts is <unk> to a vocabulary built on the training texts")
  func vocabularyFromTrainingOnly() {
    let vocabulary = Vocabulary(trainingTexts: ["a fine film", "a dull film"])
    #expect(vocabulary.encode(Tokenizer().tokens("a sublime film")) == [vocabulary["a"], 1, vocabulary["film"]])
  }

  // MARK: Cleaning

  @Test("cleaning decodes HTML entities once, turns doubled apostrophes into a quote and collapses spaces")
  func cleaning() {
    #expect(clean("til &lt;#&gt;  ish &amp; ok") == "til <#> ish & ok")
    #expect(clean("&amp;lt;") == "&lt;")
    #expect(clean("  ''Gangs''  was\tfun ") == "\"Gangs\" was fun")
    #expect(clean("didn't") == "didn't")
  }

  // MARK: Models

  @Test("the mean-of-embeddings model averages over real tokens only")
  func meanEmbeddingIgnoresPadding() {
    var generator = RandomGenerator(seed: 3)
    let model = MeanEmbeddingClassifier(vocabularySize: 20, dimension: 4, classes: 2, using: &generator)
    let short = model(PaddedSequences([[3, 7, 9]], length: 3))
    let padded = model(PaddedSequences([[3, 7, 9]], length: 11))
    #expect(zip(short.data, padded.data).allSatisfy { abs($0 - $1) < 1e-6 })
  }

  @Test("a short seeded training run of the bag-of-words model lowers the loss and repeats exactly")
  func bagOfWordsLearns() throws {
    let all = try Datasets.textClassification("movie-sentiment", .train)
    let texts = all.subset(Array(0..<600))
    func run() throws -> [Float] {
      let vocabulary = Vocabulary(trainingTexts: texts.texts, maxSize: 2000)
      let sequences = vocabulary.encodeWhole(texts.texts)
      let model = BagOfWordsClassifier(vocabularySize: vocabulary.count, classes: 2)
      let history = try train(
        model, on: ClassificationData(sequences: sequences, labels: texts.labels) { model($0) },
        optimizer: Adam(model.parameters, learningRate: 0.01),
        settings: TrainingSettings(epochs: 4, batchSize: 32, seed: 7))
      return history.epochs.map(\.trainLoss)
    }
    let losses = try run()
    #expect(losses.last! < losses.first! * 0.7, "training losses \(losses)")
    #expect(try run() == losses, "the same seed must give the same losses")
  }

  // MARK: Embedding tools

  @Test("nearest words by cosine similarity ignore a vector's length")
  func nearestByCosine() {
    // Rows: 0 <pad>, 1 [1, 0], 2 [10, 1] (nearly the same direction as 1), 3 [0, 1], 4 [-1, 0].
    let table: [Float] = [0, 0, 1, 0, 10, 1, 0, 1, -1, 0]
    let nearest = nearestWords(to: 1, table: table, dimension: 2, among: [1, 2, 3, 4], count: 3)
    #expect(nearest.map(\.token) == [2, 3, 4])
    #expect(abs(nearest[0].similarity - 10 / Float(101).squareRoot()) < 1e-6)
    #expect(abs(nearest[1].similarity) < 1e-6 && abs(nearest[2].similarity + 1) < 1e-6)
  }

  @Test("power iteration finds the direction of largest spread and its variance")
  func principalComponentsOfAnEllipse() {
    var generator = RandomGenerator(seed: 11)
    // Points spread 3 along (1, 1, 0)/√2 and 1 along (0, 0, 1), plus a little noise.
    let points: [[Float]] = (0..<2000).map { _ in
      let (a, b) = (3 * generator.nextNormal(), generator.nextNormal())
      return [a / Float(2).squareRoot() + 0.05 * generator.nextNormal(), a / Float(2).squareRoot(), b + 5]
    }
    let pca = principalComponents(of: points, count: 2, using: &generator)
    let first = pca.directions[0], second = pca.directions[1]
    #expect(abs(abs(first[0]) - 0.7071) < 0.01 && abs(abs(first[1]) - 0.7071) < 0.01 && abs(first[2]) < 0.02)
    #expect(abs(abs(second[2]) - 1) < 0.01)
    #expect(abs(pca.variances[0] - 9) < 0.9 && abs(pca.variances[1] - 1) < 0.15, "\(pca.variances)")
    #expect(abs(pca.mean[2] - 5) < 0.1)
    let projected = project([pca.mean], mean: pca.mean, onto: pca.directions)
    #expect(projected[0].allSatisfy { abs($0) < 1e-5 })
  }

  // MARK: Exercises

  @Test("exercise: the bag-of-words vector counts each index, skips <pad>, and x·W + b is the model")
  func exerciseBagOfWordsVector() {
    #expect(bagOfWordsVector([3, 1, 3, 0, 0], vocabularySize: 5) == [0, 1, 0, 2, 0])
    #expect(bagOfWordsVector([], vocabularySize: 3) == [0, 0, 0])
    // The sum of one-hot rows.
    let indices = [2, 4, 2, 2, 1]
    var oneHotSum = [Float](repeating: 0, count: 6)
    for index in indices { oneHotSum[index] += 1 }
    #expect(bagOfWordsVector(indices, vocabularySize: 6) == oneHotSum)
    // x·W + b with your vectors is what the engine's model computes by looking rows up and summing.
    let model = BagOfWordsClassifier(vocabularySize: 6, classes: 2)
    model.wordWeights.weight.update { w in for i in 2..<w.count { w[i] = Float(i % 5) - 1.5 } }
    model.bias.update { b in b = [0.5, -0.25] }
    let texts = [indices, [5, 3], [1], []]
    let x = Tensor(shape: [4, 6], data: texts.flatMap { bagOfWordsVector($0, vocabularySize: 6) })
    let dense = matmul(x, model.wordWeights.weight) + model.bias
    let looked = model(PaddedSequences(texts, length: 7))
    #expect(zip(dense.data, looked.data).allSatisfy { Swift.abs($0 - $1) < 1e-5 },
            "x·W + b \(dense.data) vs the model \(looked.data)")
  }

  @Test("exercise: character bigrams overlap and skip whitespace")
  func exerciseCharacterBigrams() {
    #expect(characterBigrams("我爱这部电影") == ["我爱", "爱这", "这部", "部电", "电影"])
    #expect(characterBigrams("好 看") == ["好看"])
    #expect(characterBigrams("好").isEmpty && characterBigrams("").isEmpty)
  }

  // MARK: The program

  @Test("the chapter prints its sections, the baseline's accuracy and writes its figure")
  func chapterRuns() throws {
    let run = try ChapterRunner.run("Chapter08")
    try ChapterRunner.expectCompleteRun(run, folder: "08-TextAsNumbers", figures: ["08-embedding-projection.svg"])
    #expect(run.line(startingWith: "largest difference between the two results: 0.000000") != nil,
            "one-hot · table must equal the lookup")
    let accuracy = run.numbers(inLineStartingWith: "bag-of-words logistic regression: test accuracy").first ?? 0
    #expect((75...85).contains(accuracy), "baseline test accuracy \(accuracy)%")
  }

  @Test("a data set that does not exist is a usage error naming the choices")
  func badDataName() throws {
    try ChapterRunner.expectStandardOptions("Chapter08")
    let run = try ChapterRunner.run("Chapter08", ["--data", "imdb"])
    #expect(run.status == 2)
    #expect(run.errors.contains("--data expects one of movie-sentiment, sms-spam, chinese-sentiment, got \"imdb\""),
            "\(run.errors)")
  }

  @Test("a file with a header and no texts, for training or for testing, is refused, never reported as 0 texts",
        arguments: ["train", "test"])
  func headerOnly(part: String) throws {
    let datasets = try ChapterRunner.copyOfDatasets(["movie-sentiment"])
    defer { ChapterRunner.removeCopyOfDatasets(datasets) }
    let file = "movie-sentiment/\(part).tsv"
    try "label\trating\ttext\n".write(to: datasets.appendingPathComponent(file), atomically: true, encoding: .utf8)
    let run = try ChapterRunner.run("Chapter08", ["--epochs", "1"], environment: ["COURSE_DATASETS": datasets.path])
    ChapterRunner.expectDataError(run, [
      "\(file):2: expected at least one text after the header line, found none",
      "fix: add lines of label<TAB>text, or restore it with `git checkout -- Datasets/\(file)`",
    ])
  }

  @Test("every numeric option runs, warns or is refused at both ends of its range, and never crashes")
  func optionRanges() throws {
    try OptionWalk.expectCleanEnds("Chapter08")
  }
}
