import Foundation
import Testing

@testable import DeepLearning
@testable import Plotting
import TestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite("Plotting")
struct PlottingTests {
  // MARK: - Helpers

  /// What an XML parse of a figure found: whether it was well formed, element names with attributes, and text nodes.
  struct ParsedSVG {
    var wellFormed: Bool
    var error: String
    var elements: [(name: String, attributes: [String: String])]
    var texts: [String]

    func count(_ name: String) -> Int { elements.filter { $0.name == name }.count }
    func attributes(of name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
  }

  final class Collector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    var buffer = ""
    var depth = 0

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      elements.append((elementName, attributes))
      buffer = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      buffer += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      if elementName == "text" || elementName == "title" {
        texts.append(buffer)
      }
      buffer = ""
    }
  }

  static func parse(_ svg: String) -> ParsedSVG {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    let ok = parser.parse()
    return ParsedSVG(
      wellFormed: ok, error: parser.parserError.map { "\($0)" } ?? "", elements: collector.elements,
      texts: collector.texts)
  }

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("plotting-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  // MARK: - Numbers and ticks

  @Test("numbers are formatted without locale and with a fixed number of decimals")
  func numberFormatting() {
    #expect(SVGDocument.format(0.1 + 0.2) == "0.3")
    #expect(SVGDocument.format(1234.5678) == "1234.57")
    #expect(SVGDocument.format(-0.0001) == "0")
    #expect(SVGDocument.format(-2.5, decimals: 0) == "-3")
    #expect(SVGDocument.format(12, decimals: 3) == "12")
    #expect(TickFormat.number(0.5, decimals: 2, trimZeros: false) == "0.50")
    #expect(TickFormat.number(.nan) == "0")
    #expect(TickFormat.scientific(0.000025, significantDigits: 2) == "2.5e-5")
    #expect(TickFormat.value(38.61) == "38.6")
    #expect(TickFormat.value(0.91666) == "0.917")
  }

  @Test("linear ticks are round numbers covering the data (0…0.93 gives 0, 0.2, …, 1.0)")
  func linearTicks() {
    let ticks = Ticks.linear(min: 0, max: 0.93, target: 5)
    #expect(ticks.major == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    #expect(ticks.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    #expect(ticks.lower == 0)
    #expect(ticks.upper == 1.0)

    let big = Ticks.linear(min: 3, max: 97, target: 5)
    #expect(big.major == [0, 20, 40, 60, 80, 100])
    #expect(big.labels == ["0", "20", "40", "60", "80", "100"])

    let negative = Ticks.linear(min: -1.2, max: 0.7, target: 4)
    #expect(negative.major == [-1.5, -1.0, -0.5, 0, 0.5, 1.0])
    #expect(negative.labels.first == "-1.5")

    // A fixed range keeps its ends and puts ticks only inside it.
    let fixed = Ticks.linear(min: -1.5, max: 3, target: 5, fixed: true)
    #expect(fixed.lower == -1.5 && fixed.upper == 3)
    #expect(fixed.major == [-1, 0, 1, 2, 3])

    // A flat series still gets a usable window.
    let flat = Ticks.linear(min: 2, max: 2, target: 5)
    #expect(flat.lower < 2 && flat.upper > 2)

    // Integer x values (epochs) never get fractional ticks.
    let epochs = Ticks.linear(min: 0, max: 3, target: 8, integerStep: true)
    #expect(epochs.major == [0, 1, 2, 3])
  }

  @Test("log ticks are decades over wide ranges and 1-2-5 values over narrow ones")
  func logTicks() {
    let wide = Ticks.logarithmic(min: 0.002, max: 37)
    #expect(wide.major == [0.001, 0.01, 0.1, 1, 10, 100])
    #expect(wide.labels == ["0.001", "0.01", "0.1", "1", "10", "100"])
    #expect(wide.minor.contains(0.02) && wide.minor.contains(50))

    let narrow = Ticks.logarithmic(min: 0.3, max: 0.9)
    #expect(narrow.lower == 0.2 && narrow.upper == 1)
    #expect(narrow.major == [0.2, 0.5, 1])

    let huge = Ticks.logarithmic(min: 1e-17, max: 1e44)
    #expect(huge.labels.contains("1e-10"))
    #expect(huge.labels.contains("1"))
    #expect(huge.labels.contains("1e20"))
    #expect(huge.major.count <= 9)
  }

  // MARK: - SVGDocument

  @Test("SVGDocument escapes text and attributes and produces well-formed XML")
  func documentEscaping() {
    var document = SVGDocument(width: 200, height: 100, title: "A & B")
    document.text("x < y & z > w \"quoted\" 'single'", x: 10, y: 20)
    document.rect(x: 0, y: 0, width: 10, height: 10, fill: "url(\"#a\")")
    document.text("bell\u{07}char", x: 10, y: 40)
    let svg = document.svg
    #expect(svg.contains("x &lt; y &amp; z &gt; w &quot;quoted&quot; &#39;single&#39;"))
    #expect(!svg.contains("x < y"))
    #expect(!svg.contains("\u{07}"))
    let parsed = Self.parse(svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.texts.contains("x < y & z > w \"quoted\" 'single'"))
    #expect(parsed.texts.contains("A & B"))
    #expect(parsed.attributes(of: "rect").contains { $0["fill"] == "url(\"#a\")" })
    #expect(parsed.elements.first?.name == "svg")
    #expect(parsed.elements.first?.attributes["viewBox"] == "0 0 200 100")
  }

  @Test("SVGDocument closes groups left open")
  func documentGroups() {
    var document = SVGDocument(width: 10, height: 10)
    document.openGroup(attributes: [("transform", "translate(1 2)")])
    document.circle(cx: 1, cy: 1, r: 1, fill: "#000000")
    let parsed = Self.parse(document.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.count("g") == 1)
    #expect(parsed.count("circle") == 1)
  }

  // MARK: - LineChart

  @Test("LineChart renders title, axis labels, legend and one polyline per series")
  func lineChartBasics() {
    var chart = LineChart(title: "Loss curves", xLabel: "epoch", yLabel: "loss")
    chart.addSeries("train", y: [2.3, 1.2, 0.8, 0.5] as [Float])
    chart.addSeries("validation", x: [0, 1, 2, 3] as [Double], y: [2.4, 1.4, 1.0, 0.9] as [Double], dashed: true)
    chart.addReferenceLine(y: 0.6, label: "target")
    let parsed = Self.parse(chart.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    for text in ["Loss curves", "epoch", "loss", "train", "validation", "target"] {
      #expect(parsed.texts.contains(text), "missing text \(text)")
    }
    #expect(parsed.count("polyline") == 2)
    #expect(parsed.attributes(of: "polyline").contains { $0["stroke-dasharray"] != nil })
    // x = 0…3 are whole numbers, so the x ticks are 0, 1, 2, 3 rather than 0.0, 0.5, ….
    #expect(["0", "1", "2", "3"].allSatisfy { parsed.texts.contains($0) })
  }

  @Test("LineChart escapes <, & and > in every label")
  func lineChartEscaping() {
    var chart = LineChart(title: "a<b & c>d", xLabel: "x<1", yLabel: "y&z")
    chart.addSeries("<train>", y: [1.0, 2.0])
    let svg = chart.svg
    #expect(svg.contains("a&lt;b &amp; c&gt;d"))
    #expect(svg.contains("&lt;train&gt;"))
    #expect(!svg.contains("<train>"))
    let parsed = Self.parse(svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.texts.contains("a<b & c>d"))
    #expect(parsed.texts.contains("x<1"))
    #expect(parsed.texts.contains("y&z"))
  }

  @Test("LineChart skips NaN and infinite points and breaks the line there")
  func lineChartSkipsNonFinite() {
    var chart = LineChart(title: "Diverging")
    chart.addSeries("loss", y: [1.0, 2.0, .nan, 3.0, 4.0, .infinity, 5.0, -.infinity])
    let svg = chart.svg
    let parsed = Self.parse(svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.count("polyline") == 2)
    // The isolated point 5 is still visible, as a dot.
    #expect(parsed.count("circle") == 1)
    let lower = svg.lowercased()
    #expect(!lower.contains("nan"))
    #expect(!lower.contains("inf"))
    // Every coordinate is a plain decimal number.
    for polyline in parsed.attributes(of: "polyline") {
      for pair in (polyline["points"] ?? "").split(separator: " ") {
        let parts = pair.split(separator: ",")
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { Double($0)?.isFinite == true })
      }
    }
  }

  @Test("LineChart with only non-finite values, or no series, still renders")
  func lineChartEmpty() {
    var chart = LineChart(title: "Nothing")
    #expect(Self.parse(chart.svg).wellFormed)
    chart.addSeries("all nan", y: [Double.nan, .nan])
    chart.logScaleY = true
    let parsed = Self.parse(chart.svg)
    #expect(parsed.wellFormed)
    #expect(parsed.count("polyline") == 0)
  }

  @Test("LineChart log scale shows decade ticks and drops values ≤ 0")
  func lineChartLogScale() {
    var chart = LineChart(title: "Log loss", xLabel: "step", yLabel: "loss")
    chart.addSeries("loss", y: [5.0, 0.5, 0.05, 0.0, 0.004])
    chart.logScaleY = true
    let parsed = Self.parse(chart.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    for label in ["0.001", "0.01", "0.1", "1", "10"] {
      #expect(parsed.texts.contains(label), "missing tick \(label)")
    }
    // The zero breaks the curve into 0…0.05 and the lone 0.004 point.
    #expect(parsed.count("polyline") == 1)
  }

  @Test("LineChart clips curves to a fixed y range instead of escaping the plot")
  func lineChartClipping() {
    var chart = LineChart(title: "Clipped", width: 400, height: 300)
    chart.addSeries("exploding", y: [1.0, 10.0, 1e30, 1e300])
    chart.yRange = 0...5
    let parsed = Self.parse(chart.svg)
    #expect(parsed.wellFormed)
    for polyline in parsed.attributes(of: "polyline") {
      for pair in (polyline["points"] ?? "").split(separator: " ") {
        let values = pair.split(separator: ",").compactMap { Double($0) }
        #expect(values.allSatisfy { $0 >= -5 && $0 <= 405 })
      }
    }
  }

  @Test("the same chart renders byte-identical SVG every time")
  func deterministicOutput() {
    func make() -> String {
      var chart = LineChart(title: "Same", xLabel: "x", yLabel: "y")
      chart.addSeries("sin", x: (0..<50).map { Double($0) / 5 }, y: (0..<50).map { Foundation.sin(Double($0) / 5) })
      chart.addSeries("cos", x: (0..<50).map { Double($0) / 5 }, y: (0..<50).map { Foundation.cos(Double($0) / 5) })
      return chart.svg
    }
    #expect(make() == make())
    var grid = HeatmapGrid(title: "H")
    grid.add([[1.0, -2.0], [0.5, 0.25]])
    #expect(grid.svg == grid.svg)
  }

  // MARK: - ScatterPlot

  @Test("ScatterPlot draws one marker per point with class names in the legend")
  func scatterBasics() {
    var plot = ScatterPlot(title: "Blobs & <moons>", xLabel: "x₁", yLabel: "x₂")
    plot.addClass("red", x: [0.0, 0.1, 0.2], y: [0.0, 0.1, 0.0])
    plot.addClass("blue", x: [1.0, 1.1] as [Float], y: [1.0, 0.9] as [Float])
    plot.addPoints([[0.5, 0.5], [0.6, Double.nan]], labels: [0, 1])
    let parsed = Self.parse(plot.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.texts.contains("Blobs & <moons>"))
    #expect(parsed.texts.contains("red"))
    #expect(parsed.texts.contains("blue"))
    // Class 0 are circles, class 1 squares; 6 finite points plus one legend swatch per class.
    #expect(parsed.count("circle") == 4 + 1)
    #expect(plot.xs.count == 7)
  }

  @Test("ScatterPlot decision-boundary background merges cells and draws the p = 0.5 contour")
  func scatterBackground() {
    var plot = ScatterPlot(title: "Boundary")
    plot.addPoints(x: [-1.0, 1.0], y: [-1.0, 1.0], labels: [0, 1])
    plot.setProbabilityMap(resolution: 40) { x, _ in 1 / (1 + Foundation.exp(-4 * x)) }
    let parsed = Self.parse(plot.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    // Probability only depends on x, so each row is a few runs, not 40 cells.
    #expect(parsed.count("rect") < 40 * 40 / 2)
    #expect(parsed.count("path") >= 1)

    var classes = ScatterPlot(title: "Classes")
    classes.addPoints(x: [0.0, 1.0, 2.0], y: [0.0, 1.0, 2.0], labels: [0, 1, 2])
    classes.setDecisionBoundary(classes: [[0, 1], [2, 2]], x: 0...2, y: 0...2)
    let parsedClasses = Self.parse(classes.svg)
    #expect(parsedClasses.wellFormed)
    // Bottom row: two runs; top row: one merged run; plus the background and legend box.
    let tinted = parsedClasses.attributes(of: "rect").filter { ($0["fill"] ?? "").hasPrefix("#") && $0["fill"] != "#ffffff" }
    #expect(tinted.count >= 3)
  }

  @Test("ScatterPlot with equalAspect gives one data unit the same pixels along x and y")
  func scatterEqualAspect() throws {
    // A cloud 4 units wide and 0.4 tall: auto ranges stretch y tenfold; equal scales do not.
    func pixelsPerUnit(equalAspect: Bool) throws -> (x: Double, y: Double) {
      var plot = ScatterPlot(title: "Flat cloud", width: 560, height: 320)
      plot.addPoints(x: [0, 1, 0, -2, 2], y: [0, 0, 0.2, -0.2, 0.2], labels: [0, 0, 0, 0, 0])
      plot.legendPosition = .hidden
      plot.equalAspect = equalAspect
      let parsed = Self.parse(plot.svg)
      #expect(parsed.wellFormed, "\(parsed.error)")
      let circles = parsed.attributes(of: "circle").map { (Double($0["cx"]!)!, Double($0["cy"]!)!) }
      try #require(circles.count == 5)
      return (circles[1].0 - circles[0].0, (circles[0].1 - circles[2].1) / 0.2)
    }
    let equal = try pixelsPerUnit(equalAspect: true)
    #expect(equal.x > 50 && Swift.abs(equal.x - equal.y) < 0.01 * equal.x, "x \(equal.x) px, y \(equal.y) px per unit")
    let stretched = try pixelsPerUnit(equalAspect: false)
    #expect(stretched.y > 2 * stretched.x, "without equalAspect y is stretched: \(stretched)")
  }

  @Test("ScatterPlot point labels name their points and move aside rather than overlap")
  func scatterPointLabels() {
    var plot = ScatterPlot(title: "Words")
    plot.addPoints(x: [-1.0, 0.0, 1.0], y: [0.0, 0.5, 0.0], labels: [0, 1, 2])
    plot.addLabel("bad", x: -1, y: 0)
    plot.addLabel("good & <great>", x: 1, y: 0)
    plot.addLabel("great", x: 1, y: 0)  // the same point: must not land on "good"
    plot.addLabel("nowhere", x: 50, y: 50)  // outside the plotted range: left out
    let parsed = Self.parse(plot.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.texts.contains("bad") && parsed.texts.contains("good & <great>") && parsed.texts.contains("great"))
    #expect(!parsed.texts.contains("nowhere"))
    let labelled = parsed.elements.filter { $0.name == "text" && $0.attributes["stroke"] == "#ffffff" }.map(\.attributes)
    #expect(labelled.count == 3, "each label drawn once, with a halo")
    let good = labelled[1], great = labelled[2]
    #expect(good["x"] != great["x"] || good["y"] != great["y"] || good["text-anchor"] != great["text-anchor"],
            "two labels of one point are placed apart: \(good) \(great)")
  }

  // MARK: - BarChart

  @Test("BarChart draws labelled bars, values and a labelled reference line")
  func barChartBasics() {
    var chart = BarChart(
      title: "GFLOP/s", yLabel: "GFLOP/s", labels: ["naive", "tiled <v2>", "SIMD & tiled"], values: [0.9, 7.45, 21.3] as [Float])
    chart.addReferenceLine(y: 30, label: "peak")
    let parsed = Self.parse(chart.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    for text in ["naive", "tiled <v2>", "SIMD & tiled", "0.9", "7.45", "21.3", "peak"] {
      #expect(parsed.texts.contains(text), "missing text \(text)")
    }
    // Background + three bars.
    #expect(parsed.attributes(of: "rect").filter { $0["fill"] == Palette.color(0) }.count == 3)
  }

  @Test("BarChart groups several series and shows them in the legend")
  func barChartGrouped() {
    var chart = BarChart(title: "Models", yLabel: "accuracy", categories: ["A", "B"])
    chart.addSeries("MLP", values: [0.9, 0.8])
    chart.addSeries("CNN", values: [0.95, Double.nan])
    chart.logScaleY = false
    let parsed = Self.parse(chart.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.texts.contains("MLP") && parsed.texts.contains("CNN"))
    // NaN leaves a gap: 3 bars, plus one legend swatch per series.
    #expect(parsed.attributes(of: "rect").filter { $0["fill"] == Palette.color(1) }.count == 1 + 1)
    #expect(!chart.svg.lowercased().contains("nan"))
  }

  @Test("BarChart on a log axis renders decade ticks")
  func barChartLog() {
    var chart = BarChart(title: "Speed", yLabel: "GFLOP/s", labels: ["v1", "v2", "v3"], values: [0.3, 4.0, 58.0])
    chart.logScaleY = true
    let parsed = Self.parse(chart.svg)
    #expect(parsed.wellFormed)
    for label in ["0.1", "1", "10", "100"] {
      #expect(parsed.texts.contains(label), "missing tick \(label)")
    }
  }

  // MARK: - ImageGrid and HeatmapGrid

  @Test("ImageGrid draws images with captions, mistakes in the mistake colour")
  func imageGrid() {
    var grid = ImageGrid(title: "Predictions", columns: 2)
    var digit = [Float](repeating: 0, count: 28 * 28)
    for i in 300..<320 { digit[i] = 1 }
    grid.add(digit, width: 28, height: 28, caption: "pred 3 / true 5", highlighted: true)
    grid.add(digit, width: 28, height: 28, caption: "pred 1 / true 1")
    grid.add([Float](repeating: 0.5, count: 16), width: 4, height: 4, caption: "flat <&>")
    let svg = grid.svg
    let parsed = Self.parse(svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.texts.contains("pred 3 / true 5"))
    #expect(parsed.texts.contains("flat <&>"))
    let mistakes = parsed.attributes(of: "text").filter { $0["fill"] == Palette.mistake }
    #expect(mistakes.count == 1)
    // One background rect per image and runs for the rest: far fewer rects than pixels.
    #expect(parsed.count("rect") < 100)
    #expect(parsed.count("text") == 4)
  }

  @Test("ImageGrid with a fixed range maps values outside it to black and white")
  func imageGridRange() {
    var grid = ImageGrid(range: 0...1)
    grid.add([-1, 0.5, 2, 0.5] as [Double], width: 2, height: 2)
    let fills = Self.parse(grid.svg).attributes(of: "rect").compactMap { $0["fill"] }
    #expect(fills.contains("#000000"))
    // The canvas background is white too, so a white pixel makes a second white rect.
    #expect(fills.filter { $0 == "#ffffff" }.count == 2)
    #expect(fills.contains("#808080"))
  }

  @Test("HeatmapGrid uses a diverging map for signed values and a colour bar")
  func heatmapDiverging() {
    var grid = HeatmapGrid(title: "Filters", columns: 2)
    grid.add([-1, 0, 1, 0.5] as [Float], width: 2, height: 2, caption: "filter 0")
    grid.add([[0.25, -0.25], [1, -1]] as [[Double]], caption: "filter 1")
    let parsed = Self.parse(grid.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    #expect(parsed.texts.contains("filter 0") && parsed.texts.contains("filter 1"))
    let fills = parsed.attributes(of: "rect").compactMap { $0["fill"] }
    #expect(fills.contains(Palette.divergingColor(0)))  // -1 → darkest blue
    #expect(fills.contains(Palette.divergingColor(1)))  // +1 → darkest red
    #expect(fills.contains(Palette.divergingColor(0.5)))  // 0 → white
    #expect(parsed.count("linearGradient") == 1)
    #expect(parsed.texts.contains("-1.0") && parsed.texts.contains("1.0"))
  }

  @Test("a confusion matrix shows counts in cells with row and column labels")
  func confusionMatrix() {
    let counts = [[50, 2, 0], [3, 45, 1], [0, 4, 60]]
    let grid = HeatmapGrid.confusionMatrix(counts, classNames: ["cat", "dog", "<bird>"])
    let parsed = Self.parse(grid.svg)
    #expect(parsed.wellFormed, "\(parsed.error)")
    for text in ["Confusion matrix", "50", "45", "60", "cat", "dog", "<bird>", "true class", "predicted class"] {
      #expect(parsed.texts.contains(text), "missing text \(text)")
    }
    // Dark cells get white numbers for contrast.
    #expect(parsed.attributes(of: "text").contains { $0["fill"] == "#ffffff" })
  }

  // MARK: - Writing files

  @Test("write(to:) creates folders, writes atomically and returns the path")
  func writeAtomically() throws {
    let root = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    var chart = LineChart(title: "Written")
    chart.addSeries("a", y: [1.0, 2.0, 3.0])
    let path = root.appendingPathComponent("figures/nested/03-learning-rates.svg").path
    let returned = try chart.write(to: path)
    #expect(returned == path)
    let written = try String(contentsOfFile: path, encoding: .utf8)
    #expect(written == chart.svg)
    // Overwriting works, and no temporary files are left behind.
    chart.title = "Rewritten"
    try chart.write(to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Rewritten"))
    let folder = root.appendingPathComponent("figures/nested").path
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["03-learning-rates.svg"])
  }

  @Test("writing under a regular file throws an error naming the path")
  func writeImpossiblePath() throws {
    let root = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let blocker = root.appendingPathComponent("not-a-folder")
    try Data("x".utf8).write(to: blocker)
    let path = blocker.appendingPathComponent("figures/plot.svg").path
    var chart = BarChart(title: "B", labels: ["a"], values: [1.0])
    chart.showValues = false
    let error = #expect(throws: CourseError.self) { try chart.write(to: path) }
    #expect(error?.description.contains(path) == true)
    #expect(error?.description.contains("not-a-folder") == true)
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test("writing onto an existing folder or an empty path throws a clear error")
  func writeOntoFolder() throws {
    let root = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let grid = ImageGrid()
    let error = #expect(throws: CourseError.self) { try grid.write(to: root.path) }
    #expect(error?.description.contains(root.path) == true)
    #expect(error?.description.contains("director") == true)
    #expect(throws: CourseError.self) { try grid.write(to: "") }
  }
}
