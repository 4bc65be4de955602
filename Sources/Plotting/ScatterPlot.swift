import Foundation

/// A scatter plot of 2-D points coloured by class, optionally over a decision-boundary background.
///
/// ```swift
/// var plot = ScatterPlot(title: "Two moons", xLabel: "x₁", yLabel: "x₂")
/// plot.addPoints(x: xs, y: ys, labels: classes)
/// plot.classNames = ["class 0", "class 1"]
/// plot.setProbabilityMap { x, y in model.probability(x, y) }  // P(class 1)
/// try plot.write(to: "figures/06-decision-boundary.svg")
/// ```
public struct ScatterPlot: SVGFigure {
  /// What fills the plot area behind the points.
  enum Background {
    case none
    case classFunction(resolution: Int, (Double, Double) -> Int)
    case probabilityFunction(resolution: Int, (Double, Double) -> Double)
    case classGrid([[Int]], x: ClosedRange<Double>, y: ClosedRange<Double>)
    case probabilityGrid([[Double]], x: ClosedRange<Double>, y: ClosedRange<Double>)
  }

  /// Title above the plot.
  public var title: String
  /// Label under the x axis.
  public var xLabel: String
  /// Label beside the y axis.
  public var yLabel: String
  /// Legend names of classes 0, 1, 2, …; classes without a name are listed as "class k".
  public var classNames: [String] = []
  /// Canvas width in pixels.
  public var width: Double
  /// Canvas height in pixels.
  public var height: Double
  /// Fixed x range, or nil to fit the points with round tick values.
  public var xRange: ClosedRange<Double>?
  /// Fixed y range, or nil to fit the points with round tick values.
  public var yRange: ClosedRange<Double>?
  /// Marker radius in pixels.
  public var pointRadius = 4.0
  /// Where the legend goes.
  public var legendPosition: LegendPosition = .automatic
  /// Draws the p = 0.5 contour over a probability background.
  public var showBoundaryLine = true
  /// One data unit takes as many pixels along y as along x, so that distances and directions in
  /// the picture are those of the data: a cloud twice as wide as tall looks it. The axis with the
  /// smaller span is widened around its centre (even a fixed range) until the scales match.
  public var equalAspect = false
  /// Text labels drawn beside chosen points (`addLabel`), on top of the markers.
  public private(set) var pointLabels: [(text: String, x: Double, y: Double)] = []

  /// X coordinates of the points.
  public private(set) var xs: [Double] = []
  /// Y coordinates of the points.
  public private(set) var ys: [Double] = []
  /// Class index of each point (picks its colour and marker shape).
  public private(set) var labels: [Int] = []
  var background: Background = .none

  /// Creates an empty scatter plot; add points with `addPoints` or `addClass`.
  public init(title: String = "", xLabel: String = "", yLabel: String = "", width: Double = 560, height: Double = 480) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.width = width
    self.height = height
  }

  /// Adds points (x[i], y[i]) of class labels[i]; extra values in longer arrays are ignored.
  public mutating func addPoints<T: BinaryFloatingPoint>(x: [T], y: [T], labels: [Int]) {
    let count = Swift.min(x.count, y.count, labels.count)
    for i in 0..<count {
      xs.append(Double(x[i]))
      ys.append(Double(y[i]))
      self.labels.append(labels[i])
    }
  }

  /// Adds points given as rows [x, y] (a 2-column data set) with one class label per row.
  public mutating func addPoints<T: BinaryFloatingPoint>(_ rows: [[T]], labels: [Int]) {
    for (row, label) in zip(rows, labels) where row.count >= 2 {
      xs.append(Double(row[0]))
      ys.append(Double(row[1]))
      self.labels.append(label)
    }
  }

  /// Adds all points of one class under a legend name; classes are numbered in the order they are added.
  public mutating func addClass<T: BinaryFloatingPoint>(_ name: String, x: [T], y: [T]) {
    let label = classNames.count
    classNames.append(name)
    addPoints(x: x, y: y, labels: Array(repeating: label, count: Swift.min(x.count, y.count)))
  }

  /// Writes `text` beside the point (x, y), to name it (a word in a projection, an outlier); the
  /// label goes to the right of the point, or to its left, or a few lines higher or lower with a
  /// leader line, whichever is first free of the labels placed before it.
  public mutating func addLabel(_ text: String, x: Double, y: Double) {
    pointLabels.append((text, x, y))
  }

  /// Fills the background with the light colour of the class `classify(x, y)` returns, sampled on a `resolution`² grid over the plot.
  public mutating func setDecisionBoundary(resolution: Int = 120, _ classify: @escaping (Double, Double) -> Int) {
    background = .classFunction(resolution: Swift.max(2, resolution), classify)
  }

  /// Fills the background with P(class 1) from `probability(x, y)`: class-0 colour near 0, white at 0.5, class-1 colour near 1.
  public mutating func setProbabilityMap(resolution: Int = 120, _ probability: @escaping (Double, Double) -> Double) {
    background = .probabilityFunction(resolution: Swift.max(2, resolution), probability)
  }

  /// Fills the background with a precomputed grid of classes; `grid[0]` is the bottom row (smallest y) spanning `x` and `y`.
  public mutating func setDecisionBoundary(classes grid: [[Int]], x: ClosedRange<Double>, y: ClosedRange<Double>) {
    background = .classGrid(grid, x: x, y: y)
  }

  /// Fills the background with a precomputed grid of P(class 1); `grid[0]` is the bottom row (smallest y) spanning `x` and `y`.
  public mutating func setProbabilityMap<T: BinaryFloatingPoint>(
    probabilities grid: [[T]], x: ClosedRange<Double>, y: ClosedRange<Double>
  ) {
    background = .probabilityGrid(grid.map { $0.map { Double($0) } }, x: x, y: y)
  }

  /// Removes the background.
  public mutating func clearBackground() {
    background = .none
  }

  private func name(ofClass label: Int) -> String {
    label >= 0 && label < classNames.count ? classNames[label] : "class \(label)"
  }

  /// Light tint of a class colour used for background cells.
  private static func tint(_ label: Int, strength: Double) -> RGBColor {
    RGBColor.white.mixed(with: RGBColor(hex: Palette.color(label)), strength)
  }

  /// Background colour for probability p of class 1, quantised to 20 steps so neighbouring cells merge.
  private static func probabilityColor(_ p: Double) -> String {
    guard p.isFinite else { return "#eeeeee" }
    let q = (Swift.min(Swift.max(p, 0), 1) * 20).rounded() / 20
    if q < 0.5 { return tint(0, strength: 0.45 * (0.5 - q) * 2).hex }
    return tint(1, strength: 0.45 * (q - 0.5) * 2).hex
  }

  /// The rendered SVG document.
  public var svg: String {
    TwoPassLayout.render(legend: legendPosition) { render($0) }
  }

  private func render(_ options: RenderOptions) -> RenderedChart {
    var document = SVGDocument(width: width, height: height, title: title.isEmpty ? nil : title)

    var fixedX = xRange
    var fixedY = yRange
    switch background {
    case .classGrid(_, let x, let y), .probabilityGrid(_, let x, let y):
      fixedX = fixedX ?? x
      fixedY = fixedY ?? y
    default: break
    }
    let finite = xs.indices.filter { xs[$0].isFinite && ys[$0].isFinite }
    func ticks(plotWidth: Double, plotHeight: Double) -> (Ticks, Ticks) {
      let xTarget = Swift.max(2, Int(plotWidth / 80))
      let yTarget = Swift.max(2, Int(plotHeight / 55))
      // Auto ranges leave a little room so points do not sit on the axes.
      func padded(_ values: [Double]) -> (Double, Double) {
        guard let low = values.min(), let high = values.max() else { return (0, 1) }
        let pad = (high - low) * 0.04
        return (low - pad, high + pad)
      }
      let xt: Ticks
      if let fixedX, fixedX.upperBound > fixedX.lowerBound {
        xt = Ticks.linear(min: fixedX.lowerBound, max: fixedX.upperBound, target: xTarget, fixed: true)
      } else {
        let (low, high) = padded(finite.map { xs[$0] })
        xt = Ticks.linear(min: low, max: high, target: xTarget)
      }
      let yt: Ticks
      if let fixedY, fixedY.upperBound > fixedY.lowerBound {
        yt = Ticks.linear(min: fixedY.lowerBound, max: fixedY.upperBound, target: yTarget, fixed: true)
      } else {
        let (low, high) = padded(finite.map { ys[$0] })
        yt = Ticks.linear(min: low, max: high, target: yTarget)
      }
      guard equalAspect, plotWidth > 0, plotHeight > 0 else { return (xt, yt) }
      // Data units per pixel along each axis; widen the axis that shows fewer, around its centre.
      let xUnits = (xt.upper - xt.lower) / plotWidth, yUnits = (yt.upper - yt.lower) / plotHeight
      if xUnits > yUnits {
        let (centre, half) = ((yt.lower + yt.upper) / 2, xUnits * plotHeight / 2)
        return (xt, Ticks.linear(min: centre - half, max: centre + half, target: yTarget, fixed: true))
      } else {
        let (centre, half) = ((xt.lower + xt.upper) / 2, yUnits * plotWidth / 2)
        return (Ticks.linear(min: centre - half, max: centre + half, target: xTarget, fixed: true), yt)
      }
    }
    let present = Array(Set(finite.map { labels[$0] })).sorted()
    let entries = present.map {
      LegendEntry(name: name(ofClass: $0), color: Palette.color($0), swatch: .marker(shape: $0))
    }
    let legend = entries.isEmpty ? LegendPosition.hidden : options.legend
    let legendAbove = legend == .above ? Legend.heightAbove(entries, maxWidth: width - 80) + 6 : 0
    let legendRight = legend == .outsideRight ? Legend.size(entries).width + 24 : 0

    var (xTicks, yTicks) = ticks(plotWidth: width - 100, plotHeight: height - 100)
    var margins = Axes.margins(
      title: title, xLabel: xLabel, yLabel: yLabel, yTickLabels: yTicks.labels, xTickLabels: xTicks.labels,
      extraTop: legendAbove)
    margins.right = Swift.max(margins.right, legendRight)
    (xTicks, yTicks) = ticks(
      plotWidth: width - margins.left - margins.right, plotHeight: height - margins.top - margins.bottom)
    margins = Axes.margins(
      title: title, xLabel: xLabel, yLabel: yLabel, yTickLabels: yTicks.labels, xTickLabels: xTicks.labels,
      extraTop: legendAbove)
    margins.right = Swift.max(margins.right, legendRight)
    let plot = Rectangle(
      x: margins.left, y: margins.top, width: width - margins.left - margins.right,
      height: height - margins.top - margins.bottom)
    let xScale = LinearScale(
      lower: xTicks.lower, upper: xTicks.upper, pixelLower: plot.x, pixelUpper: plot.maxX, logarithmic: false)
    let yScale = LinearScale(
      lower: yTicks.lower, upper: yTicks.upper, pixelLower: plot.maxY, pixelUpper: plot.y, logarithmic: false)

    drawBackground(plot: plot, xScale: xScale, yScale: yScale, into: &document)
    let hasBackground: Bool
    if case .none = background { hasBackground = false } else { hasBackground = true }
    if !hasBackground {
      Axes.drawGrid(plot: plot, x: xScale, xTicks: xTicks, y: yScale, yTicks: yTicks, into: &document)
    }

    var pixels: [(Double, Double)] = []
    document.openGroup(attributes: [("fill-opacity", "0.9")])
    for i in finite {
      let px = xScale.pixel(xs[i])
      let py = yScale.pixel(ys[i])
      guard plot.insetBy(-0.5).contains(px, py) else { continue }
      pixels.append((px, py))
      drawMarker(shape: labels[i], x: px, y: py, radius: pointRadius, fill: Palette.color(labels[i]), into: &document)
    }
    document.closeGroup()
    drawPointLabels(plot: plot, xScale: xScale, yScale: yScale, into: &document)

    Axes.drawAxes(plot: plot, x: xScale, xTicks: xTicks, y: yScale, yTicks: yTicks, into: &document)
    Axes.drawLabels(
      title: title, xLabel: xLabel, yLabel: yLabel, plot: plot, canvasWidth: width, canvasHeight: height,
      into: &document)

    var result = RenderedChart(svg: "")
    func crowding(_ rect: Rectangle) -> Double {
      var hits = 0.0
      for (px, py) in pixels where rect.insetBy(-pointRadius).contains(px, py) { hits += 1 }
      return hits
    }
    result.legendCost = Legend.render(
      entries, position: legend, plot: plot, canvasWidth: width, spaceAbove: legendAbove,
      cost: crowding, into: &document)
    result.svg = document.svg
    return result
  }

  /// Font size of point labels, in pixels.
  static let pointLabelSize = 11.0

  /// Where each point label goes: beside its point, right or left, or — when both would overlap a
  /// label placed before it or leave the plot — one, two, … label heights higher or lower, with a
  /// thin leader line back to the point. Failing everything, to the right.
  func pointLabelPlacements(plot: Rectangle, xScale: LinearScale, yScale: LinearScale)
    -> [(text: String, x: Double, y: Double, anchor: SVGTextAnchor, box: Rectangle, leader: Bool)]
  {
    let size = Self.pointLabelSize, gap = pointRadius + 3, lineHeight = size * 1.25
    var placed: [(text: String, x: Double, y: Double, anchor: SVGTextAnchor, box: Rectangle, leader: Bool)] = []
    for label in pointLabels where label.x.isFinite && label.y.isFinite {
      let (px, py) = (xScale.pixel(label.x), yScale.pixel(label.y))
      guard plot.insetBy(-0.5).contains(px, py) else { continue }
      let width = TextMetrics.width(label.text, size: size)
      var candidates: [(x: Double, y: Double, anchor: SVGTextAnchor, box: Rectangle, leader: Bool)] = []
      for shift in [0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6] {
        let centre = py + Double(shift) * lineHeight
        let box = { (left: Double) in Rectangle(x: left, y: centre - size * 0.6, width: width, height: size * 1.2) }
        candidates.append((px + gap, centre + size * 0.35, .start, box(px + gap), shift != 0))
        candidates.append((px - gap, centre + size * 0.35, .end, box(px - gap - width), shift != 0))
      }
      // Widths are estimates, so keep 2 px of air between labels.
      let chosen = candidates.first { candidate in
        let box = candidate.box
        return box.x >= plot.x && box.maxX <= plot.maxX && box.y >= plot.y && box.maxY <= plot.maxY
          && placed.allSatisfy { $0.box.insetBy(-2).overlapArea(box.insetBy(-2)) == 0 }
      } ?? candidates[0]
      placed.append((label.text, chosen.x, chosen.y, chosen.anchor, chosen.box, chosen.leader))
    }
    return placed
  }

  /// Draws the point labels with a white halo, so that they stay legible over the markers, and
  /// a leader line from each displaced label back to its point.
  private func drawPointLabels(plot: Rectangle, xScale: LinearScale, yScale: LinearScale,
                               into document: inout SVGDocument) {
    let placements = pointLabelPlacements(plot: plot, xScale: xScale, yScale: yScale)
    let points = pointLabels.filter { $0.x.isFinite && $0.y.isFinite }
      .map { (xScale.pixel($0.x), yScale.pixel($0.y)) }
      .filter { plot.insetBy(-0.5).contains($0.0, $0.1) }
    for (label, point) in zip(placements, points) where label.leader {
      let edge = label.anchor == .start ? label.box.x - 1 : label.box.maxX + 1
      document.line(x1: point.0, y1: point.1, x2: edge, y2: label.box.y + label.box.height / 2,
                    stroke: "#777777", width: 0.75)
    }
    for label in placements {
      document.text(label.text, x: label.x, y: label.y, size: Self.pointLabelSize, anchor: label.anchor,
                    fill: "#1a1a1a", halo: true)
    }
  }

  /// Paints background cells as horizontal runs of equal colour, plus the p = 0.5 contour for probabilities.
  private func drawBackground(plot: Rectangle, xScale: LinearScale, yScale: LinearScale, into document: inout SVGDocument) {
    // colours[row][column], row 0 at the bottom; values kept for the contour.
    var colours: [[String]] = []
    var probabilities: [[Double]]? = nil
    var cellX: ClosedRange<Double> = xScale.lower...xScale.upper
    var cellY: ClosedRange<Double> = yScale.lower...yScale.upper
    switch background {
    case .none:
      return
    case .classFunction(let resolution, let classify):
      let (cx, cy) = cellCenters(resolution: resolution, plot: plot, xScale: xScale, yScale: yScale)
      colours = cy.map { y in cx.map { x in Self.tint(classify(x, y), strength: 0.28).hex } }
    case .probabilityFunction(let resolution, let probability):
      let (cx, cy) = cellCenters(resolution: resolution, plot: plot, xScale: xScale, yScale: yScale)
      let values = cy.map { y in cx.map { x in probability(x, y) } }
      probabilities = values
      colours = values.map { $0.map(Self.probabilityColor) }
    case .classGrid(let grid, let x, let y):
      colours = grid.map { $0.map { Self.tint($0, strength: 0.28).hex } }
      cellX = x
      cellY = y
    case .probabilityGrid(let grid, let x, let y):
      probabilities = grid
      colours = grid.map { $0.map(Self.probabilityColor) }
      cellX = x
      cellY = y
    }
    let rows = colours.count
    guard rows > 0 else { return }
    let left = xScale.pixel(cellX.lowerBound)
    let right = xScale.pixel(cellX.upperBound)
    let bottom = yScale.pixel(cellY.lowerBound)
    let top = yScale.pixel(cellY.upperBound)
    let cellHeight = (bottom - top) / Double(rows)

    document.openGroup(attributes: [("shape-rendering", "crispEdges")])
    for (r, row) in colours.enumerated() where !row.isEmpty {
      let cellWidth = (right - left) / Double(row.count)
      let y0 = bottom - cellHeight * Double(r + 1)
      var start = 0
      while start < row.count {
        var end = start + 1
        while end < row.count && row[end] == row[start] { end += 1 }
        // Clip the run to the plot area (a grid may extend past a fixed range).
        let rx0 = Swift.max(left + cellWidth * Double(start), plot.x)
        let rx1 = Swift.min(left + cellWidth * Double(end), plot.maxX)
        let ry0 = Swift.max(y0, plot.y)
        let ry1 = Swift.min(y0 + cellHeight, plot.maxY)
        if rx1 > rx0 && ry1 > ry0 {
          // Overlap neighbours by a fraction of a pixel so no hairline seams show.
          document.rect(
            x: rx0, y: ry0, width: rx1 - rx0 + (end < row.count ? 0.3 : 0), height: ry1 - ry0 + (r > 0 ? 0.3 : 0),
            fill: row[start])
        }
        start = end
      }
    }
    document.closeGroup()

    if showBoundaryLine, let probabilities {
      let d = Self.contourPath(
        probabilities, level: 0.5, left: left, right: right, bottom: bottom, top: top, clip: plot)
      if !d.isEmpty {
        document.path(d, stroke: "#333333", strokeWidth: 1.5, opacity: 0.8)
      }
    }
  }

  /// Data coordinates of the centres of a `resolution`² grid covering the plot area (rows bottom to top).
  private func cellCenters(
    resolution: Int, plot: Rectangle, xScale: LinearScale, yScale: LinearScale
  ) -> ([Double], [Double]) {
    let columns = Swift.min(resolution, 400)
    let ratio = plot.width > 1 && plot.height > 1 ? plot.height / plot.width : 1
    let rows = Swift.min(Swift.max(2, Int((Double(columns) * ratio).rounded())), 400)
    let cx = (0..<columns).map { xScale.lower + (xScale.upper - xScale.lower) * (Double($0) + 0.5) / Double(columns) }
    let cy = (0..<rows).map { yScale.lower + (yScale.upper - yScale.lower) * (Double($0) + 0.5) / Double(rows) }
    return (cx, cy)
  }

  /// Marching squares over cell-centre values: SVG path data of the `level` contour in pixel coordinates.
  static func contourPath(
    _ values: [[Double]], level: Double, left: Double, right: Double, bottom: Double, top: Double, clip: Rectangle
  ) -> String {
    let rows = values.count
    guard rows >= 2, let columns = values.first?.count, columns >= 2,
      values.allSatisfy({ $0.count == columns })
    else { return "" }
    let cellWidth = (right - left) / Double(columns)
    let cellHeight = (bottom - top) / Double(rows)
    func point(_ r: Double, _ c: Double) -> (Double, Double) {
      (left + cellWidth * (c + 0.5), bottom - cellHeight * (r + 0.5))
    }
    func crossing(_ a: Double, _ b: Double) -> Double {
      let t = (level - a) / (b - a)
      return t.isFinite ? Swift.min(Swift.max(t, 0), 1) : 0.5
    }
    let f = TickFormat.coordinate
    var d = ""
    for r in 0..<(rows - 1) {
      for c in 0..<(columns - 1) {
        let v00 = values[r][c]
        let v01 = values[r][c + 1]
        let v10 = values[r + 1][c]
        let v11 = values[r + 1][c + 1]
        guard v00.isFinite, v01.isFinite, v10.isFinite, v11.isFinite else { continue }
        // Edge crossings: bottom (r, c→c+1), right (r→r+1, c+1), top (r+1, c→c+1), left (r→r+1, c).
        var points: [(Double, Double)] = []
        if (v00 >= level) != (v01 >= level) { points.append(point(Double(r), Double(c) + crossing(v00, v01))) }
        if (v01 >= level) != (v11 >= level) { points.append(point(Double(r) + crossing(v01, v11), Double(c + 1))) }
        if (v10 >= level) != (v11 >= level) { points.append(point(Double(r + 1), Double(c) + crossing(v10, v11))) }
        if (v00 >= level) != (v10 >= level) { points.append(point(Double(r) + crossing(v00, v10), Double(c))) }
        var k = 0
        while k + 1 < points.count {
          if let (ax, ay, bx, by) = clipSegment(points[k].0, points[k].1, points[k + 1].0, points[k + 1].1, to: clip) {
            d += "M\(f(ax)) \(f(ay))L\(f(bx)) \(f(by))"
          }
          k += 2
        }
      }
    }
    return d
  }
}
