#include "validation.hpp"

#include <initializer_list>
#include <string_view>

#include <algorithm>

namespace emu {

namespace {

using rapidjson::Value;

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (!lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return lower_alnum(c) || c == '-'; });
}

bool is_subdomain(const std::string& s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    std::string part = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) return false;
    if (!std::all_of(part.begin(), part.end(), [](char c) { return lower_alnum(c) || c == '-'; }))
      return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

const char* json_kind(const Value& v) {
  if (v.IsString()) return "string";
  if (v.IsNumber()) return "number";
  if (v.IsBool()) return "bool";
  if (v.IsArray()) return "array";
  if (v.IsObject()) return "object";
  return "null";
}

[[noreturn]] void decode_error(const ResourceType& type, const Value& bad, const std::string& go_field,
                               const std::string& go_type) {
  std::string what = json_kind(bad);
  if (bad.IsNumber()) what = "number " + to_json(bad);
  throw errors::bad_request(type.kind + " in version " + quoted(type.version) + " cannot be handled as a " +
                            type.kind + ": json: cannot unmarshal " + what + " into Go struct field " +
                            go_field + " of type " + go_type);
}

void expect_string(const ResourceType& type, const Value& parent, const char* key,
                   const std::string& go_field) {
  auto it = parent.FindMember(key);
  if (it != parent.MemberEnd() && !it->value.IsString() && !it->value.IsNull()) {
    decode_error(type, it->value, go_field, "string");
  }
}

void expect_string_map(const ResourceType& type, const Value& parent, const char* key,
                       const std::string& go_field) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd() || it->value.IsNull()) return;
  if (!it->value.IsObject()) decode_error(type, it->value, go_field, "map[string]string");
  for (const auto& m : it->value.GetObject()) {
    if (!m.value.IsString() && !m.value.IsNull()) decode_error(type, m.value, go_field, "string");
  }
}

void expect_int32(const ResourceType& type, const Value& parent, const char* key,
                  const std::string& go_field) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd() || it->value.IsNull()) return;
  if (!it->value.IsInt()) decode_error(type, it->value, go_field, "int32");
}

void expect_bool(const ResourceType& type, const Value& parent, const char* key,
                 const std::string& go_field) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd() || it->value.IsNull()) return;
  if (!it->value.IsBool()) decode_error(type, it->value, go_field, "bool");
}

std::string spec_struct(const ResourceType& type) {
  return type.kind + "Spec";
}

}  // namespace

std::vector<std::string> dns1123_label_errors(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.emplace_back("must be no more than 63 characters");
  if (!is_label(value)) {
    if (value.size() <= 63 && is_subdomain(value)) {
      errs.emplace_back("must not contain dots");
    } else {
      errs.emplace_back(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
          "start and "
          "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    }
  }
  return errs;
}

std::vector<std::string> dns1123_subdomain_errors(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > 253) errs.emplace_back("must be no more than 253 characters");
  if (!is_subdomain(value)) {
    errs.emplace_back(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
        "must start "
        "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return errs;
}

std::vector<std::string> name_errors(const ResourceType& type, const std::string& name) {
  if (type.builtin && type.group.empty() && type.plural == "namespaces") return dns1123_label_errors(name);
  if (type.builtin && type.group == "apps" && type.plural == "statefulsets")
    return dns1123_label_errors(name);
  return dns1123_subdomain_errors(name);
}

std::string invalid_body_string(const std::string& value, const std::string& detail) {
  return "Invalid value: " + quoted(value) + (detail.empty() ? "" : ": " + detail);
}
std::string invalid_body_int(long long value, const std::string& detail) {
  return "Invalid value: " + std::to_string(value) + (detail.empty() ? "" : ": " + detail);
}
StatusCause invalid_cause(const std::string& field, const std::string& body) {
  return {"FieldValueInvalid", body, field};
}
StatusCause required_cause(const std::string& field, const std::string& detail) {
  return {"FieldValueRequired", "Required value" + (detail.empty() ? "" : ": " + detail), field};
}

namespace {

// The fields of one level of a kind, and the levels below whose fields are known too.
struct FieldSet {
  struct Field {
    std::string_view name;
    const FieldSet* below = nullptr;
  };
  std::vector<Field> fields;
};

const FieldSet kObjectMeta{{{"name"},
                            {"generateName"},
                            {"namespace"},
                            {"selfLink"},
                            {"uid"},
                            {"resourceVersion"},
                            {"generation"},
                            {"creationTimestamp"},
                            {"deletionTimestamp"},
                            {"deletionGracePeriodSeconds"},
                            {"labels"},
                            {"annotations"},
                            {"ownerReferences"},
                            {"finalizers"},
                            {"managedFields"}}};
const FieldSet kPodTemplate{{{"metadata", &kObjectMeta}, {"spec"}}};
const FieldSet kDeploymentSpec{{{"replicas"},
                                {"selector"},
                                {"template", &kPodTemplate},
                                {"strategy"},
                                {"minReadySeconds"},
                                {"revisionHistoryLimit"},
                                {"paused"},
                                {"progressDeadlineSeconds"}}};
const FieldSet kStatefulSetSpec{{{"replicas"},
                                 {"selector"},
                                 {"template", &kPodTemplate},
                                 {"volumeClaimTemplates"},
                                 {"serviceName"},
                                 {"podManagementPolicy"},
                                 {"updateStrategy"},
                                 {"revisionHistoryLimit"},
                                 {"minReadySeconds"},
                                 {"persistentVolumeClaimRetentionPolicy"},
                                 {"ordinals"}}};
const FieldSet kReplicaSetSpec{
    {{"replicas"}, {"minReadySeconds"}, {"selector"}, {"template", &kPodTemplate}}};
const FieldSet kConfigMap{
    {{"apiVersion"}, {"kind"}, {"metadata", &kObjectMeta}, {"data"}, {"binaryData"}, {"immutable"}}};
const FieldSet kDeployment{
    {{"apiVersion"}, {"kind"}, {"metadata", &kObjectMeta}, {"spec", &kDeploymentSpec}, {"status"}}};
const FieldSet kStatefulSet{
    {{"apiVersion"}, {"kind"}, {"metadata", &kObjectMeta}, {"spec", &kStatefulSetSpec}, {"status"}}};
const FieldSet kReplicaSet{
    {{"apiVersion"}, {"kind"}, {"metadata", &kObjectMeta}, {"spec", &kReplicaSetSpec}, {"status"}}};
const FieldSet kSpecStatus{{{"apiVersion"}, {"kind"}, {"metadata", &kObjectMeta}, {"spec"}, {"status"}}};

// Removes the members of `object` not in `set`, recording "<prefix><name>", depth first in
// document order (the order of the decoder's errors).
void prune_level(Value& object, const FieldSet& set, const std::string& prefix,
                 std::vector<std::string>& out) {
  if (!object.IsObject()) return;
  for (auto m = object.MemberBegin(); m != object.MemberEnd();) {
    std::string_view name(m->name.GetString(), m->name.GetStringLength());
    const FieldSet::Field* field = nullptr;
    for (const auto& f : set.fields)
      if (f.name == name) field = &f;
    if (field == nullptr) {
      out.push_back(prefix + std::string(name));
      m = object.EraseMember(m);
      continue;
    }
    if (field->below != nullptr) prune_level(m->value, *field->below, prefix + std::string(name) + ".", out);
    ++m;
  }
}

}  // namespace

std::vector<std::string> prune_unknown_fields(const ResourceType& type, Value& object) {
  std::vector<std::string> out;
  if (!type.builtin) return out;
  const FieldSet* set = &kSpecStatus;
  if (type.group.empty() && type.plural == "configmaps") set = &kConfigMap;
  if (type.group == "apps" && type.plural == "deployments") set = &kDeployment;
  if (type.group == "apps" && type.plural == "statefulsets") set = &kStatefulSet;
  if (type.group == "apps" && type.plural == "replicasets") set = &kReplicaSet;
  prune_level(object, *set, "", out);
  return out;
}

void check_decodable(const ResourceType& type, const Value& object) {
  if (!object.IsObject()) {
    throw errors::bad_request(
        "json: cannot unmarshal " + std::string(json_kind(object)) +
        " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
        "Kind string \"json:\\\"kind,omitempty\\\"\" }");
  }
  expect_string(type, object, "apiVersion", type.kind + ".apiVersion");
  expect_string(type, object, "kind", type.kind + ".kind");
  auto meta = object.FindMember("metadata");
  if (meta != object.MemberEnd() && !meta->value.IsNull()) {
    if (!meta->value.IsObject()) decode_error(type, meta->value, type.kind + ".metadata", "v1.ObjectMeta");
    const Value& m = meta->value;
    for (const char* key :
         {"name", "generateName", "namespace", "resourceVersion", "uid", "creationTimestamp"}) {
      expect_string(type, m, key, std::string("ObjectMeta.metadata.") + key);
    }
    expect_string_map(type, m, "labels", "ObjectMeta.metadata.labels");
    expect_string_map(type, m, "annotations", "ObjectMeta.metadata.annotations");
    auto fin = m.FindMember("finalizers");
    if (fin != m.MemberEnd() && !fin->value.IsNull()) {
      if (!fin->value.IsArray()) decode_error(type, fin->value, "ObjectMeta.metadata.finalizers", "[]string");
      for (const auto& f : fin->value.GetArray()) {
        if (!f.IsString()) decode_error(type, f, "ObjectMeta.metadata.finalizers", "string");
      }
    }
  }
  if (!type.builtin) return;  // custom resources: the schema preserves unknown fields
  auto spec = object.FindMember("spec");
  if (spec == object.MemberEnd() || spec->value.IsNull()) return;
  if (!spec->value.IsObject()) {
    decode_error(type, spec->value, type.kind + ".spec", "v1." + spec_struct(type));
  }
  const Value& s = spec->value;
  if (type.group == "apps") {
    expect_int32(type, s, "replicas", spec_struct(type) + ".spec.replicas");
    expect_int32(type, s, "minReadySeconds", spec_struct(type) + ".spec.minReadySeconds");
    if (type.plural == "statefulsets")
      expect_string(type, s, "serviceName", "StatefulSetSpec.spec.serviceName");
    if (type.plural == "deployments") expect_bool(type, s, "paused", "DeploymentSpec.spec.paused");
  } else if (type.group == "batch" && type.plural == "cronjobs") {
    expect_string(type, s, "schedule", "CronJobSpec.spec.schedule");
    expect_bool(type, s, "suspend", "CronJobSpec.spec.suspend");
  }
  if (type.group.empty() && type.plural == "configmaps") {
    expect_string_map(type, object, "data", "ConfigMap.data");
  }
}

namespace {

void validate_meta(const ResourceType& type, const Value& object, const Value* old,
                   std::vector<StatusCause>& causes) {
  const std::string name = str_at(object, {"metadata", "name"});
  const std::string generate = str_at(object, {"metadata", "generateName"});
  if (name.empty() && old == nullptr) {
    causes.push_back(required_cause("metadata.name", "name or generateName is required"));
  } else if (!name.empty()) {
    for (const auto& msg : name_errors(type, name)) {
      causes.push_back(invalid_cause("metadata.name", invalid_body_string(name, msg)));
    }
  }
  if (type.namespaced) {
    const std::string ns = str_at(object, {"metadata", "namespace"});
    if (ns.empty()) {
      causes.push_back(required_cause("metadata.namespace"));
    }
  } else if (!str_at(object, {"metadata", "namespace"}).empty()) {
    causes.push_back({"FieldValueForbidden", "Forbidden: not allowed on this type", "metadata.namespace"});
  }
  auto check_keys = [&](const char* member, bool values) {
    const Value* map = value_at(object, {"metadata", member});
    if (map == nullptr || !map->IsObject()) return;
    for (const auto& m : map->GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      std::string prefix, part = key;
      if (auto slash = key.find('/'); slash != std::string::npos) {
        prefix = key.substr(0, slash);
        part = key.substr(slash + 1);
        if (!is_subdomain(prefix)) {
          causes.push_back(
              invalid_cause(std::string("metadata.") + member,
                            invalid_body_string(key, "prefix part " + dns1123_subdomain_errors(prefix)[0])));
          continue;
        }
      }
      auto name_part_ok = [](const std::string& s, bool allow_empty) {
        if (s.empty()) return allow_empty;
        if (s.size() > 63) return false;
        auto an = [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        };
        if (!an(s.front()) || !an(s.back())) return false;
        return std::all_of(s.begin(), s.end(),
                           [&](char c) { return an(c) || c == '-' || c == '_' || c == '.'; });
      };
      if (!name_part_ok(part, false)) {
        causes.push_back(invalid_cause(
            std::string("metadata.") + member,
            invalid_body_string(
                key,
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
                "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")));
      }
      if (values && m.value.IsString()) {
        std::string v(m.value.GetString(), m.value.GetStringLength());
        if (!name_part_ok(v, true)) {
          causes.push_back(invalid_cause(
              std::string("metadata.") + member,
              invalid_body_string(
                  v,
                  "a valid label must be an empty string or consist of alphanumeric characters, '-', "
                  "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', "
                  " or 'my_value',  or '12345', regex used for validation is "
                  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")));
        }
      }
    }
  };
  check_keys("labels", true);
  check_keys("annotations", false);
  (void)generate;
}

void validate_replicas(const Value& object, std::vector<StatusCause>& causes) {
  const Value* replicas = value_at(object, {"spec", "replicas"});
  if (replicas != nullptr && replicas->IsInt64() && replicas->GetInt64() < 0) {
    causes.push_back(invalid_cause(
        "spec.replicas", invalid_body_int(replicas->GetInt64(), "must be greater than or equal to 0")));
  }
}

void validate_pod_spec(const Value* spec, const std::string& path, std::vector<StatusCause>& causes) {
  const Value* containers = spec != nullptr ? value_at(*spec, {"containers"}) : nullptr;
  if (containers == nullptr || !containers->IsArray() || containers->Empty()) {
    causes.push_back(required_cause(path + ".containers"));
    return;
  }
  for (rapidjson::SizeType i = 0; i < containers->Size(); ++i) {
    const Value& c = (*containers)[i];
    std::string at = path + ".containers[" + std::to_string(i) + "]";
    std::string name = str_at(c, {"name"});
    if (name.empty()) {
      causes.push_back(required_cause(at + ".name"));
    } else {
      for (const auto& msg : dns1123_label_errors(name))
        causes.push_back(invalid_cause(at + ".name", invalid_body_string(name, msg)));
    }
    if (str_at(c, {"image"}).empty()) causes.push_back(required_cause(at + ".image"));
  }
}

// apps/v1 workloads: selector required, must match the template's labels, containers present.
void validate_workload(const Value& object, const std::string& singular, std::vector<StatusCause>& causes) {
  validate_replicas(object, causes);
  const Value* selector = value_at(object, {"spec", "selector"});
  const Value* template_labels = value_at(object, {"spec", "template", "metadata", "labels"});
  bool empty_selector = selector == nullptr || !selector->IsObject() ||
                        ((value_at(*selector, {"matchLabels"}) == nullptr ||
                          value_at(*selector, {"matchLabels"})->ObjectEmpty()) &&
                         (value_at(*selector, {"matchExpressions"}) == nullptr ||
                          value_at(*selector, {"matchExpressions"})->Empty()));
  if (selector == nullptr) {
    causes.push_back(required_cause("spec.selector"));
  } else if (empty_selector) {
    causes.push_back(invalid_cause("spec.selector", "Invalid value: " + to_json(*selector) +
                                                        ": empty selector is invalid for " + singular));
  } else if (const Value* match = value_at(*selector, {"matchLabels"});
             match != nullptr && match->IsObject()) {
    bool matches = true;
    for (const auto& m : match->GetObject()) {
      if (template_labels == nullptr || !template_labels->IsObject()) {
        matches = false;
        break;
      }
      auto it = template_labels->FindMember(m.name);
      if (it == template_labels->MemberEnd() || it->value != m.value) matches = false;
    }
    if (!matches) {
      std::string shown = template_labels != nullptr ? to_json(*template_labels) : "null";
      causes.push_back(
          invalid_cause("spec.template.metadata.labels",
                        "Invalid value: " + shown + ": `selector` does not match template `labels`"));
    }
  }
  validate_pod_spec(value_at(object, {"spec", "template", "spec"}), "spec.template.spec", causes);
}

void validate_cronjob(const Value& object, std::vector<StatusCause>& causes) {
  std::string name = str_at(object, {"metadata", "name"});
  if (name.size() > 52) {
    causes.push_back(
        invalid_cause("metadata.name", invalid_body_string(name, "must be no more than 52 characters")));
  }
  if (str_at(object, {"spec", "schedule"}).empty()) causes.push_back(required_cause("spec.schedule"));
  const Value* pod_spec = value_at(object, {"spec", "jobTemplate", "spec", "template", "spec"});
  validate_pod_spec(pod_spec, "spec.jobTemplate.spec.template.spec", causes);
}

void validate_crd(const Value& object, std::vector<StatusCause>& causes) {
  const std::string group = str_at(object, {"spec", "group"});
  const std::string plural = str_at(object, {"spec", "names", "plural"});
  const std::string name = str_at(object, {"metadata", "name"});
  if (!name.empty() && name != plural + "." + group) {
    causes.push_back(invalid_cause("metadata.name",
                                   invalid_body_string(name, "must be spec.names.plural+\".\"+spec.group")));
  }
  if (group.empty()) causes.push_back(required_cause("spec.group"));
  if (plural.empty()) causes.push_back(required_cause("spec.names.plural"));
  if (str_at(object, {"spec", "names", "kind"}).empty()) causes.push_back(required_cause("spec.names.kind"));
  std::string scope = str_at(object, {"spec", "scope"});
  if (scope != "Namespaced" && scope != "Cluster") {
    if (scope.empty()) {
      causes.push_back(required_cause("spec.scope"));
    } else {
      causes.push_back(
          {"FieldValueNotSupported",
           "Unsupported value: " + quoted(scope) + ": supported values: \"Cluster\", \"Namespaced\"",
           "spec.scope"});
    }
  }
  const Value* versions = value_at(object, {"spec", "versions"});
  if (versions == nullptr || !versions->IsArray() || versions->Empty()) {
    causes.push_back(invalid_cause(
        "spec.versions", "Invalid value: null: must have exactly one version marked as storage version"));
  } else {
    int storage = 0;
    for (const auto& v : versions->GetArray()) {
      const Value* s = value_at(v, {"storage"});
      if (s != nullptr && s->IsBool() && s->GetBool()) ++storage;
    }
    if (storage != 1) {
      causes.push_back(
          invalid_cause("spec.versions", "Invalid value: " + to_json(*versions) +
                                             ": must have exactly one version marked as storage version"));
    }
  }
}

}  // namespace

std::vector<StatusCause> validate_object(const ResourceType& type, const Value& object, const Value* old) {
  std::vector<StatusCause> causes;
  validate_meta(type, object, old, causes);
  if (type.builtin) {
    if (type.group == "apps") {
      validate_workload(object, type.singular, causes);
    } else if (type.group == "batch" && type.plural == "cronjobs") {
      validate_cronjob(object, causes);
    } else if (type.group.empty() && type.plural == "persistentvolumeclaims") {
      const Value* modes = value_at(object, {"spec", "accessModes"});
      if (modes == nullptr || !modes->IsArray() || modes->Empty()) {
        causes.push_back(required_cause("spec.accessModes", "at least 1 access mode is required"));
      }
      if (value_at(object, {"spec", "resources", "requests", "storage"}) == nullptr) {
        causes.push_back(required_cause("spec.resources[storage]"));
      }
    } else if (type.group.empty() && type.plural == "pods") {
      validate_pod_spec(value_at(object, {"spec"}), "spec", causes);
    } else if (type.group == "apiextensions.k8s.io") {
      validate_crd(object, causes);
    }
  } else if (type.scale_subresource) {
    validate_replicas(object, causes);
  }
  if (type.validate) type.validate(object, causes);
  return causes;
}

}  // namespace emu
