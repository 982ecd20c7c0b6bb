// The resource types: the registry, the built-in kinds, Stork's CRDs, and types served by CRDs.
#include <algorithm>

#include "json.hpp"
#include "types.hpp"

namespace emu {

namespace {

const std::vector<std::string> kAllVerbs{"create", "delete", "deletecollection", "get",
                                         "list",   "patch",  "update",           "watch"};

ResourceType make(std::string group, std::string version, std::string plural, std::string singular,
                  std::string kind, bool namespaced, std::vector<std::string> short_names,
                  std::vector<std::string> categories, bool status, bool scale) {
  ResourceType t;
  t.group = std::move(group);
  t.version = std::move(version);
  t.plural = std::move(plural);
  t.singular = std::move(singular);
  t.kind = std::move(kind);
  t.list_kind = t.kind + "List";
  t.namespaced = namespaced;
  t.short_names = std::move(short_names);
  t.categories = std::move(categories);
  t.verbs = kAllVerbs;
  t.status_subresource = status;
  t.scale_subresource = scale;
  return t;
}

}  // namespace

void TypeRegistry::add(ResourceType type) {
  if (type.list_kind.empty()) type.list_kind = type.kind + "List";
  if (type.verbs.empty()) type.verbs = kAllVerbs;
  auto ref = std::make_shared<const ResourceType>(std::move(type));
  std::lock_guard lock(mutex_);
  auto it = std::find_if(types_.begin(), types_.end(), [&](const TypeRef& t) {
    return t->group == ref->group && t->version == ref->version && t->plural == ref->plural;
  });
  if (it != types_.end()) {
    *it = ref;
  } else {
    types_.push_back(ref);
  }
  ++generation_;
}

void TypeRegistry::remove(const std::string& group, const std::string& plural) {
  std::lock_guard lock(mutex_);
  std::erase_if(types_, [&](const TypeRef& t) { return t->group == group && t->plural == plural; });
  ++generation_;
}

TypeRef TypeRegistry::find(const std::string& group, const std::string& version,
                           const std::string& plural) const {
  std::lock_guard lock(mutex_);
  for (const auto& t : types_) {
    if (t->group == group && t->version == version && t->plural == plural) return t;
  }
  return nullptr;
}

TypeRef TypeRegistry::find(const std::string& group, const std::string& plural) const {
  std::lock_guard lock(mutex_);
  for (const auto& t : types_) {
    if (t->group == group && t->plural == plural) return t;
  }
  return nullptr;
}

TypeRef TypeRegistry::find_kind(const std::string& api_version, const std::string& kind) const {
  std::lock_guard lock(mutex_);
  for (const auto& t : types_) {
    if (t->api_version() == api_version && t->kind == kind) return t;
  }
  return nullptr;
}

std::vector<TypeRef> TypeRegistry::all() const {
  std::lock_guard lock(mutex_);
  return types_;
}

std::vector<ResourceType> builtin_types() {
  std::vector<ResourceType> types;
  auto ns = make("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, {}, true, false);
  ns.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  types.push_back(ns);
  types.push_back(make("", "v1", "pods", "pod", "Pod", true, {"po"}, {"all"}, true, false));
  types.push_back(make("", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, {}, false, false));
  types.push_back(make("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim",
                       true, {"pvc"}, {}, true, false));
  types.push_back(
      make("apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"}, {"all"}, true, true));
  types.push_back(
      make("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"}, {"all"}, true, true));
  types.push_back(
      make("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, {"rs"}, {"all"}, true, true));
  types.push_back(make("batch", "v1", "cronjobs", "cronjob", "CronJob", true, {"cj"}, {"all"}, true, false));
  auto crd = make("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
                  "CustomResourceDefinition", false, {"crd", "crds"}, {"api-extensions"}, true, false);
  types.push_back(crd);
  return types;
}

namespace {

// A CRD as Stork registers it (pkg/k8sutils CreateCRDV1): one served storage version whose schema
// preserves unknown fields, no subresources, no printer columns.
rapidjson::Document stork_crd(const char* plural, const char* singular, const char* kind, bool namespaced,
                              std::vector<const char*> short_names) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  using V = rapidjson::Value;
  const std::string group = "stork.libopenstorage.org";
  d.AddMember("apiVersion", "apiextensions.k8s.io/v1", a);
  d.AddMember("kind", "CustomResourceDefinition", a);
  V metadata(rapidjson::kObjectType);
  metadata.AddMember("name", V(std::string(plural) + "." + group, a), a);
  d.AddMember("metadata", metadata, a);
  V spec(rapidjson::kObjectType);
  spec.AddMember("group", V(group, a), a);
  V names(rapidjson::kObjectType);
  names.AddMember("plural", V(plural, a), a);
  names.AddMember("singular", V(singular, a), a);
  names.AddMember("kind", V(kind, a), a);
  names.AddMember("listKind", V(std::string(kind) + "List", a), a);
  if (!short_names.empty()) {
    V shorts(rapidjson::kArrayType);
    for (const char* s : short_names) shorts.PushBack(V(s, a), a);
    names.AddMember("shortNames", shorts, a);
  }
  spec.AddMember("names", names, a);
  spec.AddMember("scope", rapidjson::StringRef(namespaced ? "Namespaced" : "Cluster"), a);
  V version(rapidjson::kObjectType);
  version.AddMember("name", "v1alpha1", a);
  version.AddMember("served", true, a);
  version.AddMember("storage", true, a);
  V schema(rapidjson::kObjectType);
  V openapi(rapidjson::kObjectType);
  openapi.AddMember("x-kubernetes-preserve-unknown-fields", true, a);
  schema.AddMember("openAPIV3Schema", openapi, a);
  version.AddMember("schema", schema, a);
  V versions(rapidjson::kArrayType);
  versions.PushBack(version, a);
  spec.AddMember("versions", versions, a);
  d.AddMember("spec", spec, a);
  return d;
}

}  // namespace

std::vector<rapidjson::Document> stork_crds() {
  std::vector<rapidjson::Document> crds;
  crds.push_back(
      stork_crd("clusterdomainsstatuses", "clusterdomainsstatus", "ClusterDomainsStatus", false, {"cds"}));
  crds.push_back(
      stork_crd("clusterdomainupdates", "clusterdomainupdate", "ClusterDomainUpdate", false, {"cdu"}));
  crds.push_back(stork_crd("migrationschedules", "migrationschedule", "MigrationSchedule", true, {}));
  crds.push_back(stork_crd("migrations", "migration", "Migration", true, {}));
  crds.push_back(stork_crd("clusterpairs", "clusterpair", "ClusterPair", true, {}));
  crds.push_back(stork_crd("actions", "action", "Action", true, {}));
  crds.push_back(stork_crd("schedulepolicies", "schedulepolicy", "SchedulePolicy", false, {}));
  crds.push_back(
      stork_crd("applicationregistrations", "applicationregistration", "ApplicationRegistration", false, {}));
  return crds;
}

std::vector<ResourceType> types_from_crd(const rapidjson::Value& crd) {
  std::vector<ResourceType> out;
  const std::string group = str_at(crd, {"spec", "group"});
  const rapidjson::Value* names = value_at(crd, {"spec", "names"});
  const rapidjson::Value* versions = value_at(crd, {"spec", "versions"});
  if (names == nullptr || versions == nullptr || !versions->IsArray()) return out;
  auto strings = [](const rapidjson::Value* v) {
    std::vector<std::string> list;
    if (v != nullptr && v->IsArray()) {
      for (const auto& s : v->GetArray()) {
        if (s.IsString()) list.emplace_back(s.GetString());
      }
    }
    return list;
  };
  for (const auto& version : versions->GetArray()) {
    const rapidjson::Value* served = value_at(version, {"served"});
    if (served == nullptr || !served->IsBool() || !served->GetBool()) continue;
    ResourceType t;
    t.group = group;
    t.version = str_at(version, {"name"});
    t.plural = str_at(*names, {"plural"});
    t.singular = str_at(*names, {"singular"});
    if (t.singular.empty()) t.singular = t.plural;  // apiserver defaults singular to lower(kind)
    t.kind = str_at(*names, {"kind"});
    t.list_kind = str_at(*names, {"listKind"});
    if (t.list_kind.empty()) t.list_kind = t.kind + "List";
    t.namespaced = str_at(crd, {"spec", "scope"}) != "Cluster";
    t.short_names = strings(value_at(*names, {"shortNames"}));
    t.categories = strings(value_at(*names, {"categories"}));
    t.verbs = kAllVerbs;
    t.builtin = false;
    t.crd_name = str_at(crd, {"metadata", "name"});
    t.status_subresource = value_at(version, {"subresources", "status"}) != nullptr;
    if (const rapidjson::Value* scale = value_at(version, {"subresources", "scale"}); scale != nullptr) {
      t.scale_subresource = true;
      t.scale_paths.spec_replicas = str_at(*scale, {"specReplicasPath"});
      t.scale_paths.status_replicas = str_at(*scale, {"statusReplicasPath"});
      t.scale_paths.label_selector = str_at(*scale, {"labelSelectorPath"});
    }
    if (const rapidjson::Value* columns = value_at(version, {"additionalPrinterColumns"});
        columns != nullptr && columns->IsArray()) {
      for (const auto& c : columns->GetArray()) {
        PrinterColumn column;
        column.name = str_at(c, {"name"});
        column.type = str_at(c, {"type"});
        column.json_path = str_at(c, {"jsonPath"});
        column.description = str_at(c, {"description"});
        if (c.HasMember("priority") && c["priority"].IsInt()) column.priority = c["priority"].GetInt();
        t.printer_columns.push_back(std::move(column));
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace emu
