#include "dr/cli/formats.hpp"

#include <cstdio>

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

std::string format_rfc3339(TimePoint time) {
  auto day = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(time - day)};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buffer;
}

std::string format_go_duration(std::chrono::nanoseconds duration) {
  long long ns = duration.count();
  if (ns == 0) return "0s";
  bool negative = ns < 0;
  unsigned long long u = negative ? static_cast<unsigned long long>(-(ns + 1)) + 1 : static_cast<unsigned long long>(ns);
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

}  // namespace dr::cli
