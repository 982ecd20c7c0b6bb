// Go's and kubectl's time and duration text.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "dr/cli/format.hpp"

using namespace dr::cli;
using namespace std::chrono;

namespace {
TimePoint at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}
}  // namespace

TEST_CASE("RFC822 in UTC as storkctl prints times", "[cli]") {
  CHECK(format_rfc822(at(2022, 11, 29, 22, 9, 59)) == "29 Nov 22 22:09 UTC");
  CHECK(format_rfc822(at(2026, 11, 24, 5, 4, 0)) == "24 Nov 26 05:04 UTC");
  CHECK(format_rfc822(at(2022, 12, 1, 23, 31, 0)) == "01 Dec 22 23:31 UTC");
  CHECK(format_rfc822(at(2000, 1, 2, 0, 0, 0)) == "02 Jan 00 00:00 UTC");
  CHECK(format_rfc822(std::string_view("2022-11-29T22:09:00Z")) == "29 Nov 22 22:09 UTC");
  CHECK(format_rfc822(std::string_view("2022-11-30T00:09:00+02:00")) == "29 Nov 22 22:09 UTC");
  CHECK(format_rfc822(std::string_view("")).empty());
  CHECK(format_rfc822(std::string_view("0001-01-01T00:00:00Z")).empty());
  CHECK(format_rfc822(std::string_view("yesterday")).empty());
}

TEST_CASE("RFC 3339 parse and format", "[cli]") {
  auto t = parse_rfc3339("2026-11-24T06:12:01Z");
  REQUIRE(t);
  CHECK(*t == at(2026, 11, 24, 6, 12, 1));
  CHECK(format_rfc3339(*t) == "2026-11-24T06:12:01Z");
  auto fraction = parse_rfc3339("2026-11-24T06:12:01.5Z");
  REQUIRE(fraction);
  CHECK(*fraction - *t == milliseconds(500));
  CHECK(format_rfc3339(*fraction) == "2026-11-24T06:12:01Z");
  auto offset = parse_rfc3339("2026-11-24T08:12:01+02:00");
  REQUIRE(offset);
  CHECK(*offset == *t);
  auto negative = parse_rfc3339("2026-11-24T01:12:01-05:00");
  REQUIRE(negative);
  CHECK(*negative == *t);
  CHECK(parse_rfc3339("2026-11-24t06:12:01z"));
  for (const char* bad :
       {"", "2026-11-24", "2026-11-24T06:12:01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-24T24:00:00Z", "2026-11-24T06:12:01Zx", "2026-11-24T06:12:01.Z", "26-11-24T06:12:01Z"}) {
    INFO(bad);
    auto parsed = parse_rfc3339(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == dr::ErrorCode::Decode);
  }
  CHECK(format_rfc3339(at(1999, 1, 2, 3, 4, 5)) == "1999-01-02T03:04:05Z");
}

TEST_CASE("Go's time.Duration String()", "[cli]") {
  struct Case {
    nanoseconds d;
    const char* text;
  };
  const Case cases[] = {
      {nanoseconds(0), "0s"},
      {nanoseconds(1), "1ns"},
      {nanoseconds(999), "999ns"},
      {microseconds(1), "1\xC2\xB5s"},
      {nanoseconds(1500), "1.5\xC2\xB5s"},
      {milliseconds(500), "500ms"},
      {microseconds(1500), "1.5ms"},
      {seconds(1), "1s"},
      {milliseconds(1500), "1.5s"},
      {seconds(10), "10s"},
      {seconds(59), "59s"},
      {seconds(60), "1m0s"},
      {seconds(90), "1m30s"},
      {minutes(59) + seconds(59), "59m59s"},
      {hours(1), "1h0m0s"},
      {hours(1) + minutes(2) + milliseconds(3500), "1h2m3.5s"},
      {hours(100), "100h0m0s"},
      {seconds(-3), "-3s"},
      {-milliseconds(1500), "-1.5s"},
      {nanoseconds(1000000001), "1.000000001s"},
      {nanoseconds::max(), "2562047h47m16.854775807s"},
      {nanoseconds::min(), "-2562047h47m16.854775808s"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(format_go_duration(c.d) == c.text);
  }
}

TEST_CASE("kubectl's AGE: duration.HumanDuration", "[cli]") {
  struct Case {
    nanoseconds d;
    const char* text;
  };
  const Case cases[] = {
      {-seconds(3), "<invalid>"},
      {-milliseconds(1500), "0s"},
      {seconds(0), "0s"},
      {milliseconds(1999), "1s"},  // truncated, not rounded
      {seconds(45), "45s"},
      {seconds(119), "119s"},
      {seconds(120), "2m"},
      {minutes(3) + seconds(18), "3m18s"},
      {minutes(9) + seconds(59), "9m59s"},
      {minutes(10), "10m"},
      {minutes(179), "179m"},
      {hours(3), "3h"},
      {hours(5) + minutes(30), "5h30m"},
      {hours(7) + minutes(59), "7h59m"},
      {hours(8) + minutes(30), "8h"},
      {hours(47), "47h"},
      {hours(48), "2d"},
      {hours(51), "2d3h"},
      {hours(24 * 7 + 23), "7d23h"},
      {hours(24 * 8), "8d"},
      {hours(24 * 45), "45d"},
      {hours(24 * 729), "729d"},
      {hours(24 * 730), "2y"},
      {hours(24 * 760), "2y30d"},
      {hours(24 * 365 * 8), "8y"},
      {hours(24 * 365 * 10 + 24 * 20), "10y"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(human_duration(c.d) == c.text);
    CHECK(age(c.d) == c.text);
  }
}

TEST_CASE("duration.ShortHumanDuration", "[cli]") {
  CHECK(short_human_duration(-seconds(2)) == "<invalid>");
  CHECK(short_human_duration(-milliseconds(500)) == "0s");
  CHECK(short_human_duration(seconds(59)) == "59s");
  CHECK(short_human_duration(minutes(3) + seconds(18)) == "3m");
  CHECK(short_human_duration(hours(5) + minutes(59)) == "5h");
  CHECK(short_human_duration(hours(51)) == "2d");
  CHECK(short_human_duration(hours(24 * 400)) == "1y");
}

TEST_CASE("RFC 3339 outside the nanosecond range is an error, not a wrong time", "[cli]") {
  CHECK_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
  CHECK(parse_rfc3339("2261-01-01T00:00:00Z"));
}
