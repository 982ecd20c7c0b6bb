// The request pattern of `storkctl activate migration`, reproduced as a benchmark baseline: one
// connection, one request at a time, unpaged lists per namespace and per kind in storkctl's order,
// and a full-object PUT of every workload it changes. Not a product: it exists so the benchmark
// compares kubectl-dr against what storkctl actually sends, measured on the same server.
//
//   storkctl-pattern [--kubeconfig F] [--pattern all|per-namespace] [--qps Q --burst B]
//
// --pattern all            storkctl activate migration -a: list namespaces, walk each, then list
//                          the MigrationSchedules of every namespace.
// --pattern per-namespace  storkctl activate migration -n NS once per namespace, as the Portworx
//                          documentation advises: probe up to 25 kinds for the migrationNamespace
//                          annotation, walk the namespace, list the schedules there.
// --qps/--burst            client-go's token-bucket throttle (storkctl's clients keep its default);
//                          off unless given, so the baseline is the pattern alone.
// Prints one JSON line: requests sent, writes, elapsed milliseconds.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "dr/commands/session.hpp"
#include "dr/kube/api_client.hpp"

namespace {

using dr::kube::ApiClient;
using dr::kube::ResourceType;
namespace types = dr::kube::types;

constexpr const char* kReplicasAnnotation = "stork.libopenstorage.org/migrationReplicas";
constexpr const char* kNamespaceAnnotation = "stork.libopenstorage.org/migrationNamespace";

// client-go's flowcontrol token bucket: `burst` requests at once, then `qps` per second.
class Throttle {
 public:
  Throttle(double qps, double burst) : qps_(qps), tokens_(burst), burst_(burst) {}
  void wait() {
    if (qps_ <= 0) return;
    auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
    last_ = now;
    if (tokens_ < 1) {
      std::this_thread::sleep_for(std::chrono::duration<double>((1 - tokens_) / qps_));
      last_ = std::chrono::steady_clock::now();
      tokens_ = 1;
    }
    tokens_ -= 1;
  }

 private:
  double qps_, tokens_, burst_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

const rapidjson::Value* member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

std::string annotation(const rapidjson::Value& object, const char* key) {
  const auto* metadata = member(object, "metadata");
  const auto* annotations = metadata ? member(*metadata, "annotations") : nullptr;
  const auto* value = annotations ? member(*annotations, key) : nullptr;
  return value && value->IsString() ? value->GetString() : std::string();
}

std::string name_of(const rapidjson::Value& object) {
  const auto* metadata = member(object, "metadata");
  const auto* name = metadata ? member(*metadata, "name") : nullptr;
  return name && name->IsString() ? name->GetString() : std::string();
}

// What the pattern adds to a listed object is allocated here. The pool starts with a chunk of its
// own because rapidjson 1.1's MemoryPoolAllocator::Realloc reads its current chunk before checking
// that it has one: growing a listed object's members with an empty pool crashes, as it did on a
// real API server, whose list items carry no apiVersion or kind for put() to add.
class ScratchPool {
 public:
  rapidjson::Document::AllocatorType& GetAllocator() { return allocator_; }

 private:
  alignas(std::max_align_t) std::array<char, 4096> first_chunk_{};
  rapidjson::Document::AllocatorType allocator_{first_chunk_.data(), first_chunk_.size()};
};

class Pattern {
 public:
  Pattern(ApiClient& client, Throttle& throttle) : client_(client), throttle_(throttle) {}

  // One unpaged list (client-go's List with empty ListOptions). A failed list of an optional
  // kind (not served: 404) is skipped, as storkctl does; any other failure aborts.
  template <class Each>
  bool list(const ResourceType& type, const std::string& ns, const std::string& selector, Each each) {
    throttle_.wait();
    dr::kube::ListOptions options;
    options.page_size = 0;
    options.label_selector = selector;
    auto listed = client_.list(type, type.namespaced ? ns : "", options,
                               [&](rapidjson::Value& items, std::string_view) -> dr::Result<void> {
                                 for (auto& item : items.GetArray()) each(item);
                                 return {};
                               });
    if (!listed && !listed.error().is_not_found()) {
      std::cerr << "error: " << listed.error().kubectl_line() << "\n";
      std::exit(1);
    }
    return static_cast<bool>(listed);
  }

  // storkctl updates the typed object it listed: the whole object goes back in a PUT.
  void put(const ResourceType& type, const std::string& ns, rapidjson::Value& item,
           rapidjson::Document::AllocatorType& allocator) {
    if (!item.HasMember("apiVersion"))
      item.AddMember("apiVersion", rapidjson::Value(type.api_version().c_str(), allocator), allocator);
    if (!item.HasMember("kind"))
      item.AddMember("kind", rapidjson::Value(type.kind.c_str(), allocator), allocator);
    throttle_.wait();
    auto updated = client_.update(type, ns, item);
    ++writes_;
    if (!updated) std::cerr << "Error updating " << type.kind << " " << ns << "/" << name_of(item) << "\n";
  }

  void set_replicas(const ResourceType& type, const std::string& ns, bool skip_owned) {
    ScratchPool scratch;
    list(type, ns, "", [&](rapidjson::Value& item) {
      if (skip_owned) {
        const auto* metadata = member(item, "metadata");
        if (metadata && member(*metadata, "ownerReferences")) return;
      }
      std::string recorded = annotation(item, kReplicasAnnotation);
      if (recorded.empty()) return;
      char* end = nullptr;
      long replicas = std::strtol(recorded.c_str(), &end, 10);
      if (end == recorded.c_str() || *end != '\0') return;  // "Error parsing replicas for app"
      auto* spec = item.HasMember("spec") ? &item["spec"] : nullptr;
      if (spec == nullptr) return;
      if (spec->HasMember("replicas"))
        (*spec)["replicas"].SetInt64(replicas);
      else
        spec->AddMember("replicas", rapidjson::Value(static_cast<int64_t>(replicas)), scratch.GetAllocator());
      put(type, ns, item, scratch.GetAllocator());
    });
  }

  // resourceutils.ScaleReplicas(ns, activate=true): the kinds in storkctl's order.
  void scale_replicas(const std::string& ns) {
    set_replicas(types::statefulsets, ns, false);
    set_replicas(types::deployments, ns, false);
    set_replicas(types::replicasets, ns, true);
    set_replicas(types::deploymentconfigs, ns, false);
    for (const char* kind : {"ibppeers", "ibpcas", "ibporderers", "ibpconsoles"}) {
      set_replicas(ResourceType{"ibp.com", "v1alpha1", kind, kind, true}, ns, false);
    }
    // VirtualMachines: storkctl only edits its in-memory copy (no write), but it lists them.
    list(types::virtualmachines, ns, "", [](rapidjson::Value&) {});
    // Custom resources: it lists the ApplicationRegistrations again for every namespace.
    std::vector<ResourceType> registered;
    list(types::applicationregistrations, "", "", [&](rapidjson::Value& item) {
      const auto* resources = member(item, "resources");
      if (!resources || !resources->IsArray()) return;
      for (const auto& r : resources->GetArray()) {
        const auto* group = member(r, "group");
        const auto* version = member(r, "version");
        const auto* kind = member(r, "kind");
        if (!group || !version || !kind || !group->IsString() || !version->IsString() || !kind->IsString())
          continue;
        std::string plural = kind->GetString();
        for (char& c : plural) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        plural += plural.back() == 's' ? "es" : "s";
        registered.push_back(
            ResourceType{group->GetString(), version->GetString(), plural, kind->GetString(), true});
      }
    });
    for (const auto& type : registered) list(type, ns, "", [](rapidjson::Value&) {});
    // Every CronJob gets spec.suspend = false, annotated or not.
    ScratchPool scratch;
    list(types::cronjobs, ns, "", [&](rapidjson::Value& item) {
      if (!item.HasMember("spec")) return;
      auto& spec = item["spec"];
      if (spec.HasMember("suspend"))
        spec["suspend"].SetBool(false);
      else
        spec.AddMember("suspend", false, scratch.GetAllocator());
      put(types::cronjobs, ns, item, scratch.GetAllocator());
    });
    // ConfigMaps stashing CRs of cluster-wide operators.
    list(types::configmaps, ns, "stash-cr", [](rapidjson::Value&) {});
  }

  // GetMigrationScheduleCRNamespace: the first of 25 kinds with an object carrying the
  // migrationNamespace annotation names the schedule's namespace.
  std::string probe_schedule_namespace(const std::string& ns) {
    static const std::vector<ResourceType> kinds = {
        {"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true},
        {"", "v1", "persistentvolumes", "PersistentVolume", true},
        types::statefulsets,
        types::deployments,
        types::deploymentconfigs,
        {"", "v1", "services", "Service", true},
        types::configmaps,
        {"apps", "v1", "daemonsets", "DaemonSet", true},
        types::replicasets,
        {"", "v1", "secrets", "Secret", true},
        {"", "v1", "serviceaccounts", "ServiceAccount", true},
        {"", "v1", "resourcequotas", "ResourceQuota", true},
        {"rbac.authorization.k8s.io", "v1", "roles", "Role", true},
        {"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true},
        {"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", true},
        {"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", true},
        {"batch", "v1", "jobs", "Job", true},
        types::cronjobs,
        {"", "v1", "limitranges", "LimitRange", true},
        {"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true},
        {"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations",
         "ValidatingWebhookConfiguration", true},
        {"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations",
         "MutatingWebhookConfiguration", true},
        {"image.openshift.io", "v1", "imagestreams", "ImageStream", true},
        {"template.openshift.io", "v1", "templates", "Template", true},
        {"route.openshift.io", "v1", "routes", "Route", true},
    };
    // The dynamic client namespaces every kind, cluster-scoped ones too (a real server answers 404).
    for (const auto& kind : kinds) {
      std::string found;
      throttle_.wait();
      dr::kube::ListOptions options;
      options.page_size = 0;
      auto listed =
          client_.list(kind, ns, options, [&](rapidjson::Value& items, std::string_view) -> dr::Result<void> {
            for (auto& item : items.GetArray()) {
              found = annotation(item, kNamespaceAnnotation);
              if (!found.empty()) break;
            }
            return {};
          });
      (void)listed;  // errors are skipped: the next kind is tried
      if (!found.empty()) return found;
    }
    return {};
  }

  void activate_schedules(const std::string& ns, const std::set<std::string>& activated) {
    ScratchPool scratch;
    list(types::migrationschedules, ns, "", [&](rapidjson::Value& item) {
      const auto* spec = member(item, "spec");
      const auto* tmpl = spec ? member(*spec, "template") : nullptr;
      const auto* tspec = tmpl ? member(*tmpl, "spec") : nullptr;
      const auto* namespaces = tspec ? member(*tspec, "namespaces") : nullptr;
      bool relevant = false;
      if (namespaces && namespaces->IsArray()) {
        for (const auto& n : namespaces->GetArray()) {
          if (n.IsString() && activated.count(n.GetString())) relevant = true;
        }
      }
      if (!relevant) return;
      if (!item.HasMember("status") || !item["status"].IsObject()) {
        item.RemoveMember("status");
        item.AddMember("status", rapidjson::Value(rapidjson::kObjectType), scratch.GetAllocator());
      }
      auto& status = item["status"];
      if (status.HasMember("applicationActivated"))
        status["applicationActivated"].SetBool(true);
      else
        status.AddMember("applicationActivated", true, scratch.GetAllocator());
      put(types::migrationschedules, ns, item, scratch.GetAllocator());
    });
  }

  void all_namespaces() {
    std::vector<std::string> namespaces;
    list(types::namespaces, "", "", [&](rapidjson::Value& item) { namespaces.push_back(name_of(item)); });
    const std::set<std::string> activated(namespaces.begin(), namespaces.end());
    for (const auto& ns : namespaces) scale_replicas(ns);
    for (const auto& ns : namespaces) activate_schedules(ns, activated);
  }

  // One `storkctl activate migration -n NS` per namespace (the namespaces are known up front, as
  // a user running the documented loop knows them; that list is not counted).
  void per_namespace(const std::vector<std::string>& namespaces) {
    for (const auto& ns : namespaces) {
      std::string schedule_ns = probe_schedule_namespace(ns);
      if (schedule_ns.empty()) schedule_ns = ns;
      scale_replicas(ns);
      activate_schedules(schedule_ns, {ns});
    }
  }

  std::size_t writes() const { return writes_; }

 private:
  ApiClient& client_;
  Throttle& throttle_;
  std::size_t writes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  dr::kube::ConfigOverrides overrides;
  std::string pattern = "all";
  double qps = 0, burst = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "error: missing value for " << arg << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--kubeconfig") {
      overrides.kubeconfig = value();
    } else if (arg == "--pattern") {
      pattern = value();
    } else if (arg == "--qps") {
      qps = std::atof(value().c_str());
    } else if (arg == "--burst") {
      burst = std::atof(value().c_str());
    } else {
      std::cerr
          << "usage: storkctl-pattern [--kubeconfig F] [--pattern all|per-namespace] [--qps Q --burst B]\n";
      return 2;
    }
  }
  if (pattern != "all" && pattern != "per-namespace") {
    std::cerr << "error: --pattern must be all or per-namespace\n";
    return 2;
  }
  dr::commands::ConnectOptions connect_options;
  connect_options.max_inflight = 1;  // one request at a time, one connection
  auto client = dr::commands::connect(overrides, connect_options, std::cerr);
  if (!client) {
    std::cerr << client.error().kubectl_line() << "\n";
    return 1;
  }
  Throttle throttle(qps, std::max(1.0, burst));
  Pattern run(**client, throttle);
  std::vector<std::string> namespaces;
  if (pattern == "per-namespace") {
    dr::kube::ListOptions options;
    auto listed =
        (*client)->list(types::namespaces, "", options, [&](rapidjson::Value& items, std::string_view) {
          for (auto& item : items.GetArray()) namespaces.push_back(name_of(item));
          return dr::Result<void>{};
        });
    if (!listed) {
      std::cerr << listed.error().kubectl_line() << "\n";
      return 1;
    }
  }
  const auto before = (*client)->transport().stats().requests;
  const auto started = std::chrono::steady_clock::now();
  if (pattern == "all")
    run.all_namespaces();
  else
    run.per_namespace(namespaces);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::cout << "{\"pattern\":\"" << pattern
            << "\",\"requests\":" << (*client)->transport().stats().requests - before
            << ",\"writes\":" << run.writes() << ",\"elapsedMilliseconds\":" << elapsed.count() << "}\n";
  return 0;
}
