// Resource types: what a type is (ResourceType), the registry of one cluster's served types, the
// built-in kinds and Stork's CRDs (types.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "errors.hpp"

namespace emu {

// Where a custom resource keeps the numbers of its scale subresource.
struct ScalePaths {
  std::string spec_replicas = ".spec.replicas";
  std::string status_replicas = ".status.replicas";
  std::string label_selector;  // ".status.selector" or empty
};

// A printer column (CRD additionalPrinterColumns; built-in kinds have theirs in the table code).
struct PrinterColumn {
  std::string name;
  std::string type;  // string, integer, number, boolean, date
  std::string json_path;
  std::string description;
  int priority = 0;
};

struct ResourceType {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string singular;
  std::string kind;
  std::string list_kind;  // defaults to kind + "List"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;  // discovery verbs; default: all of create..watch
  bool builtin = true;             // false: a CRD's type (no strategic merge patch)
  bool status_subresource = false;
  bool scale_subresource = false;
  ScalePaths scale_paths;                      // custom resources with a scale subresource
  std::vector<PrinterColumn> printer_columns;  // custom resources
  std::string crd_name;                        // "migrations.stork.libopenstorage.org" when served by a CRD
  // Extra validation (after the common metadata checks): append causes to reject with 422.
  std::function<void(const rapidjson::Value& object, std::vector<StatusCause>& causes)> validate;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "statefulsets.apps", "pods": the name used in error messages.
  std::string qualified() const { return group.empty() ? plural : plural + "." + group; }
  // "apps/statefulsets": the key of the type in a Store (version-independent).
  std::string key() const { return group + "/" + plural; }
};
using TypeRef = std::shared_ptr<const ResourceType>;

// The served types of one cluster. Thread-safe; types come and go with CRDs.
class TypeRegistry {
 public:
  void add(ResourceType type);  // replaces a type with the same group/version/plural
  void remove(const std::string& group, const std::string& plural);  // every version
  TypeRef find(const std::string& group, const std::string& version, const std::string& plural) const;
  // The preferred (first registered) version of group/plural.
  TypeRef find(const std::string& group, const std::string& plural) const;
  // By apiVersion ("apps/v1", "v1") and Kind.
  TypeRef find_kind(const std::string& api_version, const std::string& kind) const;
  std::vector<TypeRef> all() const;                                // registration order
  std::uint64_t generation() const { return generation_.load(); }  // changes whenever types change

 private:
  mutable std::mutex mutex_;
  std::vector<TypeRef> types_;
  std::atomic<std::uint64_t> generation_{0};
};

// The built-in types: namespaces, pods, configmaps, persistentvolumeclaims (v1); deployments, statefulsets,
// replicasets (apps/v1); cronjobs (batch/v1); customresourcedefinitions (apiextensions.k8s.io/v1).
std::vector<ResourceType> builtin_types();
// Stork's CRDs (stork.libopenstorage.org/v1alpha1) as CustomResourceDefinition objects.
std::vector<rapidjson::Document> stork_crds();
// The type a CRD object serves, one per served version (throws StatusError 422 when malformed).
std::vector<ResourceType> types_from_crd(const rapidjson::Value& crd);

}  // namespace emu
