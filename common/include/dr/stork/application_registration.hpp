// ApplicationRegistrations: the cluster-scoped Stork objects that declare custom-resource kinds
// and the spec fields that suspend/scale them (pkg/apis/stork/v1alpha1/applicationregistration.go).
// JSON shape: {resources: [{group, version, kind, keepStatus, suspendOptions: {path, type, value},
// customSuspendOptions: [...], podsPath, stashStrategy: {stashCR}}]} — the Go field
// NestedSuspendOptions is serialized as "customSuspendOptions".
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"

namespace dr::stork {

enum class SuspendValueType { Bool, Int, String, Unknown };

struct SuspendOption {
  std::string path;   // dotted, e.g. "spec.replicas"; options whose path has no '.' are ignored
  std::string type;   // as written: "bool", "int", "string" (anything else is Unknown)
  std::string value;  // the "disabled" value for string options; for bool, the value that suspends
  SuspendValueType value_type() const;
};

struct ApplicationResource {
  std::string group;
  std::string version;
  std::string kind;
  bool keep_status = false;
  SuspendOption suspend_options;                      // path empty = none
  std::vector<SuspendOption> nested_suspend_options;  // "customSuspendOptions"
  std::string pods_path;  // dotted path to a []string of pod names deleted after deactivation
  bool stash_cr = false;

  // Nested options first, then the main one when it has a path: the order Stork applies them.
  std::vector<SuspendOption> all_suspend_options() const;
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

struct ApplicationRegistration {
  std::string name;
  std::vector<ApplicationResource> resources;
};

Result<ApplicationRegistration> parse_application_registration(const rapidjson::Value& object);

// The registration Stork ships for KubeVirt VirtualMachines (pkg/appregistration): suspend by
// spec.runStrategy = "Halted".
ApplicationResource default_virtual_machine_registration();

}  // namespace dr::stork
