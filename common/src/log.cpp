#include "dr/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

namespace dr::log {

namespace {
std::atomic<int> g_verbosity{0};
std::mutex g_secrets_mutex;
std::vector<std::string>& secrets() {
  static std::vector<std::string> registered;
  return registered;
}

void mask_authorization(std::string& text) {
  // "Authorization: Bearer abc" -> "Authorization: Bearer <masked>" (header dumps at -v=7).
  static constexpr std::string_view kHeader = "Authorization: ";
  for (std::size_t at = text.find(kHeader); at != std::string::npos; at = text.find(kHeader, at + 1)) {
    std::size_t value = at + kHeader.size();
    std::size_t end = text.find_first_of("\r\n", value);
    if (end == std::string::npos) end = text.size();
    std::size_t scheme_end = text.find(' ', value);
    std::size_t mask_from = (scheme_end != std::string::npos && scheme_end < end) ? scheme_end + 1 : value;
    text.replace(mask_from, end - mask_from, "<masked>");
  }
}
}  // namespace

void set_verbosity(int level) { g_verbosity.store(level); }
int verbosity() { return g_verbosity.load(std::memory_order_relaxed); }

void register_secret(std::string_view secret) {
  // Very short strings would mask innocent text; real tokens and keys are long.
  if (secret.size() < 6) return;
  std::lock_guard lock(g_secrets_mutex);
  auto& all = secrets();
  if (std::find(all.begin(), all.end(), secret) == all.end()) all.emplace_back(secret);
}

std::string redact(std::string_view text) {
  std::string out(text);
  {
    std::lock_guard lock(g_secrets_mutex);
    for (const auto& secret : secrets()) {
      for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
        out.replace(at, secret.size(), "<masked>");
      }
    }
  }
  mask_authorization(out);
  return out;
}

void line(int level, std::string_view message) {
  if (!enabled(level)) return;
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  auto micros = duration_cast<microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "I%02d%02d %02d:%02d:%02d.%06lld %7d kubectl-dr] ", utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(micros),
                static_cast<int>(::getpid()));
  std::string out = prefix + redact(message) + "\n";
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace dr::log
