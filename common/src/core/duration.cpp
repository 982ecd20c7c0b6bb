#include "dr/core/duration.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

namespace dr {

namespace {

// "1.5" from 1500 with 3 fractional digits; trailing zeros dropped as Go does.
std::string with_fraction(unsigned long long value, int digits) {
  unsigned long long scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string out = std::to_string(value / scale);
  unsigned long long fraction = value % scale;
  if (fraction == 0) return out;
  std::string text = std::to_string(fraction);
  text.insert(0, static_cast<std::size_t>(digits) - text.size(), '0');
  while (!text.empty() && text.back() == '0') text.pop_back();
  return out + "." + text;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Nanoseconds in one `unit`, or nullopt for an unknown one.
std::optional<double> nanoseconds_per(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1e3;  // us, µs (micro sign), μs (mu)
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  if (unit == "m") return 60e9;
  if (unit == "h") return 3600e9;
  return std::nullopt;
}

// The sum of `text`'s (number unit) terms, in nanoseconds, as a double so that no term overflows
// before the caller checks the range. The sign has been taken off.
Result<double> sum_of_terms(std::string_view rest) {
  if (rest.empty()) return Error::usage("missing number");
  double total = 0;
  while (!rest.empty()) {
    std::size_t digits = 0;
    while (digits < rest.size() && (is_digit(rest[digits]) || rest[digits] == '.')) ++digits;
    if (digits == 0) return Error::usage("expected a number");
    double number = 0;
    auto [number_end, number_error] = std::from_chars(rest.data(), rest.data() + digits, number);
    if (number_error != std::errc() || number_end != rest.data() + digits) return Error::usage("bad number");
    rest.remove_prefix(digits);
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && !is_digit(rest[unit_length]) && rest[unit_length] != '.')
      ++unit_length;
    const std::string_view unit = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    if (unit.empty()) return Error::usage("missing unit in duration");
    const auto scale = nanoseconds_per(unit);
    if (!scale) return Error::usage("unknown unit \"" + std::string(unit) + "\" in duration");
    total += number * *scale;
  }
  return total;
}

}  // namespace

std::string format_go_duration(std::chrono::nanoseconds duration) {
  long long ns = duration.count();
  if (ns == 0) return "0s";
  bool negative = ns < 0;
  unsigned long long u =
      negative ? static_cast<unsigned long long>(-(ns + 1)) + 1 : static_cast<unsigned long long>(ns);
  std::string out;
  if (u < 1000000000ULL) {
    if (u < 1000ULL) {
      out = std::to_string(u) + "ns";
    } else if (u < 1000000ULL) {
      out = with_fraction(u, 3) + "\xC2\xB5s";
    } else {
      out = with_fraction(u, 6) + "ms";
    }
  } else {
    unsigned long long total_seconds = u / 1000000000ULL;
    unsigned long long fraction = u % 1000000000ULL;
    unsigned long long hours = total_seconds / 3600;
    unsigned long long minutes = (total_seconds / 60) % 60;
    unsigned long long seconds = total_seconds % 60;
    std::string secs = with_fraction(seconds * 1000000000ULL + fraction, 9) + "s";
    if (hours > 0) {
      out = std::to_string(hours) + "h" + std::to_string(minutes) + "m" + secs;
    } else if (total_seconds >= 60) {
      out = std::to_string(minutes) + "m" + secs;
    } else {
      out = secs;
    }
  }
  return negative ? "-" + out : out;
}

Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  if (text == "0") return std::chrono::nanoseconds(0);
  const bool negative = !text.empty() && text.front() == '-';
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  DR_TRY_ASSIGN(const double total, sum_of_terms(text));
  // Go's limit: time.Duration is int64 nanoseconds (about 292 years).
  if (total > 9.2e18) return Error::usage("duration out of range");
  const auto ns = static_cast<long long>(std::llround(total));
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

Result<std::chrono::milliseconds> parse_request_timeout(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Error::usage("invalid argument \"" + std::string(text) + "\" for \"--request-timeout\" flag: " +
                        std::string(why) + " (use 0 for no timeout, or a duration such as 30s, 1m, 1m30s)");
  };
  constexpr long long kMaxSeconds = 100LL * 365 * 24 * 3600;  // a century: anything above is a typo
  if (text.empty()) return invalid("empty duration");
  if (std::all_of(text.begin(), text.end(), is_digit)) {  // a bare integer is seconds, as kubectl accepts
    long long seconds = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || seconds > kMaxSeconds) {
      return invalid("number out of range");
    }
    return std::chrono::milliseconds(seconds * 1000);
  }
  if (text.front() == '-') return invalid("timeouts must be positive");
  auto terms = sum_of_terms(text.front() == '+' ? text.substr(1) : text);
  if (!terms) return invalid(terms.error().message);
  double total_ms = *terms / 1e6;
  if (total_ms > static_cast<double>(kMaxSeconds) * 1000) return invalid("duration out of range");
  if (total_ms > 0 && total_ms < 1) total_ms = 1;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

}  // namespace dr
