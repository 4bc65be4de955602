import DeepLearning
import Foundation

// The 8×8 handwritten digits of Datasets/uci-digits, read exactly as in chapter 3 (a copy of
// Chapters/03-GradientDescent/Digits.swift). Each line of the CSV is a label and 64 pixel
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
      fix: "run the chapter from the package root (swift run Chapter04), or pass the folder "
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
