// When to repeat a request, and after how long. Pure, so the policy is unit-tested on its own.
#pragma once

#include <chrono>
#include <random>
#include <string_view>

#include <curl/curl.h>

#include "dr/kube/transport.hpp"

namespace dr::kube {

struct RetryInput {
  int attempt = 1;              // the attempt that just finished (1 = the first)
  long status = 0;              // HTTP status, 0 when no answer
  bool retry_safe = false;      // the request may be repeated (see HttpRequest::retry_safe)
  bool connect_failure = false; // never reached the server: repeating cannot duplicate anything
  bool transport_failure = false;  // no HTTP answer at all
  std::string_view retry_after;    // the Retry-After header, if any
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
};

bool is_connect_failure(CURLcode code);

// Seconds in a Retry-After header ("3"), or nullopt (HTTP dates are not used by API servers).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

// Exponential backoff with jitter: initial * 2^(attempt-1), capped at max_backoff, +/- jitter.
std::chrono::milliseconds backoff_delay(int attempt, const RetryPolicy& policy, std::mt19937& random);

RetryDecision decide_retry(const RetryInput& input, const RetryPolicy& policy, std::mt19937& random);

}  // namespace dr::kube
