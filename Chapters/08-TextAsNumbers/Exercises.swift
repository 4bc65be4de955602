import DeepLearning
import Foundation

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Exercises of chapter 8 — yours to write.
//
// In the course you are given, each body is a `fatalError` stub: replace it with your own code.
// (In the instructors' copy the reference solution sits between BEGIN SOLUTION and END SOLUTION;
// `swift run Course student-version` replaces it by the stub.)
//
// For each function: write your own, and check it
// with
//
//     swift test --filter Chapter08
//
// ─────────────────────────────────────────────────────────────────────────────────────────────

// snippet: exercise-bag-of-words-vector
/// The bag-of-words vector of a text given as token indices: entry i counts how often index i
/// occurs. <pad> (index 0) fills a sequence up; it is not a word of the text and is not counted.
func bagOfWordsVector(_ indices: [Int], vocabularySize: Int) -> [Float] {
  // BEGIN SOLUTION 8.1
  var counts = [Float](repeating: 0, count: vocabularySize)
  for index in indices where index != Vocabulary.paddingIndex { counts[index] += 1 }
  return counts
  // END SOLUTION
}
// end snippet

// snippet: exercise-character-bigrams
/// The overlapping pairs of neighbouring characters of a text, whitespace dropped:
/// "我爱这部电影" → ["我爱", "爱这", "这部", "部电", "电影"]. Most Chinese words are two characters
/// long, so some pairs are words ("电影", film) although nothing in the text marks where words end.
func characterBigrams(_ text: String) -> [String] {
  // BEGIN SOLUTION 8.2
  let characters = Array(text.filter { !$0.isWhitespace })
  guard characters.count >= 2 else { return [] }
  return (0..<(characters.count - 1)).map { String(characters[$0]) + String(characters[$0 + 1]) }
  // END SOLUTION
}
// end snippet
