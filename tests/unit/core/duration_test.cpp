#include <catch2/catch.hpp>

#include "dr/core/duration.hpp"

using namespace std::chrono_literals;

TEST_CASE("duration: Go's String() for the transport's timeouts", "[core]") {
  CHECK(dr::format_go_duration(0ns) == "0s");
  CHECK(dr::format_go_duration(200ms) == "200ms");
  CHECK(dr::format_go_duration(1500ms) == "1.5s");
  CHECK(dr::format_go_duration(90s) == "1m30s");
  CHECK(dr::format_go_duration(2h) == "2h0m0s");
  CHECK(dr::format_go_duration(-3s) == "-3s");
}

TEST_CASE("duration: ParseDuration", "[core]") {
  CHECK(*dr::parse_go_duration("0") == 0ns);
  CHECK(*dr::parse_go_duration("1h30m") == 90min);
  CHECK(*dr::parse_go_duration("1.5s") == 1500ms);
  CHECK(*dr::parse_go_duration("-2m") == -2min);
  CHECK(*dr::parse_go_duration("+5us") == 5us);
  CHECK(*dr::parse_go_duration("5\xC2\xB5s") == 5us);
  CHECK(*dr::parse_go_duration("300ns") == 300ns);
  CHECK(dr::parse_go_duration("5").error().message == "missing unit in duration");
  CHECK(dr::parse_go_duration("5x").error().message == "unknown unit \"x\" in duration");
  CHECK(dr::parse_go_duration("").error().message == "missing number");
  CHECK(dr::parse_go_duration("s").error().message == "expected a number");
  CHECK(dr::parse_go_duration("1..2s").error().message == "bad number");
  CHECK(dr::parse_go_duration("300y").error().code == dr::ErrorCode::Usage);
  CHECK(dr::parse_go_duration("3000000h").error().message == "duration out of range");
}

TEST_CASE("duration: --request-timeout", "[core]") {
  CHECK(*dr::parse_request_timeout("0") == 0ms);
  CHECK(*dr::parse_request_timeout("30") == 30s);
  CHECK(*dr::parse_request_timeout("1m30s") == 90s);
  CHECK(*dr::parse_request_timeout("500ns") == 1ms);  // never 0, which means no timeout
  auto negative = dr::parse_request_timeout("-1s");
  REQUIRE_FALSE(negative);
  CHECK(negative.error().message ==
        "invalid argument \"-1s\" for \"--request-timeout\" flag: timeouts must be positive (use 0 for no "
        "timeout, or a duration such as 30s, 1m, 1m30s)");
  CHECK_FALSE(dr::parse_request_timeout("101y"));
  CHECK_FALSE(dr::parse_request_timeout("999999999999"));
}
