import DeepLearning
import Foundation

// What an embedding learns: a small model that has to learn word vectors to classify, the
// cosine similarity between two words' vectors, and a 2-D picture of many vectors at once.

// snippet: mean-embedding-model
/// A classifier that must learn word vectors to do its job: the mean of the text's token vectors,
/// then a linear layer (fastText's model, Joulin et al. 2016). Words that push a text towards the
/// same class get pushed the same way, so their vectors end up close.
final class MeanEmbeddingClassifier: Module {
  let embedding: Embedding
  let classifier: Linear
  var isTraining = true
  var children: [any Module] { [embedding, classifier] }

  /// The vectors start small (N(0, 0.1²) rather than the usual N(0, 1)), so that what training
  /// writes into them soon outweighs what chance wrote.
  init(vocabularySize: Int, dimension: Int, classes: Int, using generator: inout RandomGenerator) {
    let table = Tensor.randomNormal([vocabularySize, dimension], std: 0.1, using: &generator,
                                    requiresGrad: true)
    table.update { for i in 0..<dimension { $0[Vocabulary.paddingIndex * dimension + i] = 0 } }
    embedding = Embedding(weight: table, paddingIndex: Vocabulary.paddingIndex)
    classifier = Linear(inputs: dimension, outputs: classes, initialization: .xavier,
                        using: &generator)
  }

  /// [N, T] token indices → [N, classes] logits.
  func callAsFunction(_ batch: PaddedSequences) -> Tensor {
    let sums = embedding(batch).sum(axis: 1)  // [N, D]: the zero <pad> row adds nothing
    let lengths = Tensor(shape: [batch.count, 1], data: batch.lengths.map { Float(Swift.max($0, 1)) })
    return classifier(sums / lengths)         // the mean over the real tokens
  }
}
// end snippet

// snippet: nearest-words
/// The `count` candidates whose rows of `table` ([V, dimension], row-major) point most nearly the
/// same way as the row of `token`, by cosine similarity cos(a, b) = a·b / (‖a‖ ‖b‖): 1 for the
/// same direction, 0 for perpendicular vectors, −1 for opposite ones. The length of a vector
/// (which grows with how often a word was updated) does not count, only its direction.
func nearestWords(to token: Int, table: [Float], dimension: Int, among candidates: [Int],
                  count: Int) -> [(token: Int, similarity: Float)] {
  func row(_ i: Int) -> ArraySlice<Float> { table[(i * dimension)..<((i + 1) * dimension)] }
  func norm(_ v: ArraySlice<Float>) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
  let a = row(token), normA = norm(a)
  let similarities = candidates.filter { $0 != token }.map { candidate -> (token: Int, similarity: Float) in
    let b = row(candidate)
    let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    return (candidate, dot / Swift.max(normA * norm(b), 1e-12))
  }
  return Array(similarities.sorted { $0.similarity > $1.similarity }.prefix(count))
}
// end snippet

// snippet: principal-components
/// The `count` directions along which `points` (n points of d numbers) spread most, with the
/// variance along each: the leading eigenvectors of the covariance matrix C = Σ (x − μ)(x − μ)ᵀ / n.
/// Power iteration finds them: multiplying a vector by C again and again turns it towards the
/// eigenvector of the largest eigenvalue λ, because that component grows fastest. Subtracting
/// λvvᵀ from C (deflation) then leaves the next direction as the largest.
func principalComponents(of points: [[Float]], count: Int, iterations: Int = 300,
                         using generator: inout RandomGenerator)
  -> (mean: [Float], directions: [[Float]], variances: [Float], totalVariance: Float) {
  let (n, d) = (points.count, points[0].count)
  var mean = [Float](repeating: 0, count: d)
  for point in points { for j in 0..<d { mean[j] += point[j] / Float(n) } }
  var covariance = [Float](repeating: 0, count: d * d)
  for point in points {
    let centred = (0..<d).map { point[$0] - mean[$0] }
    for i in 0..<d { for j in 0..<d { covariance[i * d + j] += centred[i] * centred[j] / Float(n) } }
  }
  let totalVariance = (0..<d).reduce(Float(0)) { $0 + covariance[$1 * d + $1] }
  func timesCovariance(_ v: [Float]) -> [Float] {
    (0..<d).map { i in (0..<d).reduce(Float(0)) { $0 + covariance[i * d + $1] * v[$1] } }
  }
  func normalized(_ v: [Float]) -> [Float] {
    let length = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return v.map { $0 / Swift.max(length, 1e-12) }
  }
  var directions: [[Float]] = [], variances: [Float] = []
  for _ in 0..<count {
    var v = normalized((0..<d).map { _ in generator.nextNormal() })  // any start will do
    for _ in 0..<iterations { v = normalized(timesCovariance(v)) }  // v ← Cv / ‖Cv‖
    let lambda = zip(v, timesCovariance(v)).reduce(0) { $0 + $1.0 * $1.1 }  // λ = vᵀCv
    for i in 0..<d { for j in 0..<d { covariance[i * d + j] -= lambda * v[i] * v[j] } }
    directions.append(v)
    variances.append(lambda)
  }
  return (mean, directions, variances, totalVariance)
}
// end snippet

/// The coordinates of each point along each direction, after subtracting the mean.
func project(_ points: [[Float]], mean: [Float], onto directions: [[Float]]) -> [[Float]] {
  points.map { point in
    directions.map { direction in
      zip(zip(point, mean), direction).reduce(0) { $0 + ($1.0.0 - $1.0.1) * $1.1 }
    }
  }
}
