import Foundation
import Testing

@testable import DeepLearning
@testable import DataLoading
import TestSupport

// The data part of chapter 5: loading the course's files, rejecting damaged ones with a message
// that names the file and the place, cleaning, scaling, splitting and mini-batches.
// Expected counts and first labels come from Datasets/*/PROVENANCE.md and a Python reading of the files.

/// A fresh empty folder `…/Datasets` under the system's temporary directory, so that the errors
/// for files in it give the course's "git checkout" advice.
private func scratchDatasetsFolder() throws -> String {
  let path = NSTemporaryDirectory() + "data-tests-" + UUID().uuidString + "/Datasets"
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Writes `bytes` to `path`, creating its folder.
private func write(_ bytes: [UInt8], to path: String) throws {
  let folder = (path as NSString).deletingLastPathComponent
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}

private func write(_ text: String, to path: String) throws { try write(Array(text.utf8), to: path) }

/// The bytes of an IDX file: big-endian magic and sizes, then `values`.
private func idxBytes(magic: UInt32, sizes: [UInt32], values: [UInt8]) -> [UInt8] {
  ([magic] + sizes).flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } } + values
}

private func isClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

@Suite("Chapter05 data")
struct Chapter05DataTests {
  // MARK: The course's data sets

  @Test("MNIST train: 5000 images of 28×28, exactly 500 per digit, pixels 0…255")
  func mnistTrain() throws {
    let train = try Datasets.mnist(.train)
    #expect(train.images.shape == [5000, 28, 28])
    #expect(train.classCounts == Array(repeating: 500, count: 10))
    #expect(Array(train.labels.prefix(12)) == [1, 9, 0, 7, 8, 7, 1, 7, 0, 2, 4, 8])
    #expect(train.images.valueRange == 0...255)
    #expect(train.images.data[0..<784].reduce(0, +) == 11622)  // the first image's ink, from Python
    #expect(train.classNames == (0...9).map(String.init))

    let flat = train.inputs(.flat)
    #expect(flat.shape == [5000, 784])
    #expect(flat.valueRange == 0...1)
    #expect(Swift.abs(flat.data[0..<784].reduce(0, +) * 255 - 11622) < 0.01)
    #expect(train.inputs(.channels).shape == [5000, 1, 28, 28])
    #expect(train.inputs(.grid, scaled: false).data == train.images.data)
  }

  @Test("MNIST test and Fashion-MNIST: counts, first labels and class names")
  func mnistTestAndFashion() throws {
    let test = try Datasets.mnist(.test)
    #expect(test.images.shape == [1000, 28, 28])
    #expect(test.classCounts == Array(repeating: 100, count: 10))
    #expect(Array(test.labels.prefix(12)) == [1, 6, 5, 4, 3, 1, 4, 4, 7, 6, 0, 3])

    let fashion = try Datasets.images("fashion-mnist")
    #expect(fashion.count == 5000 && fashion.classCounts == Array(repeating: 500, count: 10))
    #expect(Array(fashion.labels.prefix(6)) == [9, 0, 1, 3, 7, 8])
    #expect(fashion.classNames.first == "T-shirt/top" && fashion.classNames.last == "Ankle boot")
    #expect(fashion.classNames.count == 10)
  }

  @Test("UCI digits: 1438 / 359 images of 8×8, pixels 0…16, the published class balance")
  func uciDigits() throws {
    let train = try Datasets.uciDigits(.train)
    let test = try Datasets.uciDigits(.test)
    #expect(train.images.shape == [1438, 8, 8] && test.images.shape == [359, 8, 8])
    #expect(train.classCounts == [142, 146, 142, 146, 145, 146, 145, 143, 139, 144])
    #expect(test.classCounts == [36, 36, 35, 37, 36, 36, 36, 36, 35, 36])
    #expect(Array(train.labels.prefix(12)) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 3])
    #expect(Array(test.labels.prefix(5)) == [9, 2, 9, 0, 9])
    #expect(train.images.valueRange == 0...16 && train.maxPixelValue == 16)
    #expect(train.images.data[0..<64].reduce(0, +) == 294)
    #expect(train.inputs().valueRange == 0...1)
    #expect(Tensor([Float.nan, 2, -1]).valueRange == -1...2 && Tensor([Float]()).valueRange == nil)
  }

  @Test("The CSV and IDX copies of the UCI digits hold the same numbers", arguments: Datasets.Part.allCases)
  func uciDigitsCSVMatchesIDX(part: Datasets.Part) throws {
    let idx = try Datasets.uciDigits(part, format: .idx)
    let csv = try Datasets.uciDigits(part, format: .csv)
    #expect(csv.images.shape == idx.images.shape)
    #expect(csv.labels == idx.labels)
    #expect(csv.images.data == idx.images.data)

    let table = try readNumericCSV(Datasets.folder() + "/uci-digits/\(part.rawValue).csv")
    #expect(table.columnNames.first == "p0" && table.columnNames.last == "p63")
    #expect(table.lineNumbers.first == 2 && table.lineNumbers.last == idx.count + 1)
  }

  @Test("Text data sets: sizes, label balance, the extra rating column, the corpora")
  func textDataSets() throws {
    let movies = try Datasets.textClassification("movie-sentiment")
    #expect(movies.count == 8056 && movies.labelNames == ["neg", "pos"])
    #expect(movies.labelCounts == [4060, 3996])
    #expect(movies.texts[0].hasPrefix("Here's my advice, Kev."))
    #expect(movies.pairs[0].label == "neg" && movies.otherColumns["rating"]?.first == "-1.9333")

    let spam = try Datasets.textClassification("sms-spam", .test)
    #expect(spam.labelNames == ["ham", "spam"] && spam.labelCounts == [795, 112])
    let chinese = try Datasets.textClassification("chinese-sentiment")
    #expect(chinese.labelCounts == [4000, 4000])
    #expect(chinese.texts[0] == "装的VISTA系统和内存不匹配")

    let plays = try Datasets.text("shakespeare")
    #expect(plays.unicodeScalars.count == 1_150_836 && plays.hasPrefix("HAMLET, PRINCE OF DENMARK"))
    let poems = try Datasets.text("chinese-poems")
    #expect(poems.hasPrefix("《") && poems.contains("\n\n《"))
  }

  // MARK: Damaged files give errors that say where and how to fix

  @Test("A missing file names the path and says how to restore it")
  func missingFile() throws {
    let root = try scratchDatasetsFolder()
    let error = #expect(throws: CourseError.self) { try Datasets.mnist(root: root) }
    #expect(error?.path == root + "/mnist/train-images-idx3-ubyte")
    #expect(error?.problem.contains("does not exist") == true)
    #expect(error?.fix?.contains("git checkout -- Datasets/mnist/train-images-idx3-ubyte") == true)

    let nowhere = #expect(throws: CourseError.self) {
      try Datasets.firstFolder(among: ["Datasets-missing", "/no/such/place/Datasets"])
    }
    #expect(nowhere?.problem.contains("/no/such/place/Datasets") == true)
    #expect(nowhere?.problem.contains("/Datasets-missing") == true)
    #expect(nowhere?.fix?.contains("package root") == true)
    #expect(throws: CourseError.self) { try Datasets.folder(root: root + "/absent") }
    #expect(throws: CourseError.self) { try Datasets.images("cifar") }
  }

  @Test("A truncated IDX file: the error gives the byte where it ends and how many images it promised")
  func truncatedIDX() throws {
    let path = try scratchDatasetsFolder() + "/mnist/train-images-idx3-ubyte"
    // The header promises 3 images of 2×2 (16 + 12 bytes), the file stops 7 bytes short.
    try write(idxBytes(magic: 2051, sizes: [3, 2, 2], values: [UInt8](repeating: 7, count: 5)), to: path)
    let error = #expect(throws: CourseError.self) { try readIDXImages(path) }
    #expect(error?.path == path)
    #expect(error?.byteOffset == 21)
    #expect(error?.problem.contains("promises 3 images") == true)
    #expect(error?.problem.contains("should be 28 bytes long") == true)
    #expect(error?.fix?.contains("git checkout") == true)
    #expect(error?.description.hasPrefix(path + " (byte 21): ") == true)

    // Cut inside the header, and a file with bytes left over, are both caught.
    try write(idxBytes(magic: 2051, sizes: [3], values: []), to: path)
    let cut = #expect(throws: CourseError.self) { try readIDXImages(path) }
    #expect(cut?.byteOffset == 8)
    try write(idxBytes(magic: 2049, sizes: [2], values: [1, 2, 3]), to: path)
    let long = #expect(throws: CourseError.self) { try readIDXLabels(path) }
    #expect(long?.byteOffset == 10 && long?.problem.contains("1 unexpected bytes") == true)
  }

  @Test("A wrong magic number is reported at byte 0, with what the file really is")
  func wrongMagic() throws {
    let folder = try scratchDatasetsFolder()
    let labels = folder + "/labels-idx1-ubyte"
    try write(idxBytes(magic: 2049, sizes: [2], values: [3, 4]), to: labels)
    let swapped = #expect(throws: CourseError.self) { try readIDXImages(labels) }
    #expect(swapped?.path == labels && swapped?.byteOffset == 0)
    #expect(swapped?.problem.contains("expected the magic number 2051") == true)
    #expect(swapped?.problem.contains("labels file") == true)

    let zipped = folder + "/images.gz"
    try write([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0], to: zipped)
    let gzip = #expect(throws: CourseError.self) { try readIDXImages(zipped) }
    #expect(gzip?.problem.contains("gzip") == true && gzip?.fix?.contains("gunzip") == true)
    #expect(try readIDXLabels(labels) == [3, 4])
  }

  @Test("Images and labels that disagree in count, or a label that is no class, are errors")
  func mismatchedIDXPair() throws {
    let folder = try scratchDatasetsFolder()
    let images = folder + "/images", labels = folder + "/labels"
    try write(idxBytes(magic: 2051, sizes: [2, 1, 2], values: [0, 255, 9, 9]), to: images)
    try write(idxBytes(magic: 2049, sizes: [3], values: [0, 1, 1]), to: labels)
    let count = #expect(throws: CourseError.self) {
      try ImageDataset(name: "pair", imagesPath: images, labelsPath: labels, classNames: ["a", "b"])
    }
    #expect(count?.path == labels && count?.problem.contains("2 images") == true)

    try write(idxBytes(magic: 2049, sizes: [2], values: [1, 5]), to: labels)
    let unknown = #expect(throws: CourseError.self) {
      try ImageDataset(name: "pair", imagesPath: images, labelsPath: labels, classNames: ["a", "b"])
    }
    #expect(unknown?.byteOffset == 9 && unknown?.problem.contains("found 5") == true)

    try write(idxBytes(magic: 2049, sizes: [2], values: [1, 0]), to: labels)
    let bright = #expect(throws: CourseError.self) {
      try ImageDataset(name: "pair", imagesPath: images, labelsPath: labels, classNames: ["a", "b"], maxPixelValue: 16)
    }
    #expect(bright?.path == images && bright?.byteOffset == 17)
    let pair = try ImageDataset(name: "pair", imagesPath: images, labelsPath: labels, classNames: ["a", "b"])
    #expect(pair.images.shape == [2, 1, 2] && pair.labels == [1, 0])
    #expect(isClose(pair.inputs().data, [0, 1, 9 / 255, 9 / 255]))
  }

  @Test("A CSV row with too few fields, or a field that is not a number, names the line and column")
  func malformedCSV() throws {
    let path = try scratchDatasetsFolder() + "/table.csv"
    try write("label,a,b,c\n1,0,1,2\n0,3,4\n", to: path)
    let short = #expect(throws: CourseError.self) { try readNumericCSV(path) }
    #expect(short?.path == path && short?.line == 3)
    #expect(short?.problem.contains("expected 4 comma-separated fields (as in the header), found 3") == true)
    #expect(short?.description.hasPrefix(path + ":3") == true)

    try write("label,a,b,c\n1,0,1,2\n0,3,4,5\n2,6,seven,8\n", to: path)
    let word = #expect(throws: CourseError.self) { try readNumericCSV(path) }
    #expect(word?.line == 4 && word?.problem.contains("column 3 (\"b\"), found \"seven\"") == true)

    try write("label,a\n0.5,1\n", to: path)
    let fraction = #expect(throws: CourseError.self) { try readNumericCSV(path) }
    #expect(fraction?.line == 2 && fraction?.problem.contains("class label") == true)
    let missingColumn = #expect(throws: CourseError.self) { try readNumericCSV(path, labelColumn: "digit") }
    #expect(missingColumn?.line == 1 && missingColumn?.problem.contains("\"digit\"") == true)

    // Windows line ends, spaces, quotes and a trailing blank line are all fine.
    try write("\"label\", a ,b\r\n2, 1.5 ,-3\r\n\r\n", to: path)
    let table = try readNumericCSV(path)
    #expect(table.columnNames == ["a", "b"] && table.labels == [2] && table.features.data == [1.5, -3])
    let noLabels = try readNumericCSV(path, labelColumn: nil)
    #expect(noLabels.features.shape == [1, 3] && noLabels.labels.isEmpty)
  }

  @Test("A TSV line without a tab, or with an unknown label, names the line")
  func malformedTSV() throws {
    let path = try scratchDatasetsFolder() + "/sms-spam/train.tsv"
    try write("label\ttext\nham\tsee you at 5\nspam WIN A PRIZE now\n", to: path)
    let noTab = #expect(throws: CourseError.self) { try readLabelledText(path, labelNames: ["ham", "spam"]) }
    #expect(noTab?.path == path && noTab?.line == 3)
    #expect(noTab?.problem.contains("expected 2 tab-separated fields (label<TAB>text), found 1: the line has no tab") == true)
    #expect(noTab?.fix?.contains("git checkout -- Datasets/sms-spam/train.tsv") == true)

    try write("label\ttext\nham\tsee you at 5\neggs\tbuy eggs\n", to: path)
    let unknown = #expect(throws: CourseError.self) { try readLabelledText(path, labelNames: ["ham", "spam"]) }
    #expect(unknown?.line == 3 && unknown?.problem.contains("found \"eggs\"") == true)

    try write("label\tbody\nham\thi\n", to: path)
    let header = #expect(throws: CourseError.self) { try readLabelledText(path) }
    #expect(header?.line == 1 && header?.problem.contains("\"text\"") == true)

    try write([UInt8]("label\ttext\nham\tcaf".utf8) + [0xE9, 0x0A], to: path)
    let latin1 = #expect(throws: CourseError.self) { try readLabelledText(path) }
    #expect(latin1?.line == 2 && latin1?.byteOffset == 18 && latin1?.problem.contains("UTF-8") == true)

    try write("label\ttext\nspam\tWIN\nham\thi\n", to: path)
    let inferred = try readLabelledText(path)
    #expect(inferred.labelNames == ["ham", "spam"] && inferred.labels == [1, 0] && inferred.texts == ["WIN", "hi"])
  }

  // MARK: Cleaning

  @Test("Cleaning drops rows with missing or out-of-range values and reports each with its line")
  func cleaning() throws {
    let path = try scratchDatasetsFolder() + "/digits.csv"
    try write(
      """
      label,p0,p1
      3,0,16
      1,,4
      2,5,99
      ,1,1
      12,1,1
      7,16,0
      4,NA,2
      """, to: path)
    let table = try readNumericCSV(path)
    #expect(table.rowCount == 7 && table.features.data[2].isNaN && table.labels[3] == -1)

    let (clean, report) = table.cleaned(validRange: 0...16, classCount: 10)
    #expect(clean.rowCount == 2 && clean.labels == [3, 7] && clean.features.data == [0, 16, 16, 0])
    #expect(clean.lineNumbers == [2, 7])
    #expect(report.rowsBefore == 7 && report.keptRows == [0, 5])
    #expect(report.dropped.map(\.line) == [3, 4, 5, 6, 8])
    #expect(
      report.countsByKind == ["missing value": 2, "value out of range": 1, "missing label": 1, "unknown label": 1])
    #expect(report.dropped[1].reason == .outOfRange(column: "p1", value: 99))
    #expect(report.description.hasPrefix("kept 2 of 7 rows of digits.csv; dropped 5: "))
    #expect(report.description.contains("line 3: p0 is missing"))

    let (untouched, none) = clean.cleaned(validRange: 0...16)
    #expect(untouched.rowCount == 2 && none.dropped.isEmpty && none.description.hasSuffix("dropped none"))
  }

  // MARK: Scaling

  @Test("MinMaxScaler fitted on the training rows only maps them to [0, 1] and the others with the same numbers")
  func minMaxScaler() {
    let x = Tensor([[0, 10, 1], [2, 10, 3], [4, 10, 5], [100, -5, 2]])
    let scaler = MinMaxScaler.fit(x, rows: [0, 1, 2])
    #expect(scaler.minimum == [0, 10, 1] && scaler.maximum == [4, 10, 5])
    // Row 3 is not training data: 100 lands far above 1, and the constant feature maps to 0.
    #expect(scaler.transform(x).data == [0, 0, 0, 0.5, 0, 0.5, 1, 0, 1, 25, 0, 0.25])

    let wide = MinMaxScaler.fit(x, range: -1...1)
    #expect(wide.minimum == [0, -5, 1] && wide.maximum == [100, 10, 5])
    #expect(isClose(wide.transform(Tensor([[50, 2.5, 3]])).data, [0, 0, 0]))
  }

  @Test("Standardizer: training rows get mean 0 and deviation 1; a constant feature is only centred")
  func standardizer() throws {
    let x = Tensor([[1, 7], [2, 7], [3, 7], [5, 9]])
    let standardizer = Standardizer.fit(x, rows: [0, 1, 2])
    #expect(standardizer.mean == [2, 7])
    #expect(isClose(standardizer.standardDeviation, [(2 / 3 as Float).squareRoot(), 0]))
    let z = standardizer.transform(x).data
    let sigma = (2 / 3 as Float).squareRoot()
    #expect(isClose(z, [-1 / sigma, 0, 0, 0, 1 / sigma, 0, 3 / sigma, 2]))

    // On the real digits: fitted on the training part, the training part is standardised and
    // the validation part, which the fit never saw, is only close to it.
    let digits = try Datasets.uciDigits()
    let split = StratifiedSplit(labels: digits.labels, validation: 0.2, seed: 1)
    let inputs = digits.inputs()
    let fitted = Standardizer.fit(inputs, rows: split.train)
    let standardized = fitted.transform(inputs)
    let trainStats = Standardizer.fit(standardized, rows: split.train)
    let validationStats = Standardizer.fit(standardized, rows: split.validation)
    let varying = (0..<64).filter { fitted.standardDeviation[$0] > 0.01 }
    #expect(varying.allSatisfy { Swift.abs(trainStats.mean[$0]) < 1e-4 })
    #expect(varying.allSatisfy { Swift.abs(trainStats.standardDeviation[$0] - 1) < 1e-3 })
    #expect(varying.contains { Swift.abs(validationStats.mean[$0]) > 0.01 })
  }

  // MARK: Splits and mini-batches

  @Test("A stratified split keeps every class's proportion, is reproducible, disjoint and complete")
  func stratifiedSplit() throws {
    // 100 of class 0, 50 of class 1, 30 of class 2, interleaved.
    var labels = [Int](repeating: 0, count: 100) + [Int](repeating: 1, count: 50) + [Int](repeating: 2, count: 30)
    var generator = RandomGenerator(seed: 3)
    generator.shuffle(&labels)
    let split = StratifiedSplit(labels: labels, validation: 0.2, test: 0.1, seed: 42)
    #expect(classCounts(split.validation.map { labels[$0] }, classCount: 3) == [20, 10, 6])
    #expect(classCounts(split.test.map { labels[$0] }, classCount: 3) == [10, 5, 3])
    #expect(classCounts(split.train.map { labels[$0] }, classCount: 3) == [70, 35, 21])
    #expect((split.train + split.validation + split.test).sorted() == Array(0..<labels.count))
    #expect(Set(split.train).isDisjoint(with: split.validation) && Set(split.train).isDisjoint(with: split.test))
    #expect(split.train == split.train.sorted())

    #expect(StratifiedSplit(labels: labels, validation: 0.2, test: 0.1, seed: 42) == split)
    #expect(StratifiedSplit(labels: labels, validation: 0.2, test: 0.1, seed: 43) != split)

    let mnist = try Datasets.mnist()
    let mnistSplit = StratifiedSplit(labels: mnist.labels, validation: 0.1, seed: 7)
    #expect(classCounts(mnistSplit.validation.map { mnist.labels[$0] }, classCount: 10) == Array(repeating: 50, count: 10))
    #expect(mnistSplit.train.count == 4500 && mnistSplit.test.isEmpty)
  }

  @Test("Mini-batches cover every index once per epoch, keep the last partial batch, and repeat by seed")
  func miniBatches() {
    let indices = Array(stride(from: 0, to: 206, by: 2))  // 103 indices
    let epoch = MiniBatches(indices: indices, batchSize: 10, seed: 5)
    #expect(epoch.count == 11)
    #expect(epoch.map(\.count) == Array(repeating: 10, count: 10) + [3])
    #expect(epoch.flatMap { $0 }.sorted() == indices)
    #expect(epoch.order != indices)  // shuffled

    #expect(MiniBatches(indices: indices, batchSize: 10, seed: 5).order == epoch.order)
    var first = RandomGenerator(seed: 9), second = RandomGenerator(seed: 9)
    let run1 = (0..<3).map { _ in MiniBatches(indices: indices, batchSize: 10, shuffledBy: &first).order }
    let run2 = (0..<3).map { _ in MiniBatches(indices: indices, batchSize: 10, shuffledBy: &second).order }
    #expect(run1 == run2)
    #expect(run1[0] != run1[1] && run1[1] != run1[2])  // a new order every epoch

    let evaluation = MiniBatches(inOrder: indices, batchSize: 50)
    #expect(Array(evaluation) == [Array(indices[0..<50]), Array(indices[50..<100]), Array(indices[100...])])
    #expect(MiniBatches(inOrder: [], batchSize: 4).isEmpty)
  }

  @Test("A batch copies the chosen rows and their labels")
  func batches() throws {
    let inputs = Tensor(shape: [5, 2, 2], data: (0..<20).map(Float.init))
    let batch = makeBatch([4, 0, 4], inputs: inputs, labels: [10, 11, 12, 13, 14])
    #expect(batch.inputs.shape == [3, 2, 2])
    #expect(batch.inputs.data == [16, 17, 18, 19, 0, 1, 2, 3, 16, 17, 18, 19])
    #expect(batch.labels == [14, 10, 14])
    #expect(inputs.rows(at: []).shape == [0, 2, 2])

    let digits = try Datasets.uciDigits(.test)
    let part = digits.subset([3, 1])
    #expect(part.labels == [digits.labels[3], digits.labels[1]])
    #expect(Array(part.images.data[0..<64]) == Array(digits.images.data[192..<256]))
    let texts = try Datasets.textClassification("sms-spam", .test).subset([1, 0])
    #expect(texts.count == 2 && texts.otherColumns.isEmpty)
  }
}
