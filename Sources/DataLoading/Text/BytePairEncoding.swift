// Byte-pair encoding (BPE): the tokenizer of GPT-2 and the large models after it, from scratch.
//
// A character-level model reads long sequences of tiny tokens; a word-level model needs a huge
// vocabulary and still meets words it has never seen. BPE sits in between. It starts from the 256
// byte values, so every text can be encoded, then repeatedly glues the most frequent adjacent pair
// of tokens into a new token: "t" "h" becomes "th", later "th" "e" becomes "the". Frequent words
// end up as one token, rare words as a few pieces, and nothing is ever unknown.
//
// This follows Andrej Karpathy's minbpe `BasicTokenizer` (minbpe/basic.py) step for step and
// gives the same merges and ids. Only the bookkeeping is faster: pairs are counted in a flat
// table instead of a dictionary, so training 500 merges on a megabyte takes seconds.

import CourseSupport

/// A byte-level BPE tokenizer: ids 0–255 are the bytes, and merge `i` makes id `256 + i` from a pair of earlier ids.
///
/// ```swift
/// let bpe = BytePairEncoding.train(on: "aaabdaaabac", merges: 3)
/// bpe.encode("aaabdaaabac")   // [258, 100, 258, 97, 99]
/// bpe.decode([258, 100])      // "aaabd"
/// ```
public struct BytePairEncoding: Sendable, Equatable {
  /// One learned merge: wherever `left` is followed by `right`, the two become the single token `id`.
  public struct Merge: Sendable, Hashable {
    public var left: Int
    public var right: Int
    public var id: Int
    /// The merged pair, as minbpe writes it.
    public var pair: (Int, Int) { (left, right) }
  }

  /// The merges in the order they were learned; `merges[i].id == 256 + i`. This is the whole model.
  public let merges: [Merge]
  /// The bytes each id stands for: `[b]` for a byte id `b`, the two parts' bytes joined for a merge.
  private let bytesOfID: [[UInt8]]

  /// Rebuilds a tokenizer from its merged pairs, in the order they were learned (as saved from `merges`).
  ///
  /// Pair `i` becomes id `256 + i`; its two ids must already exist (be bytes or come from earlier merges).
  public init(mergedPairs: [(left: Int, right: Int)]) {
    var merges: [Merge] = []
    var bytesOfID = (0...255).map { [UInt8($0)] }
    for (left, right) in mergedPairs {
      let id = 256 + merges.count
      // fatalError, not precondition: the check must survive -Ounchecked builds.
      if !(0..<id).contains(left) || !(0..<id).contains(right) {
        fatalError("BytePairEncoding: merge \(merges.count) joins (\(left), \(right)); only ids 0..<\(id) exist then")
      }
      merges.append(Merge(left: left, right: right, id: id))
      bytesOfID.append(bytesOfID[left] + bytesOfID[right])
    }
    self.merges = merges
    self.bytesOfID = bytesOfID
  }

  /// The number of ids: 256 bytes plus one per merge. This is the `vocabularySize` of the model's `Embedding`.
  public var vocabularySize: Int { 256 + merges.count }

  /// The bytes `id` stands for (useful to print what a token is; they may be part of a UTF-8 character).
  public func bytes(of id: Int) -> [UInt8] {
    if !(0..<vocabularySize).contains(id) {
      fatalError("BytePairEncoding.bytes(of:): id \(id) is outside 0..<\(vocabularySize)")
    }
    return bytesOfID[id]
  }

  // MARK: - Training

  /// Learns up to `merges` merges from the UTF-8 bytes of `text`; see `train(on:merges:)` for bytes.
  public static func train(on text: String, merges: Int) -> BytePairEncoding {
    train(on: Array(text.utf8), merges: merges)
  }

  /// Learns up to `merges` merges from `bytes`: each step merges the most frequent adjacent pair.
  ///
  /// Ties are broken as minbpe breaks them: its `max(stats, key=stats.get)` walks a Python dict,
  /// which keeps keys in insertion order, i.e. in the order the pairs first occur in the current
  /// sequence, and `max` keeps the first of equal maxima. So among the most frequent pairs, the one
  /// whose first occurrence comes earliest in the sequence wins.
  /// Pairs are counted overlapping, like minbpe's `get_stats` ("aaa" holds the pair (a, a) twice),
  /// but replaced left to right without overlap ("aaa" becomes "Xa").
  /// Training stops early, with fewer merges, when fewer than two tokens are left.
  public static func train(on bytes: [UInt8], merges mergeCount: Int) -> BytePairEncoding {
    train(on: bytes, merges: mergeCount, pairTableLimit: PairCounter.tableLimit)
  }

  /// `train(on:merges:)` with a chosen `PairCounter.tableLimit`, so tests can check the dictionary counter too.
  static func train(on bytes: [UInt8], merges mergeCount: Int, pairTableLimit: Int) -> BytePairEncoding {
    if mergeCount < 0 { fatalError("BytePairEncoding.train: merges must be at least 0, not \(mergeCount)") }
    var ids = bytes.map { Int32($0) }
    var counter = PairCounter(idLimit: 256 + mergeCount, tableLimit: pairTableLimit)
    var pairs: [(left: Int, right: Int)] = []
    for step in 0..<mergeCount {
      guard let (left, right) = counter.mostFrequentPair(in: ids) else { break }
      replace(left, right, with: Int32(256 + step), in: &ids)
      pairs.append((Int(left), Int(right)))
    }
    return BytePairEncoding(mergedPairs: pairs)
  }

  // MARK: - Encoding and decoding

  /// The ids of `text`: its UTF-8 bytes with the merges applied in the order they were learned.
  ///
  /// minbpe's `encode` repeatedly merges the present pair with the lowest rank. Applying every
  /// merge once, in rank order, gives the same ids and needs no pair counting: one left-to-right
  /// pass leaves no occurrence of pair `r`, and the pairs it creates all contain the new id
  /// `256 + r`, which no earlier merge uses, so no lower-ranked pair can appear again.
  public func encode(_ text: String) -> [Int] {
    var ids = text.utf8.map { Int32($0) }
    for merge in merges {
      if ids.count < 2 { break }
      Self.replace(Int32(merge.left), Int32(merge.right), with: Int32(merge.id), in: &ids)
    }
    return ids.map(Int.init)
  }

  /// The text of `ids`: their bytes joined and read as UTF-8.
  ///
  /// Decoding is lossy, like minbpe's `errors="replace"`: a cut that splits a character's bytes
  /// (say, only the first of the three bytes of "中") shows as "\u{FFFD}" (�) instead of failing.
  public func decode(_ ids: [Int]) -> String {
    var bytes: [UInt8] = []
    for (position, id) in ids.enumerated() {
      if !(0..<vocabularySize).contains(id) {
        fatalError("BytePairEncoding.decode: id \(id) at position \(position) is outside 0..<\(vocabularySize)")
      }
      bytes += bytesOfID[id]
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Replaces every occurrence of the pair (`left`, `right`) in `ids` by `id`, left to right (minbpe's `merge`).
  ///
  /// Works in place: a read position runs ahead of a write position, so no second array is allocated.
  static func replace(_ left: Int32, _ right: Int32, with id: Int32, in ids: inout [Int32]) {
    let count = ids.count
    var written = 0
    ids.withUnsafeMutableBufferPointer { ids in
      var read = 0
      while read < count {
        if read + 1 < count && ids[read] == left && ids[read + 1] == right {
          ids[written] = id
          read += 2
        } else {
          ids[written] = ids[read]
          read += 1
        }
        written += 1
      }
    }
    ids.removeLast(count - written)
  }
}

/// Counts adjacent pairs of ids for `BytePairEncoding.train`, the step that dominates training.
///
/// minbpe counts into a fresh dictionary at every merge. Here a pair (a, b) is an index
/// `a * idLimit + b` into one flat table of counts, which needs no hashing and is about ten times
/// faster. The table has `idLimit²` entries, so past `tableLimit` (about 1,800 merges, 16 MB)
/// a dictionary is used instead, with exactly the same results.
struct PairCounter {
  let idLimit: Int
  private var table: [Int32]
  private var dictionary: [Int: Int32] = [:]
  private let usesTable: Bool

  /// The largest table used, in entries (4 bytes each).
  static let tableLimit = 1 << 22

  init(idLimit: Int, tableLimit: Int = PairCounter.tableLimit) {
    self.idLimit = idLimit
    usesTable = idLimit * idLimit <= tableLimit
    table = usesTable ? [Int32](repeating: 0, count: idLimit * idLimit) : []
  }

  /// The most frequent adjacent pair in `ids`, the earliest-occurring one on a tie, or `nil` if `ids` has no pair.
  mutating func mostFrequentPair(in ids: [Int32]) -> (Int32, Int32)? {
    if ids.count < 2 { return nil }
    let width = idLimit
    func key(_ i: Int) -> Int { Int(ids[i]) * width + Int(ids[i + 1]) }
    // 1. Count every pair.
    for i in 0..<(ids.count - 1) { add(key(i)) }
    // 2. Walk the pairs in sequence order, keeping a new best only if strictly more frequent:
    //    of equal counts the first occurring wins, as with minbpe's max over an insertion-ordered dict.
    var best = key(0)
    var bestCount = count(best)
    for i in 1..<(ids.count - 1) {
      let pair = key(i)
      let pairCount = count(pair)
      if pairCount > bestCount {
        best = pair
        bestCount = pairCount
      }
    }
    // 3. Reset the table for the next merge: only the entries touched, much fewer than idLimit².
    if usesTable {
      for i in 0..<(ids.count - 1) { table[key(i)] = 0 }
    } else {
      dictionary.removeAll(keepingCapacity: true)
    }
    return (Int32(best / width), Int32(best % width))
  }

  private mutating func add(_ key: Int) {
    if usesTable { table[key] &+= 1 } else { dictionary[key, default: 0] += 1 }
  }

  private func count(_ key: Int) -> Int32 {
    usesTable ? table[key] : dictionary[key, default: 0]
  }
}
