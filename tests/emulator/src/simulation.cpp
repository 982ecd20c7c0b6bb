#include "simulation.hpp"

#include <ctime>
#include <functional>
#include <random>

#include "types.hpp"

namespace emu {

namespace {

const char* kReplicasAnnotation = "stork.libopenstorage.org/migrationReplicas";
const char* kDocsReplicasAnnotation = "stork.openstorage.org/migrationReplicas";

std::string str(const rapidjson::Value& object, std::initializer_list<const char*> path) {
  const rapidjson::Value* node = &object;
  for (const char* key : path) {
    if (!node->IsObject() || !node->HasMember(key)) return {};
    node = &(*node)[key];
  }
  return node->IsString() ? node->GetString() : std::string();
}

long long num(const rapidjson::Value& object, std::initializer_list<const char*> path, long long fallback) {
  const rapidjson::Value* node = &object;
  for (const char* key : path) {
    if (!node->IsObject() || !node->HasMember(key)) return fallback;
    node = &(*node)[key];
  }
  return node->IsInt64() ? node->GetInt64() : fallback;
}

bool flag(const rapidjson::Value& object, std::initializer_list<const char*> path) {
  const rapidjson::Value* node = &object;
  for (const char* key : path) {
    if (!node->IsObject() || !node->HasMember(key)) return false;
    node = &(*node)[key];
  }
  return node->IsBool() && node->GetBool();
}

rapidjson::Value& ensure_object(rapidjson::Value& parent, const char* key, rapidjson::Document::AllocatorType& a) {
  if (!parent.HasMember(key) || !parent[key].IsObject()) {
    if (parent.HasMember(key)) parent.RemoveMember(key);
    parent.AddMember(rapidjson::Value(key, a), rapidjson::Value(rapidjson::kObjectType), a);
  }
  return parent[key];
}

void set(rapidjson::Value& object, const char* key, rapidjson::Value value, rapidjson::Document::AllocatorType& a) {
  if (object.HasMember(key)) {
    object[key] = value;
  } else {
    object.AddMember(rapidjson::Value(key, a), value, a);
  }
}

std::string timestamp(std::time_t when) {
  std::tm utc{};
  gmtime_r(&when, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string hash_hex(const std::string& text, std::size_t length) {
  std::size_t h = std::hash<std::string>{}(text);
  static const char digits[] = "bcdf6789abcd45";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    out += digits[h % 14];
    h /= 7;
    if (h == 0) h = std::hash<std::string>{}(text + out);
  }
  return out;
}

std::string random_name(std::size_t length) {
  static thread_local std::mt19937 random{std::random_device{}()};
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += alphabet[random() % (sizeof alphabet - 1)];
  return out;
}

Reply create_json(Cluster& cluster, const ResourceType& type, const std::string& json) {
  rapidjson::Document object;
  object.Parse(json.c_str(), json.size());
  return cluster.create_object(type, std::move(object));
}

}  // namespace

Simulation::Simulation(Clusters& clusters, SimulationOptions options) : clusters_(clusters), options_(options) {}

Simulation::~Simulation() { stop(); }

void Simulation::start() {
  running_ = true;
  thread_ = std::thread([this] {
    while (running_) {
      tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void Simulation::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

void Simulation::tick() {
  for (const auto& name : clusters_.names) {
    auto& cluster = clusters_[name];
    if (options_.workloads) reconcile_workloads(cluster);
    if (options_.stork) {
      process_domain_updates(cluster);
      run_schedules(cluster);
    }
  }
}

// --- workloads: status follows spec after a delay, pods appear and disappear -----------------

void Simulation::reconcile_workloads(Cluster& cluster) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto* type : {&types::statefulsets, &types::deployments}) {
    for (const auto& key : cluster.take_dirty(type->key())) {
      auto full = cluster.name() + " " + type->key() + " " + key;
      if (!due_.count(full)) due_[full] = now + options_.ready_delay;
    }
  }
  for (auto it = due_.begin(); it != due_.end();) {
    if (it->first.rfind(cluster.name() + " ", 0) != 0 || it->second > now) {
      ++it;
      continue;
    }
    // "<cluster> <group/plural> <ns>/<name>"
    auto first = it->first.find(' ');
    auto second = it->first.find(' ', first + 1);
    std::string type_key = it->first.substr(first + 1, second - first - 1);
    std::string object_key = it->first.substr(second + 1);
    auto slash = object_key.find('/');
    const auto& type = type_key == types::statefulsets.key() ? types::statefulsets : types::deployments;
    it = due_.erase(it);
    reconcile_workload(cluster, type, object_key.substr(0, slash), object_key.substr(slash + 1));
  }
}

void Simulation::reconcile_workload(Cluster& cluster, const ResourceType& type, const std::string& ns,
                                    const std::string& name) {
  auto workload = cluster.find(type, ns, name);
  const long long desired = workload ? std::max(0LL, num(*workload, {"spec", "replicas"}, 1)) : 0;
  const bool stateful = type.plural == "statefulsets";

  // Pods owned by this workload.
  std::vector<std::string> owned;
  for (const auto& pod : cluster.snapshot(types::pods, ns)) {
    const auto& metadata = (*pod)["metadata"];
    if (!metadata.HasMember("ownerReferences") || !metadata["ownerReferences"].IsArray()) continue;
    for (const auto& owner : metadata["ownerReferences"].GetArray()) {
      if (str(owner, {"name"}) == (stateful ? name : name + "-" + hash_hex(name, 10)) &&
          str(owner, {"kind"}) == (stateful ? "StatefulSet" : "ReplicaSet")) {
        owned.push_back(str(*pod, {"metadata", "name"}));
      }
    }
  }
  std::sort(owned.begin(), owned.end());
  if (stateful) {
    // Highest ordinal goes first; missing ordinals are created in order.
    for (const auto& pod : owned) {
      auto dash = pod.rfind('-');
      long long ordinal = std::stoll(pod.substr(dash + 1));
      if (ordinal >= desired) cluster.remove(types::pods, ns, pod, false);
    }
  } else {
    for (std::size_t i = static_cast<std::size_t>(desired); i < owned.size(); ++i) cluster.remove(types::pods, ns, owned[i], false);
  }
  if (!workload) return;

  std::string containers = "[]";
  std::string labels = "{}";
  const auto& object = *workload;
  if (object.HasMember("spec") && object["spec"].HasMember("template") && object["spec"]["template"].IsObject()) {
    const auto& template_ = object["spec"]["template"];
    if (template_.HasMember("spec") && template_["spec"].HasMember("containers")) {
      containers = to_string(template_["spec"]["containers"]);
    }
    if (template_.HasMember("metadata") && template_["metadata"].HasMember("labels")) {
      labels = to_string(template_["metadata"]["labels"]);
    }
  }
  const std::string owner_name = stateful ? name : name + "-" + hash_hex(name, 10);
  const std::string owner_kind = stateful ? "StatefulSet" : "ReplicaSet";
  auto make_pod = [&](const std::string& pod_name, int index) {
    std::string container_statuses = "[";
    rapidjson::Document parsed;
    parsed.Parse(containers.c_str());
    for (rapidjson::SizeType i = 0; parsed.IsArray() && i < parsed.Size(); ++i) {
      container_statuses += std::string(i ? "," : "") + R"({"name":")" + str(parsed[i], {"name"}) +
                            R"(","ready":true,"started":true,"restartCount":0,"image":")" + str(parsed[i], {"image"}) +
                            R"(","state":{"running":{"startedAt":")" + now_rfc3339() + R"("}}})";
    }
    container_statuses += "]";
    std::string json = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + pod_name + R"(","namespace":")" + ns +
                       R"(","labels":)" + labels + R"(,"ownerReferences":[{"apiVersion":"apps/v1","kind":")" + owner_kind +
                       R"(","name":")" + owner_name + R"(","uid":")" + str(object, {"metadata", "uid"}) +
                       R"(","controller":true,"blockOwnerDeletion":true}]},"spec":{"nodeName":")" + cluster.name() +
                       R"(-node-1","containers":)" + containers + R"(},"status":{"phase":"Running","podIP":"10.244.)" +
                       std::to_string(index % 250) + "." + std::to_string(10 + index % 200) +
                       R"(","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":)" + container_statuses +
                       "}}";
    create_json(cluster, types::pods, json);
  };
  if (stateful) {
    for (long long i = 0; i < desired; ++i) {
      std::string pod = name + "-" + std::to_string(i);
      if (!std::binary_search(owned.begin(), owned.end(), pod)) make_pod(pod, static_cast<int>(i));
    }
  } else {
    for (auto count = static_cast<long long>(owned.size()); count < desired; ++count) {
      make_pod(owner_name + "-" + random_name(5), static_cast<int>(count));
    }
  }
  cluster.mutate(type, ns, name, [&](rapidjson::Document& next) {
    auto& a = next.GetAllocator();
    auto& status = ensure_object(next, "status", a);
    const long long generation = num(next, {"metadata", "generation"}, 1);
    bool changed = num(status, {"replicas"}, -1) != desired || num(status, {"readyReplicas"}, 0) != desired ||
                   num(status, {"observedGeneration"}, -1) != generation;
    if (!changed) return false;
    set(status, "replicas", rapidjson::Value(static_cast<int64_t>(desired)), a);
    set(status, "observedGeneration", rapidjson::Value(static_cast<int64_t>(generation)), a);
    set(status, "currentReplicas", rapidjson::Value(static_cast<int64_t>(desired)), a);
    set(status, "updatedReplicas", rapidjson::Value(static_cast<int64_t>(desired)), a);
    if (desired > 0) {
      set(status, "readyReplicas", rapidjson::Value(static_cast<int64_t>(desired)), a);
      set(status, "availableReplicas", rapidjson::Value(static_cast<int64_t>(desired)), a);
    } else {
      // The API server omits zero counts.
      if (status.HasMember("readyReplicas")) status.RemoveMember("readyReplicas");
      if (status.HasMember("availableReplicas")) status.RemoveMember("availableReplicas");
    }
    return true;
  });
}

// --- Stork: cluster domains ------------------------------------------------------------------

void Simulation::process_domain_updates(Cluster& cluster) {
  for (const auto& key : cluster.take_dirty(types::clusterdomainupdates.key())) {
    const std::string name = key.substr(key.find('/') + 1);
    auto update = cluster.find(types::clusterdomainupdates, "", name);
    if (!update || !str(*update, {"status", "status"}).empty()) continue;
    const std::string domain = str(*update, {"spec", "clusterdomain"});
    const bool active = flag(*update, {"spec", "active"});
    bool known = false;
    for (const auto& cluster_name : clusters_.names) {
      auto& each = clusters_[cluster_name];
      for (const auto& status : each.snapshot(types::clusterdomainsstatuses)) {
        const std::string status_name = str(*status, {"metadata", "name"});
        each.mutate(types::clusterdomainsstatuses, "", status_name, [&](rapidjson::Document& next) {
          auto& a = next.GetAllocator();
          auto& s = ensure_object(next, "status", a);
          if (!s.HasMember("clusterDomainInfos") || !s["clusterDomainInfos"].IsArray()) return false;
          bool changed = false;
          for (auto& info : s["clusterDomainInfos"].GetArray()) {
            if (str(info, {"name"}) != domain) continue;
            known = true;
            std::string state = active ? "Active" : "Inactive";
            if (str(info, {"state"}) != state) {
              set(info, "state", rapidjson::Value(state.c_str(), a), a);
              changed = true;
            }
          }
          return changed;
        });
      }
    }
    cluster.mutate(types::clusterdomainupdates, "", name, [&](rapidjson::Document& next) {
      auto& a = next.GetAllocator();
      auto& status = ensure_object(next, "status", a);
      set(status, "status", rapidjson::Value(known ? "Successful" : "Failed", a), a);
      if (!known) {
        std::string reason = "cluster domain " + domain + " not found";
        set(status, "reason", rapidjson::Value(reason.c_str(), a), a);
      }
      return true;
    });
  }
}

bool Simulation::domain_active(const std::string& domain) {
  for (const auto& name : clusters_.names) {
    for (const auto& status : clusters_[name].snapshot(types::clusterdomainsstatuses)) {
      if (!(*status).HasMember("status") || !(*status)["status"].HasMember("clusterDomainInfos")) continue;
      for (const auto& info : (*status)["status"]["clusterDomainInfos"].GetArray()) {
        if (str(info, {"name"}) == domain) return str(info, {"state"}) == "Active";
      }
    }
  }
  return true;  // not tracked: assume reachable
}

// --- Stork: scheduled migrations -------------------------------------------------------------

void Simulation::run_schedules(Cluster& cluster) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& schedule : cluster.snapshot(types::migrationschedules)) {
    if (flag(*schedule, {"spec", "suspend"})) continue;
    const std::string key = cluster.name() + " " + str(*schedule, {"metadata", "namespace"}) + "/" +
                            str(*schedule, {"metadata", "name"});
    long long minutes = 15;
    if (auto policy = cluster.find(types::schedulepolicies, "", str(*schedule, {"spec", "schedulePolicyName"}))) {
      minutes = num(*policy, {"policy", "interval", "intervalMinutes"}, 15);
    }
    auto interval = options_.minutes_as_seconds ? std::chrono::seconds(minutes) : std::chrono::seconds(minutes * 60);
    auto last = last_migration_.find(key);
    if (last == last_migration_.end()) {
      last_migration_[key] = now;  // the seed's status already records the last success
      continue;
    }
    if (now - last->second < interval) continue;
    last->second = now;
    migrate(cluster, *schedule);
  }
}

void Simulation::migrate(Cluster& source, const rapidjson::Document& schedule) {
  const std::string schedule_ns = str(schedule, {"metadata", "namespace"});
  const std::string schedule_name = str(schedule, {"metadata", "name"});
  const std::string pair_name = str(schedule, {"spec", "template", "spec", "clusterPair"});
  auto pair = source.find(types::clusterpairs, schedule_ns, pair_name);
  std::string remote = pair ? str(*pair, {"spec", "options", "remoteCluster"}) : "";
  const std::time_t started = std::time(nullptr);
  const std::string migration_name = schedule_name + "-interval-" + timestamp(started).substr(0, 10) + "-" + random_name(6);
  std::string failure;
  if (!clusters_.by_name.count(remote)) failure = "ClusterPair " + pair_name + " has no reachable remote cluster";
  else if (!domain_active(source.name())) failure = "the source cluster domain " + source.name() + " is inactive";
  else if (!domain_active(remote)) failure = "the destination cluster domain " + remote + " is inactive";

  // autoSuspend: once the destination runs the apps (or the source domain is gone), stop here.
  if (failure.empty() && flag(schedule, {"spec", "autoSuspend"})) {
    bool activated = false;
    for (const auto& ns_value : schedule["spec"]["template"]["spec"]["namespaces"].GetArray()) {
      for (const auto* type : {&types::statefulsets, &types::deployments}) {
        for (const auto& object : clusters_[remote].snapshot(*type, ns_value.GetString())) {
          if (num(*object, {"spec", "replicas"}, 1) > 0 && (*object)["metadata"].HasMember("annotations") &&
              (*object)["metadata"]["annotations"].HasMember(kReplicasAnnotation)) {
            activated = true;
          }
        }
      }
    }
    if (activated) {
      source.mutate(types::migrationschedules, schedule_ns, schedule_name, [](rapidjson::Document& next) {
        auto& a = next.GetAllocator();
        set(ensure_object(next, "spec", a), "suspend", rapidjson::Value(true), a);
        return true;
      });
      return;
    }
  }

  std::size_t resources = 0;
  if (failure.empty() && schedule["spec"]["template"]["spec"].HasMember("namespaces")) {
    auto& destination = clusters_[remote];
    for (const auto& ns_value : schedule["spec"]["template"]["spec"]["namespaces"].GetArray()) {
      const std::string ns = ns_value.GetString();
      create_json(destination, types::namespaces, R"({"metadata":{"name":")" + ns + R"("}})");
      for (const auto* type : {&types::statefulsets, &types::deployments, &types::cronjobs, &types::configmaps}) {
        for (const auto& object : source.snapshot(*type, ns)) {
          rapidjson::Document copy;
          auto& a = copy.GetAllocator();
          copy.SetObject();
          copy.AddMember("apiVersion", rapidjson::Value(type->api_version().c_str(), a), a);
          copy.AddMember("kind", rapidjson::Value(type->kind.c_str(), a), a);
          rapidjson::Value metadata(rapidjson::kObjectType);
          const auto& source_metadata = (*object)["metadata"];
          metadata.AddMember("name", rapidjson::Value(source_metadata["name"], a), a);
          metadata.AddMember("namespace", rapidjson::Value(ns.c_str(), a), a);
          if (source_metadata.HasMember("labels")) metadata.AddMember("labels", rapidjson::Value(source_metadata["labels"], a), a);
          rapidjson::Value annotations(rapidjson::kObjectType);
          if (source_metadata.HasMember("annotations") && source_metadata["annotations"].IsObject()) {
            annotations.CopyFrom(source_metadata["annotations"], a);
          }
          if (object->HasMember("spec")) copy.AddMember("spec", rapidjson::Value((*object)["spec"], a), a);
          if (object->HasMember("data")) copy.AddMember("data", rapidjson::Value((*object)["data"], a), a);
          if (type == &types::statefulsets || type == &types::deployments) {
            long long replicas = num(*object, {"spec", "replicas"}, 1);
            // A source stopped with its count recorded carries that count forward.
            if (replicas == 0 && annotations.HasMember(kReplicasAnnotation)) {
              replicas = std::atoll(annotations[kReplicasAnnotation].GetString());
            } else if (replicas == 0 && annotations.HasMember(kDocsReplicasAnnotation)) {
              replicas = std::atoll(annotations[kDocsReplicasAnnotation].GetString());
            }
            std::string count = std::to_string(replicas);
            set(annotations, kReplicasAnnotation, rapidjson::Value(count.c_str(), a), a);
            copy["spec"]["replicas"] = 0;
          }
          if (type == &types::cronjobs) set(copy["spec"], "suspend", rapidjson::Value(true), a);
          set(annotations, "stork.libopenstorage.org/migrated", rapidjson::Value("true", a), a);
          set(annotations, "stork.libopenstorage.org/migrationName", rapidjson::Value(migration_name.c_str(), a), a);
          set(annotations, "stork.libopenstorage.org/migrationNamespace", rapidjson::Value(schedule_ns.c_str(), a), a);
          metadata.AddMember("annotations", annotations, a);
          copy.AddMember("metadata", metadata, a);
          const std::string name = str(copy, {"metadata", "name"});
          if (!destination.find(*type, ns, name)) {
            destination.create_object(*type, std::move(copy));
          } else {
            // Like Stork, the migration overwrites what runs on the destination (back to 0).
            destination.mutate(*type, ns, name, [&](rapidjson::Document& next) {
              auto& na = next.GetAllocator();
              next["metadata"].RemoveMember("annotations");
              next["metadata"].AddMember("annotations", rapidjson::Value(copy["metadata"]["annotations"], na), na);
              if (copy.HasMember("spec")) set(next, "spec", rapidjson::Value(copy["spec"], na), na);
              return true;
            });
          }
          ++resources;
        }
      }
    }
  }
  const std::time_t finished = std::time(nullptr);
  const std::string status = failure.empty() ? "Successful" : "Failed";
  std::string migration = R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Migration","metadata":{"name":")" +
                          migration_name + R"(","namespace":")" + schedule_ns +
                          R"(","annotations":{"stork.libopenstorage.org/migration-schedule-name":")" + schedule_name +
                          R"("}},"spec":)" + to_string(schedule["spec"]["template"]["spec"]) + R"(,"status":{"status":")" +
                          status + R"(","stage":"Final","reason":")" + failure + R"(","resources":[],"volumes":[],"summary":{"numberOfMigratedResources":)" +
                          std::to_string(resources) + R"(,"totalNumberOfResources":)" + std::to_string(resources) +
                          R"(,"numberOfMigratedVolumes":0,"totalNumberOfVolumes":0,"totalBytesMigrated":0,"elapsedTimeForVolumeMigration":"0s","elapsedTimeForResourceMigration":")" +
                          std::to_string(finished - started) + R"(s"}}})";
  create_json(source, types::migrations, migration);
  source.mutate(types::migrationschedules, schedule_ns, schedule_name, [&](rapidjson::Document& next) {
    auto& a = next.GetAllocator();
    auto& s = ensure_object(next, "status", a);
    auto& items = ensure_object(s, "items", a);
    if (!items.HasMember("Interval") || !items["Interval"].IsArray()) {
      if (items.HasMember("Interval")) items.RemoveMember("Interval");
      items.AddMember("Interval", rapidjson::Value(rapidjson::kArrayType), a);
    }
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("name", rapidjson::Value(migration_name.c_str(), a), a);
    item.AddMember("creationTimestamp", rapidjson::Value(timestamp(started).c_str(), a), a);
    item.AddMember("finishTimestamp", rapidjson::Value(timestamp(finished).c_str(), a), a);
    item.AddMember("status", rapidjson::Value(status.c_str(), a), a);
    auto& list = items["Interval"];
    list.PushBack(item, a);
    while (list.Size() > 10) list.Erase(list.Begin());
    return true;
  });
}

// --- seeds -------------------------------------------------------------------------------------

namespace {

std::string statefulset_json(const std::string& ns, const std::string& name, long long replicas,
                             const std::string& annotations, const std::string& image) {
  return R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","labels":{"app":")" + name + R"("},"annotations":)" + annotations + R"(},"spec":{"replicas":)" +
         std::to_string(replicas) + R"(,"serviceName":")" + name + R"(-hs","selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name + R"("}},"spec":{"containers":[{"name":")" +
         (name == "zk" ? std::string("kubernetes-zookeeper") : name) + R"(","image":")" + image +
         R"(","ports":[{"containerPort":2181,"name":"client"}]}]}}}})";
}

std::string deployment_json(const std::string& ns, const std::string& name, long long replicas, const std::string& annotations) {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","labels":{"app":")" + name + R"("},"annotations":)" + annotations + R"(},"spec":{"replicas":)" +
         std::to_string(replicas) + R"(,"selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name + R"("}},"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}})";
}

std::string cronjob_json(const std::string& ns, const std::string& name, bool suspend, const std::string& annotations) {
  return R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","annotations":)" + annotations + R"(},"spec":{"schedule":"*/5 * * * *","suspend":)" +
         (suspend ? "true" : "false") +
         R"(,"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"job","image":"busybox"}]}}}}}})";
}

std::string domains_status(const std::string& local, const std::vector<std::string>& domains) {
  std::string infos;
  for (std::size_t i = 0; i < domains.size(); ++i) {
    infos += std::string(i ? "," : "") + R"({"name":")" + domains[i] + R"(","state":"Active","syncStatus":"InSync"})";
  }
  return R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterDomainsStatus","metadata":{"name":"px-dr-cluster"},"status":{"localDomain":")" +
         local + R"(","clusterDomainInfos":[)" + infos + "]}}";
}

std::string check(const Reply& reply, const std::string& what) {
  return reply.ok() ? std::string() : what + ": " + reply.body + "\n";
}

std::string zookeeper_failover(Clusters& clusters) {
  if (clusters.names.size() < 2) return "the zookeeper-failover seed needs two clusters (--clusters a,b)";
  const std::string& source_name = clusters.names[0];
  const std::string& destination_name = clusters.names[1];
  auto& source = clusters[source_name];
  auto& destination = clusters[destination_name];
  std::string errors;
  for (const auto& name : clusters.names) {
    auto& cluster = clusters[name];
    errors += check(create_json(cluster, types::namespaces, R"({"metadata":{"name":"zookeeper"}})"), "namespace");
    errors += check(create_json(cluster, types::clusterdomainsstatuses, domains_status(name, clusters.names)), "cds");
  }
  errors += check(create_json(source, types::schedulepolicies,
                              R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"SchedulePolicy","metadata":{"name":"default-migration-policy"},"policy":{"interval":{"intervalMinutes":15}}})"),
                  "policy");
  errors += check(create_json(source, types::clusterpairs,
                              R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"ClusterPair","metadata":{"name":"remotecluster","namespace":"zookeeper"},"spec":{"options":{"remoteCluster":")" +
                                  destination_name + R"("}},"status":{"schedulerStatus":"Ready","storageStatus":"Ready"}})"),
                  "clusterpair");
  const std::time_t now = std::time(nullptr);
  const std::string migration_name = "migrationschedule-interval-" + timestamp(now - 300).substr(0, 10) + "-seed";
  errors += check(create_json(source, types::migrationschedules,
                              R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule","metadata":{"name":"migrationschedule","namespace":"zookeeper"},"spec":{"template":{"spec":{"clusterPair":"remotecluster","namespaces":["zookeeper"],"includeResources":true,"includeVolumes":true,"startApplications":false}},"schedulePolicyName":"default-migration-policy","suspend":false,"autoSuspend":false},"status":{"applicationActivated":false,"items":{"Interval":[{"name":")" +
                                  migration_name + R"(","creationTimestamp":")" + timestamp(now - 310) +
                                  R"(","finishTimestamp":")" + timestamp(now - 300) + R"(","status":"Successful"}]}}})"),
                  "schedule");
  errors += check(create_json(source, types::migrations,
                              R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"Migration","metadata":{"name":")" +
                                  migration_name +
                                  R"(","namespace":"zookeeper","annotations":{"stork.libopenstorage.org/migration-schedule-name":"migrationschedule"}},"spec":{"clusterPair":"remotecluster","namespaces":["zookeeper"],"includeResources":true,"includeVolumes":true,"startApplications":false},"status":{"status":"Successful","stage":"Final","resources":[],"volumes":[],"summary":{"numberOfMigratedResources":4,"totalNumberOfResources":4,"numberOfMigratedVolumes":3,"totalNumberOfVolumes":3,"totalBytesMigrated":1073741824,"elapsedTimeForVolumeMigration":"8s","elapsedTimeForResourceMigration":"2s"}}})"),
                  "migration");
  errors += check(create_json(source, types::statefulsets,
                              statefulset_json("zookeeper", "zk", 3, "{}", "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10")),
                  "source zk");
  std::string annotations = R"({"stork.libopenstorage.org/migrationReplicas":"3","stork.libopenstorage.org/migrated":"true","stork.libopenstorage.org/migrationName":")" +
                            migration_name + R"(","stork.libopenstorage.org/migrationNamespace":"zookeeper"})";
  errors += check(create_json(destination, types::statefulsets,
                              statefulset_json("zookeeper", "zk", 0, annotations, "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10")),
                  "destination zk");
  return errors;
}

std::string scale(Clusters& clusters, long long namespaces, long long workloads) {
  std::string errors;
  for (const auto& cluster_name : clusters.names) {
    auto& cluster = clusters[cluster_name];
    for (long long n = 1; n <= namespaces && errors.empty(); ++n) {
      char ns_buffer[32];
      std::snprintf(ns_buffer, sizeof ns_buffer, "ns-%05lld", n);
      const std::string ns = ns_buffer;
      errors += check(create_json(cluster, types::namespaces, R"({"metadata":{"name":")" + ns + R"("}})"), "namespace");
      errors += check(create_json(cluster, types::migrationschedules,
                                  R"({"apiVersion":"stork.libopenstorage.org/v1alpha1","kind":"MigrationSchedule","metadata":{"name":"schedule","namespace":")" +
                                      ns + R"(","annotations":{"stork.libopenstorage.org/static-copy":"true"}},"spec":{"template":{"spec":{"clusterPair":"remotecluster","namespaces":[")" +
                                      ns + R"("]}},"schedulePolicyName":"default-migration-policy","suspend":true}})"),
                      "schedule");
      for (long long i = 0; i < workloads; ++i) {
        const long long serial = (n - 1) * workloads + i;
        const std::string name = "app-" + std::to_string(i);
        const bool annotated = i % 2 == 0;
        const char* key = serial % 50 == 0 ? kDocsReplicasAnnotation : kReplicasAnnotation;
        std::string annotations = R"({"stork.libopenstorage.org/migrationNamespace":")" + ns + R"(")";
        if (i % 3 == 2) {
          annotations += R"(,"stork.libopenstorage.org/migrated":"true"})";
          errors += check(create_json(cluster, types::cronjobs, cronjob_json(ns, name, annotated, annotations)), "cronjob");
          continue;
        }
        if (annotated) annotations += R"(,")" + std::string(key) + R"(":")" + std::to_string(1 + serial % 5) + R"(")";
        annotations += "}";
        const long long replicas = annotated ? 0 : 1;
        if (i % 3 == 0) {
          errors += check(create_json(cluster, types::statefulsets, statefulset_json(ns, name, replicas, annotations, "busybox")),
                          "statefulset");
        } else {
          errors += check(create_json(cluster, types::deployments, deployment_json(ns, name, replicas, annotations)), "deployment");
        }
      }
    }
  }
  return errors;
}

}  // namespace

std::string apply_seed(const std::string& seed, Clusters& clusters) {
  if (seed.empty()) return {};
  if (seed == "zookeeper-failover") return zookeeper_failover(clusters);
  if (seed.rfind("scale:", 0) == 0) {
    auto colon = seed.find(':', 6);
    if (colon == std::string::npos) return "scale seed must be scale:NAMESPACES:WORKLOADS";
    return scale(clusters, std::stoll(seed.substr(6, colon - 6)), std::stoll(seed.substr(colon + 1)));
  }
  return "unknown seed \"" + seed + "\" (known: zookeeper-failover, scale:N:M)";
}

}  // namespace emu
