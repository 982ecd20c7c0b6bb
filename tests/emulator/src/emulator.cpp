// Emulator and EmulatedCluster: the clusters, their controllers and the simulation registries.
#include <iostream>
#include <stdexcept>

#include "emulator.hpp"

namespace emu {

namespace {

std::vector<std::pair<std::string, SimulationInstaller>>& simulations() {
  static std::vector<std::pair<std::string, SimulationInstaller>> list;
  return list;
}
std::vector<SeedInfo>& seeds() {
  static std::vector<SeedInfo> list;
  return list;
}
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

SimulationRegistrar::SimulationRegistrar(std::string name, SimulationInstaller installer) {
  std::lock_guard lock(registry_mutex());
  simulations().emplace_back(std::move(name), std::move(installer));
}

SeedRegistrar::SeedRegistrar(std::string name, std::string description, SeedFunction seed) {
  std::lock_guard lock(registry_mutex());
  seeds().push_back({std::move(name), std::move(description), std::move(seed)});
}

std::vector<std::pair<std::string, SimulationInstaller>> registered_simulations() {
  std::lock_guard lock(registry_mutex());
  return simulations();
}

std::vector<SeedInfo> registered_seeds() {
  std::lock_guard lock(registry_mutex());
  return seeds();
}

void apply_seed(Emulator& emulator, const std::string& spec) {
  std::string name = spec, arg;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    name = spec.substr(0, colon);
    arg = spec.substr(colon + 1);
  }
  for (const auto& s : registered_seeds()) {
    if (s.name == name) {
      s.seed(emulator, arg);
      return;
    }
  }
  std::string known;
  for (const auto& s : registered_seeds()) known += (known.empty() ? "" : ", ") + s.name;
  throw std::runtime_error("unknown seed \"" + name + "\" (known: " + (known.empty() ? "none" : known) + ")");
}

// ---- EmulatedCluster -------------------------------------------------------------------------------

EmulatedCluster::EmulatedCluster(Emulator& emulator, std::string name)
    : emulator_(emulator), name_(name), store_(std::move(name)) {}

void EmulatedCluster::add_controller(std::unique_ptr<Controller> controller) {
  controllers_.push_back(std::move(controller));
  if (started_) controllers_.back()->start();
}

void EmulatedCluster::add_admin_handler(const std::string& name, AdminHandler handler) {
  admin_handlers_[name] = std::move(handler);
}

void EmulatedCluster::down(std::chrono::milliseconds duration) {
  std::uint64_t epoch;
  {
    std::lock_guard lock(down_mutex_);
    epoch = ++down_epoch_;
    down_ = true;
  }
  if (on_down_change) on_down_change(true);
  if (duration.count() > 0) {
    if (down_timer_.joinable()) {
      down_cv_.notify_all();
      down_timer_.join();
    }
    down_timer_ = std::thread([this, epoch, duration] {
      std::unique_lock lock(down_mutex_);
      if (down_cv_.wait_for(lock, duration, [&] { return down_epoch_ != epoch; })) return;
      lock.unlock();
      up();
    });
  }
}

void EmulatedCluster::up() {
  {
    std::lock_guard lock(down_mutex_);
    ++down_epoch_;
    if (!down_) return;
    down_ = false;
  }
  down_cv_.notify_all();
  if (on_down_change) on_down_change(false);
}

void EmulatedCluster::start_controllers() {
  started_ = true;
  for (auto& c : controllers_) c->start();
}

void EmulatedCluster::stop_controllers() {
  if (started_) {
    for (auto it = controllers_.rbegin(); it != controllers_.rend(); ++it) (*it)->stop();
  }
  started_ = false;
  {
    std::lock_guard lock(down_mutex_);
    ++down_epoch_;
  }
  down_cv_.notify_all();
  if (down_timer_.joinable() && down_timer_.get_id() != std::this_thread::get_id()) down_timer_.join();
}

// ---- Emulator --------------------------------------------------------------------------------------

Emulator::Emulator(const std::vector<std::string>& cluster_names, SimulationConfig config)
    : config_(std::move(config)), names_(cluster_names) {
  for (const auto& name : names_) {
    auto cluster = std::make_unique<EmulatedCluster>(*this, name);
    Store& store = cluster->store();
    for (auto& t : builtin_types()) store.types().add(std::move(t));
    // The namespaces every cluster has.
    TypeRef namespaces = store.types().find("", "v1", "namespaces");
    for (const char* ns : {"default", "kube-node-lease", "kube-public", "kube-system"}) {
      rapidjson::Document d(rapidjson::kObjectType);
      d.AddMember("apiVersion", "v1", d.GetAllocator());
      d.AddMember("kind", "Namespace", d.GetAllocator());
      rapidjson::Value meta(rapidjson::kObjectType);
      meta.AddMember("name", rapidjson::StringRef(ns), d.GetAllocator());
      d.AddMember("metadata", meta, d.GetAllocator());
      store.create(*namespaces, "", std::move(d));
    }
    if (config_.stork) {
      TypeRef crds = store.types().find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
      for (auto& crd : stork_crds()) store.create(*crds, "", std::move(crd));
    }
    clusters_.push_back(std::move(cluster));
  }
}

Emulator::~Emulator() {
  stop_controllers();
}

EmulatedCluster& Emulator::cluster(const std::string& name) {
  EmulatedCluster* c = find_cluster(name);
  if (c == nullptr) throw std::out_of_range("no cluster named " + name);
  return *c;
}

EmulatedCluster* Emulator::find_cluster(const std::string& name) {
  for (auto& c : clusters_) {
    if (c->name() == name) return c.get();
  }
  return nullptr;
}

std::vector<EmulatedCluster*> Emulator::clusters() {
  std::vector<EmulatedCluster*> out;
  for (auto& c : clusters_) out.push_back(c.get());
  return out;
}

void Emulator::install_simulation() {
  if (installed_) return;
  installed_ = true;
  for (const auto& [name, installer] : registered_simulations()) {
    try {
      installer(*this);
    } catch (const std::exception& e) {
      std::cerr << "kube-emulator: simulation " << name << " failed to install: " << e.what() << "\n";
      throw;
    }
  }
}

void Emulator::start_controllers() {
  for (auto& c : clusters_) c->start_controllers();
}

void Emulator::stop_controllers() {
  for (auto& c : clusters_) c->stop_controllers();
}

}  // namespace emu
