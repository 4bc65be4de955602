import DeepLearning
import Foundation

// The 8×8 handwritten digits of Datasets/uci-digits, read from its CSV files with a few lines of
// our own (the course's data loaders arrive in chapter 5). Each line is a label and 64 pixel
// values from 0 to 16.

/// The images of two digits: features [n, 64] scaled to [0, 1], labels [n, 1] that are 0 for
/// the first digit and 1 for the second.
struct DigitPair {
  let features: Tensor
  let labels: Tensor
  var count: Int { features.size(0) }
}

/// Reads the images of digits `first` and `second` from a CSV file of the UCI digits.
func loadDigitPair(_ path: String, first: Int, second: Int) throws -> DigitPair {
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    throw CourseError(
      "cannot read the digits file", path: path,
      fix: "run the chapter from the package root (swift run Chapter03), or pass the folder "
        + "that holds train.csv and test.csv with --data, e.g. --data Datasets/uci-digits")
  }
  var pixels: [Float] = []
  var labels: [Float] = []
  for (index, line) in text.split(separator: "\n").enumerated() where index > 0 {  // skip the header
    let fields = line.split(separator: ",")
    let values = fields.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard fields.count == 65, values.count == 65 else {
      throw CourseError(
        "expected 65 comma-separated numbers (a label and 64 pixels), found \(fields.count) fields "
          + "of which \(values.count) are numbers", path: path, line: index + 1,
        fix: "restore the file from the repository (git checkout -- \(path))")
    }
    let label = Int(values[0])
    guard label == first || label == second else { continue }
    labels.append(label == second ? 1 : 0)
    pixels += values.dropFirst().map { $0 / 16 }
  }
  if labels.isEmpty {
    throw CourseError("no images of the digits \(first) and \(second)", path: path,
                      fix: "choose digits from 0 to 9 with --first and --second")
  }
  return DigitPair(features: Tensor(shape: [labels.count, 64], data: pixels),
                   labels: Tensor(shape: [labels.count, 1], data: labels))
}

/// The average image of the examples with label 0 and with label 1, as 64 values each.
func averageImages(_ data: DigitPair) -> (first: [Float], second: [Float]) {
  var sums = ([Float](repeating: 0, count: 64), [Float](repeating: 0, count: 64))
  var counts: (Float, Float) = (0, 0)
  for (row, label) in zip(data.features.rows, data.labels.data) {
    if label == 0 {
      for i in 0..<64 { sums.0[i] += row[i] }
      counts.0 += 1
    } else {
      for i in 0..<64 { sums.1[i] += row[i] }
      counts.1 += 1
    }
  }
  return (sums.0.map { $0 / max(counts.0, 1) }, sums.1.map { $0 / max(counts.1, 1) })
}
