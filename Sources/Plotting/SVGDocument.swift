import Foundation
import CourseSupport

/// Anything that renders itself as an SVG document, so every chart can be written to a file the same way.
public protocol SVGFigure {
  /// The complete SVG document, deterministic for the same inputs.
  var svg: String { get }
}

/// Horizontal alignment of a text element relative to its x coordinate.
public enum SVGTextAnchor: String, Sendable {
  case start, middle, end
}

/// Font weight of a text element.
public enum SVGFontWeight: String, Sendable {
  case normal, bold
}

/// A small SVG builder that escapes all text and formats all numbers deterministically, so figures are valid XML and byte-identical across runs.
///
/// ```swift
/// var doc = SVGDocument(width: 200, height: 100, title: "Hello")
/// doc.rect(x: 10, y: 10, width: 50, height: 30, fill: "#0072b2")
/// doc.text("x < y & z", x: 100, y: 60)
/// try doc.write(to: "figures/hello.svg")
/// ```
public struct SVGDocument: SVGFigure, Sendable {
  /// Width of the canvas in pixels.
  public let width: Double
  /// Height of the canvas in pixels.
  public let height: Double
  /// Accessible title (the SVG `<title>` element) that screen readers and browser tooltips use.
  public var title: String?
  /// Background colour painted under everything, or nil for a transparent canvas.
  public var background: String?

  /// Font stack used by every text element; ends in the generic `sans-serif` so any system finds a readable font.
  public static let fontFamily =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"

  private var definitions: [String] = []
  private var body: [String] = []
  private var openGroups = 0

  /// Creates an empty canvas of the given size in pixels.
  public init(width: Double, height: Double, title: String? = nil, background: String? = "#ffffff") {
    self.width = width
    self.height = height
    self.title = title
    self.background = background
  }

  // MARK: Escaping and numbers

  /// Escapes `&`, `<`, `>`, quotes and drops characters XML forbids, so any label is safe inside text or an attribute.
  public static func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in TextMetrics.clean(text) {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default: result.append(character)
      }
    }
    return result
  }

  /// Formats a number with at most `decimals` decimals, without locale or exponent, so output never varies between machines.
  public static func format(_ value: Double, decimals: Int = 2) -> String {
    TickFormat.number(value, decimals: decimals)
  }

  private static func n(_ value: Double) -> String { TickFormat.coordinate(value) }

  // MARK: Elements

  /// Adds an element with already-escaped attribute values; prefer the typed helpers below.
  public mutating func element(_ name: String, attributes: [(String, String)], text: String? = nil) {
    var line = "<" + name
    for (key, value) in attributes {
      line += " " + key + "=\"" + SVGDocument.escape(value) + "\""
    }
    if let text {
      line += ">" + SVGDocument.escape(text) + "</" + name + ">"
    } else {
      line += "/>"
    }
    body.append(String(repeating: "  ", count: openGroups + 1) + line)
  }

  /// Adds a definition (gradient, clip path) inside `<defs>`; `markup` must already be valid SVG.
  public mutating func addDefinition(_ markup: String) {
    definitions.append(markup)
  }

  /// Adds a rectangle.
  public mutating func rect(
    x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
    strokeWidth: Double = 1, cornerRadius: Double = 0, opacity: Double = 1
  ) {
    var attributes: [(String, String)] = [
      ("x", Self.n(x)), ("y", Self.n(y)), ("width", Self.n(Swift.max(0, width))),
      ("height", Self.n(Swift.max(0, height))),
    ]
    if cornerRadius > 0 { attributes.append(("rx", Self.n(cornerRadius))) }
    attributes.append(("fill", fill))
    if opacity < 1 { attributes.append(("fill-opacity", Self.n(opacity))) }
    if let stroke {
      attributes.append(("stroke", stroke))
      attributes.append(("stroke-width", Self.n(strokeWidth)))
    }
    element("rect", attributes: attributes)
  }

  /// Adds a straight line, optionally dashed (`dash` is an SVG dash array such as `"5 4"`).
  public mutating func line(
    x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil
  ) {
    var attributes: [(String, String)] = [
      ("x1", Self.n(x1)), ("y1", Self.n(y1)), ("x2", Self.n(x2)), ("y2", Self.n(y2)),
      ("stroke", stroke), ("stroke-width", Self.n(width)),
    ]
    if let dash { attributes.append(("stroke-dasharray", dash)) }
    element("line", attributes: attributes)
  }

  /// Adds an open polyline through `points` (pixel coordinates), with round joins.
  public mutating func polyline(
    _ points: [(x: Double, y: Double)], stroke: String, width: Double = 2, dash: String? = nil,
    opacity: Double = 1
  ) {
    guard points.count >= 2 else { return }
    var list = ""
    list.reserveCapacity(points.count * 14)
    for (index, point) in points.enumerated() {
      if index > 0 { list += " " }
      list += Self.n(point.x) + "," + Self.n(point.y)
    }
    var attributes: [(String, String)] = [
      ("points", list), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.n(width)),
      ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
    ]
    if let dash { attributes.append(("stroke-dasharray", dash)) }
    if opacity < 1 { attributes.append(("stroke-opacity", Self.n(opacity))) }
    element("polyline", attributes: attributes)
  }

  /// Adds a circle.
  public mutating func circle(
    cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil, strokeWidth: Double = 1,
    opacity: Double = 1
  ) {
    var attributes: [(String, String)] = [("cx", Self.n(cx)), ("cy", Self.n(cy)), ("r", Self.n(r)), ("fill", fill)]
    if opacity < 1 { attributes.append(("fill-opacity", Self.n(opacity))) }
    if let stroke {
      attributes.append(("stroke", stroke))
      attributes.append(("stroke-width", Self.n(strokeWidth)))
    }
    element("circle", attributes: attributes)
  }

  /// Adds a path from SVG path data (`d`), for shapes the other helpers do not cover.
  public mutating func path(
    _ d: String, fill: String = "none", stroke: String? = nil, strokeWidth: Double = 1, dash: String? = nil,
    opacity: Double = 1
  ) {
    var attributes: [(String, String)] = [("d", d), ("fill", fill)]
    if let stroke {
      attributes.append(("stroke", stroke))
      attributes.append(("stroke-width", Self.n(strokeWidth)))
      attributes.append(("stroke-linejoin", "round"))
      attributes.append(("stroke-linecap", "round"))
    }
    if let dash { attributes.append(("stroke-dasharray", dash)) }
    if opacity < 1 { attributes.append(("opacity", Self.n(opacity))) }
    element("path", attributes: attributes)
  }

  /// Adds a text label; `y` is the baseline, `rotation` turns it (degrees) around its anchor, `halo` draws a white outline for legibility over data.
  public mutating func text(
    _ content: String, x: Double, y: Double, size: Double = 12, anchor: SVGTextAnchor = .start,
    weight: SVGFontWeight = .normal, fill: String = "#222222", rotation: Double = 0, halo: Bool = false
  ) {
    var attributes: [(String, String)] = [("x", Self.n(x)), ("y", Self.n(y)), ("font-size", Self.n(size))]
    if anchor != .start { attributes.append(("text-anchor", anchor.rawValue)) }
    if weight != .normal { attributes.append(("font-weight", weight == .bold ? "600" : weight.rawValue)) }
    attributes.append(("fill", fill))
    if rotation != 0 {
      attributes.append(("transform", "rotate(\(Self.n(rotation)) \(Self.n(x)) \(Self.n(y)))"))
    }
    if halo {
      attributes.append(("stroke", "#ffffff"))
      attributes.append(("stroke-width", "3"))
      attributes.append(("stroke-linejoin", "round"))
      attributes.append(("paint-order", "stroke"))
    }
    element("text", attributes: attributes, text: content)
  }

  /// Opens a `<g>` group with the given attributes (for example a transform); close it with `closeGroup()`.
  public mutating func openGroup(attributes: [(String, String)] = []) {
    var line = "<g"
    for (key, value) in attributes {
      line += " " + key + "=\"" + SVGDocument.escape(value) + "\""
    }
    line += ">"
    body.append(String(repeating: "  ", count: openGroups + 1) + line)
    openGroups += 1
  }

  /// Closes the innermost group opened by `openGroup`.
  public mutating func closeGroup() {
    guard openGroups > 0 else { return }
    openGroups -= 1
    body.append(String(repeating: "  ", count: openGroups + 1) + "</g>")
  }

  /// Adds pre-built markup verbatim (the caller is responsible for escaping).
  public mutating func raw(_ markup: String) {
    body.append(String(repeating: "  ", count: openGroups + 1) + markup)
  }

  // MARK: Output

  /// The complete document, with any groups left open closed automatically.
  public var svg: String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\""
    out += " viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\""
    out += " font-family=\"\(SVGDocument.fontFamily)\""
    if let title, !title.isEmpty { out += " role=\"img\" aria-label=\"\(Self.escape(title))\"" }
    out += ">\n"
    if let title, !title.isEmpty { out += "  <title>\(Self.escape(title))</title>\n" }
    if !definitions.isEmpty {
      out += "  <defs>\n"
      for definition in definitions { out += "    " + definition + "\n" }
      out += "  </defs>\n"
    }
    if let background {
      out += "  <rect width=\"100%\" height=\"100%\" fill=\"\(Self.escape(background))\"/>\n"
    }
    for line in body { out += line + "\n" }
    for level in stride(from: openGroups, to: 0, by: -1) {
      out += String(repeating: "  ", count: level) + "</g>\n"
    }
    out += "</svg>\n"
    return out
  }
}

/// Colour-blind-friendly colours shared by every chart, so series keep the same colours across a book's figures.
public enum Palette {
  /// Okabe–Ito categorical colours, ordered so the first few are the most distinct (yellow, weakest on white, last).
  public static let categorical: [String] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442",
  ]

  /// Colour for series or class number `index`, cycling through `categorical`.
  public static func color(_ index: Int) -> String {
    categorical[((index % categorical.count) + categorical.count) % categorical.count]
  }

  /// Colour that marks mistakes (wrong predictions), distinct from the other palette entries.
  public static let mistake = "#cc3311"

  /// ColorBrewer RdBu reversed: blue for negative, near-white for zero, red for positive (colour-blind safe).
  static let diverging: [RGBColor] = [
    "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d",
    "#b2182b", "#67001f",
  ].map(RGBColor.init(hex:))

  /// ColorBrewer Blues: white for zero up to dark blue for the maximum.
  static let sequential: [RGBColor] = [
    "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b",
  ].map(RGBColor.init(hex:))

  /// Colour of `t` in 0...1 on the diverging map (0.5 is the white midpoint), as `#rrggbb`.
  public static func divergingColor(_ t: Double) -> String {
    RGBColor.sample(diverging, at: t).hex
  }

  /// Colour of `t` in 0...1 on the sequential map (0 is white), as `#rrggbb`.
  public static func sequentialColor(_ t: Double) -> String {
    RGBColor.sample(sequential, at: t).hex
  }
}

/// Where a chart puts its legend.
public enum LegendPosition: Sendable {
  /// The inside corner that hides the least data, or `above` when every corner would hide some.
  case automatic
  /// A fixed inside corner of the plot area.
  case topLeft, topRight, bottomLeft, bottomRight
  /// To the right of the plot area, never covering data.
  case outsideRight
  /// In a row (wrapping if needed) between the title and the plot area, never covering data.
  case above
  /// No legend.
  case hidden
}

/// A dashed horizontal or vertical line marking a value of interest (a target loss, chance accuracy, peak GFLOP/s).
public struct ReferenceLine: Sendable, Equatable {
  /// Whether the line runs across (fixed y) or up (fixed x).
  public enum Orientation: Sendable, Equatable {
    case horizontal, vertical
  }
  /// Horizontal (at a y value) or vertical (at an x value).
  public var orientation: Orientation
  /// The y value (horizontal) or x value (vertical) in data units.
  public var value: Double
  /// Text drawn next to the line; may be empty.
  public var label: String
  /// Colour as a CSS colour string, or nil for dark grey.
  public var color: String?

  /// A horizontal line at `y`.
  public init(y: Double, label: String = "", color: String? = nil) {
    self.orientation = .horizontal
    self.value = y
    self.label = label
    self.color = color
  }

  /// A vertical line at `x`.
  public init(x: Double, label: String = "", color: String? = nil) {
    self.orientation = .vertical
    self.value = x
    self.label = label
    self.color = color
  }
}
