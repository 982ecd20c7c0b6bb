#include "kube/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "dr/core/strings.hpp"

namespace dr::kube {

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  value = strings::trim(value);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc() || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(std::min<long long>(seconds, 86400) * 1000);  // the policy caps it further
}

std::chrono::milliseconds backoff_delay(int attempt, const RetryPolicy& policy, std::mt19937& random) {
  double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::max(0, attempt - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  std::uniform_real_distribution<double> spread(1.0 - policy.jitter, 1.0 + policy.jitter);
  return std::chrono::milliseconds(static_cast<long long>(base * spread(random)));
}

RetryDecision decide_retry(const RetryInput& input, const RetryPolicy& policy, std::mt19937& random) {
  if (input.attempt >= policy.max_attempts) return {};
  bool retry = false;
  switch (input.failure) {
    case Failure::Connect:
      retry = true;  // never reached the server
      break;
    case Failure::AfterSend:
      retry = input.retry_safe;  // may have been applied: only when repeating is harmless
      break;
    case Failure::Refused:
    case Failure::Final:
      return {};
    case Failure::None:
      if (input.status == 429) {
        retry = true;  // refused before doing anything (API Priority and Fairness, max-in-flight)
      } else if (input.status == 500 || input.status == 502 || input.status == 503 || input.status == 504) {
        retry = input.retry_safe;
      }
      break;
  }
  if (!retry) return {};
  auto delay = backoff_delay(input.attempt, policy, random);
  if (auto server_says = parse_retry_after(input.retry_after)) {
    delay = std::min(std::max(delay, *server_says), policy.max_retry_after);
  }
  return {true, delay};
}

}  // namespace dr::kube
