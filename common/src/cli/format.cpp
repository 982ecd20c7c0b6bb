#include "dr/cli/format.hpp"

#include <cstdio>
#include <string>

namespace dr::cli {

namespace {
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

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
}  // namespace

std::string format_rfc822(TimePoint time) {
  auto day = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(time - day)};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%02u %s %02d %02lld:%02lld UTC", static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()) % 100,
                static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()));
  return buffer;
}

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

std::string format_rfc822(std::string_view rfc3339) {
  // Empty, or Go's zero time.Time (0001-01-01T00:00:00Z): storkctl prints nothing.
  if (rfc3339.empty() || rfc3339.rfind("0001-01-01", 0) == 0) return "";
  auto time = parse_rfc3339(rfc3339);
  return time ? format_rfc822(*time) : "";
}

std::string human_duration(std::chrono::nanoseconds d) {
  const long long ns = d.count();
  const long long seconds = ns / 1000000000LL;  // int(d.Seconds()): truncation toward zero
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  const long long minutes = ns / 60000000000LL;
  if (minutes < 10) {
    const long long s = seconds % 60;
    return s == 0 ? std::to_string(minutes) + "m" : std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  const long long hours = ns / 3600000000000LL;
  if (hours < 8) {
    const long long m = minutes % 60;
    return m == 0 ? std::to_string(hours) + "h" : std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    const long long h = hours % 24;
    return h == 0 ? std::to_string(hours / 24) + "d"
                  : std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    const long long dy = (hours / 24) % 365;
    return dy == 0 ? std::to_string(hours / 24 / 365) + "y"
                   : std::to_string(hours / 24 / 365) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::string short_human_duration(std::chrono::nanoseconds d) {
  const long long ns = d.count();
  const long long seconds = ns / 1000000000LL;
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return std::to_string(seconds) + "s";
  const long long minutes = ns / 60000000000LL;
  if (minutes < 60) return std::to_string(minutes) + "m";
  const long long hours = ns / 3600000000000LL;
  if (hours < 24) return std::to_string(hours) + "h";
  if (hours < 24 * 365) return std::to_string(hours / 24) + "d";
  return std::to_string(hours / 24 / 365) + "y";
}

}  // namespace dr::cli
