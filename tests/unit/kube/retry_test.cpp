// The retry policy and --request-timeout parsing: pure functions, no network.
#include <catch2/catch.hpp>
#include <set>

#include "dr/core/duration.hpp"
#include "dr/kube/transport.hpp"
#include "kube/curl_failures.hpp"
#include "kube/retry.hpp"

using namespace std::chrono_literals;
using dr::kube::decide_retry;
using dr::kube::Failure;
using dr::kube::RetryInput;
using dr::kube::RetryPolicy;

TEST_CASE("retry: --request-timeout accepts kubectl's forms", "[retry]") {
  auto ms = [](std::string_view text) {
    auto parsed = dr::parse_request_timeout(text);
    INFO(text);
    REQUIRE(parsed);
    return parsed->count();
  };
  CHECK(ms("0") == 0);
  CHECK(ms("0s") == 0);
  CHECK(ms("30") == 30000);
  CHECK(ms("5s") == 5000);
  CHECK(ms("1m") == 60000);
  CHECK(ms("1m30s") == 90000);
  CHECK(ms("500ms") == 500);
  CHECK(ms("2h") == 7200000);
  CHECK(ms("1h2m3s") == 3723000);
  CHECK(ms("1.5s") == 1500);
  CHECK(ms("+5s") == 5000);
  CHECK(ms("1500000us") == 1500);
  CHECK(ms("2000000000ns") == 2000);
  CHECK(ms("10ns") == 1);  // tiny but positive: never 0, which would mean "no timeout"
}

TEST_CASE("retry: --request-timeout rejects negative and malformed values with a usage error", "[retry]") {
  for (const char* bad : {"", "-1s", "-1", "abc", "5x", "s", "1m-", "--5s", "1.2.3s", "5 s", "1e3s",
                          "99999999999999999999", "9999999999h"}) {
    INFO(bad);
    auto parsed = dr::parse_request_timeout(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == dr::ErrorCode::Usage);
    CHECK_THAT(parsed.error().message, Catch::StartsWith("invalid argument \"" + std::string(bad) +
                                                         "\" for \"--request-timeout\" flag"));
  }
  CHECK_THAT(dr::parse_request_timeout("-1s").error().message, Catch::Contains("must be positive"));
  CHECK_THAT(dr::parse_request_timeout("5x").error().message, Catch::Contains("unknown unit \"x\""));
}

TEST_CASE("retry: 429 for every request, 5xx only for safe requests, other errors never", "[retry]") {
  RetryPolicy policy;
  std::mt19937 random(42);
  auto retries = [&](RetryInput input) { return decide_retry(input, policy, random).retry; };

  CHECK(retries({1, 429, false, Failure::None, {}}));
  CHECK(retries({1, 429, true, Failure::None, {}}));
  for (long status : {500L, 502L, 503L, 504L}) {
    INFO(status);
    CHECK(retries({1, status, true, Failure::None, {}}));
    CHECK_FALSE(retries({1, status, false, Failure::None, {}}));
  }
  for (long status : {200L, 201L, 400L, 401L, 403L, 404L, 409L, 410L, 415L, 422L, 501L, 505L}) {
    INFO(status);
    CHECK_FALSE(retries({1, status, true, Failure::None, {}}));
  }
}

TEST_CASE("retry: transport failures by kind", "[retry]") {
  RetryPolicy policy;
  std::mt19937 random(1);
  auto retries = [&](Failure failure, bool safe) {
    return decide_retry({1, 0, safe, failure, {}}, policy, random).retry;
  };
  // Never reached the server: always.
  CHECK(retries(Failure::Connect, false));
  CHECK(retries(Failure::Connect, true));
  // Broke after sending: only when repeating is harmless.
  CHECK(retries(Failure::AfterSend, true));
  CHECK_FALSE(retries(Failure::AfterSend, false));
  // TLS, DNS, timeouts, a refused connect: never.
  CHECK_FALSE(retries(Failure::Final, true));
  CHECK_FALSE(retries(Failure::Refused, true));
  CHECK_FALSE(retries(Failure::Refused, false));

  using dr::kube::classify_failure;
  CHECK(classify_failure(CURLE_OK) == Failure::None);
  CHECK(classify_failure(CURLE_COULDNT_CONNECT) == Failure::Connect);
  CHECK(classify_failure(CURLE_SSL_CONNECT_ERROR) == Failure::Connect);
  for (CURLcode code : {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
                        CURLE_HTTP2, CURLE_HTTP2_STREAM}) {
    CHECK(classify_failure(code) == Failure::AfterSend);
  }
  for (CURLcode code : {CURLE_OPERATION_TIMEDOUT, CURLE_PEER_FAILED_VERIFICATION, CURLE_COULDNT_RESOLVE_HOST,
                        CURLE_SSL_CERTPROBLEM, CURLE_WRITE_ERROR}) {
    CHECK(classify_failure(code) == Failure::Final);
  }
}

TEST_CASE("retry: gives up after max_attempts", "[retry]") {
  RetryPolicy policy;
  policy.max_attempts = 3;
  std::mt19937 random(3);
  CHECK(decide_retry({1, 503, true, Failure::None, {}}, policy, random).retry);
  CHECK(decide_retry({2, 503, true, Failure::None, {}}, policy, random).retry);
  CHECK_FALSE(decide_retry({3, 503, true, Failure::None, {}}, policy, random).retry);
  CHECK_FALSE(decide_retry({3, 0, true, Failure::Connect, {}}, policy, random).retry);
  policy.max_attempts = 1;  // retries off
  CHECK_FALSE(decide_retry({1, 429, true, Failure::None, {}}, policy, random).retry);
}

TEST_CASE("retry: backoff doubles, is capped, and stays within the jitter bounds", "[retry]") {
  RetryPolicy policy;
  policy.initial_backoff = 100ms;
  policy.max_backoff = 1000ms;
  policy.jitter = 0.2;
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    for (int attempt = 1; attempt <= 8; ++attempt) {
      auto delay = dr::kube::backoff_delay(attempt, policy, random);
      double base = std::min(100.0 * (1 << (attempt - 1)), 1000.0);
      INFO("attempt " << attempt << " delay " << delay.count());
      CHECK(delay.count() >= static_cast<long long>(base * 0.8) - 1);
      CHECK(delay.count() <= static_cast<long long>(base * 1.2) + 1);
    }
  }
  // Jitter actually spreads the delays (thousands of clients must not retry in lockstep).
  std::set<long long> distinct;
  for (int i = 0; i < 20; ++i) distinct.insert(dr::kube::backoff_delay(3, policy, random).count());
  CHECK(distinct.size() > 5);
  policy.jitter = 0;
  CHECK(dr::kube::backoff_delay(2, policy, random) == 200ms);
  CHECK(dr::kube::backoff_delay(30, policy, random) == 1000ms);
}

TEST_CASE("retry: Retry-After is honoured, capped, and parsed strictly", "[retry]") {
  RetryPolicy policy;
  policy.initial_backoff = 100ms;
  policy.max_backoff = 1000ms;
  policy.max_retry_after = 5000ms;
  std::mt19937 random(11);
  auto with_header = decide_retry({1, 429, false, Failure::None, "3"}, policy, random);
  REQUIRE(with_header.retry);
  CHECK(with_header.delay == 3000ms);
  CHECK(decide_retry({1, 503, true, Failure::None, "2"}, policy, random).delay == 2000ms);
  CHECK(decide_retry({1, 429, false, Failure::None, "3600"}, policy, random).delay == 5000ms);
  // Retry-After: 0 does not shorten the backoff below the policy's.
  auto zero = decide_retry({1, 429, false, Failure::None, "0"}, policy, random);
  CHECK(zero.delay >= 80ms);
  // A Retry-After on an answer that is not retried changes nothing.
  CHECK_FALSE(decide_retry({1, 404, true, Failure::None, "1"}, policy, random).retry);

  CHECK(dr::kube::parse_retry_after("1").value() == 1000ms);
  CHECK(dr::kube::parse_retry_after(" 2 ").value() == 2000ms);
  CHECK_FALSE(dr::kube::parse_retry_after("soon"));
  CHECK_FALSE(dr::kube::parse_retry_after("-1"));
  CHECK_FALSE(dr::kube::parse_retry_after(""));
  CHECK_FALSE(dr::kube::parse_retry_after("1.5"));
  CHECK_FALSE(dr::kube::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
}
