#include "dr/cli/format.hpp"

#include <cstdio>
#include <string>

namespace dr::cli {

namespace {
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
}  // namespace

std::string format_rfc822(TimePoint time) {
  const CivilTime t = civil_utc(time);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%02u %s %02d %02lld:%02lld UTC", t.day, kMonths[t.month - 1],
                t.year % 100, t.hour, t.minute);
  return buffer;
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
