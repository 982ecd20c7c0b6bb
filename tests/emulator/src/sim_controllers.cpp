// The controller threads: a workload controller per cluster, driven by the store's events with
// timers for pod readiness, and one Stork controller for all clusters (one Portworx cluster spans
// them). Both work on the stores in-process, so they never count as API clients. Registered with
// SimulationRegistrar, so the emulator installs them on its own.
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "sim.hpp"

namespace emu::sim {

SimOptions options_from(const SimulationConfig& config) {
  SimOptions o;
  auto get = [&](const char* key) -> std::string {
    auto it = config.settings.find(key);
    return it == config.settings.end() ? std::string() : it->second;
  };
  if (std::string v = get("ready-delay-ms"); !v.empty()) o.ready_delay_ms = std::max(0, std::atoi(v.c_str()));
  auto off = [](const std::string& v) { return v == "off" || v == "false" || v == "0" || v == "no"; };
  auto on = [](const std::string& v) { return v == "on" || v == "true" || v == "1" || v == "yes"; };
  if (off(get("workload-controller"))) o.workloads = false;
  if (off(get("stork-controller"))) o.stork = false;
  if (on(get("minutes-as-seconds"))) o.minutes_as_seconds = true;
  if (const char* env = std::getenv("KUBE_EMULATOR_MINUTES_AS_SECONDS"); env && on(env))
    o.minutes_as_seconds = true;
  return o;
}

namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // plural, namespace, name

bool is_apps(const TypeRef& t) {
  return t && t->group == "apps" &&
         (t->plural == "statefulsets" || t->plural == "deployments" || t->plural == "replicasets");
}

// The first owner reference (kind, name).
std::pair<std::string, std::string> owner_of(const Val& obj) {
  const Val* refs = find_path(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->IsArray() || refs->Empty()) return {};
  return {get_string((*refs)[0], {"kind"}), get_string((*refs)[0], {"name"})};
}

// True when the status already reflects the spec (the resync at start skips those).
bool converged(const Val& d) {
  int64_t replicas = get_int(d, {"spec", "replicas"}, 1);
  return get_int(d, {"status", "observedGeneration"}, -1) == get_int(d, {"metadata", "generation"}, 1) &&
         get_int(d, {"status", "replicas"}) == replicas &&
         get_int(d, {"status", "readyReplicas"}) == replicas;
}

class WorkloadController : public Controller {
 public:
  WorkloadController(Cluster& c, SimOptions o) : c_(c), rec_(std::chrono::milliseconds(o.ready_delay_ms)) {}
  ~WorkloadController() override { stop(); }
  std::string name() const override { return "workloads"; }

  void start() override {
    if (thread_.joinable()) return;
    stop_ = false;
    sub_ = c_.store().subscribe(WatchFilter{}, [this](const WatchEvent& e) { on_event(e); });
    subscribed_ = true;
    auto now = Clock::now();
    for (const char* plural : {"statefulsets", "deployments", "replicasets"}) {
      auto t = resource(c_, "apps", plural);
      if (!t) continue;
      for (auto& o : list_docs(c_, *t)) {
        if (std::string(plural) == "replicasets" && !owner_of(*o).first.empty()) continue;
        if (!converged(*o)) enqueue(plural, namespace_of(*o), name_of(*o), now);
      }
    }
    thread_ = std::thread([this] { loop(); });
  }

  void stop() override {
    if (subscribed_) {
      c_.store().unsubscribe(sub_);
      subscribed_ = false;
    }
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void enqueue(const std::string& plural, const std::string& ns, const std::string& name,
               Clock::time_point t) {
    std::lock_guard lk(mu_);
    auto [it, inserted] = due_.emplace(Key{plural, ns, name}, t);
    if (!inserted && t < it->second) it->second = t;
  }

  void on_event(const WatchEvent& e) {
    if (!e.resource || !e.object) return;
    auto now = Clock::now();
    if (is_apps(e.resource)) {
      if (e.resource->plural == "replicasets") {
        auto [kind, owner] = owner_of(*e.object);
        if (kind == "Deployment") {
          enqueue("deployments", namespace_of(*e.object), owner, now);
          cv_.notify_all();
          return;
        }
      }
      enqueue(e.resource->plural, namespace_of(*e.object), name_of(*e.object), now);
      cv_.notify_all();
    } else if (e.resource->group.empty() && e.resource->plural == "pods" &&
               e.type == WatchEvent::Type::Deleted) {
      auto [kind, owner] = owner_of(*e.object);
      {
        std::lock_guard lk(mu_);
        forget_.emplace_back(namespace_of(*e.object), name_of(*e.object));
      }
      if (kind == "StatefulSet") enqueue("statefulsets", namespace_of(*e.object), owner, now);
      if (kind == "ReplicaSet") enqueue("replicasets", namespace_of(*e.object), owner, now);
      cv_.notify_all();
    }
  }

  void loop() {
    while (true) {
      std::vector<Key> ready;
      std::vector<std::pair<std::string, std::string>> forget;
      {
        std::unique_lock lk(mu_);
        auto next = Clock::now() + std::chrono::milliseconds(500);
        for (auto& [k, t] : due_) next = std::min(next, t);
        cv_.wait_until(lk, next, [&] {
          if (stop_ || !forget_.empty()) return true;
          auto now = Clock::now();
          for (auto& [k, t] : due_)
            if (t <= now) return true;
          return false;
        });
        if (stop_) return;
        auto now = Clock::now();
        for (auto it = due_.begin(); it != due_.end();) {
          if (it->second <= now) {
            ready.push_back(it->first);
            it = due_.erase(it);
          } else {
            ++it;
          }
        }
        forget.swap(forget_);
      }
      for (auto& [ns, name] : forget) rec_.forget_pod(ns, name);
      for (auto& k : ready) {
        WorkloadStep step;
        try {
          step = rec_.reconcile(c_, std::get<0>(k), std::get<1>(k), std::get<2>(k), Clock::now());
        } catch (const std::exception&) {
          continue;  // e.g. the namespace is terminating: the next event retries
        }
        if (step.pending) enqueue(std::get<0>(k), std::get<1>(k), std::get<2>(k), step.ready_at);
      }
    }
  }

  Cluster& c_;
  WorkloadReconciler rec_;  // used on the loop thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, Clock::time_point> due_;
  std::vector<std::pair<std::string, std::string>> forget_;
  bool stop_ = false;
  bool subscribed_ = false;
  SubscriptionId sub_ = 0;
  std::thread thread_;
};

class StorkController : public Controller {
 public:
  StorkController(Emulator& e, SimOptions o) : e_(e) { so_.minutes_as_seconds = o.minutes_as_seconds; }
  ~StorkController() override { stop(); }
  std::string name() const override { return "stork"; }

  void start() override {
    if (thread_.joinable()) return;
    stop_ = false;
    for (auto* c : e_.clusters())
      subs_.emplace_back(
          c, c->store().subscribe(WatchFilter{}, [this, c](const WatchEvent& ev) { on_event(c, ev); }));
    thread_ = std::thread([this] { loop(); });
  }

  void stop() override {
    for (auto& [c, id] : subs_) c->store().unsubscribe(id);
    subs_.clear();
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  using CKey = std::tuple<Cluster*, std::string, std::string>;

  void on_event(Cluster* c, const WatchEvent& ev) {
    if (!ev.resource || !ev.object || ev.resource->group != kStorkGroup) return;
    if (ev.type == WatchEvent::Type::Deleted) return;
    const std::string& p = ev.resource->plural;
    CKey k{c, namespace_of(*ev.object), name_of(*ev.object)};
    {
      std::lock_guard lk(mu_);
      if (p == "clusterdomainupdates")
        cdus_.insert(k);
      else if (p == "migrations")
        migrations_.insert(k);
      else if (p == "migrationschedules")
        schedules_.insert(k);
      else if (p == "actions")
        actions_.insert(k);
      else if (p == "clusterdomainsstatuses" || p == "schedulepolicies" || p == "clusterpairs")
        rescan_ = true;
      else
        return;
    }
    cv_.notify_all();
  }

  void scan() {
    for (auto* c : e_.clusters())
      for (auto [plural, set] :
           {std::pair{"clusterdomainupdates", &cdus_}, std::pair{"migrations", &migrations_},
            std::pair{"migrationschedules", &schedules_}, std::pair{"actions", &actions_}}) {
        auto t = stork_resource(*c, plural);
        if (!t) continue;
        for (auto& o : list_docs(*c, *t)) set->insert({c, namespace_of(*o), name_of(*o)});
      }
  }

  void loop() {
    {
      std::lock_guard lk(mu_);
      rescan_ = true;
    }
    while (true) {
      std::set<CKey> cdus, migrations, schedules, actions;
      {
        std::unique_lock lk(mu_);
        if (stop_) return;
        if (rescan_) {
          rescan_ = false;
          scan();
        }
        cdus.swap(cdus_);
        migrations.swap(migrations_);
        schedules = active_;
        schedules.insert(schedules_.begin(), schedules_.end());
        schedules_.clear();
        actions.swap(actions_);
        actions.insert(active_actions_.begin(), active_actions_.end());
      }
      try {
        for (auto& [c, ns, name] : cdus) process_cluster_domain_update(e_, *c, name);
        for (auto& [c, ns, name] : migrations) execute_migration(e_, *c, ns, name);
        std::set<CKey> still_active;
        for (auto& k : schedules) {
          bool active = false;
          reconcile_schedule(e_, *std::get<0>(k), std::get<1>(k), std::get<2>(k), so_, std::time(nullptr),
                             &active);
          if (active) still_active.insert(k);
        }
        std::set<CKey> actions_left;
        for (auto& k : actions)
          if (reconcile_action(e_, *std::get<0>(k), std::get<1>(k), std::get<2>(k))) actions_left.insert(k);
        std::lock_guard lk(mu_);
        active_ = std::move(still_active);
        active_actions_ = std::move(actions_left);
      } catch (const std::exception&) {
        // a refused write (e.g. a terminating namespace): the next pass retries
      }
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(100),
                   [&] { return stop_ || rescan_ || !cdus_.empty() || !migrations_.empty(); });
      if (stop_) return;
    }
  }

  Emulator& e_;
  StorkOptions so_;
  std::vector<std::pair<Cluster*, SubscriptionId>> subs_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<CKey> cdus_, migrations_, schedules_, active_, actions_, active_actions_;
  bool rescan_ = false;
  bool stop_ = false;
  std::thread thread_;
};

// POST /emulator/sim/migrate {"namespace":NS,"schedule":NAME}: a migration of that schedule now,
// from this cluster, whatever its policy says (demos, tests). Answers the Migration's outcome.
AdminReply migrate_now(Emulator& e, Cluster& c, const std::string& method, const std::string& body) {
  if (method != "POST") return {405, R"({"error":"use POST"})"};
  Doc req = parse(body);
  std::string ns = get_string(req, {"namespace"}), name = get_string(req, {"schedule"});
  auto ms_r = stork_resource(c, "migrationschedules");
  Object ms = ms_r ? get_object(c, *ms_r, ns, name) : nullptr;
  if (!ms) return {404, R"({"error":"no such MigrationSchedule"})"};
  std::string mig = start_migration(c, *ms, "Interval", std::time(nullptr));
  execute_migration(e, c, ns, mig);  // unless the controller's thread got there first
  MigrationResult r = await_migration_outcome(c, ns, mig, std::chrono::seconds(60));
  reconcile_schedule(e, c, ns, name, StorkOptions{}, std::time(nullptr));
  return {200, "{\"migration\":" + quote(mig) + ",\"status\":" + quote(r.status) +
                   ",\"reason\":" + quote(r.reason) + ",\"resources\":" + std::to_string(r.resources) + "}"};
}

const SimulationRegistrar kWorkloads("workloads", [](Emulator& e) {
  SimOptions o = options_from(e.config());
  if (!o.workloads) return;
  for (auto* c : e.clusters()) c->add_controller(std::make_unique<WorkloadController>(*c, o));
});

const SimulationRegistrar kStork("stork", [](Emulator& e) {
  SimOptions o = options_from(e.config());
  if (!e.config().stork || e.clusters().empty()) return;
  for (auto* c : e.clusters()) ensure_cluster_domains_status(e, *c);
  for (auto* c : e.clusters())
    c->add_admin_handler("migrate", [&e, c](const std::string& method, const std::string& body) {
      return migrate_now(e, *c, method, body);
    });
  if (o.stork) e.clusters().front()->add_controller(std::make_unique<StorkController>(e, o));
});

}  // namespace

}  // namespace emu::sim
