import Foundation

// A convolution as matrix products, without building im2col's matrix.
//
// Core/Operations/Convolution.swift defines conv2d as W [O, C·kH·kW] · cols, with cols = im2col
// of the input: every receptive field copied into a column. Written that way, the forward pass
// copies every pixel up to kH·kW times into cols, the matrix product copies cols again into its
// packed panels, and the result, laid out [O, N·P], is copied once more into the images' [N, O, P]
// order; backward copies the gradient back to [O, N·P] and fills another matrix as big as cols.
// Here the products read and write the images' own layout, and cols is never built whole:
//
//   forward   out[n] = W · cols[n]        one image (a band of its rows) at a time: its
//                                         receptive fields copied into a small matrix that
//                                         stays in L2 and that the product reads in place,
//                                         written straight into out[n, o, p]
//   ∂L/∂W     G · colsᵀ                   the panels of colsᵀ and of G packed from the images
//   ∂L/∂in    col2im(Wᵀ · G[n])           one image at a time, its columns in a small buffer
//
// The cores share the images (forward and ∂L/∂in) or the blocks of the sum over N·P (∂L/∂W).
//
// Bit for bit the same as the product of im2col's matrix. Each output, weight gradient and
// column of ∂L/∂in adds up the same products, blocked along k as `matrixMultiply` blocks
// W · cols, G · colsᵀ and Wᵀ · G (`DepthBlocking`), with the same FMAs in the same order; and
// ∂L/∂W's blocks are computed side by side but added up one after another in order, as one
// thread would. So the results do not depend on the kernel path or the number of threads, and
// equal those of the im2col formulation (the tests check both).

/// The sizes of a convolution of `batch` images [channels, height, width] with `outputChannels`
/// filters of kernelHeight × kernelWidth, moved by `stride`, with `padding` zeros around.
public struct ConvolutionShape: Sendable {
  public let batch: Int, channels: Int, height: Int, width: Int
  public let outputChannels: Int, kernelHeight: Int, kernelWidth: Int
  public let stride: Int, padding: Int

  public init(batch: Int, channels: Int, height: Int, width: Int, outputChannels: Int,
              kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
    (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
    (self.outputChannels, self.kernelHeight, self.kernelWidth) =
      (outputChannels, kernelHeight, kernelWidth)
    (self.stride, self.padding) = (stride, padding)
  }

  public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
  public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
  /// Output positions per image: the columns of one image's cols.
  public var positions: Int { outputHeight * outputWidth }
  /// Values in a receptive field: the rows of cols, the columns of W.
  public var patchSize: Int { channels * kernelHeight * kernelWidth }
  /// Columns of the whole batch's cols, N·P.
  public var columns: Int { batch * positions }
}

/// out [N, O, P] = W [O, C·kH·kW] · im2col(input) (+ bias[o]), for `input` [N, C, H, W].
public func convolutionForward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, shape: ConvolutionShape,
                               output: UnsafeMutablePointer<Float>,
                               path: KernelPath = .preferred) {
  switch path {
  case .simd8:
    ConvolutionProduct<SIMD8Kernel>.forward(input: input, weight: weight, bias: bias,
                                            shape: shape, output: output)
  case .simd16:
    ConvolutionProduct<SIMD16Kernel>.forward(input: input, weight: weight, bias: bias,
                                             shape: shape, output: output)
  }
}

/// ∂L/∂W [O, C·kH·kW] = G · im2col(input)ᵀ, with G the output gradient [N, O, P] read as
/// [O, N·P].
public func convolutionWeightGradient(input: UnsafePointer<Float>,
                                      outputGradient: UnsafePointer<Float>,
                                      shape: ConvolutionShape,
                                      weightGradient: UnsafeMutablePointer<Float>,
                                      path: KernelPath = .preferred) {
  switch path {
  case .simd8:
    ConvolutionProduct<SIMD8Kernel>.weightGradient(input: input, outputGradient: outputGradient,
                                                   shape: shape, into: weightGradient)
  case .simd16:
    ConvolutionProduct<SIMD16Kernel>.weightGradient(input: input, outputGradient: outputGradient,
                                                    shape: shape, into: weightGradient)
  }
}

/// ∂L/∂input [N, C, H, W] = col2im(Wᵀ · G), with G the output gradient [N, O, P].
public func convolutionInputGradient(weight: UnsafePointer<Float>,
                                     outputGradient: UnsafePointer<Float>,
                                     shape: ConvolutionShape,
                                     inputGradient: UnsafeMutablePointer<Float>,
                                     path: KernelPath = .preferred) {
  switch path {
  case .simd8:
    ConvolutionProduct<SIMD8Kernel>.inputGradient(weight: weight, outputGradient: outputGradient,
                                                  shape: shape, into: inputGradient)
  case .simd16:
    ConvolutionProduct<SIMD16Kernel>.inputGradient(weight: weight, outputGradient: outputGradient,
                                                   shape: shape, into: inputGradient)
  }
}

/// `convolutionForward` on arrays: out [N, O, outH, outW] for `input` [N, C, H, W], `weight`
/// [O, C, kH, kW] and an optional `bias` [O].
public func convolutionForward(input: [Float], weight: [Float], bias: [Float]?,
                               shape: ConvolutionShape) -> [Float] {
  var output = uninitializedFloats(shape.batch * shape.outputChannels * shape.positions)
  input.withUnsafeBufferPointer { x in
    weight.withUnsafeBufferPointer { w in
      output.withUnsafeMutableBufferPointer { out in
        if let bias {
          bias.withUnsafeBufferPointer { b in
            convolutionForward(input: x.baseAddress!, weight: w.baseAddress!,
                               bias: b.baseAddress!, shape: shape, output: out.baseAddress!)
          }
        } else {
          convolutionForward(input: x.baseAddress!, weight: w.baseAddress!, bias: nil,
                             shape: shape, output: out.baseAddress!)
        }
      }
    }
  }
  return output
}

/// `convolutionWeightGradient` on arrays: ∂L/∂W [O, C, kH, kW].
public func convolutionWeightGradient(input: [Float], outputGradient: [Float],
                                      shape: ConvolutionShape) -> [Float] {
  var weightGradient = uninitializedFloats(shape.outputChannels * shape.patchSize)
  input.withUnsafeBufferPointer { x in
    outputGradient.withUnsafeBufferPointer { g in
      weightGradient.withUnsafeMutableBufferPointer { dW in
        convolutionWeightGradient(input: x.baseAddress!, outputGradient: g.baseAddress!,
                                  shape: shape, weightGradient: dW.baseAddress!)
      }
    }
  }
  return weightGradient
}

/// `convolutionInputGradient` on arrays: ∂L/∂input [N, C, H, W].
public func convolutionInputGradient(weight: [Float], outputGradient: [Float],
                                     shape: ConvolutionShape) -> [Float] {
  var inputGradient = uninitializedFloats(shape.batch * shape.channels * shape.height * shape.width)
  weight.withUnsafeBufferPointer { w in
    outputGradient.withUnsafeBufferPointer { g in
      inputGradient.withUnsafeMutableBufferPointer { dX in
        convolutionInputGradient(weight: w.baseAddress!, outputGradient: g.baseAddress!,
                                 shape: shape, inputGradient: dX.baseAddress!)
      }
    }
  }
  return inputGradient
}

/// ∂L/∂bias [O]: the sum of the output gradient [N, O, P] over images and positions (the sums
/// of each image's P values, added image after image).
public func convolutionBiasGradient(outputGradient: [Float], shape: ConvolutionShape) -> [Float] {
  let (outputs, positions) = (shape.outputChannels, shape.positions)
  return outputGradient.withUnsafeBufferPointer { gradient in
    (0..<outputs).map { o in
      (0..<shape.batch).reduce(Float(0)) { sum, n in
        sum + sumOfRun(gradient, start: (n * outputs + o) * positions, count: positions)
      }
    }
  }
}

/// The three products, generic over the micro-kernel like `BlockedProduct`.
enum ConvolutionProduct<Kernel: MicroKernel> {
  typealias Product = BlockedProduct<Kernel>
  static var tileRows: Int { Kernel.rows }
  static var tileColumns: Int { Kernel.columns }

  // MARK: - Forward

  static func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      bias: UnsafePointer<Float>?, shape s: ConvolutionShape,
                      output: UnsafeMutablePointer<Float>) {
    let (outputs, patch, positions) = (s.outputChannels, s.patchSize, s.positions)
    if s.batch == 0 || outputs == 0 || positions == 0 { return }
    // k = C·kH·kW, blocked as the product W · cols with cols [C·kH·kW, N·P] would be.
    let blocking = DepthBlocking(m: outputs, k: patch, bRowStride: s.columns, bColumnStride: 1)
    let weightView = MatrixView(base: weight, rowStride: patch, columnStride: 1)
    // An image's receptive fields are copied a band of output rows at a time into a small
    // matrix (at most 64 Ki floats, so it stays in L2), which the product then reads in place.
    let bandRows = max(1, min(s.outputHeight, (1 << 16) / max(1, patch * s.outputWidth)))
    let outputView = OutputView(base: output, leadingDimension: positions)

    forEachImageRange(s, work: outputs * patch * s.columns) { images in
      let band = PackingWorkspace.take(floats: patch * bandRows * s.outputWidth)
      defer { PackingWorkspace.giveBack(band) }
      for n in images {
        let image = input + n * s.channels * s.height * s.width
        let out = outputView.offsetBy(rows: n * outputs, columns: 0)  // out[n] is [O, P]
        for firstRow in stride(from: 0, to: s.outputHeight, by: bandRows) {
          let rows = firstRow..<min(s.outputHeight, firstRow + bandRows)
          let columns = rows.count * s.outputWidth
          copyReceptiveFields(image, s, outputRows: rows, into: band.floats)
          let cols = MatrixView(base: band.floats, rowStride: columns, columnStride: 1)
          Product.multiplyBlocked(
            m: outputs, n: columns, a: weightView, b: cols,
            c: out.offsetBy(rows: 0, columns: firstRow * s.outputWidth), accumulate: false,
            depthBlocking: blocking,
            readBInPlace: DepthBlocking.readsBInPlace(m: outputs, b: cols))
        }
        // The bias comes last, added to the finished sum, as conv2d always added it.
        if let bias {
          for o in 0..<outputs {
            let row = out.base + o * positions, shift = bias[o]
            for p in 0..<positions { row[p] += shift }
          }
        }
      }
    }
  }

  /// im2col for the output rows `outputRows` of one image: cols[q, position] for every patch
  /// index q = (c, i, j) and every position (y, x) of those rows, as a [C·kH·kW, rows · outW]
  /// row-major matrix, where
  ///
  ///     cols[(c, i, j), (y, x)] = image[c, y·stride + i − padding, x·stride + j − padding]
  ///
  /// (0 in the padding). Each (q, y) is one run along an image row, contiguous when the stride
  /// is 1.
  static func copyReceptiveFields(_ image: UnsafePointer<Float>, _ s: ConvolutionShape,
                                  outputRows: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
    let outputWidth = s.outputWidth
    let columns = outputRows.count * outputWidth
    var q = 0
    for c in 0..<s.channels {
      let plane = image + c * s.height * s.width
      for i in 0..<s.kernelHeight {
        for j in 0..<s.kernelWidth {
          let inside = validOutputRange(offset: j - s.padding, size: s.width,
                                        count: outputWidth, stride: s.stride)
          var to = cols + q * columns
          for y in outputRows {
            let row = y * s.stride + i - s.padding
            if row < 0 || row >= s.height {
              to.update(repeating: 0, count: outputWidth)
            } else {
              let line = plane + row * s.width + j - s.padding  // input column of x = 0
              for x in 0..<inside.lowerBound { to[x] = 0 }
              if s.stride == 1 {
                copyRun(from: line, to: to, range: inside)
              } else {
                for x in inside { to[x] = line[x * s.stride] }
              }
              for x in inside.upperBound..<outputWidth { to[x] = 0 }
            }
            to += outputWidth
          }
          q += 1
        }
      }
    }
  }

  // MARK: - Weight gradient

  static func weightGradient(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                             shape s: ConvolutionShape, into weightGradient: UnsafeMutablePointer<Float>) {
    let (outputs, patch, columns) = (s.outputChannels, s.patchSize, s.columns)
    if outputs == 0 || patch == 0 { return }
    if columns == 0 {
      weightGradient.update(repeating: 0, count: outputs * patch)
      return
    }
    // k = N·P, blocked as the product G [O, N·P] · colsᵀ (cols read through swapped strides)
    // would be: one block after another, each block's sum added to the total in order.
    let blocking = DepthBlocking(m: outputs, k: columns, bRowStride: 1, bColumnStride: columns)
    let maxRows = roundUp(outputs, to: tileRows), maxColumns = roundUp(patch, to: tileColumns)
    let packedASize = maxRows / tileRows * panelStride(depth: blocking.maxDepth, height: tileRows)
    let packedBSize = maxColumns / tileColumns
      * panelStride(depth: blocking.maxDepth, height: tileColumns)
    let tileSize = tileRows * tileColumns
    // Each block's sum goes to its own [O, C·kH·kW] buffer; groups of blocks are computed side
    // by side, then added to the total one after another. A group is small enough that its
    // buffers stay under 4 MB.
    let partialSize = outputs * patch
    let threads = engineCores
    let work = outputs * patch * columns
    let parts = max(1, min(threads, work / (1 << 18), blocking.count))
    let group = max(parts, min(blocking.count, (1 << 20) / max(1, partialSize)))
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: group * partialSize)
    defer { partials.deallocate() }
    for groupStart in Swift.stride(from: 0, to: blocking.count, by: group) {
      let blocks = min(group, blocking.count - groupStart)
      let groupParts = min(parts, blocks)
      let run = { (part: Int) in
        let workspace = PackingWorkspace.take(floats: packedASize + packedBSize + tileSize)
        defer { PackingWorkspace.giveBack(workspace) }
        let packedA = workspace.floats, packedB = packedA + packedASize
        // The lanes of B's panels after the last q are never written. They only feed columns
        // of C past the last q, which are dropped, but zero them once all the same.
        packedB.update(repeating: 0, count: packedBSize)
        for index in blocks * part / groupParts..<blocks * (part + 1) / groupParts {
          let depth = blocking.range(groupStart + index)
          packOutputGradient(outputGradient, s, columns: depth, into: packedA)
          packReceptiveFieldRows(input, s, columns: depth, into: packedB)
          Product.multiplyPackedBlocks(
            rows: outputs, columns: patch, depth: depth.count, packedA: packedA,
            panelsOfB: PanelsOfB(base: packedB,
                                 panelStride: panelStride(depth: depth.count, height: tileColumns),
                                 rowStride: tileColumns, fullColumns: patch,
                                 panelColumns: tileColumns, packedEdge: packedB),
            c: OutputView(base: partials + index * partialSize, leadingDimension: patch),
            addToC: false, edgeTile: packedB + packedBSize)
        }
      }
      if groupParts == 1 { run(0) } else { parallelFor(parts: groupParts, run) }
      // The first block's sum is the start of the total; each next one is added to it.
      for index in 0..<blocks {
        let partial = partials + index * partialSize
        if groupStart + index == 0 {
          weightGradient.update(from: partial, count: partialSize)
        } else {
          for e in 0..<partialSize { weightGradient[e] += partial[e] }
        }
      }
    }
  }

  /// Packs G [O, N·P] (stored as the images' [N, O, P]) for the columns `columns` of N·P as A
  /// panels of `tileRows` output channels: step t holds G[o, columns.lowerBound + t] for each o.
  static func packOutputGradient(_ gradient: UnsafePointer<Float>, _ s: ConvolutionShape,
                                 columns: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
    let (outputs, positions) = (s.outputChannels, s.positions)
    let stride = panelStride(depth: columns.count, height: tileRows)
    let rowPanels = (outputs + tileRows - 1) / tileRows
    var column = columns.lowerBound
    while column < columns.upperBound {
      // The run of columns inside image n.
      let (n, p) = (column / positions, column % positions)
      let run = min(positions - p, columns.upperBound - column)
      let t0 = column - columns.lowerBound
      for o in 0..<rowPanels * tileRows {
        let to = panels + o / tileRows * stride + t0 * tileRows + o % tileRows
        if o < outputs {
          let from = gradient + (n * outputs + o) * positions + p
          scatterRun(from: from, to: to, range: 0..<run, stride: tileRows)
        } else {
          for r in 0..<run { to[r * tileRows] = 0 }
        }
      }
      column += run
    }
  }

  /// Packs colsᵀ for the columns `columns` of N·P as B panels of `tileColumns` patch indices:
  /// step t holds cols[q, columns.lowerBound + t] for every q (zero after the last). A transpose:
  /// for a run of up to 32 output positions along one output row, each q reads a run of an image
  /// row (contiguous when the stride is 1) and writes one lane of the run's steps, which stay in
  /// L1 while every q fills its lane.
  static func packReceptiveFieldRows(_ input: UnsafePointer<Float>, _ s: ConvolutionShape,
                                     columns: Range<Int>, into panels: UnsafeMutablePointer<Float>) {
    let (patch, positions, outputWidth) = (s.patchSize, s.positions, s.outputWidth)
    let stride = panelStride(depth: columns.count, height: tileColumns)
    // (The lanes after the last q are never written: the caller zeroes them once.)
    // For each j, the output columns x whose input column is inside the image.
    let inside = (0..<s.kernelWidth).map { j in
      validOutputRange(offset: j - s.padding, size: s.width, count: outputWidth, stride: s.stride)
    }
    let planeSize = s.height * s.width
    var column = columns.lowerBound
    while column < columns.upperBound {
      let (n, p) = (column / positions, column % positions)
      let (y, x) = (p / outputWidth, p % outputWidth)
      let count = min(outputWidth - x, columns.upperBound - column, 32)
      // Step t of the run is x + t − x; `steps` is where an x would go.
      let steps = panels + (column - columns.lowerBound - x) * tileColumns
      var q = 0
      for c in 0..<s.channels {
        let plane = input + (n * s.channels + c) * planeSize
        for i in 0..<s.kernelHeight {
          let row = y * s.stride + i - s.padding
          let rowInside = row >= 0 && row < s.height
          for j in 0..<s.kernelWidth {
            let to = steps + q / tileColumns * stride + q % tileColumns
            let low = rowInside ? min(max(inside[j].lowerBound, x), x + count) : x + count
            let high = max(low, min(inside[j].upperBound, x + count))
            let line = plane + row * s.width + j - s.padding
            for r in x..<low { to[r * tileColumns] = 0 }
            if s.stride == 1 {
              scatterRun(from: line, to: to, range: low..<high, stride: tileColumns)
            } else {
              for r in low..<high { to[r * tileColumns] = line[r * s.stride] }
            }
            for r in high..<x + count { to[r * tileColumns] = 0 }
            q += 1
          }
        }
      }
      column += count
    }
  }

  /// to[r · stride] = from[r] for r in `range`: one value into each of a run of panel steps.
  /// Sixteen at a time, loaded as one vector and stored lane by lane: left to itself, the
  /// compiler turns the plain loop into AVX-512 scatter instructions, which are slower.
  @inline(__always)
  static func scatterRun(from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>,
                         range: Range<Int>, stride: Int) {
    var r = range.lowerBound
    while r + 16 <= range.upperBound {
      let v = load16(from + r)
      let base = to + r * stride
      base[0] = v[0]; base[stride] = v[1]; base[2 * stride] = v[2]; base[3 * stride] = v[3]
      base[4 * stride] = v[4]; base[5 * stride] = v[5]; base[6 * stride] = v[6]
      base[7 * stride] = v[7]; base[8 * stride] = v[8]; base[9 * stride] = v[9]
      base[10 * stride] = v[10]; base[11 * stride] = v[11]; base[12 * stride] = v[12]
      base[13 * stride] = v[13]; base[14 * stride] = v[14]; base[15 * stride] = v[15]
      r += 16
    }
    while r + 4 <= range.upperBound {
      let v = UnsafeRawPointer(from + r).loadUnaligned(as: SIMD4<Float>.self)
      let base = to + r * stride
      base[0] = v[0]; base[stride] = v[1]; base[2 * stride] = v[2]; base[3 * stride] = v[3]
      r += 4
    }
    if r < range.upperBound { to[r * stride] = from[r]; r += 1 }
    if r < range.upperBound { to[r * stride] = from[r]; r += 1 }
    if r < range.upperBound { to[r * stride] = from[r] }
  }

  /// to[r] = from[r] for r in `range`, eight at a time: runs here are short (a row of a small
  /// image), too short for the checks and set-up of the compiler's own vectorised loop.
  @inline(__always)
  static func copyRun(from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>,
                      range: Range<Int>) {
    var r = range.lowerBound
    while r + 8 <= range.upperBound {
      store8(load8(from + r), to + r)
      r += 8
    }
    while r < range.upperBound { to[r] = from[r]; r += 1 }
  }

  /// The output columns x (of `count`) whose input column x·stride + offset lies inside
  /// 0..<size; the others read padding.
  @inline(__always)
  static func validOutputRange(offset: Int, size: Int, count: Int, stride: Int) -> Range<Int> {
    // x·s + offset ≥ 0  ⇔  x ≥ ⌈−offset / s⌉;   x·s + offset < size  ⇔  x < ⌈(size − offset) / s⌉
    let low = offset >= 0 ? 0 : min(count, (-offset + stride - 1) / stride)
    let high = size - offset <= 0 ? 0 : min(count, (size - offset + stride - 1) / stride)
    return low..<max(low, high)
  }

  // MARK: - Input gradient

  static func inputGradient(weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                            shape s: ConvolutionShape, into inputGradient: UnsafeMutablePointer<Float>) {
    let (outputs, patch, positions) = (s.outputChannels, s.patchSize, s.positions)
    let imageSize = s.channels * s.height * s.width
    inputGradient.update(repeating: 0, count: s.batch * imageSize)
    if outputs == 0 || patch == 0 || positions == 0 { return }
    // Wᵀ [C·kH·kW, O] · G[n] [O, P], k = O blocked as Wᵀ · G [O, N·P] would be.
    let blocking = DepthBlocking(m: patch, k: outputs, bRowStride: s.columns, bColumnStride: 1)
    let transposedWeight = MatrixView(base: weight, rowStride: 1, columnStride: patch)
    let readInPlace = DepthBlocking.readsBInPlace(m: patch, bRowStride: positions,
                                                  bColumnStride: 1)
    forEachImageRange(s, work: outputs * patch * s.columns) { images in
      let columnsGradient = PackingWorkspace.take(floats: patch * positions)
      defer { PackingWorkspace.giveBack(columnsGradient) }
      for n in images {
        let gradient = MatrixView(base: outputGradient + n * outputs * positions,
                                  rowStride: positions, columnStride: 1)
        Product.multiplyBlocked(m: patch, n: positions, a: transposedWeight, b: gradient,
                                c: OutputView(base: columnsGradient.floats, leadingDimension: positions),
                                accumulate: false, depthBlocking: blocking,
                                readBInPlace: readInPlace)
        addColumnsToImage(columnsGradient.floats, s, into: inputGradient + n * imageSize)
      }
    }
  }

  /// col2im for one image: adds cols[(c, i, j), (y, x)] onto
  /// image[c, y·stride + i − padding, x·stride + j − padding], in the order (c, i, j), then
  /// (y, x), as `col2im` does; entries that came from padding are dropped.
  static func addColumnsToImage(_ cols: UnsafePointer<Float>, _ s: ConvolutionShape,
                                into image: UnsafeMutablePointer<Float>) {
    let (outputHeight, outputWidth) = (s.outputHeight, s.outputWidth)
    var q = 0
    for c in 0..<s.channels {
      let plane = image + c * s.height * s.width
      for i in 0..<s.kernelHeight {
        for j in 0..<s.kernelWidth {
          // The x whose column x·stride + j − padding lies inside the image.
          let inside = validOutputRange(offset: j - s.padding, size: s.width,
                                        count: outputWidth, stride: s.stride)
          for y in 0..<outputHeight {
            let row = y * s.stride + i - s.padding
            if row < 0 || row >= s.height { continue }
            let from = cols + q * s.positions + y * outputWidth
            let to = plane + row * s.width + j - s.padding
            if s.stride == 1 {
              for x in inside { to[x] += from[x] }
            } else {
              for x in inside { to[x * s.stride] += from[x] }
            }
          }
          q += 1
        }
      }
    }
  }

  // MARK: - Sharing the images between cores

  /// Runs `body` on ranges of images covering the batch: one range, or one per core when there
  /// are `work` multiply-adds enough.
  static func forEachImageRange(_ s: ConvolutionShape, work: Int,
                                _ body: @escaping (Range<Int>) -> Void) {
    let threads = engineCores
    let parts = max(1, min(threads, s.batch, work / (1 << 18)))
    if parts == 1 { return body(0..<s.batch) }
    parallelFor(parts: parts) { part in
      body(s.batch * part / parts..<s.batch * (part + 1) / parts)
    }
  }
}
