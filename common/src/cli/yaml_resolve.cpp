// How go-yaml v2 reads an unquoted scalar back (so whether kubectl -o yaml must quote a string),
// its number text, and its map key order.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "yaml_writer.hpp"

namespace dr::cli::yaml_detail {

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

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
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

}  // namespace

// go-yaml v2 reads these as base-60 numbers: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
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

namespace {

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
    // A run of digits longer than int64 holds (a hostile key) saturates instead of overflowing.
    auto accumulate = [](std::int64_t n, char32_t digit) {
      constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
      return n > (kMax - 9) / 10 ? kMax : n * 10 + static_cast<std::int64_t>(digit - '0');
    };
    for (; ai < ar.size() && is_digit_cp(ar[ai]); ++ai) an = accumulate(an, ar[ai]);
    for (; bi < br.size() && is_digit_cp(br[bi]); ++bi) bn = accumulate(bn, br[bi]);
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.size() < br.size();
}

}  // namespace dr::cli::yaml_detail
