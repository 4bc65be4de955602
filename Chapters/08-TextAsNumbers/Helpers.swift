import DeepLearning
import Foundation

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

/// A size in bytes for people: "27.0 MB", "268.8 kB", "512 B".
func formatBytes(_ bytes: Int) -> String {
  if bytes >= 1_000_000 { return format(Double(bytes) / 1e6, decimals: 1) + " MB" }
  if bytes >= 1000 { return format(Double(bytes) / 1e3, decimals: 1) + " kB" }
  return "\(bytes) B"
}
