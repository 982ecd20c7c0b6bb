#include "dr/core/json.hpp"

#include <rapidjson/error/en.h>

#include <cstdint>
#include <cstring>

namespace dr::json {

std::optional<std::size_t> find_excess_nesting(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return i;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

std::string excess_nesting_message() {
  return "nesting deeper than " + std::to_string(kMaxNesting) + " levels";
}

namespace {

// Hands the reader's events on to the document being built, and ends the parse at the bracket that
// would open level max_depth + 1: the limit is checked as the text is read, not by a second pass
// over it (which cost a tenth of decoding a list page).
class DepthLimitedHandler {
 public:
  using Ch = char;
  DepthLimitedHandler(rapidjson::Document& target, std::size_t max_depth)
      : target_(target), max_depth_(max_depth) {}

  bool Null() { return target_.Null(); }
  bool Bool(bool b) { return target_.Bool(b); }
  bool Int(int i) { return target_.Int(i); }
  bool Uint(unsigned u) { return target_.Uint(u); }
  bool Int64(std::int64_t i) { return target_.Int64(i); }
  bool Uint64(std::uint64_t u) { return target_.Uint64(u); }
  bool Double(double d) { return target_.Double(d); }
  // Strings are always copied (parse_untrusted parses in place, in a buffer that goes).
  bool RawNumber(const Ch* str, rapidjson::SizeType length, bool /*copy*/) {
    return target_.RawNumber(str, length, true);
  }
  bool String(const Ch* str, rapidjson::SizeType length, bool /*copy*/) {
    return target_.String(str, length, true);
  }
  bool Key(const Ch* str, rapidjson::SizeType length, bool /*copy*/) {
    return target_.Key(str, length, true);
  }
  bool StartObject() { return enter() && target_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return target_.EndObject(members);
  }
  bool StartArray() { return enter() && target_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return target_.EndArray(elements);
  }

  bool too_deep() const { return too_deep_; }

 private:
  bool enter() {
    if (++depth_ <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  rapidjson::Document& target_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

std::optional<std::string> parse_untrusted(rapidjson::Document& doc, std::string_view text) {
  std::string copy(text);
  return parse_untrusted_in_place(doc, copy);
}

std::optional<std::string> parse_untrusted_in_place(rapidjson::Document& doc, std::string& text) {
  // No JSON text holds a raw NUL (RFC 8259: not whitespace, and escaped inside strings), and the
  // in-place parse below would take one for the end of the text.
  // NOLINTNEXTLINE(bugprone-not-null-terminated-result): a search for the NUL, not a copy of the text
  if (const void* nul = std::memchr(text.data(), '\0', text.size()); nul != nullptr) {
    doc.SetNull();
    return "invalid character NUL at offset " + std::to_string(static_cast<const char*>(nul) - text.data());
  }
  std::optional<std::string> invalid;
  // The reader runs inside Populate so that the values it builds land in `doc` (and its allocator)
  // as with Document::Parse.
  auto read = [&](rapidjson::Document& target) {
    // In place, the reader takes each string once instead of byte by byte through a stack of its
    // own. The handler still copies every string into the document, which therefore owns all it
    // points to: RapidJSON's CopyFrom would share, not copy, strings left in the parsed text.
    // RapidJSON's SSE2 scanning stays off: it reads whole 16-byte blocks, past the end of any text
    // not padded for it (the std::strings parsed elsewhere are not).
    rapidjson::InsituStringStream input(text.data());  // the string's terminating NUL ends it
    DepthLimitedHandler handler(target, kMaxNesting);
    // The recursive parser, the faster one: the handler refuses the bracket that would open level
    // kMaxNesting + 1 before the parser descends into it, so the recursion is bounded.
    rapidjson::Reader reader;
    const rapidjson::ParseResult parsed = reader.Parse<rapidjson::kParseInsituFlag>(input, handler);
    if (!parsed.IsError()) return true;
    if (handler.too_deep()) {
      // The recursive reader has taken the bracket it was refused when it reports: one back is it.
      invalid = excess_nesting_message() + " at offset " + std::to_string(parsed.Offset() - 1);
    } else {
      invalid = std::string(rapidjson::GetParseError_En(parsed.Code())) + " at offset " +
                std::to_string(parsed.Offset());
    }
    return false;
  };
  doc.Populate(read);
  if (invalid) doc.SetNull();
  return invalid;
}

}  // namespace dr::json
