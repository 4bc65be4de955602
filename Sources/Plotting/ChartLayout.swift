import Foundation

// Internal helpers shared by every chart: number formatting, text measurement, colours,
// tick computation, axis scales, line clipping and legend placement.
// Every name here starts with `Plot` so that it cannot clash with the engine's own names.

// MARK: - Numbers

/// Locale-free, deterministic number formatting, so the same figure is byte-identical on every machine.
enum TickFormat {
  /// Powers of ten up to 10^12, exact in `Double`.
  private static let powersOfTen: [Double] = (0...12).map { Foundation.pow(10.0, Double($0)) }

  /// Formats `value` with exactly `decimals` digits after the point (or fewer when `trimZeros` is set).
  static func number(_ value: Double, decimals: Int = 2, trimZeros: Bool = true) -> String {
    guard value.isFinite else { return "0" }
    let places = Swift.max(0, Swift.min(decimals, 12))
    let scale = powersOfTen[places]
    let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
    // Beyond ~9e15 the integer path would overflow; such numbers never appear in a sane figure.
    guard scaled.magnitude < 9.0e15 else {
      return scientific(value, significantDigits: 3)
    }
    let integer = Int64(scaled)
    if integer == 0 { return places == 0 || trimZeros ? "0" : "0." + String(repeating: "0", count: places) }
    let negative = integer < 0
    let digits = String(integer.magnitude)
    var whole: String
    var fraction: String
    if places == 0 {
      whole = digits
      fraction = ""
    } else if digits.count > places {
      whole = String(digits.dropLast(places))
      fraction = String(digits.suffix(places))
    } else {
      whole = "0"
      fraction = String(repeating: "0", count: places - digits.count) + digits
    }
    if trimZeros {
      while fraction.hasSuffix("0") { fraction.removeLast() }
    }
    if whole.isEmpty { whole = "0" }
    return (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
  }

  /// Formats a pixel coordinate: two decimals at most, trailing zeros trimmed.
  static func coordinate(_ value: Double) -> String {
    number(value, decimals: 2)
  }

  /// Formats `value` as `m.mme±k` with the given number of significant digits (trailing zeros trimmed).
  static func scientific(_ value: Double, significantDigits: Int = 3) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
    if value == 0 { return "0" }
    var exponent = Int(Foundation.floor(Foundation.log10(value.magnitude)))
    var mantissa = value / Foundation.pow(10.0, Double(exponent))
    let decimals = Swift.max(0, significantDigits - 1)
    // Rounding can push the mantissa to 10 (9.999 -> 10.0); renormalise.
    let rounded = (mantissa * powersOfTen[decimals]).rounded() / powersOfTen[decimals]
    if rounded.magnitude >= 10 {
      exponent += 1
      mantissa = value / Foundation.pow(10.0, Double(exponent))
    }
    return number(mantissa, decimals: decimals) + "e" + String(exponent)
  }

  /// Formats a data value for a label with about `significantDigits` significant digits.
  static func value(_ value: Double, significantDigits: Int = 3) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
    if value == 0 { return "0" }
    let magnitude = value.magnitude
    if magnitude >= 1e7 || magnitude < 1e-4 { return scientific(value, significantDigits: significantDigits) }
    let order = Int(Foundation.floor(Foundation.log10(magnitude)))
    let decimals = Swift.max(0, significantDigits - 1 - order)
    return number(value, decimals: decimals)
  }

  /// Chooses decimals for cell values: none when every value is a whole number, else two.
  static func decimalsForValues(_ values: [Double]) -> Int {
    let finite = values.filter { $0.isFinite }
    if finite.allSatisfy({ $0 == $0.rounded() }) { return 0 }
    return 2
  }
}

// MARK: - Text

/// Approximate text measurement, used only to lay out margins so that labels are not clipped.
enum TextMetrics {
  /// Estimated width in pixels of `text` at font size `size` in a typical sans-serif font.
  static func width(_ text: String, size: Double) -> Double {
    var em = 0.0
    for character in text {
      switch character {
      case "i", "j", "l", "I", "!", "|", ".", ",", ":", ";", "'", "`":
        em += 0.28
      case " ", "f", "t", "r", "(", ")", "[", "]", "{", "}", "/", "\\", "-":
        em += 0.36
      case "m", "w", "M", "W", "@", "%":
        em += 0.9
      case "0"..."9":
        em += 0.62
      case "A"..."Z":
        em += 0.7
      default:
        em += 0.58
      }
    }
    return em * size
  }

  /// Removes characters that XML 1.0 forbids and replaces line breaks with spaces.
  static func clean(_ text: String) -> String {
    var result = ""
    result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x0A, 0x0D, 0x09:
        result.unicodeScalars.append(" ")
      case 0x00...0x1F, 0xFFFE, 0xFFFF:
        continue
      default:
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}

// MARK: - Colours

/// An sRGB colour with components in 0...1, used to interpolate colour maps.
struct RGBColor: Equatable, Sendable {
  var red: Double
  var green: Double
  var blue: Double

  init(red: Double, green: Double, blue: Double) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// Parses `#rrggbb`; anything else becomes mid grey.
  init(hex: String) {
    let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: "#") })
    func component(_ index: Int) -> Double {
      guard digits.count == 6 else { return 0.5 }
      let text = String(decoding: digits[index..<(index + 2)], as: UTF8.self)
      return Double(UInt8(text, radix: 16) ?? 128) / 255
    }
    self.init(red: component(0), green: component(2), blue: component(4))
  }

  static let white = RGBColor(red: 1, green: 1, blue: 1)

  /// `#rrggbb` with each component rounded to 8 bits.
  var hex: String {
    let table = Array("0123456789abcdef".utf8)
    var bytes: [UInt8] = [UInt8(ascii: "#")]
    for component in [red, green, blue] {
      let byte = Int((Swift.min(Swift.max(component, 0), 1) * 255).rounded())
      bytes.append(table[byte >> 4])
      bytes.append(table[byte & 15])
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Linear interpolation: `t = 0` gives `self`, `t = 1` gives `other`.
  func mixed(with other: RGBColor, _ t: Double) -> RGBColor {
    RGBColor(
      red: red + (other.red - red) * t,
      green: green + (other.green - green) * t,
      blue: blue + (other.blue - blue) * t)
  }

  /// Relative luminance (WCAG), used to pick black or white text on a coloured cell.
  var luminance: Double {
    func linear(_ c: Double) -> Double {
      c <= 0.04045 ? c / 12.92 : Foundation.pow((c + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
  }

  /// Samples a piecewise-linear colour map given by evenly spaced stops at `t` in 0...1.
  static func sample(_ stops: [RGBColor], at t: Double) -> RGBColor {
    guard t.isFinite else { return RGBColor(hex: "#cccccc") }
    let clamped = Swift.min(Swift.max(t, 0), 1)
    let position = clamped * Double(stops.count - 1)
    let index = Swift.min(Int(position), stops.count - 2)
    return stops[index].mixed(with: stops[index + 1], position - Double(index))
  }
}

// MARK: - Ticks

/// Tick marks of one axis: labelled major ticks, unlabelled minor ticks and the axis domain.
struct Ticks: Equatable {
  var lower: Double
  var upper: Double
  var major: [Double]
  var labels: [String]
  var minor: [Double]

  /// A "nice" step (1, 2 or 5 times a power of ten) giving at most about `target` intervals over `span`.
  static func niceStep(span: Double, target: Int) -> (step: Double, mantissa: Int, exponent: Int) {
    let raw = span / Double(Swift.max(target, 1))
    var exponent = Int(Foundation.floor(Foundation.log10(raw)))
    let base = Foundation.pow(10.0, Double(exponent))
    var mantissa = 10
    for candidate in [1, 2, 5, 10] where Double(candidate) * base >= raw * (1 - 1e-9) {
      mantissa = candidate
      break
    }
    if mantissa == 10 {
      mantissa = 1
      exponent += 1
    }
    return (value(mantissa, exponent), mantissa, exponent)
  }

  /// `k × 10^e` computed so that decimal fractions come out as the nearest `Double` (0.6, not 0.6000000000000001).
  static func value(_ k: Int, _ exponent: Int) -> Double {
    exponent >= 0
      ? Double(k) * Foundation.pow(10.0, Double(exponent))
      : Double(k) / Foundation.pow(10.0, Double(-exponent))
  }

  /// Linear ticks; when `fixed` is false the domain grows to the nearest ticks outside the data.
  static func linear(
    min dataMin: Double, max dataMax: Double, target: Int, fixed: Bool = false, integerStep: Bool = false
  ) -> Ticks {
    var low = dataMin
    var high = dataMax
    if !low.isFinite || !high.isFinite {
      low = 0
      high = 1
    }
    // Keep the span finite (1e308 - -1e308 would overflow).
    low = Swift.min(Swift.max(low, -1e300), 1e300)
    high = Swift.min(Swift.max(high, -1e300), 1e300)
    if low > high { swap(&low, &high) }
    if high - low < Swift.max(low.magnitude, high.magnitude) * 1e-12 || high == low {
      // A flat series: open a window around the value.
      let pad = low == 0 ? 1 : low.magnitude * 0.1
      low -= pad
      high += pad
    }
    var (step, mantissa, exponent) = niceStep(span: high - low, target: target)
    if integerStep && step < 1 {
      (step, mantissa, exponent) = (1, 1, 0)
    }
    var first = Int((low / step).rounded(.down))
    var last = Int((high / step).rounded(.up))
    if fixed {
      first = Int((low / step - 1e-9).rounded(.up))
      last = Int((high / step + 1e-9).rounded(.down))
    } else {
      // Keep ticks at the data edges exact: 0.93 rounds up to 1.0, 0.0 stays at 0.0.
      if Double(first + 1) * step <= low + step * 1e-9 { first += 1 }
      if Double(last - 1) * step >= high - step * 1e-9 { last -= 1 }
    }
    var major: [Double] = []
    if last >= first {
      for k in first...last { major.append(value(k * mantissa, exponent)) }
    }
    let lower = fixed ? low : (major.first ?? low)
    let upper = fixed ? high : (major.last ?? high)
    let labels = linearLabels(major, exponent: exponent)
    return Ticks(lower: lower, upper: upper, major: major, labels: labels, minor: [])
  }

  /// Labels with a shared number of decimals, or compact scientific notation for very large or small steps.
  static func linearLabels(_ ticks: [Double], exponent: Int) -> [String] {
    let largest = ticks.map(\.magnitude).max() ?? 0
    if exponent < -4 || largest >= 1e6 {
      return ticks.map { tick in
        if tick == 0 { return "0" }
        let order = Int(Foundation.floor(Foundation.log10(tick.magnitude) + 1e-9))
        let digits = Swift.min(Swift.max(order - exponent + 1, 1), 4)
        return TickFormat.scientific(tick, significantDigits: digits)
      }
    }
    let decimals = Swift.max(0, -exponent)
    return ticks.map { TickFormat.number($0, decimals: decimals, trimZeros: false) }
  }

  /// Logarithmic ticks (base 10) over positive data; fixed domains are kept, others snap to 1-2-5 values or decades.
  static func logarithmic(min dataMin: Double, max dataMax: Double, fixed: Bool = false) -> Ticks {
    var low = dataMin
    var high = dataMax
    if !(low > 0) || !low.isFinite { low = high.isFinite && high > 0 ? high / 10 : 0.1 }
    if !(high > 0) || !high.isFinite { high = low * 10 }
    if low > high { swap(&low, &high) }
    if high / low < 1.0001 {
      low /= 2
      high *= 2
    }
    let eps = 1e-9
    if !fixed {
      // Snap outward to 1-2-5 values; wide ranges snap to whole decades.
      let lowSnap = oneTwoFive(below: low)
      let highSnap = oneTwoFive(above: high)
      if Foundation.log10(highSnap / lowSnap) > 2 + eps {
        low = Foundation.pow(10, Foundation.floor(Foundation.log10(low) + eps))
        high = Foundation.pow(10, Foundation.ceil(Foundation.log10(high) - eps))
      } else {
        low = lowSnap
        high = highSnap
      }
    }
    let decades = Foundation.log10(high / low)
    let firstExponent = Int(Foundation.floor(Foundation.log10(low) + eps))
    let lastExponent = Int(Foundation.ceil(Foundation.log10(high) - eps))
    let labelMultiples: [Int] = decades <= 2 + eps ? [1, 2, 5] : [1]
    let minorMultiples: [Int] = decades <= 6 + eps ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : [1]
    // With many decades label only exponents divisible by a round stride (1e-10, 1e0, 1e10, …).
    let decadeStride = [1, 2, 3, 5, 10, 20, 50, 100].first { decades / Double($0) <= 8 + eps } ?? 100
    var major: [Double] = []
    var minor: [Double] = []
    for exponent in firstExponent...Swift.max(firstExponent, lastExponent) {
      for multiple in minorMultiples {
        let tick = value(multiple, exponent)
        guard tick.isFinite, tick > 0, tick >= low * (1 - eps) && tick <= high * (1 + eps) else { continue }
        if labelMultiples.contains(multiple) && (multiple != 1 || exponent % decadeStride == 0) {
          major.append(tick)
        } else if decades <= 40 + eps {
          minor.append(tick)
        }
      }
    }
    let labels = major.map(logLabel)
    return Ticks(lower: low, upper: high, major: major, labels: labels, minor: minor)
  }

  /// The largest 1, 2 or 5 × 10^k not above `x`.
  static func oneTwoFive(below x: Double) -> Double {
    let exponent = Int(Foundation.floor(Foundation.log10(x) + 1e-9))
    for multiple in [5, 2, 1] where value(multiple, exponent) <= x * (1 + 1e-9) {
      return value(multiple, exponent)
    }
    return value(1, exponent - 1) * 5
  }

  /// The smallest 1, 2 or 5 × 10^k not below `x`.
  static func oneTwoFive(above x: Double) -> Double {
    let exponent = Int(Foundation.floor(Foundation.log10(x) - 1e-9))
    for multiple in [1, 2, 5, 10] where value(multiple, exponent) >= x * (1 - 1e-9) {
      return value(multiple, exponent)
    }
    return value(1, exponent + 1)
  }

  /// Label of a log tick: plain decimals from 0.0001 to 100000, otherwise `1e-5` style.
  static func logLabel(_ tick: Double) -> String {
    let exponent = Int(Foundation.floor(Foundation.log10(tick) + 1e-9))
    if exponent >= -4 && exponent <= 5 {
      return TickFormat.number(tick, decimals: Swift.max(0, -exponent))
    }
    return TickFormat.scientific(tick, significantDigits: 1)
  }
}

// MARK: - Scales

/// Maps data values to pixels along one axis, linearly or logarithmically.
struct LinearScale {
  var lower: Double
  var upper: Double
  var pixelLower: Double
  var pixelUpper: Double
  var logarithmic: Bool

  /// The pixel position of `value`; non-finite for values a log axis cannot show.
  func pixel(_ value: Double) -> Double {
    if logarithmic {
      guard value > 0 else { return .nan }
      let t = (Foundation.log10(value) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
      return pixelLower + t * (pixelUpper - pixelLower)
    }
    let t = (value - lower) / (upper - lower)
    return pixelLower + t * (pixelUpper - pixelLower)
  }

  /// The data value at a pixel position (inverse of `pixel`).
  func value(atPixel pixel: Double) -> Double {
    let t = (pixel - pixelLower) / (pixelUpper - pixelLower)
    if logarithmic {
      let low = Foundation.log10(lower)
      return Foundation.pow(10, low + t * (Foundation.log10(upper) - low))
    }
    return lower + t * (upper - lower)
  }
}

// MARK: - Geometry

/// A rectangle in pixel coordinates (y grows downwards, as in SVG).
struct Rectangle: Equatable {
  var x: Double
  var y: Double
  var width: Double
  var height: Double

  var maxX: Double { x + width }
  var maxY: Double { y + height }

  func contains(_ px: Double, _ py: Double) -> Bool {
    px >= x && px <= maxX && py >= y && py <= maxY
  }

  func insetBy(_ d: Double) -> Rectangle {
    Rectangle(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d)
  }

  /// Area shared with `other`, zero when they do not overlap.
  func overlapArea(_ other: Rectangle) -> Double {
    let w = Swift.min(maxX, other.maxX) - Swift.max(x, other.x)
    let h = Swift.min(maxY, other.maxY) - Swift.max(y, other.y)
    return w > 0 && h > 0 ? w * h : 0
  }
}

/// Liang–Barsky clipping of the segment (x0, y0)–(x1, y1) to `rect`; nil when nothing is inside.
func clipSegment(
  _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, to rect: Rectangle
) -> (Double, Double, Double, Double)? {
  let dx = x1 - x0
  let dy = y1 - y0
  var t0 = 0.0
  var t1 = 1.0
  let checks: [(Double, Double)] = [(-dx, x0 - rect.x), (dx, rect.maxX - x0), (-dy, y0 - rect.y), (dy, rect.maxY - y0)]
  for (p, q) in checks {
    if p == 0 {
      if q < 0 { return nil }
    } else {
      let r = q / p
      if p < 0 {
        if r > t1 { return nil }
        if r > t0 { t0 = r }
      } else {
        if r < t0 { return nil }
        if r < t1 { t1 = r }
      }
    }
  }
  return (x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy)
}

// MARK: - Legend

/// One legend row: a colour swatch (line, marker or box) and a name.
struct LegendEntry {
  enum Swatch {
    case line(dashed: Bool, marker: Bool)
    case marker(shape: Int)
    case box
  }
  var name: String
  var color: String
  var swatch: Swatch
}

/// Measures, places and draws a legend box.
enum Legend {
  static let fontSize = 12.0
  static let rowHeight = 19.0
  static let swatchWidth = 24.0
  static let padding = 8.0

  static func size(_ entries: [LegendEntry]) -> (width: Double, height: Double) {
    let widest = entries.map { TextMetrics.width($0.name, size: fontSize) }.max() ?? 0
    return (padding * 2 + swatchWidth + 6 + widest, padding * 2 - 4 + rowHeight * Double(entries.count))
  }

  /// Picks the corner of `plot` where the legend covers the least data, as scored by `cost`.
  static func place(
    _ entries: [LegendEntry], in plot: Rectangle, position: LegendPosition,
    cost: (Rectangle) -> Double
  ) -> Rectangle {
    let (w, h) = size(entries)
    let m = 8.0
    let topLeft = Rectangle(x: plot.x + m, y: plot.y + m, width: w, height: h)
    let topRight = Rectangle(x: plot.maxX - m - w, y: plot.y + m, width: w, height: h)
    let bottomLeft = Rectangle(x: plot.x + m, y: plot.maxY - m - h, width: w, height: h)
    let bottomRight = Rectangle(x: plot.maxX - m - w, y: plot.maxY - m - h, width: w, height: h)
    let outside = Rectangle(x: plot.maxX + 16, y: plot.y, width: w, height: h)
    switch position {
    case .topLeft: return topLeft
    case .topRight: return topRight
    case .bottomLeft: return bottomLeft
    case .bottomRight: return bottomRight
    case .outsideRight, .above, .hidden: return outside
    case .automatic:
      let middleRight = Rectangle(x: plot.maxX - m - w, y: plot.y + (plot.height - h) / 2, width: w, height: h)
      let topCenter = Rectangle(x: plot.x + (plot.width - w) / 2, y: plot.y + m, width: w, height: h)
      var best = topRight
      var bestCost = Double.infinity
      for candidate in [topRight, topLeft, bottomRight, bottomLeft, middleRight, topCenter] {
        let c = cost(candidate.insetBy(-4))
        if c < bestCost - 1e-9 {
          best = candidate
          bestCost = c
        }
      }
      return best
    }
  }

  /// Rows of entry indices and their widths when entries flow left to right within `maxWidth`.
  static func flow(_ entries: [LegendEntry], maxWidth: Double) -> [(indices: [Int], width: Double)] {
    var rows: [(indices: [Int], width: Double)] = []
    var current: [Int] = []
    var width = 0.0
    for (index, entry) in entries.enumerated() {
      let w = swatchWidth + 6 + TextMetrics.width(entry.name, size: fontSize)
      let needed = current.isEmpty ? w : width + 18 + w
      if !current.isEmpty && needed > maxWidth {
        rows.append((current, width))
        current = [index]
        width = w
      } else {
        current.append(index)
        width = needed
      }
    }
    if !current.isEmpty { rows.append((current, width)) }
    return rows
  }

  /// Height of a legend laid out in rows above the plot.
  static func heightAbove(_ entries: [LegendEntry], maxWidth: Double) -> Double {
    Double(flow(entries, maxWidth: maxWidth).count) * rowHeight
  }

  /// Draws the entries in centred rows starting at `top`, without a box.
  static func drawAbove(
    _ entries: [LegendEntry], centerX: Double, top: Double, maxWidth: Double, into document: inout SVGDocument
  ) {
    for (rowIndex, row) in flow(entries, maxWidth: maxWidth).enumerated() {
      var x = centerX - row.width / 2
      let centerY = top + rowHeight * Double(rowIndex) + rowHeight / 2
      for index in row.indices {
        let entry = entries[index]
        drawSwatch(entry, left: x, centerY: centerY, into: &document)
        document.text(
          entry.name, x: x + swatchWidth + 6, y: centerY + fontSize * 0.35, size: fontSize, fill: "#222222")
        x += swatchWidth + 6 + TextMetrics.width(entry.name, size: fontSize) + 18
      }
    }
  }

  static func drawSwatch(_ entry: LegendEntry, left: Double, centerY: Double, into document: inout SVGDocument) {
    switch entry.swatch {
    case .line(let dashed, let marker):
      document.line(
        x1: left, y1: centerY, x2: left + swatchWidth, y2: centerY, stroke: entry.color,
        width: 2.5, dash: dashed ? "6 3" : nil)
      if marker {
        document.circle(
          cx: left + swatchWidth / 2, cy: centerY, r: 3.5, fill: entry.color, stroke: "#ffffff",
          strokeWidth: 1)
      }
    case .marker(let shape):
      drawMarker(shape: shape, x: left + swatchWidth / 2, y: centerY, radius: 4.5, fill: entry.color, into: &document)
    case .box:
      document.rect(
        x: left + 4, y: centerY - 6, width: swatchWidth - 8, height: 12, fill: entry.color,
        cornerRadius: 2)
    }
  }

  /// Draws the legend where `position` asks (above the plot, hidden, or placed inside where
  /// `cost` says it covers least) and returns how much it covers (0 when outside the plot).
  static func render(
    _ entries: [LegendEntry], position: LegendPosition, plot: Rectangle, canvasWidth: Double,
    spaceAbove: Double, cost: (Rectangle) -> Double, into document: inout SVGDocument
  ) -> Double {
    switch position {
    case .hidden:
      return 0
    case .above:
      drawAbove(
        entries, centerX: plot.x + plot.width / 2, top: plot.y - spaceAbove - 2,
        maxWidth: canvasWidth - 80, into: &document)
      return 0
    default:
      let box = place(entries, in: plot, position: position, cost: cost)
      draw(entries, at: box, into: &document)
      return cost(box)
    }
  }

  static func draw(_ entries: [LegendEntry], at box: Rectangle, into document: inout SVGDocument) {
    document.rect(
      x: box.x, y: box.y, width: box.width, height: box.height, fill: "#ffffff",
      stroke: "#cccccc", strokeWidth: 1, cornerRadius: 4, opacity: 0.92)
    for (index, entry) in entries.enumerated() {
      let centerY = box.y + padding + rowHeight * Double(index) + rowHeight / 2 - 2
      let left = box.x + padding
      drawSwatch(entry, left: left, centerY: centerY, into: &document)
      document.text(
        entry.name, x: left + swatchWidth + 6, y: centerY + fontSize * 0.35, size: fontSize,
        fill: "#222222")
    }
  }
}

/// Draws a marker: 0 circle, 1 square, 2 triangle up, 3 diamond, 4 triangle down (cycling).
func drawMarker(shape: Int, x: Double, y: Double, radius r: Double, fill: String, into document: inout SVGDocument) {
  let f = TickFormat.coordinate
  switch ((shape % 5) + 5) % 5 {
  case 0:
    document.circle(cx: x, cy: y, r: r, fill: fill, stroke: "#ffffff", strokeWidth: 0.75)
  case 1:
    let s = r * 0.9
    document.rect(
      x: x - s, y: y - s, width: 2 * s, height: 2 * s, fill: fill, stroke: "#ffffff", strokeWidth: 0.75)
  case 2:
    let s = r * 1.25
    document.path(
      "M\(f(x)) \(f(y - s))L\(f(x + s * 0.9)) \(f(y + s * 0.6))L\(f(x - s * 0.9)) \(f(y + s * 0.6))Z",
      fill: fill, stroke: "#ffffff", strokeWidth: 0.75)
  case 3:
    let s = r * 1.25
    document.path(
      "M\(f(x)) \(f(y - s))L\(f(x + s)) \(f(y))L\(f(x)) \(f(y + s))L\(f(x - s)) \(f(y))Z",
      fill: fill, stroke: "#ffffff", strokeWidth: 0.75)
  default:
    let s = r * 1.25
    document.path(
      "M\(f(x)) \(f(y + s))L\(f(x + s * 0.9)) \(f(y - s * 0.6))L\(f(x - s * 0.9)) \(f(y - s * 0.6))Z",
      fill: fill, stroke: "#ffffff", strokeWidth: 0.75)
  }
}

// MARK: - Axes

/// Draws the shared frame of an x–y chart: grid, axis lines, tick labels, axis labels and title.
enum Axes {
  /// Moves a 1-pixel line to a pixel centre so it renders sharp rather than smeared over two pixels.
  static func snap(_ v: Double) -> Double {
    v.isFinite ? v.rounded(.down) + 0.5 : v
  }

  static let tickFont = 12.0
  static let labelFont = 13.0
  static let titleFont = 16.0

  /// Pixel margins around the plot area needed by the title, tick labels and axis labels.
  static func margins(
    title: String, xLabel: String, yLabel: String, yTickLabels: [String], xTickLabels: [String],
    xLabelsRotated: Bool = false, extraTop: Double = 0
  ) -> (left: Double, right: Double, top: Double, bottom: Double) {
    let widestY = yTickLabels.map { TextMetrics.width($0, size: tickFont) }.max() ?? 0
    let left = 10 + (yLabel.isEmpty ? 0 : labelFont + 10) + widestY + 8
    let lastX = xTickLabels.last.map { TextMetrics.width($0, size: tickFont) / 2 } ?? 0
    let right = Swift.max(20, lastX + 8)
    let top = (title.isEmpty ? 16 : titleFont + 26) + extraTop
    var bottom = 8 + tickFont + 10 + (xLabel.isEmpty ? 0 : labelFont + 8)
    if xLabelsRotated {
      let widest = xTickLabels.map { TextMetrics.width($0, size: tickFont) }.max() ?? 0
      bottom += widest * 0.7
    }
    return (left, right, top, bottom)
  }

  /// Grid lines (major solid, minor fainter) under the data.
  static func drawGrid(
    plot: Rectangle, x: LinearScale?, xTicks: Ticks?, y: LinearScale, yTicks: Ticks,
    into document: inout SVGDocument
  ) {
    document.openGroup(attributes: [("shape-rendering", "crispEdges")])
    for tick in yTicks.minor {
      let py = snap(y.pixel(tick))
      document.line(x1: plot.x, y1: py, x2: plot.maxX, y2: py, stroke: "#f3f3f3", width: 1)
    }
    if let x, let xTicks {
      for tick in xTicks.minor {
        let px = snap(x.pixel(tick))
        document.line(x1: px, y1: plot.y, x2: px, y2: plot.maxY, stroke: "#f3f3f3", width: 1)
      }
      for tick in xTicks.major {
        let px = snap(x.pixel(tick))
        document.line(x1: px, y1: plot.y, x2: px, y2: plot.maxY, stroke: "#e4e4e4", width: 1)
      }
    }
    for tick in yTicks.major {
      let py = snap(y.pixel(tick))
      document.line(x1: plot.x, y1: py, x2: plot.maxX, y2: py, stroke: "#e4e4e4", width: 1)
    }
    document.closeGroup()
  }

  /// Axis lines, tick marks and tick labels on the left and bottom edges.
  static func drawAxes(
    plot: Rectangle, x: LinearScale?, xTicks: Ticks?, y: LinearScale, yTicks: Ticks,
    into document: inout SVGDocument
  ) {
    document.openGroup(attributes: [("shape-rendering", "crispEdges")])
    let bottom = snap(plot.maxY)
    let left = snap(plot.x)
    document.line(x1: plot.x, y1: bottom, x2: plot.maxX, y2: bottom, stroke: "#7a7a7a", width: 1)
    document.line(x1: left, y1: plot.y, x2: left, y2: plot.maxY, stroke: "#7a7a7a", width: 1)
    for tick in yTicks.major {
      let py = snap(y.pixel(tick))
      document.line(x1: plot.x - 5, y1: py, x2: plot.x, y2: py, stroke: "#7a7a7a", width: 1)
    }
    if let x, let xTicks {
      for tick in xTicks.major {
        let px = snap(x.pixel(tick))
        document.line(x1: px, y1: plot.maxY, x2: px, y2: plot.maxY + 5, stroke: "#7a7a7a", width: 1)
      }
    }
    document.closeGroup()
    for (tick, label) in zip(yTicks.major, yTicks.labels) {
      document.text(
        label, x: plot.x - 8, y: y.pixel(tick) + tickFont * 0.35, size: tickFont, anchor: .end,
        fill: "#444444")
    }
    if let x, let xTicks {
      for (tick, label) in zip(xTicks.major, xTicks.labels) {
        document.text(
          label, x: x.pixel(tick), y: plot.maxY + 8 + tickFont * 0.85, size: tickFont, anchor: .middle,
          fill: "#444444")
      }
    }
  }

  /// Title above the plot area and the two axis labels.
  static func drawLabels(
    title: String, xLabel: String, yLabel: String, plot: Rectangle, canvasWidth: Double,
    canvasHeight: Double, into document: inout SVGDocument
  ) {
    if !title.isEmpty {
      document.text(
        title, x: plot.x + plot.width / 2, y: 10 + titleFont, size: titleFont, anchor: .middle,
        weight: .bold, fill: "#1a1a1a")
    }
    if !xLabel.isEmpty {
      document.text(
        xLabel, x: plot.x + plot.width / 2, y: canvasHeight - 10, size: labelFont, anchor: .middle,
        fill: "#222222")
    }
    if !yLabel.isEmpty {
      document.text(
        yLabel, x: 10 + labelFont * 0.8, y: plot.y + plot.height / 2, size: labelFont, anchor: .middle,
        fill: "#222222", rotation: -90)
    }
  }

  /// A dashed reference line (the label is drawn separately, over the data, by `drawReferenceLabel`).
  static func drawReferenceLine(
    _ line: ReferenceLine, plot: Rectangle, x: LinearScale?, y: LinearScale, into document: inout SVGDocument
  ) {
    let color = line.color ?? "#555555"
    switch line.orientation {
    case .horizontal:
      let py = y.pixel(line.value)
      guard py.isFinite, py >= plot.y - 0.5, py <= plot.maxY + 0.5 else { return }
      document.line(x1: plot.x, y1: py, x2: plot.maxX, y2: py, stroke: color, width: 1.25, dash: "5 4")
    case .vertical:
      guard let x else { return }
      let px = x.pixel(line.value)
      guard px.isFinite, px >= plot.x - 0.5, px <= plot.maxX + 0.5 else { return }
      document.line(x1: px, y1: plot.y, x2: px, y2: plot.maxY, stroke: color, width: 1.25, dash: "5 4")
    }
  }

  /// The label of a reference line, at whichever end and side of the line `cost` finds least crowded.
  @discardableResult
  static func drawReferenceLabel(
    _ line: ReferenceLine, plot: Rectangle, x: LinearScale?, y: LinearScale, outside: Bool = false,
    cost: (Rectangle) -> Double, into document: inout SVGDocument
  ) -> Double {
    guard !line.label.isEmpty else { return 0 }
    let size = referenceFont
    let width = TextMetrics.width(line.label, size: size)
    let color = line.color ?? "#555555"
    if outside && line.orientation == .horizontal {
      // In the right margin, level with the line.
      let py = y.pixel(line.value)
      guard py.isFinite, py >= plot.y - 0.5, py <= plot.maxY + 0.5 else { return 0 }
      document.text(line.label, x: plot.maxX + 6, y: py + size * 0.35, size: size, fill: color)
      return 0
    }
    // Candidates: (anchor x, baseline y, text anchor), in order of preference.
    var candidates: [(Double, Double, SVGTextAnchor)] = []
    switch line.orientation {
    case .horizontal:
      let py = y.pixel(line.value)
      guard py.isFinite, py >= plot.y - 0.5, py <= plot.maxY + 0.5 else { return 0 }
      let aboveFits = py - 5 - size > plot.y
      let belowFits = py + 5 + size < plot.maxY
      if aboveFits {
        candidates.append((plot.maxX - 6, py - 5, .end))
        candidates.append((plot.x + 6, py - 5, .start))
      }
      if belowFits || !aboveFits {
        candidates.append((plot.maxX - 6, py + 5 + size * 0.8, .end))
        candidates.append((plot.x + 6, py + 5 + size * 0.8, .start))
      }
    case .vertical:
      guard let x else { return 0 }
      let px = x.pixel(line.value)
      guard px.isFinite, px >= plot.x - 0.5, px <= plot.maxX + 0.5 else { return 0 }
      let rightFits = px + 5 + width < plot.maxX
      let leftFits = px - 5 - width > plot.x
      for baseline in [plot.y + 14, plot.maxY - 6] {
        if rightFits || !leftFits { candidates.append((px + 5, baseline, .start)) }
        if leftFits { candidates.append((px - 5, baseline, .end)) }
      }
    }
    var best = candidates[0]
    var bestCost = Double.infinity
    var bestRawCost = 0.0
    for (index, candidate) in candidates.enumerated() {
      let left: Double
      switch candidate.2 {
      case .start: left = candidate.0
      case .middle: left = candidate.0 - width / 2
      case .end: left = candidate.0 - width
      }
      let box = Rectangle(x: left - 2, y: candidate.1 - size, width: width + 4, height: size + 3)
      // A small penalty keeps the preferred order when candidates are equally clear.
      let raw = cost(box)
      let c = raw + Double(index) * 1e-3
      if c < bestCost {
        best = candidate
        bestCost = c
        bestRawCost = raw
      }
    }
    document.text(line.label, x: best.0, y: best.1, size: size, anchor: best.2, fill: color, halo: true)
    return bestRawCost
  }

  static let referenceFont = 11.5

  /// Width of the right margin needed to write horizontal reference labels outside the plot.
  static func outsideLabelWidth(_ lines: [ReferenceLine]) -> Double {
    let widest = lines.filter { $0.orientation == .horizontal && !$0.label.isEmpty }
      .map { TextMetrics.width($0.label, size: referenceFont) }.max()
    return widest.map { $0 + 12 } ?? 0
  }
}

// MARK: - Two-pass layout

/// Layout choices a chart can make only after seeing where its data lands.
struct RenderOptions {
  var legend: LegendPosition
  var referenceLabelsOutside = false
}

/// A rendered chart plus how much its legend and reference labels cover data (0 = nothing covered).
struct RenderedChart {
  var svg: String
  var legendCost = 0.0
  var referenceCost = 0.0
}

enum TwoPassLayout {
  /// Renders once; if the automatic legend or a reference label covers data, renders again with them moved outside.
  static func render(legend: LegendPosition, _ body: (RenderOptions) -> RenderedChart) -> String {
    var options = RenderOptions(legend: legend)
    let first = body(options)
    var again = false
    if legend == .automatic && first.legendCost > 0 {
      options.legend = .above
      again = true
    }
    if first.referenceCost > 0 {
      options.referenceLabelsOutside = true
      again = true
    }
    return again ? body(options).svg : first.svg
  }
}
