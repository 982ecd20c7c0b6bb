// The Emulator: the clusters, their controllers, and the registries simulation and seed code plugs
// into (emulator.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store.hpp"

namespace emu {

class Emulator;
class EmulatedCluster;

// Something that runs inside a cluster while the emulator serves (a workload controller, Stork).
// start() is called after seeding, before the servers accept requests; stop() before shutdown.
class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;
  virtual void start() = 0;
  virtual void stop() = 0;
};

// Options the simulation may look at.
struct SimulationConfig {
  bool stork = true;  // false with --no-stork: Stork's CRDs are not installed, no Stork controllers
  std::map<std::string, std::string> settings;  // --sim KEY=VALUE (free-form, for simulation code)
};

// An answer of an admin handler: JSON body and HTTP code.
struct AdminReply {
  int code = 200;
  std::string body = "{}";
};
// A simulation-defined admin endpoint: POST/GET /emulator/sim/<name>; body is the request body.
using AdminHandler = std::function<AdminReply(const std::string& method, const std::string& body)>;

class EmulatedCluster {
 public:
  EmulatedCluster(Emulator& emulator, std::string name);

  const std::string& name() const { return name_; }
  Store& store() { return store_; }
  Emulator& emulator() { return emulator_; }

  // Controllers run while the emulator serves; add them from a SimulationInstaller.
  void add_controller(std::unique_ptr<Controller> controller);
  // Admin endpoints of the simulation (see AdminHandler).
  void add_admin_handler(const std::string& name, AdminHandler handler);
  const std::map<std::string, AdminHandler>& admin_handlers() const { return admin_handlers_; }

  // Cluster down: the listener closes (connection refused) for `duration` (forever when zero),
  // as if the API server were unreachable. up() brings it back. Set by the server layer.
  void down(std::chrono::milliseconds duration = std::chrono::milliseconds{0});
  void up();
  bool is_down() const { return down_.load(); }
  std::function<void(bool down)> on_down_change;  // the server layer's hook

  void start_controllers();
  void stop_controllers();

 private:
  Emulator& emulator_;
  std::string name_;
  Store store_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::map<std::string, AdminHandler> admin_handlers_;
  std::atomic<bool> down_{false};
  std::mutex down_mutex_;
  std::condition_variable down_cv_;
  std::uint64_t down_epoch_ = 0;
  std::thread down_timer_;
  bool started_ = false;
};

class Emulator {
 public:
  // Clusters in command-line order. Installs built-in types everywhere, and Stork's CRDs unless
  // config.stork is false.
  Emulator(const std::vector<std::string>& cluster_names, SimulationConfig config);
  ~Emulator();

  const SimulationConfig& config() const { return config_; }
  const std::vector<std::string>& cluster_names() const { return names_; }
  EmulatedCluster& cluster(const std::string& name);  // throws std::out_of_range
  EmulatedCluster* find_cluster(const std::string& name);
  std::vector<EmulatedCluster*> clusters();

  // Runs every registered SimulationInstaller (once), then starts the controllers.
  void install_simulation();
  void start_controllers();
  void stop_controllers();

 private:
  SimulationConfig config_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<EmulatedCluster>> clusters_;
  bool installed_ = false;
};

// --- Registries filled by static registrars in simulation/seed sources (sim_*.cpp, seeds.cpp):
//
//   static emu::SimulationRegistrar reg("stork", [](emu::Emulator& e) { ... add_controller ... });
//   static emu::SeedRegistrar seed("zookeeper-failover", "ZooKeeper on two clusters",
//                                  [](emu::Emulator& e, const std::string& arg) { ... });
//
// A seed named "scale" also answers "--seed scale:20:6" (everything after the first ':' is `arg`).
// The emulator_core library is an OBJECT library, so registrars are always linked in.

using SimulationInstaller = std::function<void(Emulator&)>;
using SeedFunction = std::function<void(Emulator&, const std::string& arg)>;

struct SimulationRegistrar {
  SimulationRegistrar(std::string name, SimulationInstaller installer);
};
struct SeedRegistrar {
  SeedRegistrar(std::string name, std::string description, SeedFunction seed);
};

struct SeedInfo {
  std::string name;
  std::string description;
  SeedFunction seed;
};
std::vector<std::pair<std::string, SimulationInstaller>> registered_simulations();
std::vector<SeedInfo> registered_seeds();
// Applies "--seed NAME[:ARG]"; throws std::runtime_error naming the known seeds when unknown.
void apply_seed(Emulator& emulator, const std::string& spec);

}  // namespace emu
