#include "dr/json.hpp"

#include <rapidjson/error/en.h>

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

std::optional<std::string> parse_untrusted(rapidjson::Document& doc, std::string_view text) {
  if (auto deep = find_excess_nesting(text)) {
    doc.SetNull();
    return excess_nesting_message() + " at offset " + std::to_string(*deep);
  }
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (!doc.HasParseError()) return std::nullopt;
  return std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at offset " +
         std::to_string(doc.GetErrorOffset());
}

}  // namespace dr::json
