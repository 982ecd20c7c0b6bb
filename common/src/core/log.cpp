#include "dr/core/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

namespace dr::log {

namespace {

constexpr std::string_view kMask = "<masked>";

std::atomic<int> g_verbosity{0};
std::mutex g_secrets_mutex;
std::vector<std::string>& secrets() {
  static std::vector<std::string> registered;
  return registered;
}
std::function<void(std::string_view)>& sink() {
  static std::function<void(std::string_view)> current;
  return current;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// "Authorization: Bearer abc" -> "Authorization: Bearer <masked>" (and "authorization:" as HTTP/2
// spells it, "Proxy-Authorization:", a value without a scheme -> "<masked>").
void mask_authorization(std::string& text) {
  static constexpr std::string_view kName = "authorization:";
  for (std::size_t at = 0; at + kName.size() <= text.size(); ++at) {
    if (!equals_ignoring_case(std::string_view(text).substr(at, kName.size()), kName)) continue;
    std::size_t value = at + kName.size();
    while (value < text.size() && text[value] == ' ') ++value;
    std::size_t end = text.find_first_of("\r\n", value);
    if (end == std::string::npos) end = text.size();
    if (value >= end) continue;
    std::size_t scheme_end = text.find(' ', value);
    std::size_t mask_from = (scheme_end != std::string::npos && scheme_end < end) ? scheme_end + 1 : value;
    text.replace(mask_from, end - mask_from, kMask);
    at = mask_from + kMask.size() - 1;
  }
}

void mask_secrets(std::string& text) {
  std::lock_guard lock(g_secrets_mutex);
  for (const auto& secret : secrets()) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + kMask.size())) {
      text.replace(at, secret.size(), kMask);
    }
  }
}

}  // namespace

void set_verbosity(int level) {
  g_verbosity.store(level);
}
int verbosity() {
  return g_verbosity.load(std::memory_order_relaxed);
}

void register_secret(std::string_view secret) {
  // Very short strings would mask innocent text; real tokens and keys are long.
  if (secret.size() < 6) return;
  std::lock_guard lock(g_secrets_mutex);
  auto& all = secrets();
  auto add = [&all](std::string_view one) {
    if (std::find(all.begin(), all.end(), one) == all.end()) all.emplace_back(one);
  };
  add(secret);
  // A PEM key echoed back is rarely whole (a line of it, JSON-escaped newlines between): each long
  // line of its body is a secret of its own. Registered after the whole, which is masked first.
  if (secret.find("-----BEGIN") == std::string_view::npos) return;
  constexpr std::size_t kDistinctiveLine = 20;
  while (!secret.empty()) {
    const auto newline = secret.find('\n');
    auto line = secret.substr(0, newline);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.size() >= kDistinctiveLine && line.rfind("-----", 0) != 0) add(line);
    secret.remove_prefix(newline == std::string_view::npos ? secret.size() : newline + 1);
  }
}

std::string redact(std::string_view text) {
  std::string out(text);
  mask_secrets(out);
  mask_authorization(out);
  return out;
}

std::string redact_truncated(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return redact(text);
  // Move the cut back to the start of any secret that straddles it, then redact what is left: a
  // secret cut in half would no longer match and its first half would be printed.
  std::size_t cut = limit;
  {
    std::lock_guard lock(g_secrets_mutex);
    bool moved = true;
    while (moved) {
      moved = false;
      for (const auto& secret : secrets()) {
        std::size_t from = cut >= secret.size() ? cut - secret.size() + 1 : 0;
        std::size_t at = text.find(secret, from);
        if (at != std::string_view::npos && at < cut && at + secret.size() > cut) {
          cut = at;
          moved = true;
        }
      }
    }
  }
  // An Authorization header cut in half is masked by redact() all the same (the mask runs to the
  // end of the line, and the cut text ends there).
  std::string out = redact(text.substr(0, cut));
  out += " [truncated " + std::to_string(text.size() - cut) + " bytes]";
  return out;
}

void set_sink(std::function<void(std::string_view)> new_sink) {
  sink() = std::move(new_sink);
}

std::string klog_line(char severity, std::string_view message) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  auto micros = duration_cast<microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm local{};
  localtime_r(&seconds, &local);  // klog prints local time
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "%c%02d%02d %02d:%02d:%02d.%06lld %7d kubectl-dr] ", severity,
                local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
                static_cast<long long>(micros), static_cast<int>(::getpid()));
  return prefix + redact(message) + "\n";
}

void line(int level, std::string_view message) {
  if (!enabled(level)) return;
  std::string out = klog_line('I', message);
  if (const auto& target = sink()) {
    target(out);
    return;
  }
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace dr::log
