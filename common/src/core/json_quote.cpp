#include <cstdint>

#include "dr/core/json.hpp"

namespace dr::json {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not valid (Go's utf8.DecodeRune).
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

void append_unicode_escape(std::string& out, unsigned char c) {
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// Go leaves valid UTF-8 as it is, but for the two JavaScript line terminators; invalid bytes become
// the replacement character. Returns how many bytes of `text` from `i` were written.
std::size_t append_go_non_ascii(std::string& out, std::string_view text, std::size_t i) {
  const std::size_t n = utf8_sequence(text, i);
  if (n == 0) {
    out += "\\ufffd";
    return 1;
  }
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const bool line_or_paragraph_separator =
      n == 3 && byte(0) == 0xE2 && byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9);
  if (line_or_paragraph_separator) {
    out += byte(2) == 0xA8 ? "\\u2028" : "\\u2029";
  } else {
    out.append(text.substr(i, n));
  }
  return n;
}

// One loop for both dialects: they differ only in what Go escapes beyond RFC 8259's minimum.
void append_escaped(std::string& out, std::string_view text, bool go_marshal) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (go_marshal && c >= 0x80) {
      i += append_go_non_ascii(out, text, i);
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
      case '\f':
        if (go_marshal) {
          out += c == '\b' ? "\\b" : "\\f";
        } else {
          append_unicode_escape(out, c);
        }
        break;
      default:
        if (c < 0x20 || (go_marshal && (c == '<' || c == '>' || c == '&'))) {
          append_unicode_escape(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

}  // namespace

void append_quoted(std::string& out, std::string_view text) {
  append_escaped(out, text, false);
}

void append_go_quoted(std::string& out, std::string_view text) {
  append_escaped(out, text, true);
}

}  // namespace dr::json
