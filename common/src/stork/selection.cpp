#include "dr/stork/selection.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "dr/core/strings.hpp"
#include "dr/stork/object.hpp"
#include "dr/stork/planner.hpp"

namespace dr::stork {

namespace {

using strings::lower;
using strings::trim;

// Label keys: optional DNS prefix + "/" + name of [A-Za-z0-9._-], starting/ending alphanumeric.
bool valid_label_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(name.front())) ||
      !std::isalnum(static_cast<unsigned char>(name.back())))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool valid_label_key(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return valid_label_name(key);
  auto prefix = key.substr(0, slash);
  if (prefix.empty() || prefix.size() > 253) return false;
  bool prefix_ok = std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '-' || c == '.';
  });
  return prefix_ok && valid_label_name(key.substr(slash + 1));
}

bool valid_label_value(std::string_view value) {
  return value.empty() || valid_label_name(value);
}

// Namespace names are DNS labels; object names DNS subdomains (a looser check is enough here:
// the server is the authority, we only want to catch typos like "deploy/ns" or spaces).
bool valid_dns_label(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (name.front() == '-' || name.back() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '-';
  });
}

bool valid_object_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '-' || c == '.' || c == ':';
  });
}

std::optional<std::string_view> label_value(const rapidjson::Value* labels, std::string_view key) {
  if (labels == nullptr) return std::nullopt;
  const auto* value = member(*labels, key);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return std::string_view{value->GetString(), value->GetStringLength()};
}

Result<LabelRequirement> parse_requirement(std::string_view text) {
  using Op = LabelRequirement::Op;
  LabelRequirement requirement;
  text = trim(text);
  if (text.empty()) return Error::usage("empty requirement");
  auto bad_key = [&](std::string_view key) {
    return Error::usage("invalid label key " + strings::quoted(key));
  };
  if (text.front() == '!') {
    auto key = trim(text.substr(1));
    if (!valid_label_key(key)) return bad_key(key);
    requirement.key = std::string(key);
    requirement.op = Op::DoesNotExist;
    return requirement;
  }
  // Set-based: "key in (a,b)" / "key notin (a,b)".
  if (auto paren = text.find('('); paren != std::string_view::npos) {
    if (text.back() != ')') return Error::usage("missing ')' in " + strings::quoted(text));
    auto head = trim(text.substr(0, paren));
    auto space = head.find_last_of(" \t");
    if (space == std::string_view::npos)
      return Error::usage("expected 'in' or 'notin' in " + strings::quoted(text));
    auto op = head.substr(space + 1);
    auto key = trim(head.substr(0, space));
    if (op == "in") {
      requirement.op = Op::In;
    } else if (op == "notin") {
      requirement.op = Op::NotIn;
    } else {
      return Error::usage("unknown operator " + strings::quoted(op) + " in " + strings::quoted(text) +
                          " (expected in or notin)");
    }
    if (!valid_label_key(key)) return bad_key(key);
    requirement.key = std::string(key);
    auto inside = text.substr(paren + 1, text.size() - paren - 2);
    while (true) {
      auto comma = inside.find(',');
      auto value = trim(inside.substr(0, comma));
      if (!valid_label_value(value)) return Error::usage("invalid label value " + strings::quoted(value));
      requirement.values.emplace_back(value);
      if (comma == std::string_view::npos) break;
      inside.remove_prefix(comma + 1);
    }
    if (requirement.values.size() == 1 && requirement.values.front().empty()) {
      return Error::usage("empty value set in " + strings::quoted(text));
    }
    return requirement;
  }
  std::size_t op_at = std::string_view::npos, op_len = 0;
  if (auto ne = text.find("!="); ne != std::string_view::npos) {
    op_at = ne, op_len = 2, requirement.op = Op::NotEquals;
  } else if (auto eq2 = text.find("=="); eq2 != std::string_view::npos) {
    op_at = eq2, op_len = 2, requirement.op = Op::Equals;
  } else if (auto eq = text.find('='); eq != std::string_view::npos) {
    op_at = eq, op_len = 1, requirement.op = Op::Equals;
  }
  if (op_at == std::string_view::npos) {
    if (!valid_label_key(text)) return bad_key(text);
    requirement.key = std::string(text);
    requirement.op = Op::Exists;
    return requirement;
  }
  auto key = trim(text.substr(0, op_at));
  auto value = trim(text.substr(op_at + op_len));
  if (!valid_label_key(key)) return bad_key(key);
  if (!valid_label_value(value) || value.find('=') != std::string_view::npos) {
    return Error::usage("invalid label value " + strings::quoted(value));
  }
  requirement.key = std::string(key);
  requirement.values.emplace_back(value);
  return requirement;
}

// Kinds kubectl-dr knows, with the names users type for them.
struct KindNames {
  std::string_view kind;  // lower-case
  std::array<std::string_view, 3> aliases;
};
constexpr KindNames kKnownKinds[] = {
    {"statefulset", {"statefulsets", "sts", ""}},
    {"deployment", {"deployments", "deploy", ""}},
    {"replicaset", {"replicasets", "rs", ""}},
    {"deploymentconfig", {"deploymentconfigs", "dc", ""}},
    {"cronjob", {"cronjobs", "cj", ""}},
    {"virtualmachine", {"virtualmachines", "vm", "vms"}},
    {"configmap", {"configmaps", "cm", ""}},
    {"persistentvolumeclaim", {"persistentvolumeclaims", "pvc", ""}},
    {"pod", {"pods", "po", ""}},
    {"service", {"services", "svc", ""}},
    {"migrationschedule", {"migrationschedules", "", ""}},
    {"clusterdomainsstatus", {"clusterdomainsstatuses", "cds", ""}},
    {"clusterdomainupdate", {"clusterdomainupdates", "cdu", ""}},
};

// Any whole "KIND/NS/NAME" or namespace list entry must be non-empty after trimming.
Result<std::vector<std::string>> clean_namespaces(const std::vector<std::string>& raw,
                                                  std::string_view flag) {
  std::vector<std::string> out;
  for (const auto& entry : raw) {
    auto name = trim(entry);
    if (name.empty()) return Error::usage(std::string(flag) + ": empty namespace name");
    if (!valid_dns_label(name))
      return Error::usage(std::string(flag) + ": invalid namespace name " + strings::quoted(name));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool LabelRequirement::matches(const rapidjson::Value* labels) const {
  auto value = label_value(labels, key);
  switch (op) {
    case Op::Exists:
      return value.has_value();
    case Op::DoesNotExist:
      return !value.has_value();
    case Op::Equals:
      return value && *value == values.front();
    case Op::NotEquals:
      return !value || *value != values.front();  // kubectl: absent key matches !=
    case Op::In:
      return value && std::find(values.begin(), values.end(), *value) != values.end();
    case Op::NotIn:
      return !value || std::find(values.begin(), values.end(), *value) == values.end();
  }
  return false;
}

bool LabelSelector::matches_all(const rapidjson::Value* labels) const {
  return std::all_of(requirements.begin(), requirements.end(),
                     [&](const auto& r) { return r.matches(labels); });
}

bool LabelSelector::matches_any(const rapidjson::Value* labels) const {
  return std::any_of(requirements.begin(), requirements.end(),
                     [&](const auto& r) { return r.matches(labels); });
}

Result<LabelSelector> parse_label_selector(std::string_view text) {
  LabelSelector selector;
  selector.text = std::string(trim(text));
  std::string_view rest = selector.text;
  if (rest.empty()) return selector;
  // Split on commas outside parentheses.
  std::size_t depth = 0, start = 0;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i < rest.size()) {
      if (rest[i] == '(') ++depth;
      if (rest[i] == ')') {
        if (depth == 0) return Error::usage("unbalanced ')' in selector " + strings::quoted(rest));
        --depth;
      }
      if (rest[i] != ',' || depth > 0) continue;
    }
    const auto part = trim(rest.substr(start, i - start));
    auto requirement = parse_requirement(part);
    if (!requirement) {
      // The requirement's message already quotes it; name the whole selector only when it says more.
      return Error::usage(requirement.error().message +
                          (part == rest ? std::string() : " in selector " + strings::quoted(rest)));
    }
    selector.requirements.push_back(std::move(*requirement));
    start = i + 1;
  }
  if (depth != 0) return Error::usage("missing ')' in selector " + strings::quoted(rest));
  return selector;
}

bool KindPattern::matches(const kube::ResourceType& type) const {
  if (group && lower(*group) != lower(type.group)) return false;
  if (version && *version != type.version) return false;
  const std::string kind = lower(type.kind);
  if (token == kind || token == type.plural || token == guess_plural(type.kind)) return true;
  for (const auto& known : kKnownKinds) {
    if (known.kind != kind) continue;
    for (auto alias : known.aliases) {
      if (!alias.empty() && alias == token) return true;
    }
  }
  return false;
}

Result<KindPattern> parse_kind_pattern(std::string_view text) {
  auto entry = trim(text);
  KindPattern pattern;
  auto usage = [&] {
    return Error::usage("--resource-types: " + strings::quoted(entry) + " is not KIND or GROUP/VERSION/KIND");
  };
  if (entry.empty()) return Error::usage("--resource-types: empty resource type");
  auto slashes = std::count(entry.begin(), entry.end(), '/');
  if (slashes == 0) {
    pattern.token = lower(entry);
  } else if (slashes == 2) {
    auto first = entry.find('/');
    auto second = entry.find('/', first + 1);
    std::string group(entry.substr(0, first));
    if (group == "core") group.clear();  // "core/v1/ConfigMap" and "/v1/ConfigMap" both mean the core group
    pattern.group = group;
    pattern.version = std::string(entry.substr(first + 1, second - first - 1));
    pattern.token = lower(entry.substr(second + 1));
    if (pattern.version->empty()) return usage();
  } else {
    return usage();
  }
  if (pattern.token.empty() || !std::all_of(pattern.token.begin(), pattern.token.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0;
      })) {
    return usage();
  }
  return pattern;
}

Result<ObjectPattern> parse_object_pattern(std::string_view text) {
  auto entry = trim(text);
  auto usage = [&](std::string why) {
    return Error::usage(strings::quoted(entry) + " is not KIND/NAMESPACE/NAME: " + std::move(why));
  };
  if (std::count(entry.begin(), entry.end(), '/') != 2) return usage("expected exactly two '/'");
  auto first = entry.find('/');
  auto second = entry.find('/', first + 1);
  auto kind = entry.substr(0, first);
  auto ns = entry.substr(first + 1, second - first - 1);
  auto name = entry.substr(second + 1);
  if (kind.empty()) return usage("empty kind");
  auto kind_pattern = parse_kind_pattern(kind);
  if (!kind_pattern) return usage("invalid kind " + strings::quoted(kind));
  if (!valid_dns_label(ns)) return usage("invalid namespace " + strings::quoted(ns));
  if (!valid_object_name(name)) return usage("invalid name " + strings::quoted(name));
  return ObjectPattern{std::move(*kind_pattern), std::string(ns), std::string(name)};
}

Result<Selection> Selection::from_flags(const SelectionFlags& flags) {
  Selection selection;
  if (flags.all_namespaces && flags.namespace_flag) {
    return Error::usage("--all-namespaces and --namespace cannot be used together");
  }
  auto include = clean_namespaces(flags.include_namespaces, "--include-namespaces");
  if (!include) return std::move(include).error();
  auto exclude = clean_namespaces(flags.exclude_namespaces, "--exclude-namespaces");
  if (!exclude) return std::move(exclude).error();
  for (const auto& ns : *include) {
    if (contains(*exclude, ns)) {
      return Error::usage("namespace " + ns +
                          " is both included (--include-namespaces) and excluded (--exclude-namespaces)");
    }
  }
  selection.include_namespaces_ = *include;
  selection.exclude_namespaces_ = *exclude;
  auto system = clean_namespaces(flags.system_namespaces, "--system-namespaces");
  if (!system) return std::move(system).error();
  selection.system_namespaces_ = *system;

  if (flags.namespace_flag) {
    auto ns = std::string(trim(*flags.namespace_flag));
    if (!valid_dns_label(ns))
      return Error::usage("--namespace: invalid namespace name " + strings::quoted(ns));
    if (!include->empty() && !contains(*include, ns)) {
      return Error::usage("--namespace " + ns + " is not among --include-namespaces (" +
                          strings::join(*include, ",") + ")");
    }
    if (contains(*exclude, ns))
      return Error::usage("--namespace " + ns + " is excluded by --exclude-namespaces");
    selection.namespaces_ = {ns};
  } else if (!include->empty()) {
    selection.namespaces_ = *include;  // with or without -A: the include list is the scope
  } else if (flags.all_namespaces) {
    selection.all_namespaces_ = true;
  } else {
    std::string ns = flags.default_namespace.empty() ? "default" : flags.default_namespace;
    if (contains(*exclude, ns)) {
      return Error::usage("namespace " + ns +
                          " (the current namespace) is excluded by --exclude-namespaces; "
                          "use -n, --include-namespaces or --all-namespaces");
    }
    selection.namespaces_ = {ns};
  }

  for (const auto& text : flags.selectors) {
    auto selector = parse_label_selector(text);
    if (!selector) return Error::usage("--selector: " + selector.error().message);
    if (!selector->empty()) selection.selectors_.push_back(std::move(*selector));
  }
  for (const auto& text : flags.exclude_selectors) {
    auto selector = parse_label_selector(text);
    if (!selector) return Error::usage("--exclude-selector: " + selector.error().message);
    if (!selector->empty()) selection.exclude_selectors_.push_back(std::move(*selector));
  }
  for (const auto& text : flags.resource_types) {
    auto pattern = parse_kind_pattern(text);
    if (!pattern) return std::move(pattern).error();
    selection.resource_types_.push_back(std::move(*pattern));
  }
  auto parse_objects = [&](const std::vector<std::string>& raw, std::string_view flag,
                           std::vector<ObjectPattern>& out) -> Result<void> {
    for (const auto& text : raw) {
      auto pattern = parse_object_pattern(text);
      if (!pattern) return Error::usage(std::string(flag) + ": " + pattern.error().message);
      out.push_back(std::move(*pattern));
    }
    return {};
  };
  if (auto s = parse_objects(flags.include_objects, "--include-objects", selection.include_objects_); !s) {
    return std::move(s).error();
  }
  if (auto s = parse_objects(flags.exclude_objects, "--exclude-objects", selection.exclude_objects_); !s) {
    return std::move(s).error();
  }
  for (const auto& included : selection.include_objects_) {
    if (!selection.namespace_selected(included.namespace_name)) {
      return Error::usage("--include-objects: namespace " + included.namespace_name + " of " +
                          included.kind.token + "/" + included.namespace_name + "/" + included.name +
                          " is not in the selected namespaces");
    }
    for (const auto& excluded : selection.exclude_objects_) {
      if (excluded.kind.token == included.kind.token && excluded.namespace_name == included.namespace_name &&
          excluded.name == included.name) {
        return Error::usage("object " + included.kind.token + "/" + included.namespace_name + "/" +
                            included.name +
                            " is both included (--include-objects) and excluded (--exclude-objects)");
      }
    }
  }
  return selection;
}

bool Selection::is_system_namespace(std::string_view ns) const {
  return ns.starts_with("kube-") || contains(system_namespaces_, ns);
}

bool Selection::namespace_selected(std::string_view ns) const {
  if (all_namespaces_ && is_system_namespace(ns)) return false;
  if (!all_namespaces_ && !contains(namespaces_, ns)) return false;
  return !contains(exclude_namespaces_, ns);
}

bool Selection::type_selected(const kube::ResourceType& type) const {
  if (resource_types_.empty()) return true;
  return std::any_of(resource_types_.begin(), resource_types_.end(),
                     [&](const auto& p) { return p.matches(type); });
}

std::vector<std::string> Selection::unmatched_resource_types(
    const std::vector<kube::ResourceType>& types) const {
  std::vector<std::string> unmatched;
  for (const auto& pattern : resource_types_) {
    if (std::none_of(types.begin(), types.end(), [&](const auto& t) { return pattern.matches(t); })) {
      std::string text = pattern.group ? *pattern.group + "/" + pattern.version.value_or("") + "/" : "";
      unmatched.push_back(text + pattern.token);
    }
  }
  return unmatched;
}

bool Selection::object_selected(const kube::ResourceType& type, const rapidjson::Value& object) const {
  const auto ns = object_namespace(object);
  if (type.namespaced && !namespace_selected(ns)) return false;
  if (!type_selected(type)) return false;
  const auto* labels = labels_of(object);
  for (const auto& selector : selectors_) {
    if (!selector.matches_all(labels)) return false;
  }
  for (const auto& selector : exclude_selectors_) {
    if (selector.matches_any(labels)) return false;
  }
  const auto name = object_name(object);
  auto is = [&](const ObjectPattern& p) {
    return p.kind.matches(type) && p.namespace_name == ns && p.name == name;
  };
  if (!include_objects_.empty() && std::none_of(include_objects_.begin(), include_objects_.end(), is))
    return false;
  return std::none_of(exclude_objects_.begin(), exclude_objects_.end(), is);
}

bool Selection::selected(const kube::ResourceType& type, const rapidjson::Value& object) const {
  return object_selected(type, object);
}

bool Selection::selected(std::string_view kind, const rapidjson::Value& object) const {
  kube::ResourceType type;
  type.kind = std::string(kind);
  type.plural = guess_plural(kind);
  auto api_version = string_member(object, "apiVersion");
  if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
    type.group = std::string(api_version.substr(0, slash));
    type.version = std::string(api_version.substr(slash + 1));
  } else {
    type.version = std::string(api_version);
  }
  // Without an apiVersion on the object, a GROUP/VERSION/KIND pattern can only match on the kind.
  if (api_version.empty()) {
    for (const auto& pattern : resource_types_) {
      if (pattern.group || pattern.version) {
        KindPattern loose = pattern;
        loose.group.reset();
        loose.version.reset();
        if (loose.matches(type)) {
          type.group = pattern.group.value_or("");
          type.version = pattern.version.value_or("");
          break;
        }
      }
    }
  }
  type.namespaced = !object_namespace(object).empty();
  return object_selected(type, object);
}

std::string Selection::server_label_selector() const {
  std::string out;
  for (const auto& selector : selectors_) out += (out.empty() ? "" : ",") + selector.text;
  return out;
}

}  // namespace dr::stork
