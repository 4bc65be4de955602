// Chapter 8 · Text as numbers
//
// How a sentence becomes something a network can multiply: cleaning, tokens (words for English,
// characters for Chinese), a vocabulary built from the training texts only, padded sequences of
// indices, one-hot vectors against embeddings, the bag-of-words baseline that chapters 9 and 10
// compare against, and what a learned embedding puts next to what.
// Run it with `swift run Chapter08` from the package root.

import DeepLearning
import Foundation

var options = ChapterOptions(
  chapter: "Chapter08",
  summary: "Text as numbers: tokens, a vocabulary, embeddings and the bag-of-words baseline")
let seed = options.seed(default: 42)
let dataName = options.choice(
  "--data", default: "movie-sentiment", among: Datasets.textClassificationLabels.map(\.name),
  help: "the labelled texts")
let vocabularySize = options.int(
  "--vocabulary", default: 10_000, help: "entries kept, <pad> and <unk> included", range: 10...1_000_000)
let epochs = options.int(
  "--epochs", default: 30, help: "most passes over the training texts (early stopping may end sooner)",
  range: 1...1000)
options.quickRun = ["--epochs", "1", "--vocabulary", "2000"]
options.parse(cost: estimatedCost(data: dataName, vocabulary: vocabularySize, epochs: epochs),
              usualCost: estimatedCost(data: "movie-sentiment", vocabulary: 10_000, epochs: 30))

runChapter {
  // The data first: a damaged file stops the chapter before it prints or writes anything.
  let all = try Datasets.textClassification(dataName, .train)
  let test = try Datasets.textClassification(dataName, .test)

  // MARK: - 8.1 Cleaning and tokenizing

  section("8.1 Cleaning and tokenizing")
  print("\(dataName): \(all.count) training texts, \(test.count) test texts, labels "
        + zip(all.labelNames, all.labelCounts).map { "\($0) \($1)" }.joined(separator: ", "))
  let changed = all.texts.indices.filter { clean(all.texts[$0]) != all.texts[$0] }
  print("cleaning changes \(changed.count) of \(all.count) texts, for example")
  for index in changed.prefix(2) {
    print("  before  \(all.texts[index])")
    print("  after   \(clean(all.texts[index]))")
  }
  // snippet: tokenize-examples
  let tokenizer = Tokenizer()  // words, except that each Chinese character is a token of its own
  let english = tokenizer.tokens("Kitschy, flashy, overlong soap opera. I didn't laugh once!")
  let chinese = tokenizer.tokens("这部电影真好看，演员也很棒")  // This film is really good, the actors are great too
  // end snippet
  print("English  \(english.count) tokens  " + english.joined(separator: " | "))
  print("Chinese  \(chinese.count) tokens  " + chinese.joined(separator: " | "))
  let lengths = tokenizer.tokens(all.texts).map(\.count).sorted()
  print("tokens per training text: median \(lengths[lengths.count / 2]), "
        + "90% have at most \(lengths[lengths.count * 9 / 10]), longest \(lengths.last ?? 0)")

  // MARK: - 8.2 The vocabulary

  section("8.2 The vocabulary")
  // The validation texts stand in for texts the model has never seen, as the test texts will.
  let split = StratifiedSplit(labels: all.labels, validation: 0.1, seed: seed)
  let training = all.subset(split.train), validation = all.subset(split.validation)
  let trainingTokens = tokenizer.tokens(training.texts)
  let validationTokens = tokenizer.tokens(validation.texts)
  // snippet: build-vocabulary
  let vocabulary = Vocabulary(counting: trainingTokens, maxSize: vocabularySize)
  // end snippet
  let everyToken = Vocabulary(counting: trainingTokens)
  let seenOnce = everyToken.frequencies.filter { $0 == 1 }.count
  print("\(training.count) training texts: \(trainingTokens.joined().count) tokens, "
        + "\(everyToken.count - 2) distinct, \(seenOnce) of them seen only once")
  printTable(
    headers: ["index", "token", "count in training texts"],
    rows: (0..<min(12, vocabulary.count)).map { i in
      ["\(i)", vocabulary.tokens[i], i < 2 ? "(special)" : "\(vocabulary.frequencies[i])"]
    })
  let validationCount = validationTokens.joined().count
  func unknownShare(_ vocabulary: Vocabulary) -> String {
    let unknown = validationTokens.joined().filter { !vocabulary.contains($0) }.count
    return formatPercent(Double(unknown) / Double(max(validationCount, 1)))
  }
  let choices: [(name: String, vocabulary: Vocabulary)] = [
    ("every training token", everyToken),
    ("tokens seen at least twice", Vocabulary(counting: trainingTokens, minimumFrequency: 2)),
    ("the \(vocabularySize) most frequent (this course)", vocabulary),
    ("the 1000 most frequent", Vocabulary(counting: trainingTokens, maxSize: 1000)),
    ("counted on training + validation (a leak)",
     Vocabulary(counting: trainingTokens + validationTokens, maxSize: vocabularySize)),
  ]
  printTable(
    headers: ["vocabulary", "entries", "validation tokens that are <unk>"],
    rows: choices.map { [$0.name, "\($0.vocabulary.count)", unknownShare($0.vocabulary)] })

  // MARK: - 8.3 Texts as padded sequences

  section("8.3 Texts as padded sequences")
  let examples = validation.texts.indices.filter { (4...10).contains(validationTokens[$0].count) }.prefix(3)
  for index in examples {
    let indices = vocabulary.encode(validationTokens[index])
    print(validationTokens[index].joined(separator: " "))
    print("  → \(indices)  → " + vocabulary.decode(indices).joined(separator: " "))
  }
  let batch = PaddedSequences(examples.map { vocabulary.encode(validationTokens[$0]) }, length: 12)
  print("padded to 12: [\(batch.count), \(batch.length)] indices, real lengths \(batch.lengths)")
  for row in batch.indices { print("  " + row.map { String($0) }.joined(separator: " ")) }

  // MARK: - 8.4 One-hot vectors and embeddings

  section("8.4 One-hot vectors and embeddings")
  var generator = RandomGenerator(seed: seed)
  let dimension = 100
  let embedding = Embedding(vocabularySize: vocabulary.count, dimension: dimension,
                            paddingIndex: Vocabulary.paddingIndex, using: &generator)
  let sample = vocabulary.encodeWhole(Array(training.texts.prefix(32)), tokenizer: tokenizer)
  let positions = sample.count * sample.length
  // One-hot: each position becomes a row of V numbers with a single 1, and the rows times the
  // table pick out the table's rows.
  var oneHot = [Float](repeating: 0, count: positions * vocabulary.count)
  for (position, index) in sample.flatIndices.enumerated() { oneHot[position * vocabulary.count + index] = 1 }
  let oneHotMatrix = Tensor(shape: [positions, vocabulary.count], data: oneHot)
  let (byProduct, productSeconds) = timed { withoutGradients { matmul(oneHotMatrix, embedding.weight) } }
  let (byLookup, lookupSeconds) = timed { withoutGradients { embedding(sample) } }
  let difference = zip(byProduct.data, byLookup.data).map { abs($0 - $1) }.max() ?? 0
  printTable(
    headers: ["a batch of \(sample.count) texts × \(sample.length) tokens", "numbers", "memory", "time"],
    rows: [
      ["one-hot [\(positions), \(vocabulary.count)] · table [\(vocabulary.count), \(dimension)]",
       "\(oneHotMatrix.count)", formatBytes(oneHotMatrix.count * 4), formatDuration(productSeconds)],
      ["embedding lookup → [\(sample.count), \(sample.length), \(dimension)]",
       "\(byLookup.count)", formatBytes(byLookup.count * 4), formatDuration(lookupSeconds)],
    ])
  print("largest difference between the two results: \(format(difference, decimals: 6))")
  print("the table has \(embedding.weight.count) parameters (\(vocabulary.count) words × \(dimension))")
  let probeWords = probeWords(for: dataName, in: vocabulary)
  let (first, second) = (probeWords[0], probeWords[1])
  print("one-hot: cos(\(first), \(second)) = 0 and cos(\(first), \(probeWords[2])) = 0: "
        + "every word is as far from every other")

  // MARK: - 8.5 The bag-of-words baseline

  section("8.5 The bag-of-words baseline")
  let classes = all.labelNames.count
  let trainingSequences = vocabulary.encodeWhole(training.texts, tokenizer: tokenizer)
  let validationSequences = vocabulary.encodeWhole(validation.texts, tokenizer: tokenizer)
  let testSequences = vocabulary.encodeWhole(test.texts, tokenizer: tokenizer)
  // snippet: train-bag-of-words
  let (bagOfWords, history) = try trainBagOfWords(
    training: training, validation: validation, vocabulary: vocabulary, tokenizer: tokenizer,
    epochs: epochs, seed: Int(seed), showsProgress: true)
  let result = evaluate(ClassificationData(sequences: testSequences, labels: test.labels) { bagOfWords($0) })
  // end snippet
  let matrix = ConfusionMatrix(predictions: result.predictions, labels: test.labels, classCount: classes)
  print("kept the weights of epoch \(history.bestEpoch) (lowest validation loss)"
        + (history.stoppedEarly ? "; stopped early at epoch \(history.epochs.count)" : ""))
  // Which words push towards which class: the difference of their two weights.
  let weights = bagOfWords.wordWeights.weight.data
  let frequent = (2..<vocabulary.count).filter { vocabulary.frequencies[$0] >= 5 }
  let push = Dictionary(uniqueKeysWithValues: frequent.map { ($0, weights[$0 * classes + 1] - weights[$0 * classes]) })
  let ranked = frequent.sorted { push[$0]! > push[$1]! }
  let strongest: [(name: String, words: [Int])] = [
    (all.labelNames[1], Array(ranked.prefix(10))), (all.labelNames[0], Array(ranked.suffix(10).reversed())),
  ]
  for (name, words) in strongest {
    print("words pushing towards \(name): "
          + words.map { "\(vocabulary.tokens[$0]) \(format(push[$0]!, decimals: 2))" }.joined(separator: ", "))
  }
  print("bag-of-words logistic regression: test accuracy \(formatPercent(result.accuracy)) "
        + "(\(test.count) texts), \(all.labelNames[1]) F1 \(format(matrix.f1(1), decimals: 3)), "
        + "macro F1 \(format(matrix.macroF1, decimals: 3)), trained in \(formatDuration(history.seconds))")

  // MARK: - 8.6 What an embedding learns

  section("8.6 What an embedding learns")
  let model = MeanEmbeddingClassifier(vocabularySize: vocabulary.count, dimension: 32, classes: classes,
                                      using: &generator)
  let untrained = model.embedding.weight.data
  let meanHistory = try train(
    model, on: ClassificationData(sequences: trainingSequences, labels: training.labels) { model($0) },
    validation: ClassificationData(sequences: validationSequences, labels: validation.labels) { model($0) },
    optimizer: Adam(model.parameters, learningRate: 0.003),
    settings: TrainingSettings(epochs: 10, batchSize: 32, seed: Int(seed), patience: 2))
  print("mean-of-embeddings classifier (32 numbers per word): validation accuracy "
        + "\(formatPercent(meanHistory.epochs[meanHistory.bestEpoch - 1].validationAccuracy ?? 0)) "
        + "after \(counted(meanHistory.bestEpoch, "epoch"))")
  let trained = model.embedding.weight.data
  // Neighbours among the 2000 most frequent words, so that every candidate was trained often.
  let candidates = Array(2..<min(vocabulary.count, 2002))
  var neighbourRows: [[String]] = []
  for word in probeWords.prefix(6) {
    for (label, table) in [("before", untrained), ("after", trained)] {
      let nearest = nearestWords(to: vocabulary[word], table: table, dimension: 32, among: candidates, count: 5)
      neighbourRows.append([label == "before" ? word : "", label,
                            nearest.map { "\(vocabulary.tokens[$0.token]) \(format($0.similarity, decimals: 2))" }
                              .joined(separator: "  ")])
    }
  }
  printTable(headers: ["word", "training", "nearest by cosine similarity"], rows: neighbourRows)

  // The 500 most frequent words in 2-D, coloured by the class whose texts they occur in more.
  let shown = Array(2..<min(vocabulary.count, 502))
  let lean = classLean(of: shown, vocabulary: vocabulary, tokens: trainingTokens, labels: training.labels)
  let points = shown.map { Array(trained[($0 * 32)..<(($0 + 1) * 32)]) }
  let pca = principalComponents(of: points, count: 2, using: &generator)
  let projected = project(points, mean: pca.mean, onto: pca.directions)
  print("the first two principal directions hold "
        + "\(formatPercent(Double(pca.variances[0] / pca.totalVariance))) and "
        + "\(formatPercent(Double(pca.variances[1] / pca.totalVariance))) of the spread of the \(shown.count) vectors")
  // Equal scales on both axes, so that the cloud looks as flat as the two shares printed above say
  // instead of being stretched to fill the plot.
  var plot = ScatterPlot(title: "Learned word vectors, \(dataName)",
                         xLabel: "first principal direction", yLabel: "second principal direction",
                         width: 640, height: 400)
  plot.equalAspect = true
  let leanNames = ["more often in \(all.labelNames[0]) texts", "in both",
                   "more often in \(all.labelNames[1]) texts"]
  for (k, name) in leanNames.enumerated() {
    let members = shown.indices.filter { lean[$0] == k }
    plot.addClass(name, x: members.map { projected[$0][0] }, y: members.map { projected[$0][1] })
  }
  plot.pointRadius = 3
  // Name the probe words among the 500 and the three words at each end of the first direction,
  // so that the reader sees which way the axis runs.
  let alongFirst = shown.indices.sorted { projected[$0][0] < projected[$1][0] }
  let named = Set(shown.indices.filter { probeWords.contains(vocabulary.tokens[shown[$0]]) })
    .union(alongFirst.prefix(3)).union(alongFirst.suffix(3))
  for k in named.sorted() {
    plot.addLabel(vocabulary.tokens[shown[k]], x: Double(projected[k][0]), y: Double(projected[k][1]))
  }
  print("figure: \(try plot.write(to: figurePath("08-embedding-projection.svg")))")
}
