// The admin API under /emulator/: info, stats, the request log, faults, the deny list, forced
// conflicts, history and compaction, clusters down and up, snapshots, and the simulation's own
// endpoints (/emulator/sim/NAME).
#include "server_internal.hpp"

namespace emu {

void ClusterServer::Impl::admin(const httplib::Request& req, httplib::Response& res) {
  std::string target_cluster = param(req, "cluster");
  if (!target_cluster.empty() && target_cluster != cluster.name()) {
    EmulatedCluster* other = cluster.emulator().find_cluster(target_cluster);
    if (other == nullptr)
      return write_json(res, 404, "{\"error\":\"no cluster named " + target_cluster + "\"}");
    // Only cluster-level operations make sense across clusters.
    if (req.path == "/emulator/down" || req.path == "/emulator/up") {
      return down_up(req, res, *other);
    }
    return write_json(res, 400,
                      "{\"error\":\"?cluster= is only supported for /emulator/down and /emulator/up\"}");
  }
  const std::string& p = req.path;
  const std::string& m = req.method;
  auto body = [&]() {
    rapidjson::Document d;
    if (req.body.empty()) {
      d.SetObject();
      return d;
    }
    d.Parse(req.body.data(), req.body.size());
    if (d.HasParseError()) throw std::invalid_argument("the body is not JSON");
    return d;
  };
  try {
    if (p == "/emulator/faults") {
      if (m == "POST" || m == "PUT" || m == "PATCH") faults.update_from_json(body());
      if (m == "DELETE") faults.set(FaultConfig{});
      return write_json(res, 200, faults.to_json());
    }
    if (p == "/emulator/stats") {
      if (m == "DELETE" || (m == "POST" && truthy(param(req, "reset")))) stats.reset();
      return write_json(res, 200, stats.to_json());
    }
    if (p == "/emulator/log") {
      log.flush();
      std::string limit = param(req, "limit");
      return write_json(res, 200, log.recent_json(limit.empty() ? 200 : std::stoul(limit)));
    }
    if (p == "/emulator/compact") {
      store.compact();
      return write_json(res, 200,
                        "{\"compactedRevision\":" + std::to_string(store.compacted_revision()) + "}");
    }
    if (p == "/emulator/history") {
      auto d = body();
      if (const rapidjson::Value* l = value_at(d, {"limit"}); l != nullptr && l->IsUint64()) {
        store.set_history_limit(l->GetUint64());
      }
      return write_json(res, 200,
                        "{\"resourceVersion\":" + std::to_string(store.resource_version()) +
                            ",\"compactedRevision\":" + std::to_string(store.compacted_revision()) + "}");
    }
    if (p == "/emulator/deny") return deny_request(req, res, body);
    if (p == "/emulator/conflicts") return conflicts(res, body());
    if (p == "/emulator/down" || p == "/emulator/up") return down_up(req, res, cluster);
    if (p == "/emulator/snapshot") {
      if (!owner.save_snapshot)
        return write_json(res, 400, "{\"error\":\"snapshots are not enabled (--snapshot)\"}");
      return write_json(res, 200, "{\"path\":\"" + owner.save_snapshot() + "\"}");
    }
    if (p.rfind("/emulator/sim/", 0) == 0) {
      std::string name = p.substr(std::strlen("/emulator/sim/"));
      const auto& handlers = cluster.admin_handlers();
      auto it = handlers.find(name);
      if (it == handlers.end())
        return write_json(res, 404, "{\"error\":\"no simulation endpoint " + name + "\"}");
      AdminReply r = it->second(m, req.body);
      return write_json(res, r.code, r.body);
    }
    if (p == "/emulator/info" || p == "/emulator") {
      std::string handlers;
      for (const auto& [name, h] : cluster.admin_handlers())
        handlers += (handlers.empty() ? "\"" : ",\"") + name + "\"";
      return write_json(res, 200,
                        "{\"cluster\":\"" + cluster.name() + "\",\"port\":" + std::to_string(port) +
                            ",\"resourceVersion\":" + std::to_string(store.resource_version()) +
                            ",\"simulationEndpoints\":[" + handlers + "]}");
    }
  } catch (const std::invalid_argument& e) {
    return write_json(res, 400, "{\"error\":\"" + std::string(e.what()) + "\"}");
  }
  write_json(res, 404, "{\"error\":\"unknown admin endpoint " + p + "\"}");
}

template <typename BodyFn>
void ClusterServer::Impl::deny_request(const httplib::Request& req, httplib::Response& res, BodyFn body) {
  {
    std::lock_guard lock(deny_mutex);
    if (req.method == "DELETE") deny.clear();
    if (req.method == "POST" || req.method == "PUT") {
      auto d = body();
      auto strings = [&](const char* key, auto fn) {
        const rapidjson::Value* v = value_at(d, {key});
        if (v == nullptr) return;
        if (!v->IsArray())
          throw std::invalid_argument(std::string(key) + " must be an array of \"verb:resource\"");
        for (const auto& s : v->GetArray()) {
          if (!s.IsString() || std::string(s.GetString()).find(':') == std::string::npos) {
            throw std::invalid_argument(std::string(key) + " entries look like \"patch:statefulsets\"");
          }
          fn(std::string(s.GetString()));
        }
      };
      if (value_at(d, {"deny"}) != nullptr) deny.clear();
      strings("deny", [&](const std::string& s) { deny.insert(s); });
      strings("add", [&](const std::string& s) { deny.insert(s); });
      strings("remove", [&](const std::string& s) { deny.erase(s); });
    }
  }
  std::lock_guard lock(deny_mutex);
  std::string out = "{\"deny\":[";
  bool first = true;
  for (const auto& d : deny) {
    out += (first ? "\"" : ",\"") + d + "\"";
    first = false;
  }
  write_json(res, 200, out + "]}");
}

void ClusterServer::Impl::conflicts(httplib::Response& res, const rapidjson::Document& d) {
  std::string group = str_at(d, {"group"}), plural = str_at(d, {"resource"});
  if (auto dot = plural.find('.'); dot != std::string::npos) {
    group = plural.substr(dot + 1);
    plural = plural.substr(0, dot);
  }
  TypeRef type = store.types().find(group, plural);
  if (!type) throw std::invalid_argument("unknown resource " + plural + (group.empty() ? "" : "." + group));
  const rapidjson::Value* count = value_at(d, {"count"});
  int n = count != nullptr && count->IsInt() ? count->GetInt() : 1;
  store.force_conflicts(*type, str_at(d, {"namespace"}), str_at(d, {"name"}), n);
  write_json(res, 200, "{\"resource\":\"" + type->qualified() + "\",\"count\":" + std::to_string(n) + "}");
}

void ClusterServer::Impl::down_up(const httplib::Request& req, httplib::Response& res,
                                  EmulatedCluster& which) {
  if (req.path == "/emulator/up") {
    std::thread([&which] { which.up(); }).detach();
    return write_json(res, 200, "{\"cluster\":\"" + which.name() + "\",\"down\":false}");
  }
  long long ms = 0;
  std::string duration = param(req, "duration");
  if (!duration.empty()) {
    char* end = nullptr;
    double v = std::strtod(duration.c_str(), &end);
    std::string unit = end != nullptr ? end : "";
    if (unit.empty() || unit == "s") {
      ms = static_cast<long long>(v * 1000);
    } else if (unit == "ms") {
      ms = static_cast<long long>(v);
    } else if (unit == "m") {
      ms = static_cast<long long>(v * 60000);
    } else {
      return write_json(res, 400, "{\"error\":\"duration looks like 5s, 500ms or 2m\"}");
    }
  }
  // Answer first; the listener closes right after.
  std::thread([&which, ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    which.down(std::chrono::milliseconds(ms));
  }).detach();
  write_json(
      res, 200,
      "{\"cluster\":\"" + which.name() + "\",\"down\":true,\"duration_ms\":" + std::to_string(ms) + "}");
}

}  // namespace emu
