import DeepLearning
import Foundation

/// What a run costs on a 2-core machine: reading and counting the texts, the one-hot product of
/// 8.4 and the embeddings, which grow with the vocabulary (at most the ~18,000 distinct tokens
/// of a data set), and the trainings of 8.5 and 8.6, whose early stopping usually ends them by
/// about epoch 12 however many `epochs` are allowed.
func estimatedCost(data: String, vocabulary: Int, epochs: Int) -> RunCost {
  let texts = data == "sms-spam" ? 3627.0 : 8000.0
  let words = Double(min(vocabulary, 18_000))
  return RunCost(seconds: (1.5 + Double(min(epochs, 12)) * 0.07) * texts / 8000 + words * 0.0001)
}

/// The words 8.4 and 8.6 look at: the data set's everyday words that the vocabulary holds, then,
/// for a small vocabulary, its most frequent other words, `count` in all (or as many as it has).
func probeWords(for dataName: String, in vocabulary: Vocabulary, count: Int = 8) -> [String] {
  var words = probes(for: dataName).filter { vocabulary.contains($0) }
  for token in vocabulary.tokens.dropFirst(2) where words.count < count && !words.contains(token) {
    words.append(token)
  }
  return words
}

/// Words to look at in each data set: a few everyday words of its texts, in the order shown.
func probes(for dataName: String) -> [String] {
  switch dataName {
  case "sms-spam": return ["free", "call", "love", "txt", "home", "prize", "sorry", "win"]
  case "chinese-sentiment": return ["好", "差", "喜", "失", "贵", "棒", "满", "脏"]
  default: return ["good", "bad", "funny", "boring", "best", "worst", "love", "dull"]
  }
}

/// For each token, 0 when the texts of class 0 contain it at least twice as often as those of
/// class 1 (after adding one to both counts), 2 for the reverse, and 1 otherwise.
func classLean(of tokens: [Int], vocabulary: Vocabulary, tokens texts: [[String]], labels: [Int]) -> [Int] {
  var counts = [[Int]](repeating: [0, 0], count: vocabulary.count)
  for (text, label) in zip(texts, labels) where label < 2 {
    for index in Set(vocabulary.encode(text)) { counts[index][label] += 1 }
  }
  return tokens.map { token in
    let ratio = Double(counts[token][1] + 1) / Double(counts[token][0] + 1)
    return ratio >= 2 ? 2 : (ratio <= 0.5 ? 0 : 1)
  }
}
