// What runs inside the emulated clusters besides the API: workload controllers (status follows
// spec, pods come and go) and Stork (ClusterDomainUpdates, scheduled Migrations between clusters).
// Plus the seeds that populate the clusters at start.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store.hpp"

namespace emu {

struct Clusters {
  std::vector<std::string> names;  // in command-line order
  std::map<std::string, std::shared_ptr<Cluster>> by_name;
  Cluster& operator[](const std::string& name) { return *by_name.at(name); }
};

struct SimulationOptions {
  bool workloads = true;
  bool stork = true;
  std::chrono::milliseconds ready_delay{200};
  bool minutes_as_seconds = false;  // demo: a schedule's intervalMinutes counts seconds
};

class Simulation {
 public:
  Simulation(Clusters& clusters, SimulationOptions options);
  ~Simulation();
  void start();
  void stop();
  // One pass of every controller (tests drive it directly).
  void tick();

 private:
  void reconcile_workloads(Cluster& cluster);
  void reconcile_workload(Cluster& cluster, const ResourceType& type, const std::string& ns, const std::string& name);
  void process_domain_updates(Cluster& cluster);
  void run_schedules(Cluster& cluster);
  void migrate(Cluster& source, const rapidjson::Document& schedule);
  bool domain_active(const std::string& domain);

  Clusters& clusters_;
  SimulationOptions options_;
  std::atomic<bool> running_{false};
  std::thread thread_;
  std::map<std::string, std::chrono::steady_clock::time_point> due_;          // workload key -> reconcile time
  std::map<std::string, std::chrono::steady_clock::time_point> last_migration_;  // schedule key -> last run
};

// Populates the clusters. Names: "zookeeper-failover", "scale:N:M". Error text on failure.
std::string apply_seed(const std::string& seed, Clusters& clusters);

}  // namespace emu
