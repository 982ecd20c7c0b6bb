#include "kube/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace dr::kube {

Failure classify_failure(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return Failure::None;
    case CURLE_COULDNT_CONNECT:
    // A handshake that broke off (a reset, an alert from a busy server) came before any byte of the
    // request: repeating cannot apply anything twice. A certificate that fails verification is
    // CURLE_PEER_FAILED_VERIFICATION instead, and stays final.
    case CURLE_SSL_CONNECT_ERROR:
      return Failure::Connect;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Failure::AfterSend;
    default:
      return Failure::Final;
  }
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
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

Result<std::chrono::milliseconds> parse_request_timeout(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Error::usage("invalid argument \"" + std::string(text) + "\" for \"--request-timeout\" flag: " +
                        std::string(why) + " (use 0 for no timeout, or a duration such as 30s, 1m, 1m30s)");
  };
  constexpr long long kMaxSeconds = 100LL * 365 * 24 * 3600;  // a century: anything above is a typo
  if (text.empty()) return invalid("empty duration");
  // A bare integer is seconds, as kubectl accepts.
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long seconds = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || seconds > kMaxSeconds) {
      return invalid("number out of range");
    }
    return std::chrono::milliseconds(seconds * 1000);
  }
  // A Go duration: [-+]? (number unit)+ with units ns us µs ms s m h; negative is rejected.
  std::string_view rest = text;
  if (rest.front() == '-') return invalid("timeouts must be positive");
  if (rest.front() == '+') rest.remove_prefix(1);
  double total_ms = 0;
  if (rest.empty()) return invalid("missing number");
  while (!rest.empty()) {
    std::size_t digits = 0;
    while (digits < rest.size() && ((rest[digits] >= '0' && rest[digits] <= '9') || rest[digits] == '.'))
      ++digits;
    if (digits == 0) return invalid("expected a number");
    double number = 0;
    auto [number_end, number_error] = std::from_chars(rest.data(), rest.data() + digits, number);
    if (number_error != std::errc() || number_end != rest.data() + digits) return invalid("bad number");
    rest.remove_prefix(digits);
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && !(rest[unit_length] >= '0' && rest[unit_length] <= '9') &&
           rest[unit_length] != '.') {
      ++unit_length;
    }
    std::string_view unit = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    double scale = 0;
    if (unit == "ns")
      scale = 1e-6;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      scale = 1e-3;
    else if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m")
      scale = 60000;
    else if (unit == "h")
      scale = 3600000;
    else if (unit.empty())
      return invalid("missing unit in duration");
    else
      return invalid("unknown unit \"" + std::string(unit) + "\" in duration");
    total_ms += number * scale;
  }
  if (total_ms > static_cast<double>(kMaxSeconds) * 1000) return invalid("duration out of range");
  // A positive duration below a millisecond must not turn into 0, which means "no timeout".
  if (total_ms > 0 && total_ms < 1) total_ms = 1;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

}  // namespace dr::kube
