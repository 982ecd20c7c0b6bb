// How often and how patiently the transport repeats a request (kube/retry.hpp decides when).
#pragma once

#include <chrono>

namespace dr::kube {

struct RetryPolicy {
  int max_attempts = 5;  // total tries, including the first
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  double jitter = 0.2;                               // +/- fraction applied to each backoff
  std::chrono::milliseconds max_retry_after{30000};  // cap on a server's Retry-After
};

}  // namespace dr::kube
