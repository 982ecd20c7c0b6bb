#include <catch2/catch.hpp>

#include "dr/kube/api_client.hpp"
#include "dr/kube/transport.hpp"
#include "dr/log.hpp"
#include "kube/retry.hpp"

using namespace std::chrono_literals;
using dr::kube::decide_retry;
using dr::kube::RetryInput;
using dr::kube::RetryPolicy;

TEST_CASE("request timeouts parse as kubectl's --request-timeout", "[retry]") {
  auto ms = [](std::string_view text) { return dr::kube::parse_request_timeout(text).value().count(); };
  CHECK(ms("0") == 0);
  CHECK(ms("30") == 30000);
  CHECK(ms("5s") == 5000);
  CHECK(ms("1m") == 60000);
  CHECK(ms("1m30s") == 90000);
  CHECK(ms("500ms") == 500);
  CHECK(ms("2h") == 7200000);
  CHECK(ms("1.5s") == 1500);
  for (const char* bad : {"", "-1s", "abc", "5x", "s", "1m-", "--5s"}) {
    INFO(bad);
    auto parsed = dr::kube::parse_request_timeout(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == dr::ErrorCode::Usage);
    CHECK_THAT(parsed.error().message, Catch::Contains("--request-timeout"));
  }
}

TEST_CASE("retry policy: which failures are repeated", "[retry]") {
  RetryPolicy policy;
  std::mt19937 random(42);
  auto retries = [&](RetryInput input) { return decide_retry(input, policy, random).retry; };

  // 429 is retried for every request: the server refused before doing anything.
  CHECK(retries({1, 429, false, false, false, {}}));
  // 5xx only when the request is safe to repeat.
  for (long status : {500L, 502L, 503L, 504L}) {
    CHECK(retries({1, status, true, false, false, {}}));
    CHECK_FALSE(retries({1, status, false, false, false, {}}));
  }
  // Other errors never.
  for (long status : {400L, 401L, 403L, 404L, 409L, 410L, 422L, 501L}) CHECK_FALSE(retries({1, status, true, false, false, {}}));
  // No answer: connect failures always, failures after sending only when safe.
  CHECK(retries({1, 0, false, true, true, {}}));
  CHECK_FALSE(retries({1, 0, false, false, true, {}}));
  CHECK(retries({1, 0, true, false, true, {}}));
  // Give up after max_attempts.
  CHECK_FALSE(retries({policy.max_attempts, 503, true, false, false, {}}));
}

TEST_CASE("retry policy: backoff grows, is jittered and capped; Retry-After is honoured and capped", "[retry]") {
  RetryPolicy policy;
  policy.initial_backoff = 100ms;
  policy.max_backoff = 1000ms;
  policy.jitter = 0.2;
  policy.max_retry_after = 5000ms;
  std::mt19937 random(7);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    auto delay = dr::kube::backoff_delay(attempt, policy, random);
    double base = std::min(100.0 * (1 << (attempt - 1)), 1000.0);
    CHECK(delay.count() >= static_cast<long long>(base * 0.8) - 1);
    CHECK(delay.count() <= static_cast<long long>(base * 1.2) + 1);
  }
  auto with_header = decide_retry({1, 429, false, false, false, "3"}, policy, random);
  REQUIRE(with_header.retry);
  CHECK(with_header.delay == 3000ms);
  auto huge = decide_retry({1, 429, false, false, false, "3600"}, policy, random);
  CHECK(huge.delay == 5000ms);
  CHECK_FALSE(dr::kube::parse_retry_after("soon"));
  CHECK_FALSE(dr::kube::parse_retry_after("-1"));
  CHECK(dr::kube::parse_retry_after(" 2 ").value() == 2000ms);
}

TEST_CASE("Status responses become kubectl-style errors", "[api]") {
  dr::kube::HttpResponse response;
  response.status = 404;
  response.body =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"migrationschedules.stork.libopenstorage.org \"x\" not found","reason":"NotFound","details":{"name":"x","group":"stork.libopenstorage.org","kind":"migrationschedules"},"code":404})";
  auto error = dr::kube::error_from_response(response);
  CHECK(error.kubectl_line() ==
        R"(Error from server (NotFound): migrationschedules.stork.libopenstorage.org "x" not found)");
  CHECK(error.is_not_found());

  response.status = 409;
  response.body =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on statefulsets.apps \"zk\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"zk","group":"apps","kind":"statefulsets"},"code":409})";
  CHECK(dr::kube::error_from_response(response).is_conflict());

  response.status = 403;
  response.body =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"statefulsets.apps \"zk\" is forbidden: User \"bob\" cannot patch resource \"statefulsets\" in API group \"apps\" in the namespace \"zookeeper\"","reason":"Forbidden","details":{"name":"zk","group":"apps","kind":"statefulsets"},"code":403})";
  CHECK_THAT(dr::kube::error_from_response(response).kubectl_line(),
             Catch::StartsWith("Error from server (Forbidden): statefulsets.apps \"zk\" is forbidden"));

  // Not a Status body (a proxy's HTML page): the status code still says what happened.
  response.status = 503;
  response.body = "<html>down</html>";
  auto plain = dr::kube::error_from_response(response);
  CHECK(plain.reason == "ServiceUnavailable");
  CHECK(plain.kubectl_line() ==
        "Error from server (ServiceUnavailable): the server is currently unable to handle the request");
}

TEST_CASE("secrets are masked in every log line", "[log]") {
  dr::log::register_secret("s3cr3t-token-value");
  auto text = dr::log::redact("GET /api with s3cr3t-token-value\nAuthorization: Bearer s3cr3t-token-value\n");
  CHECK(text.find("s3cr3t") == std::string::npos);
  CHECK_THAT(text, Catch::Contains("Authorization: Bearer <masked>"));
  CHECK_THAT(dr::log::redact("Authorization: Basic dXNlcjpwYXNz"), Catch::Contains("Basic <masked>"));
}

TEST_CASE("resource paths", "[api]") {
  namespace t = dr::kube::types;
  CHECK(t::statefulsets.path("zookeeper", "zk") == "/apis/apps/v1/namespaces/zookeeper/statefulsets/zk");
  CHECK(t::statefulsets.path() == "/apis/apps/v1/statefulsets");
  CHECK(t::statefulsets.path("ns", "zk", "scale") == "/apis/apps/v1/namespaces/ns/statefulsets/zk/scale");
  CHECK(t::namespaces.path("", "x") == "/api/v1/namespaces/x");
  CHECK(t::clusterdomainsstatuses.path("ignored") == "/apis/stork.libopenstorage.org/v1alpha1/clusterdomainsstatuses");
  CHECK(t::migrationschedules.group_resource() == "migrationschedules.stork.libopenstorage.org");
  CHECK(t::pods.group_resource() == "pods");
}
