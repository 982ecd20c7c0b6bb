// Fault injection, request statistics and the request log of one emulated cluster's server.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace emu {

// What the server does wrong on purpose. Rates are probabilities per API request (0..1).
struct FaultConfig {
  double error_rate = 0;  // answer 500 or 503 (picked from error_codes) instead
  std::vector<int> error_codes{500, 503};
  double throttle_rate = 0;  // answer 429 with Retry-After
  int retry_after_seconds = 1;
  double drop_rate = 0;    // close the connection half-way through the response
  int latency_ms = 0;      // added before every API request
  std::string only_verbs;  // comma list ("patch,update"): faults apply to these verbs only
};

class Faults {
 public:
  FaultConfig get() const;
  void set(const FaultConfig& config);
  // Applies a JSON object of FaultConfig fields (snake_case names as in FaultConfig); throws
  // std::invalid_argument on a bad field.
  void update_from_json(const rapidjson::Value& json);
  std::string to_json() const;

  enum class Action { None, Error, Throttle, Drop };
  // Draws the fault for one request; `code` receives the error code for Action::Error.
  Action draw(const std::string& verb, int& code, int& retry_after);

 private:
  mutable std::mutex mutex_;
  FaultConfig config_;
  std::mt19937_64 random_{std::random_device{}()};
};

class Stats {
 public:
  void begin();
  void end(const std::string& verb, const std::string& resource, int code);
  void watch_started();
  void watch_ended();
  std::string to_json() const;
  void reset();

 private:
  mutable std::mutex mutex_;
  std::uint64_t total_ = 0;
  std::map<std::string, std::uint64_t> by_verb_, by_resource_, by_verb_resource_, by_code_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::atomic<int> watches_{0};
};

// Buffered request log: DIR/<cluster>.requests.log, one line per request, plus the last entries
// in memory for GET /emulator/log.
class RequestLog {
 public:
  explicit RequestLog(const std::string& path);
  ~RequestLog();
  void add(const std::string& method, const std::string& path, const std::string& query, int status,
           double latency_ms, const std::string& user_agent);
  void flush();
  std::string recent_json(std::size_t limit) const;

 private:
  mutable std::mutex mutex_;
  std::ofstream out_;
  std::deque<std::string> recent_;  // JSON objects
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

}  // namespace emu
