// The course's data sets by name: where each lives under Datasets/ and how to load it.

import Foundation
import Core
import CourseSupport

/// The course's data sets, loaded by name from the `Datasets/` folder (see `Datasets/README.md`).
///
/// ```swift
/// let train = try Datasets.mnist(.train)               // ImageDataset, 5000 × 28 × 28
/// let reviews = try Datasets.textClassification("movie-sentiment")
/// let plays = try Datasets.text("shakespeare")
/// ```
/// Every chapter finds the folder the same way, from any working directory: the folder named by
/// the environment variable `COURSE_DATASETS` if it is set; otherwise `Datasets` in the current
/// directory, then `Datasets` in the package that holds this source file (the course's own). Pass
/// `root:` to use another folder. Every file is checked as data, not only as syntax: each value
/// finite and in its documented range, each label a class, each file non-empty and holding every
/// class; an error names the file, the line or byte, and the fix.
public enum Datasets {
  /// Which of a data set's fixed files to load.
  public enum Part: String, Sendable, CaseIterable {
    /// The training file, from which chapters also carve their validation rows.
    case train
    /// The test file, touched once for the final figure.
    case test
  }

  /// The two copies of the UCI digits.
  public enum FileFormat: String, Sendable {
    /// `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`, like MNIST.
    case idx
    /// `train.csv`, a header `label,p0,…,p63`, then one digit per line.
    case csv
  }

  /// The image data sets, by the name a chapter's `--data` option takes.
  public static let imageNames = ["mnist", "fashion-mnist", "uci-digits"]
  /// The labelled-text data sets and their labels in index order.
  public static let textClassificationLabels: [(name: String, labels: [String])] = [
    ("movie-sentiment", ["neg", "pos"]), ("sms-spam", ["ham", "spam"]), ("chinese-sentiment", ["neg", "pos"]),
  ]
  /// The plain-text corpora and their files, in the order they are joined.
  public static let textCorpusFiles: [(name: String, files: [String])] = [
    ("shakespeare", ["input.txt"]), ("chinese-poems", ["tang300.txt", "song100.txt"]),
  ]
  /// The environment variable that names another `Datasets` folder (for tests, or a copy elsewhere).
  public static let environmentVariable = "COURSE_DATASETS"
  /// The fewest examples of each class a training file must hold, so that the 10% validation split
  /// that chapters carve out of it (stratified, rounded) still has every class.
  public static let minimumTrainingExamplesPerClass = 5

  // MARK: Finding the folder

  /// The `Datasets` folder: `root` if given, else the folder `COURSE_DATASETS` names, else
  /// `./Datasets`, else `Datasets` in the package holding this source file; a `CourseError`
  /// saying where it looked (each place once) if none exists.
  public static func folder(root: String? = nil) throws(CourseError) -> String {
    if let root {
      if isDirectory(root) { return root }
      throw CourseError(
        "the data folder \(root) does not exist", path: root,
        fix: "pass the path of the course's Datasets folder, or leave root out to find it automatically")
    }
    if let named = ProcessInfo.processInfo.environment[environmentVariable], !named.isEmpty {
      if isDirectory(named) { return named }
      throw CourseError(
        "the environment variable \(environmentVariable) names the data folder \(absolutePath(named)), "
          + "which does not exist",
        fix: "set \(environmentVariable) to the course's Datasets folder, or unset it (unset \(environmentVariable)) "
          + "to use the one next to Package.swift")
    }
    return try firstFolder(among: searchedFolders())
  }

  /// The first of `candidates` that is a directory, or a `CourseError` listing each place looked in once.
  static func firstFolder(among candidates: [String]) throws(CourseError) -> String {
    if let found = candidates.first(where: isDirectory) { return found }
    var places: [String] = []
    for candidate in candidates.map(absolutePath) where !places.contains(candidate) { places.append(candidate) }
    throw CourseError(
      "cannot find the Datasets folder; looked in " + places.joined(separator: " and "),
      fix: "the data sets come with the course, in Datasets/ next to Package.swift: restore the folder with "
        + "`git checkout -- Datasets` in the package root, or set \(environmentVariable) to the folder that holds them")
  }

  /// Where `folder(root:)` looks when `COURSE_DATASETS` is not set, in order: `Datasets` in the
  /// current directory, then in the nearest folder above this source file that holds a `Package.swift`.
  static func searchedFolders(sourceFile: String = #filePath) -> [String] {
    var folders = ["Datasets"]
    var directory = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
    while directory.path != "/" && !directory.path.isEmpty {
      if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        folders.append(directory.appendingPathComponent("Datasets").path)
        break
      }
      directory = directory.deletingLastPathComponent()
    }
    return folders
  }

  private static func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  /// `path` made absolute and without `.`, `..` or repeated slashes, so one place is named one way.
  private static func absolutePath(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return URL(fileURLWithPath: absolute).standardizedFileURL.path
  }

  // MARK: Images

  /// MNIST handwritten digits: 5,000 train / 1,000 test images of 28 × 28 pixels 0…255, exactly
  /// balanced (500 / 100 per digit).
  public static func mnist(_ part: Part = .train, root: String? = nil) throws(CourseError) -> ImageDataset {
    try idxImages("mnist", part: part, prefix: part == .train ? "train" : "t10k",
                  classNames: (0...9).map(String.init), maxPixelValue: 255, root: root)
  }

  /// Fashion-MNIST garments: like MNIST, with the class names from `fashion-mnist/classes.tsv`
  /// (`"T-shirt/top"`, `"Trouser"`, …).
  public static func fashionMNIST(_ part: Part = .train, root: String? = nil) throws(CourseError) -> ImageDataset {
    let classesPath = try folder(root: root) + "/fashion-mnist/classes.tsv"
    let classes = try readTSV(classesPath, requiredColumns: ["index", "name"])
    let names = classes.column("name")!
    for (row, index) in classes.column("index")!.enumerated() where Int(index) != row {
      throw CourseError(
        "expected the class index \(row), found \(quotedField(index))", path: classesPath,
        line: classes.lineNumbers[row], fix: restoreAdvice(for: classesPath))
    }
    return try idxImages("fashion-mnist", part: part, prefix: part == .train ? "train" : "t10k",
                         classNames: names, maxPixelValue: 255, root: root)
  }

  /// The UCI optical digits: 1,438 train / 359 test images of 8 × 8 pixels 0…16, from the IDX
  /// files or the CSV copy of the same split.
  public static func uciDigits(_ part: Part = .train, format: FileFormat = .idx, root: String? = nil)
    throws(CourseError) -> ImageDataset
  {
    let classNames = (0...9).map(String.init)
    if format == .idx {
      return try idxImages("uci-digits", part: part, prefix: part.rawValue, classNames: classNames,
                           maxPixelValue: 16, root: root)
    }
    let path = try folder(root: root) + "/uci-digits/\(part.rawValue).csv"
    // The course's copy has no gaps: a missing field, NaN or infinity is damage, reported with its line.
    let table = try readNumericCSV(path, labelColumn: "label", missingValueMarkers: [])
    if table.columnNames.count != 64 {
      throw CourseError(
        "expected 64 pixel columns p0…p63 besides the label, found \(table.columnNames.count)",
        path: path, line: 1, fix: restoreAdvice(for: path))
    }
    let (_, report) = table.cleaned(validRange: 0...16, classCount: 10)
    if let bad = report.dropped.first {
      let found: String
      switch bad.reason {
      case .outOfRange(let column, let value): found = "pixel \(column) = \(CourseSupport.format(value, decimals: value == value.rounded() ? 0 : 2))"
      case .unknownLabel(let label): found = "the label \(label)"
      case .missingValue(let column): found = "no value for pixel \(column)"
      case .missingLabel: found = "no label"
      }
      throw CourseError(
        "expected pixels 0…16 and labels 0…9, found \(found)", path: path, line: bad.line,
        fix: restoreAdvice(for: path))
    }
    try requireExamples(
      of: table.labels, classNames: classNames, in: path, part: part, itemName: "image")
    return ImageDataset(
      name: "uci-digits \(part.rawValue)", images: table.features.reshaped([table.rowCount, 8, 8]),
      labels: table.labels, classNames: classNames, maxPixelValue: 16)
  }

  /// An image data set by its `--data` name: `"mnist"`, `"fashion-mnist"` or `"uci-digits"`; the
  /// `.csv` format exists for `"uci-digits"` only.
  public static func images(_ name: String, _ part: Part = .train, format: FileFormat = .idx, root: String? = nil)
    throws(CourseError) -> ImageDataset
  {
    if format == .csv && name != "uci-digits" {
      throw CourseError(
        "only uci-digits has a CSV copy, not \(quotedField(name))", fix: "read \(name) from its IDX files")
    }
    switch name {
    case "mnist": return try mnist(part, root: root)
    case "fashion-mnist": return try fashionMNIST(part, root: root)
    case "uci-digits": return try uciDigits(part, format: format, root: root)
    default:
      throw CourseError(
        "there is no image data set called \(quotedField(name))",
        fix: "choose one of " + imageNames.joined(separator: ", "))
    }
  }

  private static func idxImages(
    _ name: String, part: Part, prefix: String, classNames: [String], maxPixelValue: Float, root: String?
  ) throws(CourseError) -> ImageDataset {
    let directory = try folder(root: root) + "/" + name
    let labelsPath = directory + "/\(prefix)-labels-idx1-ubyte"
    let images = try ImageDataset(
      name: "\(name) \(part.rawValue)", imagesPath: directory + "/\(prefix)-images-idx3-ubyte",
      labelsPath: labelsPath, classNames: classNames, maxPixelValue: maxPixelValue)
    try requireExamples(of: images.labels, classNames: classNames, in: labelsPath, part: part, itemName: "image")
    return images
  }

  /// Throws unless `labels` (read from `path`) hold every class: at least one example of each in a
  /// test file, at least `minimumTrainingExamplesPerClass` in a training file.
  static func requireExamples(
    of labels: [Int], classNames: [String], in path: String, part: Part, itemName: String
  ) throws(CourseError) {
    let minimum = part == .train ? minimumTrainingExamplesPerClass : 1
    let counts = classCounts(labels, classCount: classNames.count)
    guard let scarce = counts.indices.first(where: { counts[$0] < minimum }) else { return }
    let which = part == .train
      ? "at least \(minimum) \(itemName)s of every class (a tenth of them become the validation split)"
      : "\(itemName)s of every class"
    throw CourseError(
      "expected \(which), found \(counts[scarce]) of class \(quotedField(classNames[scarce])) "
        + "among \(labels.count) \(itemName)s",
      path: path, fix: restoreAdvice(for: path))
  }

  // MARK: Text

  /// A labelled-text data set (`"movie-sentiment"`, `"sms-spam"`, `"chinese-sentiment"`) from its
  /// `train.tsv` or `test.tsv`; a label other than the known ones is an error naming the line.
  /// Another folder holding `train.tsv` / `test.tsv` also loads, its labels taken as found.
  public static func textClassification(_ name: String, _ part: Part = .train, root: String? = nil)
    throws(CourseError) -> TextDataset
  {
    let directory = try folder(root: root) + "/" + name
    let known = textClassificationLabels.first { $0.name == name }
    if known == nil && !isDirectory(directory) {
      throw CourseError(
        "there is no text data set called \(quotedField(name)) (no folder \(directory))",
        fix: "choose one of " + textClassificationLabels.map(\.name).joined(separator: ", "))
    }
    let path = directory + "/\(part.rawValue).tsv"
    let texts = try readLabelledText(path, labelNames: known?.labels, name: "\(name) \(part.rawValue)")
    try requireExamples(of: texts.labels, classNames: texts.labelNames, in: path, part: part, itemName: "text")
    return texts
  }

  /// A plain-text corpus for a language model: `"shakespeare"` (nine plays) or `"chinese-poems"`
  /// (Tang then Song poems, joined by a blank line). `file:` picks one file of the folder instead
  /// (such as `"sonnets.txt"`).
  public static func text(_ name: String, file: String? = nil, root: String? = nil) throws(CourseError) -> String {
    let directory = try folder(root: root) + "/" + name
    let files: [String]
    if let file {
      files = [file]
    } else if let known = textCorpusFiles.first(where: { $0.name == name }) {
      files = known.files
    } else {
      throw CourseError(
        "there is no text corpus called \(quotedField(name))",
        fix: "choose one of " + textCorpusFiles.map(\.name).joined(separator: ", ") + ", or pass file: to read one file of a folder")
    }
    var texts: [String] = []
    for file in files { texts.append(try readText(directory + "/" + file)) }
    return texts.joined(separator: "\n")
  }
}
