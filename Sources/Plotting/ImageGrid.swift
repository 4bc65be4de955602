import Foundation

/// A grid of small grayscale images with captions, for showing data samples and a model's predictions.
///
/// ```swift
/// var grid = ImageGrid(title: "Test digits", columns: 8)
/// for (image, (predicted, actual)) in zip(images, results) {
///   grid.add(image, width: 28, height: 28, caption: "pred \(predicted) / true \(actual)",
///            highlighted: predicted != actual)
/// }
/// try grid.write(to: "figures/09-predictions.svg")
/// ```
public struct ImageGrid: SVGFigure {
  /// One image: row-major pixels, size, caption and whether to mark it as a mistake.
  public struct Image: Sendable {
    /// Row-major pixel values, `width × height` of them (missing pixels are left blank).
    public var pixels: [Float]
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Text under the image; may be empty.
    public var caption: String
    /// Draws the caption and a frame in the mistake colour.
    public var highlighted: Bool

    /// An image from row-major pixel values (Float or Double).
    public init<T: BinaryFloatingPoint>(
      _ pixels: [T], width: Int, height: Int, caption: String = "", highlighted: Bool = false
    ) {
      self.pixels = pixels.map { Float($0) }
      self.width = Swift.max(0, width)
      self.height = Swift.max(0, height)
      self.caption = caption
      self.highlighted = highlighted
    }
  }

  /// Title above the grid.
  public var title: String
  /// Images per row.
  public var columns: Int
  /// Size of one image pixel on screen, or nil to make each image about 84 screen pixels across.
  public var pixelSize: Double?
  /// Value range mapped to black…white for every image, or nil to stretch each image's own min…max.
  public var range: ClosedRange<Float>?
  /// Shows low values as white and high as black (ink on paper) instead of the usual black-to-white.
  public var inverted = false
  /// The images, left to right and top to bottom.
  public var images: [Image] = []

  /// Creates an empty grid; add images with `add`.
  public init(title: String = "", columns: Int = 8, pixelSize: Double? = nil, range: ClosedRange<Float>? = nil) {
    self.title = title
    self.columns = Swift.max(1, columns)
    self.pixelSize = pixelSize
    self.range = range
  }

  /// Adds an image from row-major pixel values.
  public mutating func add<T: BinaryFloatingPoint>(
    _ pixels: [T], width: Int, height: Int, caption: String = "", highlighted: Bool = false
  ) {
    images.append(Image(pixels, width: width, height: height, caption: caption, highlighted: highlighted))
  }

  static let captionFont = 11.0

  /// Gray level 0...255 of each pixel (NaN → mid grey) after normalisation.
  func grayLevels(_ image: Image) -> [UInt8] {
    let count = Swift.min(image.pixels.count, image.width * image.height)
    let values = image.pixels.prefix(count)
    var low: Float
    var high: Float
    if let range {
      low = range.lowerBound
      high = range.upperBound
    } else {
      let finite = values.filter { $0.isFinite }
      low = finite.min() ?? 0
      high = finite.max() ?? 1
    }
    let span = high > low ? high - low : 1
    return values.map { value in
      guard value.isFinite else { return 128 }
      var t = Swift.min(Swift.max((value - low) / span, 0), 1)
      if inverted { t = 1 - t }
      return UInt8((t * 255).rounded())
    }
  }

  /// The rendered SVG document.
  public var svg: String {
    let maxWidth = images.map(\.width).max() ?? 0
    let maxHeight = images.map(\.height).max() ?? 0
    let scale = pixelSize ?? (maxWidth > 0 || maxHeight > 0 ? 84 / Double(Swift.max(maxWidth, maxHeight)) : 3)
    let imageWidth = Double(maxWidth) * scale
    let imageHeight = Double(maxHeight) * scale
    let hasCaptions = images.contains { !$0.caption.isEmpty }
    // Highlighted captions are bold, which is about 10% wider.
    let captionWidth =
      images.map { TextMetrics.width($0.caption, size: Self.captionFont) * ($0.highlighted ? 1.1 : 1) }.max() ?? 0
    let cellWidth = Swift.max(imageWidth, captionWidth) + 12
    let cellHeight = imageHeight + (hasCaptions ? Self.captionFont + 10 : 0) + 12
    let columnCount = Swift.max(1, Swift.min(columns, images.count))
    let rowCount = (images.count + columns - 1) / columns
    let margin = 12.0
    let titleHeight = title.isEmpty ? 0 : Axes.titleFont + 16
    let width = Swift.max(margin * 2 + cellWidth * Double(columnCount), TextMetrics.width(title, size: Axes.titleFont) + 24)
    let height = margin * 2 + titleHeight + cellHeight * Double(rowCount)
    let gridLeft = (width - cellWidth * Double(columnCount)) / 2

    var document = SVGDocument(width: width.rounded(.up), height: height.rounded(.up), title: title.isEmpty ? nil : title)
    if !title.isEmpty {
      document.text(
        title, x: width / 2, y: margin + Axes.titleFont, size: Axes.titleFont, anchor: .middle,
        weight: .bold, fill: "#1a1a1a")
    }
    let f = TickFormat.coordinate
    for (index, image) in images.enumerated() {
      let cellX = gridLeft + cellWidth * Double(index % columns)
      let cellY = margin + titleHeight + cellHeight * Double(index / columns)
      let w = Double(image.width) * scale
      let h = Double(image.height) * scale
      let x = cellX + (cellWidth - w) / 2
      let y = cellY + 6 + (imageHeight - h) / 2
      let levels = grayLevels(image)

      // The most common gray is painted once as the background; other pixels are horizontal runs.
      var counts = [Int](repeating: 0, count: 256)
      for level in levels { counts[Int(level)] += 1 }
      let common = UInt8(counts.indices.max { counts[$0] < counts[$1] } ?? 0)
      document.openGroup(attributes: [
        ("transform", "translate(\(f(x)) \(f(y))) scale(\(TickFormat.number(scale, decimals: 4)))"),
        ("shape-rendering", "crispEdges"),
      ])
      document.rect(
        x: 0, y: 0, width: Double(image.width), height: Double(image.height), fill: Self.gray(common))
      for row in 0..<image.height {
        var column = 0
        while column < image.width {
          let index = row * image.width + column
          guard index < levels.count else { break }
          let level = levels[index]
          var end = column + 1
          while end < image.width && row * image.width + end < levels.count && levels[row * image.width + end] == level {
            end += 1
          }
          if level != common {
            document.rect(x: Double(column), y: Double(row), width: Double(end - column), height: 1, fill: Self.gray(level))
          }
          column = end
        }
      }
      document.closeGroup()
      let frame = image.highlighted ? Palette.mistake : "#bbbbbb"
      let frameWidth = image.highlighted ? 2.0 : 1.0
      document.rect(
        x: x - frameWidth / 2, y: y - frameWidth / 2, width: w + frameWidth, height: h + frameWidth, fill: "none",
        stroke: frame, strokeWidth: frameWidth)
      if !image.caption.isEmpty {
        document.text(
          image.caption, x: cellX + cellWidth / 2, y: cellY + 6 + imageHeight + 5 + Self.captionFont,
          size: Self.captionFont, anchor: .middle, weight: image.highlighted ? .bold : .normal,
          fill: image.highlighted ? Palette.mistake : "#333333")
      }
    }
    return document.svg
  }

  static func gray(_ level: UInt8) -> String {
    let component = Double(level) / 255
    return RGBColor(red: component, green: component, blue: component).hex
  }
}
