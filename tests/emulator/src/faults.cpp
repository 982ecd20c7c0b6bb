#include "faults.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ctime>
#include <sstream>
#include <stdexcept>

namespace emu {

FaultConfig Faults::get() const {
  std::lock_guard lock(mutex_);
  return config_;
}

void Faults::set(const FaultConfig& config) {
  std::lock_guard lock(mutex_);
  config_ = config;
}

void Faults::update_from_json(const rapidjson::Value& json) {
  if (!json.IsObject()) throw std::invalid_argument("faults must be a JSON object");
  std::lock_guard lock(mutex_);
  FaultConfig c = config_;
  for (const auto& m : json.GetObject()) {
    std::string k = m.name.GetString();
    auto number = [&]() {
      if (!m.value.IsNumber()) throw std::invalid_argument(k + " must be a number");
      return m.value.GetDouble();
    };
    auto rate = [&]() {
      double r = number();
      if (r < 0 || r > 1) throw std::invalid_argument(k + " must be between 0 and 1");
      return r;
    };
    if (k == "error_rate") {
      c.error_rate = rate();
    } else if (k == "throttle_rate") {
      c.throttle_rate = rate();
    } else if (k == "drop_rate") {
      c.drop_rate = rate();
    } else if (k == "latency_ms") {
      c.latency_ms = static_cast<int>(number());
    } else if (k == "retry_after_seconds") {
      c.retry_after_seconds = static_cast<int>(number());
    } else if (k == "error_codes") {
      if (!m.value.IsArray()) throw std::invalid_argument("error_codes must be an array");
      c.error_codes.clear();
      for (const auto& v : m.value.GetArray()) {
        if (!v.IsInt()) throw std::invalid_argument("error_codes must hold integers");
        c.error_codes.push_back(v.GetInt());
      }
      if (c.error_codes.empty()) c.error_codes = {500, 503};
    } else if (k == "only_verbs") {
      if (!m.value.IsString()) throw std::invalid_argument("only_verbs must be a string");
      c.only_verbs = m.value.GetString();
    } else {
      throw std::invalid_argument("unknown fault field: " + k);
    }
  }
  config_ = c;
}

std::string Faults::to_json() const {
  FaultConfig c = get();
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("error_rate");
  w.Double(c.error_rate);
  w.Key("error_codes");
  w.StartArray();
  for (int code : c.error_codes) w.Int(code);
  w.EndArray();
  w.Key("throttle_rate");
  w.Double(c.throttle_rate);
  w.Key("retry_after_seconds");
  w.Int(c.retry_after_seconds);
  w.Key("drop_rate");
  w.Double(c.drop_rate);
  w.Key("latency_ms");
  w.Int(c.latency_ms);
  w.Key("only_verbs");
  w.String(c.only_verbs);
  w.EndObject();
  return b.GetString();
}

Faults::Action Faults::draw(const std::string& verb, int& code, int& retry_after) {
  std::lock_guard lock(mutex_);
  const FaultConfig& c = config_;
  if (!c.only_verbs.empty()) {
    std::string list = "," + c.only_verbs + ",";
    if (list.find("," + verb + ",") == std::string::npos) return Action::None;
  }
  std::uniform_real_distribution<double> u(0, 1);
  if (c.error_rate > 0 && u(random_) < c.error_rate) {
    code = c.error_codes[random_() % c.error_codes.size()];
    return Action::Error;
  }
  if (c.throttle_rate > 0 && u(random_) < c.throttle_rate) {
    retry_after = c.retry_after_seconds;
    return Action::Throttle;
  }
  if (c.drop_rate > 0 && u(random_) < c.drop_rate) return Action::Drop;
  return Action::None;
}

// ---- Stats ----

void Stats::begin() {
  int now = ++in_flight_;
  int seen = max_in_flight_.load();
  while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
  }
}

void Stats::end(const std::string& verb, const std::string& resource, int code) {
  --in_flight_;
  std::lock_guard lock(mutex_);
  ++total_;
  ++by_verb_[verb];
  if (!resource.empty()) {
    ++by_resource_[resource];
    ++by_verb_resource_[verb + " " + resource];
  }
  ++by_code_[std::to_string(code)];
}

void Stats::watch_started() {
  ++watches_;
}
void Stats::watch_ended() {
  --watches_;
}

void Stats::reset() {
  std::lock_guard lock(mutex_);
  total_ = 0;
  by_verb_.clear();
  by_resource_.clear();
  by_verb_resource_.clear();
  by_code_.clear();
  max_in_flight_ = in_flight_.load();
}

std::string Stats::to_json() const {
  std::lock_guard lock(mutex_);
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  auto map = [&](const char* key, const std::map<std::string, std::uint64_t>& m) {
    w.Key(key);
    w.StartObject();
    for (const auto& [k, v] : m) {
      w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
      w.Uint64(v);
    }
    w.EndObject();
  };
  w.StartObject();
  w.Key("total");
  w.Uint64(total_);
  w.Key("in_flight");
  w.Int(in_flight_.load());
  w.Key("max_in_flight");
  w.Int(max_in_flight_.load());
  w.Key("watches");
  w.Int(watches_.load());
  map("by_verb", by_verb_);
  map("by_resource", by_resource_);
  map("by_verb_resource", by_verb_resource_);
  map("by_code", by_code_);
  w.EndObject();
  return b.GetString();
}

// ---- RequestLog ----

RequestLog::RequestLog(const std::string& path) {
  if (!path.empty()) out_.open(path, std::ios::app);
}

RequestLog::~RequestLog() {
  flush();
}

void RequestLog::add(const std::string& method, const std::string& path, const std::string& query, int status,
                     double latency_ms, const std::string& user_agent) {
  char stamp[32];
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("time");
  w.String(stamp);
  w.Key("method");
  w.String(method);
  w.Key("path");
  w.String(path);
  w.Key("query");
  w.String(query);
  w.Key("status");
  w.Int(status);
  w.Key("latency_ms");
  w.Double(static_cast<double>(static_cast<long long>(latency_ms * 1000)) / 1000);
  w.Key("user_agent");
  w.String(user_agent);
  w.EndObject();
  std::lock_guard lock(mutex_);
  if (out_) {
    out_ << stamp << ' ' << method << ' ' << path << (query.empty() ? "" : "?" + query) << ' ' << status
         << ' ' << latency_ms << "ms \"" << user_agent << "\"\n";
    auto now = std::chrono::steady_clock::now();
    if (now - last_flush_ > std::chrono::seconds(1)) {
      out_.flush();
      last_flush_ = now;
    }
  }
  recent_.emplace_back(b.GetString(), b.GetSize());
  if (recent_.size() > 2000) recent_.pop_front();
}

void RequestLog::flush() {
  std::lock_guard lock(mutex_);
  if (out_) out_.flush();
}

std::string RequestLog::recent_json(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  std::string out = "[";
  std::size_t start = recent_.size() > limit ? recent_.size() - limit : 0;
  for (std::size_t i = start; i < recent_.size(); ++i) {
    if (i > start) out += ",";
    out += recent_[i];
  }
  return out + "]";
}

}  // namespace emu
