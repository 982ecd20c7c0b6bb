#include "dr/core/time.hpp"

#include <cstdio>

namespace dr {

namespace {

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

Result<TimePoint> parse_rfc3339(std::string_view text) {
  auto bad = [&](const char* why) {
    return Error::make(ErrorCode::Decode, "parsing time \"" + std::string(text) + "\" as RFC 3339: " + why);
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
      !digits(text, 17, 2, second)) {
    return bad("expected YYYY-MM-DDTHH:MM:SSZ");
  }
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return bad("day out of range");
  if (hour > 23 || minute > 59 || second > 59) return bad("time out of range");
  // TimePoint counts nanoseconds in 64 bits: years 1678 to 2261.
  if (year < 1678 || year > 2261) return bad("year out of the supported range (1678-2261)");
  std::size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long ns = 0;
    int used = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (used < 9) {
        ns = ns * 10 + (text[pos] - '0');
        ++used;
      }
      ++pos;
    }
    if (pos == start) return bad("expected digits after the decimal point");
    for (; used < 9; ++used) ns *= 10;
    fraction = std::chrono::nanoseconds(ns);
  }
  std::chrono::minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad("bad time zone offset");
    }
    offset = std::chrono::minutes(oh * 60 + om);
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return bad("missing time zone");
  }
  if (pos != text.size()) return bad("extra text after the time");
  TimePoint time = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                   std::chrono::seconds(second) + fraction;
  return time - offset;
}

std::optional<TimePoint> parse_rfc3339_or_none(std::string_view text) {
  auto parsed = parse_rfc3339(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

CivilTime civil_utc(TimePoint time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(time - day)};
  return CivilTime{static_cast<int>(ymd.year()),
                   static_cast<unsigned>(ymd.month()),
                   static_cast<unsigned>(ymd.day()),
                   static_cast<long long>(hms.hours().count()),
                   static_cast<long long>(hms.minutes().count()),
                   static_cast<long long>(hms.seconds().count())};
}

std::string format_rfc3339(TimePoint time) {
  const CivilTime t = civil_utc(time);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return buffer;
}

}  // namespace dr
