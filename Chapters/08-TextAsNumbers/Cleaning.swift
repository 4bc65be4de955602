import Foundation

// Cleaning: what the files' sources did to the text, undone before the tokenizer sees it.

// snippet: clean-text
/// Undoes the encodings the data sets' sources left in their texts: HTML entities (`&lt;#&gt;`
/// in the SMS messages stands for a number), a pair of apostrophes written for a double quote
/// (`''Gangs''` in the movie sentences) and runs of whitespace. Case and punctuation are left to
/// the tokenizer.
func clean(_ text: String) -> String {
  var cleaned = text
  // &amp; last, so that "&amp;lt;" becomes the text "&lt;" and not "<".
  for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"),
                              ("&amp;", "&")] {
    cleaned = cleaned.replacingOccurrences(of: entity, with: character)
  }
  cleaned = cleaned.replacingOccurrences(of: "''", with: "\"")
  return cleaned.split(whereSeparator: \.isWhitespace).joined(separator: " ")
}
// end snippet
