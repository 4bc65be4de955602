import Foundation
import Core
import NeuralNetworks
import CourseSupport
import DataLoading
import Plotting

/// The images of two of the UCI 8×8 digits, for the two-class models of chapters 3 and 4:
/// features [n, 64] scaled to [0, 1] and labels [n, 1] that are 0 for the first digit and 1 for
/// the second.
public struct DigitPair {
  public let features: Tensor
  public let labels: Tensor
  public var count: Int { features.size(0) }

  /// The images of the digits `first` and `second` among `digits` (the UCI digits, as
  /// `Datasets.uciDigits` loads them: every value already checked to be a pixel 0…16 or a label 0…9).
  ///
  /// - Throws: a `CourseError` naming `digits` when either digit has no image in it.
  public init(_ digits: ImageDataset, first: Int, second: Int) throws(CourseError) {
    if first == second || ![first, second].allSatisfy(digits.classNames.indices.contains) {
      fatalError("DigitPair: \(first) and \(second) must be two different classes of \(digits.name)")
    }
    let rows = digits.labels.indices.filter { digits.labels[$0] == first || digits.labels[$0] == second }
    for digit in [first, second] where !rows.contains(where: { digits.labels[$0] == digit }) {
      throw CourseError("\(digits.name) has no image of the digit \(digit)",
                        fix: "restore the data with `git checkout -- Datasets/uci-digits` in the package root")
    }
    features = digits.inputs(.flat).rows(at: rows)
    labels = Tensor(shape: [rows.count, 1], data: rows.map { digits.labels[$0] == second ? 1 : 0 })
  }
}
