import Foundation

/// A line chart of named series, for loss curves, activation functions and learning-rate comparisons.
///
/// ```swift
/// var chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "cross-entropy")
/// chart.addSeries("train", y: trainLosses)
/// chart.addSeries("validation", y: validationLosses, dashed: true)
/// chart.logScaleY = true
/// try chart.write(to: "figures/05-loss.svg")
/// ```
///
/// Non-finite points (NaN, ±infinity, and values ≤ 0 on a log axis) are skipped and break the line,
/// so a diverging run still gives a valid figure.
public struct LineChart: SVGFigure {
  /// One named curve: x and y values, colour and style.
  public struct Series: Sendable {
    /// Legend text; series with an empty name are left out of the legend.
    public var name: String
    /// X values; the curve uses the first `min(x.count, y.count)` points.
    public var x: [Double]
    /// Y values.
    public var y: [Double]
    /// Colour as a CSS colour string, or nil for the next palette colour.
    public var color: String?
    /// Draws a dashed line (for example validation next to training).
    public var dashed: Bool
    /// Draws a marker at every point.
    public var markers: Bool
    /// Stroke width in pixels.
    public var lineWidth: Double

    /// A series from x and y values (Float or Double).
    public init<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
      _ name: String, x: [X], y: [Y], color: String? = nil, dashed: Bool = false, markers: Bool = false,
      lineWidth: Double = 2
    ) {
      self.name = name
      self.x = x.map { Double($0) }
      self.y = y.map { Double($0) }
      self.color = color
      self.dashed = dashed
      self.markers = markers
      self.lineWidth = lineWidth
    }

    /// A series from y values only, with x = 0, 1, 2, ….
    public init<Y: BinaryFloatingPoint>(
      _ name: String, y: [Y], color: String? = nil, dashed: Bool = false, markers: Bool = false,
      lineWidth: Double = 2
    ) {
      self.init(
        name, x: (0..<y.count).map { Double($0) }, y: y, color: color, dashed: dashed, markers: markers,
        lineWidth: lineWidth)
    }
  }

  /// Title above the plot.
  public var title: String
  /// Label under the x axis.
  public var xLabel: String
  /// Label beside the y axis.
  public var yLabel: String
  /// The curves, drawn in order (later ones on top).
  public var series: [Series] = []
  /// Canvas width in pixels.
  public var width: Double
  /// Canvas height in pixels.
  public var height: Double
  /// Uses a base-10 logarithmic y axis (for losses spanning several orders of magnitude).
  public var logScaleY = false
  /// Fixed x range, or nil to fit the data with round tick values at both ends.
  public var xRange: ClosedRange<Double>?
  /// Fixed y range, or nil to fit the data; points outside are clipped at the plot edge.
  public var yRange: ClosedRange<Double>?
  /// Dashed horizontal or vertical reference lines with labels.
  public var referenceLines: [ReferenceLine] = []
  /// Draws markers on every series (in addition to series that ask for them).
  public var showMarkers = false
  /// Where the legend goes.
  public var legendPosition: LegendPosition = .automatic

  /// Creates an empty chart; add curves with `addSeries`.
  public init(title: String = "", xLabel: String = "", yLabel: String = "", width: Double = 640, height: Double = 400) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.width = width
    self.height = height
  }

  /// Adds a curve through the points (x[i], y[i]).
  public mutating func addSeries<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
    _ name: String, x: [X], y: [Y], color: String? = nil, dashed: Bool = false, markers: Bool = false
  ) {
    series.append(Series(name, x: x, y: y, color: color, dashed: dashed, markers: markers))
  }

  /// Adds a curve through (i, y[i]) for i = 0, 1, 2, ….
  public mutating func addSeries<Y: BinaryFloatingPoint>(
    _ name: String, y: [Y], color: String? = nil, dashed: Bool = false, markers: Bool = false
  ) {
    series.append(Series(name, y: y, color: color, dashed: dashed, markers: markers))
  }

  /// Adds a dashed horizontal line at `y` with an optional label.
  public mutating func addReferenceLine(y: Double, label: String = "", color: String? = nil) {
    referenceLines.append(ReferenceLine(y: y, label: label, color: color))
  }

  /// Adds a dashed vertical line at `x` with an optional label.
  public mutating func addReferenceLine(x: Double, label: String = "", color: String? = nil) {
    referenceLines.append(ReferenceLine(x: x, label: label, color: color))
  }

  private func color(of index: Int) -> String {
    series[index].color ?? Palette.color(index)
  }

  private func usable(_ x: Double, _ y: Double) -> Bool {
    x.isFinite && y.isFinite && (!logScaleY || y > 0)
  }

  /// Ticks of both axes, from the fixed ranges or the finite data.
  func axes(plotWidth: Double, plotHeight: Double) -> (x: Ticks, y: Ticks) {
    var xs: [Double] = []
    var ys: [Double] = []
    var allIntegerX = true
    for s in series {
      for i in 0..<Swift.min(s.x.count, s.y.count) where usable(s.x[i], s.y[i]) {
        xs.append(s.x[i])
        ys.append(s.y[i])
        if s.x[i] != s.x[i].rounded() { allIntegerX = false }
      }
    }
    for line in referenceLines where line.value.isFinite {
      switch line.orientation {
      case .horizontal where !logScaleY || line.value > 0: ys.append(line.value)
      case .vertical: xs.append(line.value)
      default: break
      }
    }
    let xTarget = Swift.max(2, Int(plotWidth / 90))
    let yTarget = Swift.max(2, Int(plotHeight / 55))
    let xTicks: Ticks
    if let xRange, xRange.upperBound > xRange.lowerBound {
      xTicks = Ticks.linear(min: xRange.lowerBound, max: xRange.upperBound, target: xTarget, fixed: true)
    } else {
      xTicks = Ticks.linear(
        min: xs.min() ?? 0, max: xs.max() ?? 1, target: xTarget, integerStep: allIntegerX && !xs.isEmpty)
    }
    let yTicks: Ticks
    if logScaleY {
      if let yRange, yRange.lowerBound > 0, yRange.upperBound > yRange.lowerBound {
        yTicks = Ticks.logarithmic(min: yRange.lowerBound, max: yRange.upperBound, fixed: true)
      } else {
        yTicks = Ticks.logarithmic(min: ys.min() ?? 0.1, max: ys.max() ?? 1)
      }
    } else if let yRange, yRange.upperBound > yRange.lowerBound {
      yTicks = Ticks.linear(min: yRange.lowerBound, max: yRange.upperBound, target: yTarget, fixed: true)
    } else {
      yTicks = Ticks.linear(min: ys.min() ?? 0, max: ys.max() ?? 1, target: yTarget)
    }
    return (xTicks, yTicks)
  }

  /// The rendered SVG document.
  public var svg: String {
    TwoPassLayout.render(legend: legendPosition) { render($0) }
  }

  private func render(_ options: RenderOptions) -> RenderedChart {
    var document = SVGDocument(width: width, height: height, title: title.isEmpty ? nil : title)
    let entries: [LegendEntry] = series.indices.compactMap { index in
      let s = series[index]
      guard !s.name.isEmpty else { return nil }
      return LegendEntry(
        name: s.name, color: color(of: index), swatch: .line(dashed: s.dashed, marker: s.markers || showMarkers))
    }
    let legend = entries.isEmpty ? LegendPosition.hidden : options.legend
    let legendAbove = legend == .above ? Legend.heightAbove(entries, maxWidth: width - 80) + 6 : 0
    let outsideLabels = options.referenceLabelsOutside ? Axes.outsideLabelWidth(referenceLines) : 0
    let legendRight = legend == .outsideRight ? Legend.size(entries).width + 24 : 0

    // Two passes: tick labels decide the margins, margins decide how many ticks fit.
    var ticks = axes(plotWidth: width - 100, plotHeight: height - 100)
    var margins = Axes.margins(
      title: title, xLabel: xLabel, yLabel: yLabel, yTickLabels: ticks.y.labels, xTickLabels: ticks.x.labels,
      extraTop: legendAbove)
    margins.right = Swift.max(margins.right, outsideLabels, legendRight)
    ticks = axes(plotWidth: width - margins.left - margins.right, plotHeight: height - margins.top - margins.bottom)
    margins = Axes.margins(
      title: title, xLabel: xLabel, yLabel: yLabel, yTickLabels: ticks.y.labels, xTickLabels: ticks.x.labels,
      extraTop: legendAbove)
    margins.right = Swift.max(margins.right, outsideLabels, legendRight)
    let plot = Rectangle(
      x: margins.left, y: margins.top, width: width - margins.left - margins.right,
      height: height - margins.top - margins.bottom)

    let xScale = LinearScale(
      lower: ticks.x.lower, upper: ticks.x.upper, pixelLower: plot.x, pixelUpper: plot.maxX, logarithmic: false)
    let yScale = LinearScale(
      lower: ticks.y.lower, upper: ticks.y.upper, pixelLower: plot.maxY, pixelUpper: plot.y,
      logarithmic: logScaleY)

    Axes.drawGrid(plot: plot, x: xScale, xTicks: ticks.x, y: yScale, yTicks: ticks.y, into: &document)
    for line in referenceLines {
      Axes.drawReferenceLine(line, plot: plot, x: xScale, y: yScale, into: &document)
    }

    // Curves: clip every segment to the plot area; a skipped point starts a new polyline.
    let clip = plot.insetBy(-1)
    var samples: [(Double, Double)] = []  // pixel points, to keep legend and labels off the data
    for (index, s) in series.enumerated() {
      let stroke = color(of: index)
      let count = Swift.min(s.x.count, s.y.count)
      var pieces: [[(x: Double, y: Double)]] = []
      var current: [(x: Double, y: Double)] = []
      var previous: (Double, Double)? = nil
      var markers: [(Double, Double)] = []
      var isolated: [(Double, Double)] = []
      let visible = (0..<count).map { i in
        usable(s.x[i], s.y[i]) && xScale.pixel(s.x[i]).isFinite && yScale.pixel(s.y[i]).isFinite
      }
      for i in 0..<count {
        let px = xScale.pixel(s.x[i])
        let py = yScale.pixel(s.y[i])
        guard usable(s.x[i], s.y[i]), px.isFinite, py.isFinite else {
          if current.count >= 2 { pieces.append(current) }
          current = []
          previous = nil
          continue
        }
        if plot.insetBy(-0.5).contains(px, py) {
          markers.append((px, py))
          samples.append((px, py))
          if (i == 0 || !visible[i - 1]) && (i + 1 == count || !visible[i + 1]) { isolated.append((px, py)) }
        }
        if let (x0, y0) = previous {
          if let (ax, ay, bx, by) = clipSegment(x0, y0, px, py, to: clip) {
            if let last = current.last, (last.x - ax).magnitude < 1e-6, (last.y - ay).magnitude < 1e-6 {
              current.append((bx, by))
            } else {
              if current.count >= 2 { pieces.append(current) }
              current = [(ax, ay), (bx, by)]
            }
            // Sample along the visible segment so the legend avoids lines, not just vertices.
            let length = ((bx - ax) * (bx - ax) + (by - ay) * (by - ay)).squareRoot()
            let steps = Swift.max(1, Swift.min(Int(length / 4), 2000))
            for k in 0...steps {
              let t = Double(k) / Double(steps)
              samples.append((ax + (bx - ax) * t, ay + (by - ay) * t))
            }
          } else {
            if current.count >= 2 { pieces.append(current) }
            current = []
          }
        }
        previous = (px, py)
      }
      if current.count >= 2 { pieces.append(current) }
      for piece in pieces {
        document.polyline(piece, stroke: stroke, width: s.lineWidth, dash: s.dashed ? "7 4" : nil)
      }
      // Markers on request; an isolated point (no line through it) always gets one so it is not lost.
      if s.markers || showMarkers {
        for (mx, my) in markers {
          document.circle(cx: mx, cy: my, r: 3.25, fill: stroke, stroke: "#ffffff", strokeWidth: 1)
        }
      } else {
        for (mx, my) in isolated {
          document.circle(cx: mx, cy: my, r: 3.25, fill: stroke, stroke: "#ffffff", strokeWidth: 1)
        }
      }
    }

    Axes.drawAxes(plot: plot, x: xScale, xTicks: ticks.x, y: yScale, yTicks: ticks.y, into: &document)
    func crowding(_ rect: Rectangle) -> Double {
      var hits = 0.0
      for (px, py) in samples where rect.contains(px, py) { hits += 1 }
      return hits
    }
    var result = RenderedChart(svg: "")
    for line in referenceLines {
      result.referenceCost += Axes.drawReferenceLabel(
        line, plot: plot, x: xScale, y: yScale, outside: options.referenceLabelsOutside, cost: crowding,
        into: &document)
    }
    Axes.drawLabels(
      title: title, xLabel: xLabel, yLabel: yLabel, plot: plot, canvasWidth: width, canvasHeight: height,
      into: &document)

    result.legendCost = Legend.render(
      entries, position: legend, plot: plot, canvasWidth: width, spaceAbove: legendAbove,
      cost: crowding, into: &document)
    result.svg = document.svg
    return result
  }
}
