// Narrowing what a DR command touches: namespaces, label selectors, kinds and single objects —
// the filters storkctl's `perform failover` documents, checked up front so a contradictory command
// line fails with a usage error instead of silently doing nothing.
//
// Semantics (every filter narrows; an object must pass all of them):
//  * -n NS / -A: the namespace scope. --include-namespaces narrows it, --exclude-namespaces removes.
//  * -l/--selector: Kubernetes label-selector syntax; requirements are AND'ed (as kubectl).
//  * --exclude-selector: same syntax; an object matching ANY of its requirements is excluded (the
//    OR semantics storkctl documents for --exclude-selectors).
//  * --resource-types: KIND or GROUP/VERSION/KIND; kind, plural and short names, case-insensitive.
//  * --include-objects / --exclude-objects: KIND/NAMESPACE/NAME.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"
#include "dr/kube/resource.hpp"

namespace dr::stork {

struct LabelRequirement {
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;  // one for Equals/NotEquals; the set for In/NotIn

  // `labels` is metadata.labels (an object) or nullptr when the object has none.
  bool matches(const rapidjson::Value* labels) const;
};

struct LabelSelector {
  std::vector<LabelRequirement> requirements;
  std::string text;  // as given, for server-side filtering (?labelSelector=)

  bool empty() const { return requirements.empty(); }
  bool matches_all(const rapidjson::Value* labels) const;  // empty selector matches everything
  bool matches_any(const rapidjson::Value* labels) const;  // empty selector matches nothing
};

// "app=zk,tier!=cache,env in (prod,dr),track notin (canary),release,!legacy". Also "==".
Result<LabelSelector> parse_label_selector(std::string_view text);

// A --resource-types entry.
struct KindPattern {
  std::string token;                 // lower-case kind, plural or short name
  std::optional<std::string> group;  // set for GROUP/VERSION/KIND ("" = core)
  std::optional<std::string> version;
  bool matches(const kube::ResourceType& type) const;
};
Result<KindPattern> parse_kind_pattern(std::string_view text);

// A --include-objects / --exclude-objects entry.
struct ObjectPattern {
  KindPattern kind;
  std::string namespace_name;
  std::string name;
};
Result<ObjectPattern> parse_object_pattern(std::string_view text);

// The flags as the command line gave them.
struct SelectionFlags {
  std::optional<std::string> namespace_flag;  // -n given explicitly (not the kubeconfig default)
  std::string default_namespace;              // the context's namespace, used without -n / -A
  bool all_namespaces = false;                // -A / -a / --all-namespaces
  std::vector<std::string> include_namespaces;
  std::vector<std::string> exclude_namespaces;
  // --system-namespaces: besides kube-*, namespaces -A leaves out (-n / --include-namespaces name
  // them explicitly).
  std::vector<std::string> system_namespaces;
  std::vector<std::string> selectors;          // each -l (AND'ed with each other)
  std::vector<std::string> exclude_selectors;  // each --exclude-selector (OR'ed)
  std::vector<std::string> resource_types;
  std::vector<std::string> include_objects;
  std::vector<std::string> exclude_objects;
};

class Selection {
 public:
  // Validates and compiles the flags; usage errors name the offending flag.
  static Result<Selection> from_flags(const SelectionFlags& flags);

  // True when every namespace is in scope before include/exclude lists (-A, or --include-namespaces
  // alone). Then the command lists namespaces and filters them with namespace_selected.
  bool all_namespaces() const { return all_namespaces_; }
  // The namespaces to walk when !all_namespaces(): -n, the default namespace, or the include list.
  const std::vector<std::string>& namespaces() const { return namespaces_; }
  bool namespace_selected(std::string_view ns) const;
  // kube-* or named by --system-namespaces: -A never reaches them (a DR run that stopped
  // coredns would take the cluster down with it).
  bool is_system_namespace(std::string_view ns) const;

  // False when --resource-types rules the kind out: the command need not even list it.
  bool type_selected(const kube::ResourceType& type) const;
  // The --resource-types entries (as typed, lower-cased) that match none of `types`: a typo there
  // would otherwise narrow the run to nothing and look like "nothing to do".
  std::vector<std::string> unmatched_resource_types(const std::vector<kube::ResourceType>& types) const;

  // The full test for one object of `type`.
  bool selected(const kube::ResourceType& type, const rapidjson::Value& object) const;
  // Same, when only the kind is at hand (group/version patterns then match on the object's
  // apiVersion when it has one).
  bool selected(std::string_view kind, const rapidjson::Value& object) const;

  // The -l selector text for ?labelSelector= (server-side filtering); empty when none. Exclusions
  // and object lists are always applied client-side by selected().
  std::string server_label_selector() const;

 private:
  bool object_selected(const kube::ResourceType& type, const rapidjson::Value& object) const;

  bool all_namespaces_ = false;
  std::vector<std::string> namespaces_;
  std::vector<std::string> include_namespaces_;
  std::vector<std::string> exclude_namespaces_;
  std::vector<std::string> system_namespaces_;
  std::vector<LabelSelector> selectors_;
  std::vector<LabelSelector> exclude_selectors_;
  std::vector<KindPattern> resource_types_;
  std::vector<ObjectPattern> include_objects_;
  std::vector<ObjectPattern> exclude_objects_;
};

}  // namespace dr::stork
