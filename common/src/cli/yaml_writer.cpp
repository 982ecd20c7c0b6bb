// kubectl -o yaml, reproduced from the rules go-yaml v2 follows (learned from its emitter, written
// here from scratch): block style, indentless sequences under mapping keys, 2-space indentation,
// keys in go-yaml's order, strings plain when they read back as the same string, else single-quoted,
// else double-quoted; multi-line strings as literal blocks; long plain and quoted strings folded at
// spaces past column 80.
#include "yaml_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace dr::cli::yaml_detail {

namespace {

constexpr std::size_t kBestWidth = 80;
constexpr std::size_t kBestIndent = 2;

std::string_view string_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

unsigned char byte_at(std::string_view s, std::size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

// go-yaml's byte-level character classes.
bool is_printable(std::string_view s, std::size_t i) {
  unsigned char c = byte_at(s, i);
  unsigned char c1 = byte_at(s, i + 1);
  unsigned char c2 = byte_at(s, i + 2);
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && c1 >= 0xA0) || (c > 0xC2 && c < 0xED) ||
         (c == 0xED && c1 < 0xA0) || c == 0xEE ||
         (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
}
bool is_break(std::string_view s, std::size_t i) {
  unsigned char c = byte_at(s, i);
  return c == '\r' || c == '\n' || (c == 0xC2 && byte_at(s, i + 1) == 0x85) ||
         (c == 0xE2 && byte_at(s, i + 1) == 0x80 && (byte_at(s, i + 2) == 0xA8 || byte_at(s, i + 2) == 0xA9));
}
bool is_space(std::string_view s, std::size_t i) {
  return byte_at(s, i) == ' ';
}
bool is_blankz(std::string_view s, std::size_t i) {
  return i >= s.size() || byte_at(s, i) == ' ' || byte_at(s, i) == '\t' || is_break(s, i);
}
bool is_bom(std::string_view s, std::size_t i) {
  return byte_at(s, i) == 0xEF && byte_at(s, i + 1) == 0xBB && byte_at(s, i + 2) == 0xBF;
}

}  // namespace

namespace {

// YAML's one-letter escapes (\n, \N for NEL, \_ for a no-break space), or 0 for a code point that
// needs \x, \u or \U.
char short_escape(std::uint32_t cp) {
  static constexpr std::pair<std::uint32_t, char> kShortEscapes[] = {
      {0x00, '0'},  {0x07, 'a'}, {0x08, 'b'}, {0x09, 't'},   {0x0A, 'n'},
      {0x0B, 'v'},  {0x0C, 'f'}, {0x0D, 'r'}, {0x1B, 'e'},   {0x22, '"'},
      {0x5C, '\\'}, {0x85, 'N'}, {0xA0, '_'}, {0x2028, 'L'}, {0x2029, 'P'},
  };
  for (const auto& [code, letter] : kShortEscapes) {
    if (code == cp) return letter;
  }
  return 0;
}

struct Analysis {
  bool multiline = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = true;
};

Analysis analyze(std::string_view s) {
  Analysis a;
  if (s.empty()) {
    a.block_allowed = false;
    return a;
  }
  bool block_indicators = false;
  bool line_breaks = false;
  bool special_characters = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  bool previous_space = false, previous_break = false;
  if (s.size() >= 3 && (s.substr(0, 3) == "---" || s.substr(0, 3) == "...")) block_indicators = true;
  bool preceded_by_whitespace = true;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t w = char_width(static_cast<unsigned char>(s[i]));
    bool followed_by_whitespace = is_blankz(s, i + w);
    char c = s[i];
    // One branch per rule of go-yaml's analyzeScalar, in its order, though several set the same flag.
    if (i == 0) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(c) != std::string_view::npos) block_indicators = true;
      if ((c == '?' || c == ':' || c == '-') && followed_by_whitespace) block_indicators = true;
      // NOLINTNEXTLINE(bugprone-branch-clone)
    } else if (c == ':' && followed_by_whitespace) {
      block_indicators = true;
    } else if (c == '#' && preceded_by_whitespace) {
      block_indicators = true;
    }
    if (!is_printable(s, i)) special_characters = true;
    if (is_break(s, i)) line_breaks = true;
    bool last = i + w >= s.size();
    if (is_space(s, i)) {
      if (i == 0) leading_space = true;
      if (last) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(s, i)) {
      if (i == 0) leading_break = true;
      if (last) trailing_break = true;
      if (previous_space) space_break = true;
      previous_break = true;
      previous_space = false;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = is_blankz(s, i);
    i += w;
  }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) a.block_plain_allowed = false;
  if (trailing_space) a.block_allowed = false;
  if (break_space) {
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
  }
  if (space_break || special_characters) {
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
    a.block_allowed = false;
  }
  if (line_breaks) a.block_plain_allowed = false;
  if (block_indicators) a.block_plain_allowed = false;
  return a;
}

enum class Style { Plain, Single, Double, Literal };

class Writer {
 public:
  std::string take() {
    if (open_ended_) out_ += "...\n";
    return std::move(out_);
  }

  void document(const rapidjson::Value& v) {
    if (v.IsObject() && v.MemberCount() > 0) {
      mapping(v, 0, false);
    } else if (v.IsArray() && !v.Empty()) {
      sequence(v, 0, false);
    } else if (v.IsObject()) {
      indicator("{}");
      end_line();
    } else if (v.IsArray()) {
      indicator("[]");
      end_line();
    } else {
      scalar(v, 0, false, true);
      end_line();
    }
  }

 private:
  void mapping(const rapidjson::Value& v, std::size_t indent, bool first_inline) {
    std::vector<const rapidjson::Value::Member*> members;
    for (const auto& m : v.GetObject()) members.push_back(&m);
    std::stable_sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
      return yaml_key_less(string_of(a->name), string_of(b->name));
    });
    bool first = true;
    for (const auto* member : members) {
      if (!(first && first_inline)) pad(indent);
      first = false;
      string_scalar(string_of(member->name), indent + kBestIndent, true, false);
      indicator(":");
      const auto& value = member->value;
      if (value.IsObject() && value.MemberCount() > 0) {
        end_line();
        mapping(value, indent + kBestIndent, false);
      } else if (value.IsArray() && !value.Empty()) {
        end_line();
        sequence(value, indent, false);  // go-yaml v2 does not indent a sequence under its key
      } else if (value.IsObject()) {
        indicator(" {}");
        end_line();
      } else if (value.IsArray()) {
        indicator(" []");
        end_line();
      } else {
        put_ascii(" ");
        scalar(value, indent + kBestIndent, false, false);
        end_line();
      }
    }
  }

  void sequence(const rapidjson::Value& v, std::size_t indent, bool first_inline) {
    bool first = true;
    for (const auto& item : v.GetArray()) {
      if (!(first && first_inline)) pad(indent);
      first = false;
      indicator("- ");
      if (item.IsObject() && item.MemberCount() > 0) {
        mapping(item, indent + kBestIndent, true);
      } else if (item.IsArray() && !item.Empty()) {
        sequence(item, indent + kBestIndent, true);
      } else if (item.IsObject()) {
        indicator("{}");
        end_line();
      } else if (item.IsArray()) {
        indicator("[]");
        end_line();
      } else {
        scalar(item, indent + kBestIndent, false, false);
        end_line();
      }
    }
  }

  void scalar(const rapidjson::Value& v, std::size_t indent, bool key, bool root) {
    if (v.IsNull()) {
      put_plain_word("null", root);
    } else if (v.IsBool()) {
      put_plain_word(v.GetBool() ? "true" : "false", root);
    } else if (v.IsNumber()) {
      put_plain_word(number(v), root);
    } else if (v.IsString()) {
      string_scalar(string_of(v), indent, key, root);
    }
  }

  // JSON -> go-yaml: integers stay integers; a float whose JSON text is integral reads back as an
  // int; other floats print with %g.
  static std::string number(const rapidjson::Value& v) {
    if (v.IsInt64()) return std::to_string(v.GetInt64());
    if (v.IsUint64()) return std::to_string(v.GetUint64());
    std::string json = go_json_float(v.GetDouble());
    if (json.find_first_of(".eE") == std::string::npos) {
      std::int64_t i = 0;
      std::uint64_t u = 0;
      auto [p1, e1] = std::from_chars(json.data(), json.data() + json.size(), i);
      if (e1 == std::errc() && p1 == json.data() + json.size()) return json;
      auto [p2, e2] = std::from_chars(json.data(), json.data() + json.size(), u);
      if (e2 == std::errc() && p2 == json.data() + json.size()) return json;
    }
    return go_yaml_float(v.GetDouble());
  }

  void put_plain_word(const std::string& word, bool root) {
    put_ascii(word);
    if (root) open_ended_ = true;
  }

  void string_scalar(std::string_view s, std::size_t indent, bool key, bool root) {
    Style style;
    bool can_use_plain = !resolves_to_non_string(s) && !base60_float(s);
    if (s.find('\n') != std::string_view::npos) {
      style = Style::Literal;
    } else if (can_use_plain) {
      style = Style::Plain;
    } else {
      style = Style::Double;
    }
    Analysis a = analyze(s);
    if (style == Style::Plain && (!a.block_plain_allowed || (s.empty() && key))) style = Style::Single;
    if (style == Style::Single && !a.single_quoted_allowed) style = Style::Double;
    if (style == Style::Literal && (!a.block_allowed || key)) style = Style::Double;
    const bool allow_breaks = !key;
    switch (style) {
      case Style::Plain:
        plain(s, indent, allow_breaks);
        if (root) open_ended_ = true;
        break;
      case Style::Single:
        single_quoted(s, indent, allow_breaks);
        break;
      case Style::Double:
        double_quoted(s, indent, allow_breaks);
        break;
      case Style::Literal:
        literal(s, indent);
        break;
    }
  }

  void plain(std::string_view s, std::size_t indent, bool allow_breaks) {
    bool spaces = false;
    for (std::size_t i = 0; i < s.size();) {
      std::size_t w = char_width(static_cast<unsigned char>(s[i]));
      if (is_space(s, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && !is_space(s, i + 1)) {
          write_indent(indent);
        } else {
          put_char(s.substr(i, 1));
        }
        spaces = true;
      } else {
        put_char(s.substr(i, w));
        spaces = false;
      }
      i += w;
    }
  }

  void single_quoted(std::string_view s, std::size_t indent, bool allow_breaks) {
    indicator("'");
    bool spaces = false;
    for (std::size_t i = 0; i < s.size();) {
      std::size_t w = char_width(static_cast<unsigned char>(s[i]));
      if (is_space(s, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i != 0 && i != s.size() - 1 &&
            !is_space(s, i + 1)) {
          write_indent(indent);
        } else {
          put_char(s.substr(i, 1));
        }
        spaces = true;
      } else {
        put_char(s.substr(i, w));
        if (s[i] == '\'') put_ascii("'");
        spaces = false;
      }
      i += w;
    }
    indicator("'");
  }

  void double_quoted(std::string_view s, std::size_t indent, bool allow_breaks) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    indicator("\"");
    bool spaces = false;
    for (std::size_t i = 0; i < s.size();) {
      std::size_t w = std::min(char_width(static_cast<unsigned char>(s[i])), s.size() - i);
      if (!is_printable(s, i) || is_bom(s, i) || is_break(s, i) || s[i] == '"' || s[i] == '\\') {
        std::uint32_t cp = code_point(s, i, w);
        std::string escape = "\\";
        if (const char letter = short_escape(cp); letter != 0) {
          escape += letter;
        } else {
          int digits = cp <= 0xFF ? 2 : cp <= 0xFFFF ? 4 : 8;
          escape += digits == 2 ? 'x' : digits == 4 ? 'u' : 'U';
          for (int k = digits - 1; k >= 0; --k) escape += kHex[(cp >> (4 * k)) & 0xF];
        }
        put_ascii(escape);
        spaces = false;
      } else if (is_space(s, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i != 0 && i != s.size() - 1) {
          write_indent(indent);
          if (is_space(s, i + 1)) put_ascii("\\");
        } else {
          put_char(s.substr(i, 1));
        }
        spaces = true;
      } else {
        put_char(s.substr(i, w));
        spaces = false;
      }
      i += w;
    }
    indicator("\"");
  }

  void literal(std::string_view s, std::size_t indent) {
    indicator("|");
    if (is_space(s, 0) || is_break(s, 0)) put_ascii(std::to_string(kBestIndent));
    open_ended_ = false;
    // Chomping: "-" without a final line break, "+" when the value ends with two or more.
    std::size_t last = s.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(s[last]) & 0xC0) == 0x80) --last;
    if (!is_break(s, last)) {
      put_ascii("-");
    } else if (last == 0) {
      put_ascii("+");
      open_ended_ = true;
    } else {
      std::size_t before = last - 1;
      while (before > 0 && (static_cast<unsigned char>(s[before]) & 0xC0) == 0x80) --before;
      if (is_break(s, before)) {
        put_ascii("+");
        open_ended_ = true;
      }
    }
    put_break();
    bool breaks = true;
    for (std::size_t i = 0; i < s.size();) {
      std::size_t w = char_width(static_cast<unsigned char>(s[i]));
      if (is_break(s, i)) {
        put_break();
        breaks = true;
      } else {
        if (breaks) pad(indent);
        put_char(s.substr(i, w));
        breaks = false;
      }
      i += w;
    }
  }

  // go-yaml's write_indicator: every indicator closes an open-ended "|+" block.
  void indicator(std::string_view text) {
    put_ascii(text);
    open_ended_ = false;
  }
  void put_ascii(std::string_view text) {
    out_ += text;
    column_ += text.size();
  }
  void put_char(std::string_view one_character) {
    out_ += one_character;
    ++column_;
  }
  void put_break() {
    out_ += '\n';
    column_ = 0;
  }
  void pad(std::size_t indent) {
    out_.append(indent, ' ');
    column_ += indent;
  }
  void write_indent(std::size_t indent) {
    put_break();
    pad(indent);
  }
  // Ends the current line unless a block scalar already did.
  void end_line() {
    if (column_ != 0) put_break();
  }

  std::string out_;
  std::size_t column_ = 0;
  bool open_ended_ = false;
};

}  // namespace

std::string write_yaml(const rapidjson::Value& value) {
  Writer writer;
  writer.document(value);
  return writer.take();
}

}  // namespace dr::cli::yaml_detail
