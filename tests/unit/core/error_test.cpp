#include <catch2/catch.hpp>

#include "dr/core/error.hpp"

TEST_CASE("server errors print like kubectl", "[error]") {
  auto e = dr::Error::server(404, "NotFound", R"(statefulsets.apps "zk" not found)");
  CHECK(e.kubectl_line() == R"(Error from server (NotFound): statefulsets.apps "zk" not found)");
  CHECK(e.is_not_found());
}

TEST_CASE("client errors carry their context", "[error]") {
  auto e = dr::Error::config("no such file or directory").wrap("loading kubeconfig /tmp/x");
  CHECK(e.kubectl_line() == "error: loading kubeconfig /tmp/x: no such file or directory");
  dr::Result<int> r = std::move(e);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == dr::ErrorCode::Config);
  dr::Result<int> ok = 7;
  REQUIRE(ok);
  CHECK(*ok == 7);
}

namespace {

dr::Result<int> parse_positive(int value) {
  if (value <= 0) return dr::Error::usage("not positive: " + std::to_string(value));
  return value;
}

dr::Result<void> check_positive(int value) {
  if (value <= 0) return dr::Error::usage("not positive");
  return {};
}

// Declares from, assigns into, and propagates through both macros.
dr::Result<int> sum_of_positives(int a, int b, int& steps) {
  DR_TRY(check_positive(a));
  ++steps;
  DR_TRY_ASSIGN(const int first, parse_positive(a));
  ++steps;
  int second = 0;
  DR_TRY_ASSIGN(second, parse_positive(b));
  ++steps;
  return first + second;
}

dr::Result<void> moves_values_out(std::string& out) {
  auto text = [](std::string s) -> dr::Result<std::string> { return s; };
  DR_TRY_ASSIGN(std::string word, text("move-only-is-fine"));
  out = std::move(word);
  return {};
}

}  // namespace

TEST_CASE("DR_TRY and DR_TRY_ASSIGN return the first error and keep the values", "[error][core]") {
  int steps = 0;
  auto sum = sum_of_positives(2, 3, steps);
  REQUIRE(sum);
  CHECK(*sum == 5);
  CHECK(steps == 3);

  steps = 0;
  auto early = sum_of_positives(-1, 3, steps);
  REQUIRE_FALSE(early);
  CHECK(early.error().message == "not positive");
  CHECK(steps == 0);

  steps = 0;
  auto late = sum_of_positives(1, -4, steps);
  REQUIRE_FALSE(late);
  CHECK(late.error().message == "not positive: -4");
  CHECK(steps == 2);

  std::string out;
  REQUIRE(moves_values_out(out));
  CHECK(out == "move-only-is-fine");
}
