// When to repeat a request, and after how long. Pure, so the policy is unit-tested on its own.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "dr/kube/retry_policy.hpp"

namespace dr::kube {

// What a transfer that got no HTTP answer ran into, as far as repeating it is concerned. The
// transport maps its library's error codes to these (kube/curl_failures.hpp), so this policy knows
// nothing of libcurl.
enum class Failure {
  None,       // an HTTP answer arrived
  Connect,    // never reached the server (TLS handshake broken off, unreachable): repeating cannot duplicate
  Refused,    // nothing listens at the address: not repeated, as kubectl does not (a wrong port or a
              // server that is down stays so for the backoff's few seconds; the user waits for nothing)
  AfterSend,  // the connection broke after the request may have been sent (reset, EOF, HTTP/2 stream error)
  Final,      // repeating will not help: DNS, TLS verification, timeouts, bad options, cancelled
};

struct RetryInput {
  int attempt = 1;                  // the attempt that just finished (1 = the first)
  long status = 0;                  // HTTP status, 0 when no answer
  bool retry_safe = false;          // the request may be repeated (see HttpRequest::retry_safe)
  Failure failure = Failure::None;  // why there was no HTTP answer
  std::string_view retry_after;     // the Retry-After header, if any
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
};

// Seconds in a Retry-After header ("3"), or nullopt (HTTP dates are not used by API servers).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

// Exponential backoff with jitter: initial * 2^(attempt-1), capped at max_backoff, then +/- jitter.
std::chrono::milliseconds backoff_delay(int attempt, const RetryPolicy& policy, std::mt19937& random);

// 429: every request (the server did nothing). Connect failures but a refusal: every request. 500/502/503/504
// and failures after sending: only retry_safe requests. Everything else: never. Gives up once `attempt`
// reaches policy.max_attempts. A Retry-After header raises the delay to what the server asked for,
// capped at policy.max_retry_after.
RetryDecision decide_retry(const RetryInput& input, const RetryPolicy& policy, std::mt19937& random);

}  // namespace dr::kube
