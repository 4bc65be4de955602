import DeepLearning

// The two networks of the chapter, and the one recipe both are trained with, so that the
// comparison in section 7.7 differs in the model only.

// snippet: small-cnn
/// The chapter's convolutional network for 28 × 28 grey images: two rounds of
/// convolution → ReLU → 2 × 2 max pooling, then one linear layer on the 32 maps of 7 × 7.
///
///     [N, 1, 28, 28] → conv 3×3 → [N, 16, 28, 28] → pool → [N, 16, 14, 14]
///                    → conv 3×3 → [N, 32, 14, 14] → pool → [N, 32, 7, 7] → [N, 1568] → [N, 10]
func makeCNN(classes: Int = 10, using generator: inout RandomGenerator) -> Sequential {
  Sequential(
    Conv2D(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1, using: &generator),
    ReLU(),
    MaxPool2D(kernelSize: 2),
    Conv2D(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1, using: &generator),
    ReLU(),
    MaxPool2D(kernelSize: 2),
    Flatten(),
    Linear(inputs: 32 * 7 * 7, outputs: classes, using: &generator))
}
// end snippet

/// The multilayer perceptron the CNN is compared with: 784 → 256 → 128 → 10 with ReLU.
func makeMLP(inputs: Int = 784, classes: Int = 10, using generator: inout RandomGenerator) -> Sequential {
  Sequential(
    Linear(inputs: inputs, outputs: 256, using: &generator), ReLU(),
    Linear(inputs: 256, outputs: 128, using: &generator), ReLU(),
    Linear(inputs: 128, outputs: classes, using: &generator))
}

/// A trained model with its history, its training time and its one measurement on the test set.
struct Outcome {
  let model: Sequential
  let history: TrainingHistory
  let seconds: Double
  let test: Evaluation

  /// The accuracy on the validation rows after the last epoch.
  var validationAccuracy: Float { history.last?.validationAccuracy ?? .nan }
}

// snippet: fit-and-test
/// Trains `model` on the `split.train` rows of `inputs` with Adam (learning rate 0.001) in
/// mini-batches of 64 for `epochs` epochs, measuring the `split.validation` rows after each
/// epoch; then measures the test set, once.
func fitAndTest(_ model: Sequential, inputs: Tensor, labels: [Int], split: StratifiedSplit,
                testInputs: Tensor, testLabels: [Int], epochs: Int, seed: UInt64,
                showsProgress: Bool = false) throws -> Outcome {
  let training = ClassificationData(inputs: inputs.rows(at: split.train),
                                    labels: split.train.map { labels[$0] }, model: model)
  let validation = ClassificationData(inputs: inputs.rows(at: split.validation),
                                      labels: split.validation.map { labels[$0] }, model: model)
  let optimizer = Adam(model.parameters, learningRate: 0.001)
  let settings = TrainingSettings(epochs: epochs, batchSize: 64, seed: Int(seed))
  let stopwatch = Stopwatch()
  let history = try train(model, on: training, validation: validation, optimizer: optimizer,
                          settings: settings, observer: showsProgress ? ProgressLineObserver() : nil)
  let seconds = stopwatch.seconds
  let test = evaluate(ClassificationData(inputs: testInputs, labels: testLabels, model: model))
  return Outcome(model: model, history: history, seconds: seconds, test: test)
}
// end snippet
