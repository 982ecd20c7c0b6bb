// --wait for activations and deactivations: poll each workload the report names until its
// controller reports it settled (ready, or stopped), or the time is up.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "dr/commands/activation.hpp"
#include "dr/stork/object.hpp"

namespace dr::commands {

namespace {

struct Awaited {
  const WorkloadResult* result;
  std::int64_t desired;
  bool done = false;
};

// Ready (scale-up): the controller has seen the new spec and reports `desired` ready replicas.
// Stopped (scale-down, desired 0): it has seen the new spec and reports no replicas at all, ready
// or not: every pod it counts is gone (a StatefulSet counts its terminating pods too).
bool workload_settled(const rapidjson::Value& object, std::int64_t desired) {
  auto generation = stork::int_at(object, "metadata.generation");
  auto observed = stork::int_at(object, "status.observedGeneration");
  if (generation && observed && *observed < *generation) return false;
  if (desired == 0) {
    return stork::int_at(object, "status.replicas").value_or(0) == 0 &&
           stork::int_at(object, "status.readyReplicas").value_or(0) == 0 &&
           stork::int_at(object, "status.availableReplicas").value_or(0) == 0;
  }
  return stork::int_at(object, "status.readyReplicas").value_or(0) >= desired;
}

}  // namespace

std::string_view wait_goal(stork::Mode mode) {
  return mode == stork::Mode::ActivateMigration ? "ready" : "at 0 replicas";
}

Result<void> wait_for_workloads(kube::ApiClient& client, const ActivationReport& report, stork::Mode mode,
                                std::chrono::milliseconds timeout,
                                const std::function<void(const std::string&)>& progress) {
  const bool scaling_down = mode != stork::Mode::ActivateMigration;
  const std::string goal(wait_goal(mode));
  // Group what to wait for by type and namespace so each poll is one list per (type, namespace).
  std::map<std::string, std::map<std::string, std::vector<Awaited>>> by_type;  // api/kind -> ns -> items
  std::map<std::string, kube::ResourceType> types;
  std::size_t total = 0;
  for (const auto& result : report.workloads) {
    if (result.field != "spec.replicas") continue;
    // Skipped ones with a field are those left running above their count (skipped: running).
    if (result.outcome != Outcome::Updated && result.outcome != Outcome::Unchanged &&
        result.outcome != Outcome::Skipped)
      continue;
    // An unchanged (or running) workload is at its wanted count: wait for spec.replicas (-1).
    // Deactivation always waits for 0, whatever spec.replicas says by the time it is read.
    std::int64_t desired = scaling_down ? 0 : -1;
    if (!scaling_down && result.outcome == Outcome::Updated && !result.to.empty())
      desired = std::stoll(result.to);
    const std::string key = result.type.api_version() + "/" + result.type.plural;
    types.emplace(key, result.type);
    by_type[key][result.namespace_name].push_back({&result, desired});
    ++total;
  }
  if (total == 0) return {};

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t settled = 0;
  while (true) {
    for (auto& [key, namespaces] : by_type) {
      const auto& type = types.at(key);
      for (auto& [ns, awaited] : namespaces) {
        if (std::all_of(awaited.begin(), awaited.end(), [](const Awaited& a) { return a.done; })) continue;
        std::map<std::string_view, Awaited*> by_name;
        for (auto& a : awaited) {
          if (!a.done) by_name.emplace(a.result->name, &a);
        }
        auto listed =
            client.list(type, ns, {}, [&](rapidjson::Value& items, std::string_view) -> Result<void> {
              for (auto& item : items.GetArray()) {
                auto it = by_name.find(stork::object_name(item));
                if (it == by_name.end()) continue;
                auto& a = *it->second;
                std::int64_t desired =
                    a.desired >= 0 ? a.desired : stork::int_at(item, "spec.replicas").value_or(1);
                if (workload_settled(item, desired)) {
                  a.done = true;
                  ++settled;
                }
              }
              return {};
            });
        if (!listed) return std::move(listed).error().wrap("waiting for workloads in namespace " + ns);
      }
    }
    if (progress) progress(std::to_string(settled) + "/" + std::to_string(total) + " workloads " + goal);
    if (settled == total) return {};
    if (client.transport().cancelled()) return Error::make(ErrorCode::Cancelled, "interrupted while waiting");
    if (timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {  // 0 = no limit
      std::string waiting;
      std::size_t named = 0;
      for (const auto& [key, namespaces] : by_type) {
        for (const auto& [ns, awaited] : namespaces) {
          for (const auto& a : awaited) {
            if (a.done) continue;
            if (named++ < 5)
              waiting += (waiting.empty() ? "" : ", ") + a.result->label + " " + ns + "/" + a.result->name;
          }
        }
      }
      if (named > 5) waiting += " and " + std::to_string(named - 5) + " more";
      return Error::make(ErrorCode::Timeout, "timed out waiting for " + std::to_string(total - settled) +
                                                 " of " + std::to_string(total) + " workloads to be " + goal +
                                                 ": " + waiting);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace dr::commands
