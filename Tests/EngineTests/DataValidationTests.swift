import Foundation
import Testing

@testable import DeepLearning
@testable import DataLoading
import TestSupport

// Data is validated as data, not just as syntax: every value finite and in its documented range,
// every label a class, every file non-empty and holding every class. Each fault below is written
// into a small copy of a data set's files, and the error must name the file, the place and the fix.

/// A fresh folder `…/Datasets` holding small, valid copies of uci-digits (CSV and IDX) and sms-spam,
/// for one test to damage.
private func smallDatasets() throws -> String {
  let root = NSTemporaryDirectory() + "validation-" + UUID().uuidString + "/Datasets"
  let fileManager = FileManager.default
  try fileManager.createDirectory(atPath: root + "/uci-digits", withIntermediateDirectories: true)
  try fileManager.createDirectory(atPath: root + "/sms-spam", withIntermediateDirectories: true)
  for part in ["train", "test"] {
    let rows = part == "train" ? 6 : 1  // per digit
    let labels = (0..<10 * rows).map { $0 % 10 }
    try digitsCSV(labels.map { label in (label, [Int](repeating: label, count: 64)) }).write(
      toFile: root + "/uci-digits/\(part).csv", atomically: true, encoding: .utf8)
    try Data(idx(magic: 2051, sizes: [UInt32(labels.count), 8, 8], values: labels.flatMap { [UInt8](repeating: UInt8($0), count: 64) }))
      .write(to: URL(fileURLWithPath: root + "/uci-digits/\(part)-images-idx3-ubyte"))
    try Data(idx(magic: 2049, sizes: [UInt32(labels.count)], values: labels.map(UInt8.init)))
      .write(to: URL(fileURLWithPath: root + "/uci-digits/\(part)-labels-idx1-ubyte"))
    let texts = (0..<(part == "train" ? 12 : 2)).map { $0 % 2 == 0 ? "ham\tsee you at \($0)" : "spam\tWIN \($0) NOW" }
    try (["label\ttext"] + texts).joined(separator: "\n").appending("\n")
      .write(toFile: root + "/sms-spam/\(part).tsv", atomically: true, encoding: .utf8)
  }
  return root
}

/// A uci-digits CSV: the header `label,p0,…,p63`, then one line per (label, pixels).
private func digitsCSV(_ rows: [(label: Int, pixels: [Int])]) -> String {
  let header = "label," + (0..<64).map { "p\($0)" }.joined(separator: ",")
  return ([header] + rows.map { "\($0.label)," + $0.pixels.map(String.init).joined(separator: ",") })
    .joined(separator: "\n") + "\n"
}

/// The bytes of an IDX file: big-endian magic and sizes, then `values`.
private func idx(magic: UInt32, sizes: [UInt32], values: [UInt8]) -> [UInt8] {
  ([magic] + sizes).flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } } + values
}

/// Replaces field `field` (0 = the label) of line `line` (1 = the header) of the CSV at `path` with `text`.
private func damageCSV(_ path: String, line: Int, field: Int, with text: String) throws {
  var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
  var fields = lines[line - 1].components(separatedBy: ",")
  fields[field] = text
  lines[line - 1] = fields.joined(separator: ",")
  try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

@Suite("Chapter05 data validation")
struct Chapter05DataValidationTests {
  @Test("the small copies load: the faults below are the only thing wrong")
  func smallCopiesLoad() throws {
    let root = try smallDatasets()
    for part in Datasets.Part.allCases {
      #expect(try Datasets.uciDigits(part, format: .csv, root: root).count == (part == .train ? 60 : 10))
      #expect(try Datasets.uciDigits(part, format: .idx, root: root).count == (part == .train ? 60 : 10))
      #expect(try Datasets.textClassification("sms-spam", part, root: root).labelCounts == (part == .train ? [6, 6] : [1, 1]))
    }
  }

  @Test("a pixel written as nan, inf, an empty field or ? is no number: the file, line and column are named",
        arguments: ["nan", "inf", "-inf", "", "?", "NA", "1e50"])
  func pixelThatIsNoNumber(text: String) throws {
    let root = try smallDatasets()
    let path = root + "/uci-digits/train.csv"
    try damageCSV(path, line: 5, field: 4, with: text)
    let error = #expect(throws: CourseError.self) { try Datasets.uciDigits(.train, format: .csv, root: root) }
    #expect(error?.path == path && error?.line == 5, "\(String(describing: error))")
    let expected = Float(text) != nil ? "expected a finite number" : "expected a number"
    #expect(error?.problem == "\(expected) in column 5 (\"p3\"), found \"\(text)\"", "\(String(describing: error))")
    #expect(error?.fix?.contains("git checkout -- Datasets/uci-digits/train.csv") == true)
    // The generic reader takes nan and inf for no number either, whatever its missing-value markers.
    if Float(text) != nil {
      #expect(throws: CourseError.self) { try readNumericCSV(path) }
    }
  }

  @Test("a pixel or a label outside its documented range names the line and the value")
  func valuesOutOfRange() throws {
    let root = try smallDatasets()
    let path = root + "/uci-digits/test.csv"
    try damageCSV(path, line: 3, field: 7, with: "17")
    let pixel = #expect(throws: CourseError.self) { try Datasets.uciDigits(.test, format: .csv, root: root) }
    #expect(pixel?.line == 3 && pixel?.problem == "expected pixels 0…16 and labels 0…9, found pixel p6 = 17")
    try damageCSV(path, line: 3, field: 7, with: "-0.5")
    let negative = #expect(throws: CourseError.self) { try Datasets.uciDigits(.test, format: .csv, root: root) }
    #expect(negative?.problem == "expected pixels 0…16 and labels 0…9, found pixel p6 = -0.50")
    try damageCSV(path, line: 3, field: 7, with: "1")
    try damageCSV(path, line: 4, field: 0, with: "12")
    let label = #expect(throws: CourseError.self) { try Datasets.uciDigits(.test, format: .csv, root: root) }
    #expect(label?.line == 4 && label?.problem == "expected pixels 0…16 and labels 0…9, found the label 12")
  }

  @Test("a file with a header and no examples is refused, never read as zero examples")
  func headerOnly() throws {
    let root = try smallDatasets()
    for part in Datasets.Part.allCases {
      let csv = root + "/uci-digits/\(part.rawValue).csv"
      try digitsCSV([]).write(toFile: csv, atomically: true, encoding: .utf8)
      let table = #expect(throws: CourseError.self) { try Datasets.uciDigits(part, format: .csv, root: root) }
      #expect(table?.path == csv && table?.line == 2)
      #expect(table?.problem == "expected at least one row of numbers after the header line, found none")

      let tsv = root + "/sms-spam/\(part.rawValue).tsv"
      try "label\ttext\n".write(toFile: tsv, atomically: true, encoding: .utf8)
      let texts = #expect(throws: CourseError.self) { try Datasets.textClassification("sms-spam", part, root: root) }
      #expect(texts?.path == tsv && texts?.line == 2)
      #expect(texts?.problem == "expected at least one text after the header line, found none")
    }
  }

  @Test("an IDX file that promises no images or no labels is refused at byte 4")
  func emptyIDX() throws {
    let root = try smallDatasets()
    for part in Datasets.Part.allCases {
      let images = root + "/uci-digits/\(part.rawValue)-images-idx3-ubyte"
      let labels = root + "/uci-digits/\(part.rawValue)-labels-idx1-ubyte"
      try Data(idx(magic: 2051, sizes: [0, 8, 8], values: [])).write(to: URL(fileURLWithPath: images))
      try Data(idx(magic: 2049, sizes: [0], values: [])).write(to: URL(fileURLWithPath: labels))
      let error = #expect(throws: CourseError.self) { try Datasets.uciDigits(part, root: root) }
      #expect(error?.path == images && error?.byteOffset == 4)
      #expect(error?.problem == "the header promises 0 images: the file holds no data")
      let labelError = #expect(throws: CourseError.self) { try readIDXLabels(labels) }
      #expect(labelError?.problem == "the header promises 0 labels: the file holds no data")
    }
  }

  @Test("a split without every class is refused: a test file needs one of each, a training file five")
  func missingClass() throws {
    let root = try smallDatasets()
    // The test file loses its only 8; the training file keeps four 8s of six.
    let test = root + "/uci-digits/test.csv"
    try damageCSV(test, line: 10, field: 0, with: "7")
    let testError = #expect(throws: CourseError.self) { try Datasets.uciDigits(.test, format: .csv, root: root) }
    #expect(testError?.path == test)
    #expect(testError?.problem == "expected images of every class, found 0 of class \"8\" among 10 images")
    let train = root + "/uci-digits/train.csv"
    try damageCSV(train, line: 10, field: 0, with: "7")
    try damageCSV(train, line: 20, field: 0, with: "7")
    let trainError = #expect(throws: CourseError.self) { try Datasets.uciDigits(.train, format: .csv, root: root) }
    #expect(trainError?.problem == "expected at least 5 images of every class (a tenth of them become the "
              + "validation split), found 4 of class \"8\" among 60 images")
    #expect(trainError?.fix?.contains("git checkout -- Datasets/uci-digits/train.csv") == true)

    let texts = root + "/sms-spam/test.tsv"
    try "label\ttext\nham\thi\nham\tok\n".write(toFile: texts, atomically: true, encoding: .utf8)
    let textError = #expect(throws: CourseError.self) { try Datasets.textClassification("sms-spam", .test, root: root) }
    #expect(textError?.path == texts)
    #expect(textError?.problem == "expected texts of every class, found 0 of class \"spam\" among 2 texts")
  }

  @Test("the Datasets folder: each place looked in is named once; COURSE_DATASETS must name a folder")
  func findingTheFolder() throws {
    let here = FileManager.default.currentDirectoryPath
    let error = #expect(throws: CourseError.self) {
      try Datasets.firstFolder(among: ["Datasets-missing", here + "/Datasets-missing", "./Datasets-missing/"])
    }
    #expect(error?.problem == "cannot find the Datasets folder; looked in \(here)/Datasets-missing")
    #expect(error?.fix?.contains("git checkout -- Datasets") == true && error?.fix?.contains("COURSE_DATASETS") == true)
    let two = #expect(throws: CourseError.self) { try Datasets.firstFolder(among: ["A-missing", "/no/such/Datasets"]) }
    #expect(two?.problem == "cannot find the Datasets folder; looked in \(here)/A-missing and /no/such/Datasets")
  }
}
