import Foundation

/// A grid of coloured matrices (learned filters, feature maps, attention weights, confusion matrices) with a shared colour bar.
///
/// ```swift
/// var filters = HeatmapGrid(title: "First-layer filters", columns: 8)
/// for (k, w) in kernels.enumerated() { filters.add(w, width: 5, height: 5, caption: "filter \(k)") }
/// try filters.write(to: "figures/10-filters.svg")
///
/// let confusion = HeatmapGrid.confusionMatrix(counts, classNames: (0..<10).map(String.init))
/// try confusion.write(to: "figures/09-confusion.svg")
/// ```
public struct HeatmapGrid: SVGFigure {
  /// How values map to colours.
  public enum ColorScale: Sendable, Equatable {
    /// Diverging around zero when any value is negative, otherwise sequential from zero to the maximum.
    case automatic
    /// Blue (negative) – white (zero) – red (positive), symmetric over ±`limit` (nil: the largest |value|).
    case diverging(limit: Double? = nil)
    /// White to dark blue over `range` (nil: from min(0, smallest) to the largest value).
    case sequential(range: ClosedRange<Double>? = nil)
  }

  /// One matrix with its caption and optional row/column labels.
  public struct Panel: Sendable {
    /// Row-major values, `rows × columns` of them.
    public var values: [Double]
    /// Number of rows.
    public var rows: Int
    /// Number of columns.
    public var columns: Int
    /// Text above the matrix; may be empty.
    public var caption: String
    /// One label per row, drawn on the left (may be empty).
    public var rowLabels: [String]
    /// One label per column, drawn below (may be empty).
    public var columnLabels: [String]
    /// Axis title for the rows, such as "true class".
    public var rowTitle: String
    /// Axis title for the columns, such as "predicted class".
    public var columnTitle: String

    /// A panel from row-major values (Float or Double).
    public init<T: BinaryFloatingPoint>(
      _ values: [T], rows: Int, columns: Int, caption: String = "", rowLabels: [String] = [],
      columnLabels: [String] = [], rowTitle: String = "", columnTitle: String = ""
    ) {
      self.values = values.map { Double($0) }
      self.rows = Swift.max(0, rows)
      self.columns = Swift.max(0, columns)
      self.caption = caption
      self.rowLabels = rowLabels
      self.columnLabels = columnLabels
      self.rowTitle = rowTitle
      self.columnTitle = columnTitle
    }

    func value(_ r: Int, _ c: Int) -> Double {
      let index = r * columns + c
      return index < values.count ? values[index] : .nan
    }
  }

  /// Title above the grid.
  public var title: String
  /// Panels per row.
  public var columns: Int
  /// Side of one cell in pixels, or nil to choose one from the matrix size.
  public var cellSize: Double?
  /// How values map to colours.
  public var colorScale: ColorScale = .automatic
  /// Uses one colour scale for all panels (comparable colours); false scales each panel by itself and hides the colour bar.
  public var sharedScale = true
  /// Writes each cell's value inside it (for confusion matrices and small attention maps).
  public var showValues = false
  /// Decimals of cell values, or nil for none when all values are whole numbers, otherwise two.
  public var valueDecimals: Int?
  /// Draws a colour bar with tick values on the right.
  public var showColorBar = true
  /// The matrices, left to right and top to bottom.
  public var panels: [Panel] = []

  /// Creates an empty grid; add matrices with `add`.
  public init(title: String = "", columns: Int = 4) {
    self.title = title
    self.columns = Swift.max(1, columns)
  }

  /// Adds a matrix given as rows (`matrix[r][c]`); short rows are padded with blank cells.
  public mutating func add<T: BinaryFloatingPoint>(
    _ matrix: [[T]], caption: String = "", rowLabels: [String] = [], columnLabels: [String] = [],
    rowTitle: String = "", columnTitle: String = ""
  ) {
    let columnCount = matrix.map(\.count).max() ?? 0
    var values: [Double] = []
    values.reserveCapacity(matrix.count * columnCount)
    for row in matrix {
      values += row.map { Double($0) }
      values += Array(repeating: .nan, count: columnCount - row.count)
    }
    panels.append(
      Panel(
        values, rows: matrix.count, columns: columnCount, caption: caption, rowLabels: rowLabels,
        columnLabels: columnLabels, rowTitle: rowTitle, columnTitle: columnTitle))
  }

  /// Adds a matrix from row-major values with the given width (columns) and height (rows).
  public mutating func add<T: BinaryFloatingPoint>(
    _ values: [T], width: Int, height: Int, caption: String = "", rowLabels: [String] = [],
    columnLabels: [String] = [], rowTitle: String = "", columnTitle: String = ""
  ) {
    panels.append(
      Panel(
        values, rows: height, columns: width, caption: caption, rowLabels: rowLabels, columnLabels: columnLabels,
        rowTitle: rowTitle, columnTitle: columnTitle))
  }

  /// A confusion matrix: rows are true classes, columns predicted classes, counts written in the cells.
  public static func confusionMatrix(
    _ counts: [[Int]], classNames: [String], title: String = "Confusion matrix"
  ) -> HeatmapGrid {
    var grid = HeatmapGrid(title: title, columns: 1)
    grid.colorScale = .sequential()
    grid.showValues = true
    grid.add(
      counts.map { $0.map { Double($0) } }, rowLabels: classNames, columnLabels: classNames,
      rowTitle: "true class", columnTitle: "predicted class")
    return grid
  }

  /// The colour map (diverging or not) and its value range for the given values.
  func resolvedScale(_ values: [Double]) -> (diverging: Bool, low: Double, high: Double) {
    let finite = values.filter { $0.isFinite }
    let largest = finite.map(\.magnitude).max() ?? 1
    // Automatic limits are rounded up to two significant digits so the colour bar ends on a round value.
    let limit = Self.roundUp(largest > 0 ? largest : 1)
    switch colorScale {
    case .automatic:
      if finite.contains(where: { $0 < 0 }) { return (true, -limit, limit) }
      let high = finite.max() ?? 1
      return (false, 0, high > 0 ? Self.roundUp(high) : 1)
    case .diverging(let given):
      let l = given.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? limit
      return (true, -l, l)
    case .sequential(let range):
      if let range, range.upperBound > range.lowerBound { return (false, range.lowerBound, range.upperBound) }
      let low = Swift.min(0, finite.min() ?? 0)
      let high = finite.max() ?? 1
      return (false, low, high > low ? (high > 0 ? Self.roundUp(high) : high) : low + 1)
    }
  }

  /// `x` (positive) rounded up to two significant digits: 0.998 → 1.0, 977 → 980.
  static func roundUp(_ x: Double) -> Double {
    guard x > 0, x.isFinite else { return 1 }
    let exponent = Int(Foundation.floor(Foundation.log10(x))) - 1
    let k = Int((x / Ticks.value(1, exponent) - 1e-9).rounded(.up))
    return Ticks.value(k, exponent)
  }

  static func color(_ value: Double, scale: (diverging: Bool, low: Double, high: Double)) -> RGBColor {
    guard value.isFinite else { return RGBColor(hex: "#d9d9d9") }
    let t = (value - scale.low) / (scale.high - scale.low)
    return RGBColor.sample(scale.diverging ? Palette.diverging : Palette.sequential, at: t)
  }

  /// The rendered SVG document.
  public var svg: String {
    let labelFont = 11.0
    let captionFont = 12.0
    let maxRows = panels.map(\.rows).max() ?? 0
    let maxColumns = panels.map(\.columns).max() ?? 0
    let decimals = valueDecimals ?? TickFormat.decimalsForValues(panels.flatMap(\.values))
    func valueText(_ v: Double) -> String {
      v.isFinite ? TickFormat.number(v, decimals: decimals, trimZeros: false) : ""
    }

    var cell = cellSize ?? Swift.min(Swift.max((panels.count == 1 ? 380 : 150) / Double(Swift.max(maxRows, maxColumns, 1)), 3), 44)
    if showValues && cellSize == nil {
      let widestValue = panels.flatMap(\.values).map { TextMetrics.width(valueText($0), size: labelFont) }.max() ?? 0
      cell = Swift.max(cell, widestValue + 8)
    }

    // Shared panel layout: every component sized for the largest panel so matrices line up.
    let rowLabelWidth = panels.flatMap(\.rowLabels).map { TextMetrics.width($0, size: labelFont) }.max().map { $0 + 6 } ?? 0
    let columnLabelWidth = panels.flatMap(\.columnLabels).map { TextMetrics.width($0, size: labelFont) }.max() ?? 0
    let rotateColumnLabels = columnLabelWidth > cell - 3
    let columnLabelHeight =
      columnLabelWidth == 0 ? 0 : (rotateColumnLabels ? columnLabelWidth * 0.72 + labelFont + 6 : labelFont + 8)
    let rowTitleWidth = panels.contains { !$0.rowTitle.isEmpty } ? 20.0 : 0
    let columnTitleHeight = panels.contains { !$0.columnTitle.isEmpty } ? 20.0 : 0
    let captionHeight = panels.contains { !$0.caption.isEmpty } ? captionFont + 8 : 0
    let captionWidth = panels.map { TextMetrics.width($0.caption, size: captionFont) }.max() ?? 0
    let matrixWidth = cell * Double(maxColumns)
    let matrixHeight = cell * Double(maxRows)
    let leftPart = rowTitleWidth + rowLabelWidth
    let panelWidth = Swift.max(leftPart + matrixWidth, captionWidth) + 16
    let panelHeight = captionHeight + matrixHeight + columnLabelHeight + columnTitleHeight + 14

    let allValues = panels.flatMap(\.values)
    let shared = resolvedScale(allValues)
    let drawBar = showColorBar && sharedScale && !panels.isEmpty
    let barTicks: Ticks? =
      drawBar ? Ticks.linear(min: shared.low, max: shared.high, target: 6, fixed: true) : nil
    let barLabelWidth = barTicks?.labels.map { TextMetrics.width($0, size: labelFont) }.max() ?? 0
    let barWidth = drawBar ? 14 + 6 + barLabelWidth + 16 : 0

    let columnCount = Swift.max(1, Swift.min(columns, panels.count))
    let rowCount = (panels.count + columns - 1) / columns
    let margin = 12.0
    let titleHeight = title.isEmpty ? 0 : Axes.titleFont + 18
    let gridWidth = panelWidth * Double(columnCount)
    let width = Swift.max(margin * 2 + gridWidth + barWidth, TextMetrics.width(title, size: Axes.titleFont) + 24).rounded(.up)
    let height = (margin * 2 + titleHeight + panelHeight * Double(rowCount)).rounded(.up)

    var document = SVGDocument(width: width, height: height, title: title.isEmpty ? nil : title)
    if !title.isEmpty {
      document.text(
        title, x: margin + gridWidth / 2 + 4, y: margin + Axes.titleFont, size: Axes.titleFont,
        anchor: .middle, weight: .bold, fill: "#1a1a1a")
    }

    for (index, panel) in panels.enumerated() {
      let scale = sharedScale ? shared : resolvedScale(panel.values)
      let originX = margin + panelWidth * Double(index % columns)
      let originY = margin + titleHeight + panelHeight * Double(index / columns)
      let thisWidth = cell * Double(panel.columns)
      let thisHeight = cell * Double(panel.rows)
      let mx = originX + 8 + leftPart + (matrixWidth - thisWidth) / 2
      let my = originY + captionHeight + (matrixHeight - thisHeight) / 2

      if !panel.caption.isEmpty {
        document.text(
          panel.caption, x: mx + thisWidth / 2, y: originY + captionFont, size: captionFont, anchor: .middle,
          fill: "#222222")
      }

      // Cells, as horizontal runs of equal colour.
      var colors: [[RGBColor]] = []
      document.openGroup(attributes: [("shape-rendering", "crispEdges")])
      for r in 0..<panel.rows {
        let rowColors = (0..<panel.columns).map { Self.color(panel.value(r, $0), scale: scale) }
        colors.append(rowColors)
        var c = 0
        while c < panel.columns {
          let hex = rowColors[c].hex
          var end = c + 1
          while end < panel.columns && rowColors[end].hex == hex { end += 1 }
          document.rect(
            x: mx + cell * Double(c), y: my + cell * Double(r), width: cell * Double(end - c) + (end < panel.columns ? 0.3 : 0),
            height: cell + (r + 1 < panel.rows ? 0.3 : 0), fill: hex)
          c = end
        }
      }
      document.rect(
        x: mx, y: my, width: thisWidth, height: thisHeight, fill: "none", stroke: "#999999", strokeWidth: 1)
      document.closeGroup()

      if showValues {
        let size = Swift.min(12, cell * 0.36)
        if size >= 7 {
          for r in 0..<panel.rows {
            for c in 0..<panel.columns {
              let v = panel.value(r, c)
              guard v.isFinite else { continue }
              let dark = colors[r][c].luminance < 0.36
              document.text(
                valueText(v), x: mx + cell * (Double(c) + 0.5), y: my + cell * (Double(r) + 0.5) + size * 0.36,
                size: size, anchor: .middle, fill: dark ? "#ffffff" : "#222222")
            }
          }
        }
      }

      for (r, label) in panel.rowLabels.prefix(panel.rows).enumerated() {
        document.text(
          label, x: mx - 6, y: my + cell * (Double(r) + 0.5) + labelFont * 0.35, size: labelFont, anchor: .end,
          fill: "#333333")
      }
      for (c, label) in panel.columnLabels.prefix(panel.columns).enumerated() {
        let cx = mx + cell * (Double(c) + 0.5)
        if rotateColumnLabels {
          document.text(
            label, x: cx + labelFont * 0.3, y: my + thisHeight + 8, size: labelFont, anchor: .end, fill: "#333333",
            rotation: -45)
        } else {
          document.text(label, x: cx, y: my + thisHeight + 4 + labelFont, size: labelFont, anchor: .middle, fill: "#333333")
        }
      }
      if !panel.columnTitle.isEmpty {
        document.text(
          panel.columnTitle, x: mx + thisWidth / 2, y: originY + captionHeight + matrixHeight + columnLabelHeight + 15,
          size: 12.5, anchor: .middle, fill: "#222222")
      }
      if !panel.rowTitle.isEmpty {
        document.text(
          panel.rowTitle, x: originX + 8 + 12, y: my + thisHeight / 2, size: 12.5, anchor: .middle, fill: "#222222",
          rotation: -90)
      }
    }

    if drawBar, let barTicks {
      let gridHeight = panelHeight * Double(rowCount)
      let barHeight = Swift.min(Swift.max(matrixHeight, 120), 400, gridHeight - 20)
      let bx = margin + gridWidth + 8
      let by = margin + titleHeight + captionHeight + Swift.max(0, (matrixHeight - barHeight) / 2)
      let stops = shared.diverging ? Palette.diverging : Palette.sequential
      var gradient = "<linearGradient id=\"heatmap-colorbar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
      for (k, stop) in stops.enumerated() {
        let offset = TickFormat.number(Double(k) / Double(stops.count - 1), decimals: 3)
        gradient += "<stop offset=\"\(offset)\" stop-color=\"\(stop.hex)\"/>"
      }
      gradient += "</linearGradient>"
      document.addDefinition(gradient)
      document.rect(x: bx, y: by, width: 14, height: barHeight, fill: "url(#heatmap-colorbar)", stroke: "#999999", strokeWidth: 1)
      let barScale = LinearScale(
        lower: shared.low, upper: shared.high, pixelLower: by + barHeight, pixelUpper: by, logarithmic: false)
      for (tick, label) in zip(barTicks.major, barTicks.labels) {
        let py = barScale.pixel(tick)
        document.line(x1: bx + 14, y1: py, x2: bx + 18, y2: py, stroke: "#777777", width: 1)
        document.text(label, x: bx + 21, y: py + labelFont * 0.35, size: labelFont, fill: "#444444")
      }
    }
    return document.svg
  }
}
