// Parsing JSON that comes from outside the process: API server answers, exec plugin output, -f files.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace dr::json {

// Deeper documents are refused. RapidJSON's default parser, CopyFrom, Accept (serializing), operator==
// and our printers all recurse once per level, so unbounded nesting from a hostile server or file
// would overflow the stack. Real Kubernetes objects are a few dozen levels deep.
inline constexpr std::size_t kMaxNesting = 1000;

// Offset of the first '[' or '{' (outside strings) that opens level max_depth + 1, or nullopt.
// Only looks at brackets and strings: malformed text is left for the parser to report.
std::optional<std::size_t> find_excess_nesting(std::string_view text, std::size_t max_depth = kMaxNesting);

// Parses `text` into `doc` within kMaxNesting (so with bounded recursion). nullopt on success, else
// "<what is wrong> at offset N" for messages. A NUL byte anywhere is refused. The document owns
// copies of all its strings (nothing points into `text`).
std::optional<std::string> parse_untrusted(rapidjson::Document& doc, std::string_view text);
// The same, parsing `text` in place: its contents are left undefined (no copy of a large answer).
std::optional<std::string> parse_untrusted_in_place(rapidjson::Document& doc, std::string& text);

// Hands `text`'s events to a RapidJSON SAX handler without recursion (the iterative parser), for
// readers that build or look at only part of a document. The handler's false ends the parse.
template <class Handler>
rapidjson::ParseResult read_events(std::string_view text, Handler& handler) {
  rapidjson::MemoryStream bytes(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(bytes);
  rapidjson::Reader reader;
  return reader.Parse<rapidjson::kParseIterativeFlag>(input, handler);
}

// "nesting deeper than 1000 levels"
std::string excess_nesting_message();

}  // namespace dr::json
