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

  /// Reads the digits `first` and `second` from one of the `uci-digits` CSV files.
  public init(csv path: String, first: Int, second: Int) throws {
    if !FileManager.default.fileExists(atPath: path) {
      throw CourseError("cannot read the digits file", path: path,
                        fix: "run the chapter from the package root (the folder with Package.swift), or " +
                             "pass the folder that holds train.csv and test.csv with --data")
    }
    let table = try readNumericCSV(path, labelColumn: "label")
    if table.features.shape.last != 64 {
      throw CourseError("expected 64 pixel columns, found \(table.features.shape.last ?? 0)",
                        path: path, fix: restoreAdvice(for: path))
    }
    let rows = table.labels.indices.filter { table.labels[$0] == first || table.labels[$0] == second }
    if rows.isEmpty {
      throw CourseError("no images of the digits \(first) and \(second)", path: path,
                        fix: "choose two different digits from 0 to 9")
    }
    features = table.features.rows(at: rows).map { $0 / 16 }
    labels = Tensor(shape: [rows.count, 1], data: rows.map { table.labels[$0] == second ? 1 : 0 })
  }
}
