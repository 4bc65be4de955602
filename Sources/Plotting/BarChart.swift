import Foundation

/// A bar chart of labelled categories, optionally with grouped series, for kernel speeds and model comparisons.
///
/// ```swift
/// var chart = BarChart(title: "Matrix multiply", yLabel: "GFLOP/s",
///                      labels: ["naive", "transposed", "tiled", "SIMD"], values: [0.9, 3.1, 7.4, 21.0])
/// chart.addReferenceLine(y: 25, label: "peak")
/// try chart.write(to: "figures/07-gflops.svg")
/// ```
public struct BarChart: SVGFigure {
  /// One set of values, one per category, drawn in the same colour.
  public struct Series: Sendable {
    /// Legend text; a chart with a single unnamed series shows no legend.
    public var name: String
    /// One value per category; NaN leaves a gap.
    public var values: [Double]
    /// Colour as a CSS colour string, or nil for the next palette colour.
    public var color: String?

    /// A series of values (Float or Double).
    public init<T: BinaryFloatingPoint>(_ name: String, values: [T], color: String? = nil) {
      self.name = name
      self.values = values.map { Double($0) }
      self.color = color
    }
  }

  /// Title above the plot.
  public var title: String
  /// Label under the category axis.
  public var xLabel: String
  /// Label beside the value axis.
  public var yLabel: String
  /// Category names along the x axis.
  public var categories: [String]
  /// The series; several series are drawn as groups of bars side by side.
  public var series: [Series] = []
  /// Canvas width in pixels.
  public var width: Double
  /// Canvas height in pixels.
  public var height: Double
  /// Writes each bar's value above it.
  public var showValues = true
  /// Decimals of the value labels, or nil for about three significant digits.
  public var valueDecimals: Int? = nil
  /// Uses a base-10 logarithmic value axis (for speeds spanning orders of magnitude).
  public var logScaleY = false
  /// Fixed value range, or nil to fit the bars (and zero) with round ticks.
  public var yRange: ClosedRange<Double>?
  /// Dashed horizontal reference lines with labels (for example a peak or a baseline).
  public var referenceLines: [ReferenceLine] = []
  /// Where the legend goes.
  public var legendPosition: LegendPosition = .automatic

  /// Creates a chart with the given categories and no series yet; add them with `addSeries`.
  public init(
    title: String = "", xLabel: String = "", yLabel: String = "", categories: [String], width: Double = 640,
    height: Double = 400
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.categories = categories
    self.width = width
    self.height = height
  }

  /// Creates a chart with one bar per label.
  public init<T: BinaryFloatingPoint>(
    title: String = "", xLabel: String = "", yLabel: String = "", labels: [String], values: [T],
    color: String? = nil, width: Double = 640, height: Double = 400
  ) {
    self.init(title: title, xLabel: xLabel, yLabel: yLabel, categories: labels, width: width, height: height)
    series = [Series("", values: values, color: color)]
  }

  /// Adds a series with one value per category.
  public mutating func addSeries<T: BinaryFloatingPoint>(_ name: String, values: [T], color: String? = nil) {
    series.append(Series(name, values: values, color: color))
  }

  /// Adds a dashed horizontal line at `y` with an optional label.
  public mutating func addReferenceLine(y: Double, label: String = "", color: String? = nil) {
    referenceLines.append(ReferenceLine(y: y, label: label, color: color))
  }

  private func color(of index: Int) -> String {
    series[index].color ?? Palette.color(index)
  }

  private func label(for value: Double) -> String {
    if let valueDecimals { return TickFormat.number(value, decimals: valueDecimals, trimZeros: false) }
    return TickFormat.value(value)
  }

  private func yTicks(plotHeight: Double) -> Ticks {
    var values: [Double] = []
    for s in series {
      for v in s.values.prefix(categories.count) where v.isFinite && (!logScaleY || v > 0) { values.append(v) }
    }
    for line in referenceLines where line.orientation == .horizontal && line.value.isFinite {
      if !logScaleY || line.value > 0 { values.append(line.value) }
    }
    let target = Swift.max(2, Int(plotHeight / 55))
    if logScaleY {
      if let yRange, yRange.lowerBound > 0, yRange.upperBound > yRange.lowerBound {
        return Ticks.logarithmic(min: yRange.lowerBound, max: yRange.upperBound, fixed: true)
      }
      var ticks = Ticks.logarithmic(min: values.min() ?? 0.1, max: values.max() ?? 1)
      if showValues, let high = values.max() {
        let f = Self.labelRoom / Swift.max(plotHeight, 4 * Self.labelRoom)
        let lower = Foundation.log10(ticks.lower)
        let needed = (Foundation.log10(high) - f * lower) / (1 - f)
        ticks.upper = Swift.max(ticks.upper, Foundation.pow(10, needed))
      }
      return ticks
    }
    if let yRange, yRange.upperBound > yRange.lowerBound {
      return Ticks.linear(min: yRange.lowerBound, max: yRange.upperBound, target: target, fixed: true)
    }
    let low = Swift.min(0, values.min() ?? 0)
    let high = Swift.max(0, values.max() ?? 1)
    var ticks = Ticks.linear(min: low, max: high, target: target)
    if showValues {
      // Stretch the axis past its last tick if a value label would not fit above (or below) its bar.
      let f = Self.labelRoom / Swift.max(plotHeight, 4 * Self.labelRoom)
      if high > 0 { ticks.upper = Swift.max(ticks.upper, (high - f * ticks.lower) / (1 - f)) }
      if low < 0 { ticks.lower = Swift.min(ticks.lower, (low - f * ticks.upper) / (1 - f)) }
    }
    return ticks
  }

  /// Pixels kept free above the tallest bar for its value label.
  static let labelRoom = 22.0

  /// The rendered SVG document.
  public var svg: String {
    TwoPassLayout.render(legend: legendPosition) { render($0) }
  }

  private func render(_ options: RenderOptions) -> RenderedChart {
    var document = SVGDocument(width: width, height: height, title: title.isEmpty ? nil : title)
    let categoryCount = Swift.max(categories.count, 1)
    let entries: [LegendEntry] = series.indices.compactMap { index in
      series[index].name.isEmpty ? nil : LegendEntry(name: series[index].name, color: color(of: index), swatch: .box)
    }
    let legend = entries.isEmpty ? LegendPosition.hidden : options.legend
    let legendAbove = legend == .above ? Legend.heightAbove(entries, maxWidth: width - 80) + 6 : 0
    let outsideLabels = options.referenceLabelsOutside ? Axes.outsideLabelWidth(referenceLines) : 0
    let legendRight = legend == .outsideRight ? Legend.size(entries).width + 24 : 0

    var ticks = yTicks(plotHeight: height - 100)
    var margins = Axes.margins(
      title: title, xLabel: xLabel, yLabel: yLabel, yTickLabels: ticks.labels, xTickLabels: [], extraTop: legendAbove)
    margins.right = Swift.max(margins.right, outsideLabels, legendRight)
    let categoryFont = Axes.tickFont
    let widest = categories.map { TextMetrics.width($0, size: categoryFont) }.max() ?? 0
    let rotate = widest > (width - margins.left - margins.right) / Double(categoryCount) - 8
    let rotatedHeight = rotate ? widest * 0.6 + 2 : 0
    ticks = yTicks(plotHeight: height - margins.top - margins.bottom - rotatedHeight)
    margins = Axes.margins(
      title: title, xLabel: xLabel, yLabel: yLabel, yTickLabels: ticks.labels, xTickLabels: [], extraTop: legendAbove)
    margins.right = Swift.max(margins.right, outsideLabels, legendRight)
    margins.bottom += rotatedHeight
    if rotate {
      // Rotated labels also reach left of the first bar.
      let slot = (width - margins.left - margins.right) / Double(categoryCount)
      margins.left = Swift.max(margins.left, widest * 0.82 - slot / 2 + 10)
    }
    let plot = Rectangle(
      x: margins.left, y: margins.top, width: width - margins.left - margins.right,
      height: height - margins.top - margins.bottom)
    let yScale = LinearScale(
      lower: ticks.lower, upper: ticks.upper, pixelLower: plot.maxY, pixelUpper: plot.y, logarithmic: logScaleY)

    Axes.drawGrid(plot: plot, x: nil, xTicks: nil, y: yScale, yTicks: ticks, into: &document)

    // Bars grow from zero (linear) or from the bottom of the axis (log).
    let baseValue = logScaleY ? ticks.lower : Swift.min(Swift.max(0, ticks.lower), ticks.upper)
    let basePixel = yScale.pixel(baseValue)
    let slotWidth = plot.width / Double(categoryCount)
    let groupCount = Swift.max(series.count, 1)
    let groupWidth = slotWidth * (groupCount == 1 ? 0.62 : 0.8)
    let gap = groupCount == 1 ? 0 : Swift.min(3, groupWidth / Double(groupCount) * 0.12)
    let barWidth = Swift.max(1, groupWidth / Double(groupCount) - gap)
    var obstacles: [Rectangle] = []
    var valueLabels: [(text: String, x: Double, y: Double, size: Double)] = []

    for (seriesIndex, s) in series.enumerated() {
      let fill = color(of: seriesIndex)
      for (categoryIndex, value) in s.values.prefix(categories.count).enumerated() {
        guard value.isFinite, !logScaleY || value > 0 else { continue }
        let groupLeft = plot.x + slotWidth * Double(categoryIndex) + (slotWidth - groupWidth) / 2
        let x = groupLeft + Double(seriesIndex) * (barWidth + gap) + gap / 2
        let valuePixel = Swift.min(Swift.max(yScale.pixel(value), plot.y), plot.maxY)
        let top = Swift.min(valuePixel, basePixel)
        let bottom = Swift.max(valuePixel, basePixel)
        document.rect(x: x, y: top, width: barWidth, height: bottom - top, fill: fill)
        obstacles.append(Rectangle(x: x, y: top, width: barWidth, height: bottom - top))
        if showValues {
          let text = label(for: value)
          let natural = TextMetrics.width(text, size: 11)
          let size = Swift.min(11, 11 * (barWidth + gap + 2) / Swift.max(natural, 1))
          guard size >= 7.5 else { continue }
          let above = value >= baseValue
          let y = above ? top - 5 : bottom + size + 3
          valueLabels.append((text, x + barWidth / 2, y, size))
          let w = natural * size / 11
          obstacles.append(Rectangle(x: x + barWidth / 2 - w / 2, y: y - size, width: w, height: size + 2))
        }
      }
    }
    for line in referenceLines {
      Axes.drawReferenceLine(line, plot: plot, x: nil, y: yScale, into: &document)
    }
    for label in valueLabels {
      document.text(label.text, x: label.x, y: label.y, size: label.size, anchor: .middle, fill: "#333333")
    }
    func covered(_ rect: Rectangle) -> Double {
      obstacles.reduce(0) { $0 + rect.overlapArea($1) }
    }
    var result = RenderedChart(svg: "")
    for line in referenceLines {
      result.referenceCost += Axes.drawReferenceLabel(
        line, plot: plot, x: nil, y: yScale, outside: options.referenceLabelsOutside, cost: covered,
        into: &document)
    }

    Axes.drawAxes(plot: plot, x: nil, xTicks: nil, y: yScale, yTicks: ticks, into: &document)
    if !logScaleY && ticks.lower < 0 {
      // A zero line separates positive from negative bars.
      let zero = Axes.snap(basePixel)
      document.line(x1: plot.x, y1: zero, x2: plot.maxX, y2: zero, stroke: "#7a7a7a", width: 1)
    }
    for (index, name) in categories.enumerated() {
      let center = plot.x + slotWidth * (Double(index) + 0.5)
      if rotate {
        document.text(
          name, x: center, y: plot.maxY + 8 + categoryFont * 0.7, size: categoryFont, anchor: .end,
          fill: "#333333", rotation: -35)
      } else {
        document.text(
          name, x: center, y: plot.maxY + 8 + categoryFont * 0.85, size: categoryFont, anchor: .middle,
          fill: "#333333")
      }
    }
    Axes.drawLabels(
      title: title, xLabel: xLabel, yLabel: yLabel, plot: plot, canvasWidth: width, canvasHeight: height,
      into: &document)

    result.legendCost = Legend.render(
      entries, position: legend, plot: plot, canvasWidth: width, spaceAbove: legendAbove,
      cost: covered, into: &document)
    result.svg = document.svg
    return result
  }
}
