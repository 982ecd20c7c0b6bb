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
#include <vector>

namespace dr::cli::yaml_detail {

namespace {

constexpr std::size_t kBestWidth = 80;
constexpr std::size_t kBestIndent = 2;

std::string_view string_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Length in bytes of the UTF-8 character starting with `lead` (1 for stray bytes).
std::size_t char_width(unsigned char lead) {
  if ((lead & 0x80) == 0) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

std::uint32_t code_point(std::string_view s, std::size_t i, std::size_t width) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(i + k < s.size() ? s[i + k] : 0); };
  switch (width) {
    case 2:
      return ((b(0) & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    case 3:
      return ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    case 4:
      return ((b(0) & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    default:
      return b(0);
  }
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

// --- how go-yaml resolves an unquoted scalar ---

bool all_of(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool octal_digit(char c) {
  return c >= '0' && c <= '7';
}
bool binary_digit(char c) {
  return c == '0' || c == '1';
}
bool decimal_digit(char c) {
  return is_digit(c);
}

// strconv.ParseInt(s, 0, 64) syntax (range aside).
bool go_int_syntax(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.size() > 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') return all_of(s.substr(2), hex_digit);
    if (p == 'o' || p == 'O') return all_of(s.substr(2), octal_digit);
    if (p == 'b' || p == 'B') return all_of(s.substr(2), binary_digit);
  }
  if (s.size() > 1 && s[0] == '0') return all_of(s.substr(1), octal_digit);
  return all_of(s, decimal_digit);
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_style_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  bool int_digits = i > int_start;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t frac_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (!int_digits && i == frac_start) return false;
  } else if (!int_digits) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

// ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
bool base60_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i >= s.size() || !is_digit(s[i])) return false;
  while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    std::size_t start = i;
    while (i < s.size() && is_digit(s[i]) && i - start < 2) ++i;
    std::size_t n = i - start;
    if (n == 0) return false;
    if (n == 2 && s[start] > '5') return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

// n digits (1 to max_digits) at s[i], advancing i.
bool take_number(std::string_view s, std::size_t& i, std::size_t max_digits, int& value) {
  std::size_t start = i;
  value = 0;
  while (i < s.size() && is_digit(s[i]) && i - start < max_digits) value = value * 10 + (s[i++] - '0');
  return i > start;
}

// go-yaml's timestamp formats: 2006-1-2T15:4:5.999999999Z07:00 (T or t), 2006-1-2 15:4:5.999999999,
// 2006-1-2.
bool go_yaml_timestamp(std::string_view s) {
  if (s.size() < 5 || !std::all_of(s.begin(), s.begin() + 4, is_digit) || s[4] != '-') return false;
  std::size_t i = 5;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!take_number(s, i, 2, month) || i >= s.size() || s[i] != '-') return false;
  ++i;
  if (!take_number(s, i, 2, day)) return false;
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) return false;
  if (i == s.size()) return true;
  char sep = s[i];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  ++i;
  if (!take_number(s, i, 2, hour) || i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!take_number(s, i, 2, minute) || i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!take_number(s, i, 2, second)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (i < s.size() && s[i] == '.' && i + 1 < s.size() && is_digit(s[i + 1])) {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (sep == ' ') return i == s.size();
  if (i < s.size() && s[i] == 'Z') return i + 1 == s.size();
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
    int oh = 0, om = 0;
    std::size_t start = i;
    if (!take_number(s, i, 2, oh) || i - start != 2 || i >= s.size() || s[i] != ':') return false;
    ++i;
    start = i;
    if (!take_number(s, i, 2, om) || i - start != 2) return false;
    return i == s.size() && oh <= 23 && om <= 59;
  }
  return false;
}

bool in_resolve_map(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "y",    "Y",    "yes",  "Yes",   "YES",   "true",  "True",  "TRUE",  "on",    "On",
      "ON",   "n",    "N",    "no",    "No",    "NO",    "false", "False", "FALSE", "off",
      "Off",  "OFF",  "",     "~",     "null",  "Null",  "NULL",  ".nan",  ".NaN",  ".NAN",
      ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};
  return std::find(std::begin(kWords), std::end(kWords), s) != std::end(kWords);
}

// --- number text ---

struct Digits {
  std::string digits;  // significant digits, no dot
  int exponent = 0;    // value = 0.d1d2... * 10^(exponent+1), i.e. d1.d2... * 10^exponent
  bool negative = false;
};

Digits shortest_digits(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  Digits d;
  if (!text.empty() && text[0] == '-') {
    d.negative = true;
    text.remove_prefix(1);
  }
  auto e = text.find('e');
  for (char c : text.substr(0, e)) {
    if (c != '.') d.digits += c;
  }
  std::string_view exp_text = text.substr(e + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), d.exponent);
  return d;
}

}  // namespace

std::string go_yaml_float(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  Digits d = shortest_digits(value);
  std::string out = d.negative ? "-" : "";
  if (d.exponent < -4 || d.exponent >= 6) {
    // %e: d.ddde±XX (at least two exponent digits)
    out += d.digits[0];
    if (d.digits.size() > 1) out += "." + d.digits.substr(1);
    out += d.exponent < 0 ? "e-" : "e+";
    int magnitude = d.exponent < 0 ? -d.exponent : d.exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
    return out;
  }
  // %f with just the significant digits.
  int point = d.exponent + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-point), '0') + d.digits;
  } else if (static_cast<std::size_t>(point) >= d.digits.size()) {
    out += d.digits + std::string(static_cast<std::size_t>(point) - d.digits.size(), '0');
  } else {
    out += d.digits.substr(0, static_cast<std::size_t>(point)) + "." +
           d.digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

bool resolves_to_non_string(std::string_view s) {
  if (s.empty()) return true;  // null
  char first = s[0];
  bool hinted = first == '+' || first == '-' || is_digit(first) || first == '.' ||
                std::string_view("yYnNtTfFoO~").find(first) != std::string_view::npos;
  if (!hinted) return false;
  if (in_resolve_map(s)) return true;
  if (first == '.') {
    // strconv.ParseFloat on text starting with '.': ".5", ".5e3"
    return s.size() > 1 && yaml_style_float(s);
  }
  if (first == '+' || first == '-' || is_digit(first)) {
    if (is_digit(first) && go_yaml_timestamp(s)) return true;
    std::string plain;
    for (char c : s) {
      if (c != '_') plain += c;
    }
    if (go_int_syntax(plain)) return true;
    if (yaml_style_float(plain)) return true;
  }
  return false;
}

namespace {

// unicode.IsLetter, for ASCII exactly and for the rest approximately (letters unless in the common
// punctuation and symbol blocks).
bool is_letter(std::uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF20) return false;
  if (cp >= 0x1F000) return false;
  return true;
}
bool is_digit_cp(std::uint32_t cp) {
  return cp >= '0' && cp <= '9';
}

std::vector<std::uint32_t> runes(std::string_view s) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t w = std::min(char_width(static_cast<unsigned char>(s[i])), s.size() - i);
    out.push_back(code_point(s, i, w));
    i += w;
  }
  return out;
}

}  // namespace

bool yaml_key_less(std::string_view a_text, std::string_view b_text) {
  auto ar = runes(a_text);
  auto br = runes(b_text);
  for (std::size_t i = 0; i < ar.size() && i < br.size(); ++i) {
    if (ar[i] == br[i]) continue;
    bool al = is_letter(ar[i]);
    bool bl = is_letter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    std::int64_t an = 0;
    std::int64_t bn = 0;
    if (ar[i] == '0' || br[i] == '0') {
      for (std::size_t j = i; j-- > 0 && is_digit_cp(ar[j]);) {
        if (ar[j] != '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    std::size_t ai = i;
    std::size_t bi = i;
    for (; ai < ar.size() && is_digit_cp(ar[ai]); ++ai)
      an = an * 10 + static_cast<std::int64_t>(ar[ai] - '0');
    for (; bi < br.size() && is_digit_cp(br[bi]); ++bi)
      bn = bn * 10 + static_cast<std::int64_t>(br[bi] - '0');
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.size() < br.size();
}

namespace {

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
    if (i == 0) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(c) != std::string_view::npos) block_indicators = true;
      if ((c == '?' || c == ':' || c == '-') && followed_by_whitespace) block_indicators = true;
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
        switch (cp) {
          case 0x00:
            escape += '0';
            break;
          case 0x07:
            escape += 'a';
            break;
          case 0x08:
            escape += 'b';
            break;
          case 0x09:
            escape += 't';
            break;
          case 0x0A:
            escape += 'n';
            break;
          case 0x0B:
            escape += 'v';
            break;
          case 0x0C:
            escape += 'f';
            break;
          case 0x0D:
            escape += 'r';
            break;
          case 0x1B:
            escape += 'e';
            break;
          case 0x22:
            escape += '"';
            break;
          case 0x5C:
            escape += '\\';
            break;
          case 0x85:
            escape += 'N';
            break;
          case 0xA0:
            escape += '_';
            break;
          case 0x2028:
            escape += 'L';
            break;
          case 0x2029:
            escape += 'P';
            break;
          default: {
            int digits = cp <= 0xFF ? 2 : cp <= 0xFFFF ? 4 : 8;
            escape += digits == 2 ? 'x' : digits == 4 ? 'u' : 'U';
            for (int k = digits - 1; k >= 0; --k) escape += kHex[(cp >> (4 * k)) & 0xF];
          }
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
