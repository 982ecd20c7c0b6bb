#include "store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "patch.hpp"
#include "selectors.hpp"

namespace emu {

std::string to_string(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::string now_rfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string new_uid() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::uint64_t high = random();
  std::uint64_t low = random();
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xfff),
                static_cast<unsigned>(0x8000 | (low >> 48 & 0x3fff)),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return buffer;
}

namespace {

std::string json_escape(const std::string& text) {
  rapidjson::Value value(rapidjson::StringRef(text.c_str(), static_cast<rapidjson::SizeType>(text.size())));
  return to_string(value);
}

std::string random_suffix(std::size_t length) {
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  static thread_local std::mt19937 random{std::random_device{}()};
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += alphabet[random() % (sizeof alphabet - 1)];
  return out;
}

std::string hex_encode(const std::string& text) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool hex_decode(const std::string& text, std::string& out) {
  if (text.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int high = nibble(text[i]);
    int low = nibble(text[i + 1]);
    if (high < 0 || low < 0) return false;
    out += static_cast<char>(high * 16 + low);
  }
  return true;
}

rapidjson::Value& metadata_of(rapidjson::Document& object) {
  auto& a = object.GetAllocator();
  if (!object.HasMember("metadata") || !object["metadata"].IsObject()) {
    if (object.HasMember("metadata")) object.RemoveMember("metadata");
    object.AddMember("metadata", rapidjson::Value(rapidjson::kObjectType), a);
  }
  return object["metadata"];
}

std::string string_at(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return {};
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
}

void set_string(rapidjson::Value& object, const char* key, const std::string& value,
                rapidjson::Document::AllocatorType& a) {
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) {
    it->value.SetString(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), a);
  } else {
    object.AddMember(rapidjson::Value(key, a), rapidjson::Value(value.c_str(), a), a);
  }
}

void set_value(rapidjson::Value& object, const char* key, rapidjson::Value value, rapidjson::Document::AllocatorType& a) {
  auto it = object.FindMember(key);
  if (it != object.MemberEnd()) {
    it->value = value;
  } else {
    object.AddMember(rapidjson::Value(key, a), value, a);
  }
}

bool is_dns1123_label(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' && i > 0 && i + 1 < name.size())) return false;
  }
  return true;
}

bool is_dns1123_subdomain(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    std::string label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty()) return false;
    for (std::size_t i = 0; i < label.size(); ++i) {
      char c = label[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!alnum && !(c == '-' && i > 0 && i + 1 < label.size())) return false;
    }
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

bool has_replicas(const ResourceType& type) {
  return type.group == "apps" && (type.plural == "deployments" || type.plural == "statefulsets" || type.plural == "replicasets");
}

}  // namespace

Reply status_error(int code, const std::string& reason, const std::string& message, const std::string& name,
                   const std::string& group, const std::string& kind,
                   const std::vector<std::pair<std::string, std::string>>& causes) {
  std::string body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)" +
                     json_escape(message) + R"(,"reason":)" + json_escape(reason) + R"(,"details":{)";
  bool first = true;
  auto field = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    body += (first ? "\"" : ",\"") + std::string(key) + "\":" + json_escape(value);
    first = false;
  };
  field("name", name);
  field("group", group);
  field("kind", kind);
  if (!causes.empty()) {
    body += first ? "\"causes\":[" : ",\"causes\":[";
    for (std::size_t i = 0; i < causes.size(); ++i) {
      body += (i ? "," : "") + std::string(R"({"reason":"FieldValueInvalid","message":)") + json_escape(causes[i].second) +
              R"(,"field":)" + json_escape(causes[i].first) + "}";
    }
    body += "]";
  }
  body += "},\"code\":" + std::to_string(code) + "}";
  return Reply{code, body};
}

Reply not_found(const ResourceType& type, const std::string& name) {
  return status_error(404, "NotFound", type.group_resource() + " \"" + name + "\" not found", name, type.group,
                      type.plural);
}

Cluster::Cluster(std::string name) : name_(std::move(name)) {}

void Cluster::register_type(ResourceType type) {
  std::lock_guard lock(mutex_);
  auto key = type.key();
  auto& collection = collections_[key];
  collection.type = std::move(type);
}

std::optional<ResourceType> Cluster::find_type(const std::string& group, const std::string& version,
                                               const std::string& plural) const {
  std::lock_guard lock(mutex_);
  auto it = collections_.find(group + "/" + plural);
  if (it == collections_.end() || it->second.type.version != version) return std::nullopt;
  return it->second.type;
}

std::vector<ResourceType> Cluster::types() const {
  std::lock_guard lock(mutex_);
  std::vector<ResourceType> out;
  for (const auto& [key, collection] : collections_) out.push_back(collection.type);
  return out;
}

Cluster::Collection* Cluster::collection_for(const ResourceType& type) {
  auto it = collections_.find(type.key());
  return it == collections_.end() ? nullptr : &it->second;
}

bool Cluster::namespace_exists_locked(const std::string& ns) const {
  auto it = collections_.find("/namespaces");
  return it != collections_.end() && it->second.objects.count("/" + ns) > 0;
}

std::uint64_t Cluster::current_rv() const {
  std::lock_guard lock(mutex_);
  return rv_;
}

void Cluster::compact() {
  std::lock_guard lock(mutex_);
  compacted_rv_ = rv_;
  history_.clear();
}

void Cluster::record(const std::string& event_type, const Collection& collection, const std::string& ns,
                     std::shared_ptr<const rapidjson::Document> object, std::uint64_t rv) {
  history_.push_back(Event{rv, event_type, collection.type.key(), ns, std::move(object)});
  constexpr std::size_t kHistory = 20000;
  while (history_.size() > kHistory) {
    compacted_rv_ = history_.front().rv;
    history_.pop_front();
  }
  changed_.notify_all();
}

std::vector<std::string> Cluster::take_dirty(const std::string& type_key) {
  std::lock_guard lock(mutex_);
  auto it = dirty_.find(type_key);
  if (it == dirty_.end()) return {};
  std::vector<std::string> keys(it->second.begin(), it->second.end());
  it->second.clear();
  return keys;
}

void Cluster::force_conflicts(const std::string& type_key, const std::string& ns, const std::string& name, int count) {
  std::lock_guard lock(mutex_);
  forced_conflicts_[type_key + " " + ns + "/" + name] = count;
}

Reply Cluster::validate(const ResourceType& type, const rapidjson::Document& object) const {
  const auto& metadata = object["metadata"];
  std::string name = string_at(metadata, "name");
  auto invalid = [&](const std::string& field, const std::string& detail) {
    std::string message = type.kind + (type.group.empty() ? "" : "." + type.group) + " \"" + name +
                          "\" is invalid: " + field + ": " + detail;
    return status_error(422, "Invalid", message, name, type.group, type.kind, {{field, detail}});
  };
  if (type.plural == "namespaces") {
    if (!is_dns1123_label(name)) {
      return invalid("metadata.name", "Invalid value: \"" + name +
                                          "\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
                                          "characters or '-', and must start and end with an alphanumeric character "
                                          "(e.g. 'my-name',  or '123-abc', regex used for validation is "
                                          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    }
  } else if (!is_dns1123_subdomain(name)) {
    return invalid("metadata.name", "Invalid value: \"" + name +
                                        "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                        "characters, '-' or '.', and must start and end with an alphanumeric character "
                                        "(e.g. 'example.com', regex used for validation is "
                                        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  if (has_replicas(type) && object.HasMember("spec") && object["spec"].IsObject() && object["spec"].HasMember("replicas")) {
    const auto& replicas = object["spec"]["replicas"];
    if (!replicas.IsInt64() && !replicas.IsNull()) {
      return status_error(400, "BadRequest",
                          type.kind + " in version \"" + type.version + "\" cannot be handled as a " + type.kind +
                              ": json: cannot unmarshal " + (replicas.IsString() ? "string" : "number") +
                              " into Go struct field " + type.kind + "Spec.spec.replicas of type int32");
    }
    if (replicas.IsInt64() && replicas.GetInt64() < 0) {
      return invalid("spec.replicas", "Invalid value: " + std::to_string(replicas.GetInt64()) +
                                          ": must be greater than or equal to 0");
    }
  }
  if (object.HasMember("metadata") && metadata.HasMember("annotations") && !metadata["annotations"].IsObject() &&
      !metadata["annotations"].IsNull()) {
    return status_error(400, "BadRequest", type.kind + " in version \"" + type.version + "\" cannot be handled as a " +
                                               type.kind + ": json: cannot unmarshal into metadata.annotations");
  }
  return Reply{200, {}};
}

// Stores `next` (already carrying name/namespace) as the new state of one object.
Reply Cluster::write_locked(Collection& collection, const std::string& ns, const std::string& name,
                           rapidjson::Document next, const Stored* previous, bool dry_run, const std::string& sub) {
  const auto& type = collection.type;
  auto& a = next.GetAllocator();
  auto& metadata = metadata_of(next);
  if (auto valid = validate(type, next); !valid.ok()) return valid;

  const std::string key = ns + "/" + name;
  if (previous != nullptr) {
    auto conflict = forced_conflicts_.find(type.key() + " " + key);
    if (conflict != forced_conflicts_.end() && conflict->second > 0) {
      --conflict->second;
      return status_error(409, "Conflict",
                          "Operation cannot be fulfilled on " + type.group_resource() + " \"" + name +
                              "\": the object has been modified; please apply your changes to the latest version and try again",
                          name, type.group, type.plural);
    }
    const auto& old = *previous->object;
    // Status subresource: the main resource cannot change status, /status cannot change the rest.
    if (type.status_subresource && sub.empty()) {
      if (old.HasMember("status")) {
        rapidjson::Value status(old["status"], a);
        set_value(next, "status", std::move(status), a);
      } else if (next.HasMember("status")) {
        next.RemoveMember("status");
      }
    }
    // Immutable metadata comes from the stored object.
    for (const char* field : {"uid", "creationTimestamp"}) {
      std::string value = string_at(old["metadata"], field);
      if (!value.empty()) set_string(metadata, field, value, a);
    }
    std::int64_t generation = 1;
    if (old["metadata"].HasMember("generation") && old["metadata"]["generation"].IsInt64()) {
      generation = old["metadata"]["generation"].GetInt64();
    }
    bool spec_changed = (old.HasMember("spec") != next.HasMember("spec")) ||
                        (old.HasMember("spec") && next.HasMember("spec") && old["spec"] != next["spec"]);
    set_value(metadata, "generation", rapidjson::Value(generation + (spec_changed ? 1 : 0)), a);
  } else {
    set_string(metadata, "uid", new_uid(), a);
    set_string(metadata, "creationTimestamp", now_rfc3339(), a);
    set_value(metadata, "generation", rapidjson::Value(static_cast<std::int64_t>(1)), a);
  }
  const std::uint64_t rv = dry_run ? rv_ : ++rv_;
  set_string(metadata, "resourceVersion", std::to_string(rv), a);
  Reply reply{previous != nullptr ? 200 : 201, to_string(next)};
  if (dry_run) return reply;

  auto stored = std::make_shared<const rapidjson::Document>(std::move(next));
  collection.objects[key] = Stored{stored};
  record(previous != nullptr ? "MODIFIED" : "ADDED", collection, ns, stored, rv);
  dirty_[type.key()].insert(key);
  return reply;
}

namespace {

// A CRD's served type (first served version).
std::optional<ResourceType> type_from_crd(const rapidjson::Value& crd) {
  if (!crd.HasMember("spec") || !crd["spec"].IsObject()) return std::nullopt;
  const auto& spec = crd["spec"];
  ResourceType type;
  type.builtin = false;
  type.group = string_at(spec, "group");
  if (spec.HasMember("names") && spec["names"].IsObject()) {
    const auto& names = spec["names"];
    type.plural = string_at(names, "plural");
    type.singular = string_at(names, "singular");
    type.kind = string_at(names, "kind");
    if (names.HasMember("shortNames") && names["shortNames"].IsArray()) {
      for (const auto& s : names["shortNames"].GetArray()) {
        if (s.IsString()) type.short_names.emplace_back(s.GetString());
      }
    }
    if (names.HasMember("categories") && names["categories"].IsArray()) {
      for (const auto& s : names["categories"].GetArray()) {
        if (s.IsString()) type.categories.emplace_back(s.GetString());
      }
    }
  }
  type.namespaced = string_at(spec, "scope") != "Cluster";
  if (spec.HasMember("versions") && spec["versions"].IsArray()) {
    for (const auto& version : spec["versions"].GetArray()) {
      if (version.HasMember("served") && version["served"].IsBool() && !version["served"].GetBool()) continue;
      type.version = string_at(version, "name");
      if (version.HasMember("subresources") && version["subresources"].IsObject()) {
        type.status_subresource = version["subresources"].HasMember("status");
        type.scale_subresource = version["subresources"].HasMember("scale");
      }
      break;
    }
  }
  if (type.plural.empty() || type.kind.empty() || type.version.empty()) return std::nullopt;
  if (type.singular.empty()) {
    type.singular = type.kind;
    std::transform(type.singular.begin(), type.singular.end(), type.singular.begin(), ::tolower);
  }
  return type;
}

// The Scale subresource view of a workload.
std::string scale_of(const ResourceType& type, const rapidjson::Document& object) {
  const auto& metadata = object["metadata"];
  std::int64_t replicas = 1;
  std::int64_t status_replicas = 0;
  if (object.HasMember("spec") && object["spec"].HasMember("replicas") && object["spec"]["replicas"].IsInt64()) {
    replicas = object["spec"]["replicas"].GetInt64();
  }
  if (object.HasMember("status") && object["status"].IsObject() && object["status"].HasMember("replicas") &&
      object["status"]["replicas"].IsInt64()) {
    status_replicas = object["status"]["replicas"].GetInt64();
  }
  std::string selector;
  if (object.HasMember("spec") && object["spec"].HasMember("selector") && object["spec"]["selector"].IsObject() &&
      object["spec"]["selector"].HasMember("matchLabels") && object["spec"]["selector"]["matchLabels"].IsObject()) {
    for (const auto& m : object["spec"]["selector"]["matchLabels"].GetObject()) {
      if (!m.value.IsString()) continue;
      selector += (selector.empty() ? "" : ",") + std::string(m.name.GetString()) + "=" + m.value.GetString();
    }
  }
  (void)type;
  return R"({"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":)" + json_escape(string_at(metadata, "name")) +
         R"(,"namespace":)" + json_escape(string_at(metadata, "namespace")) + R"(,"uid":)" +
         json_escape(string_at(metadata, "uid")) + R"(,"resourceVersion":)" +
         json_escape(string_at(metadata, "resourceVersion")) + R"(,"creationTimestamp":)" +
         json_escape(string_at(metadata, "creationTimestamp")) + R"(},"spec":{"replicas":)" + std::to_string(replicas) +
         R"(},"status":{"replicas":)" + std::to_string(status_replicas) + R"(,"selector":)" + json_escape(selector) + "}}";
}

Reply bad_json(const ResourceType& type, const rapidjson::Document& parsed) {
  return status_error(400, "BadRequest",
                      std::string("couldn't get version/kind; json parse error: ") +
                          rapidjson::GetParseError_En(parsed.GetParseError()) + " (" + type.kind + ")");
}

}  // namespace

Reply Cluster::get(const ResourceType& type, const std::string& ns, const std::string& name, const std::string& sub) {
  std::lock_guard lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return status_error(404, "NotFound", "the server could not find the requested resource");
  auto it = collection->objects.find(ns + "/" + name);
  if (it == collection->objects.end()) return not_found(type, name);
  if (sub == "scale") return Reply{200, scale_of(type, *it->second.object)};
  return Reply{200, to_string(*it->second.object)};
}

Reply Cluster::list(const ResourceType& type, const std::string& ns, const ListOptions& options) {
  std::string error;
  auto labels = parse_label_selector(options.label_selector, error);
  if (!labels) return status_error(400, "BadRequest", "unable to parse requirement: " + error);
  auto fields = parse_field_selector(options.field_selector, type.kind, error);
  if (!fields) return status_error(400, "BadRequest", error);

  std::lock_guard lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return status_error(404, "NotFound", "the server could not find the requested resource");
  std::uint64_t list_rv = rv_;
  std::string start_after;
  if (!options.continue_token.empty()) {
    std::string decoded;
    auto colon = std::string::npos;
    if (hex_decode(options.continue_token, decoded)) colon = decoded.find(':');
    if (colon == std::string::npos) {
      return status_error(400, "BadRequest", "continue key is not valid: invalid continue token");
    }
    list_rv = std::stoull(decoded.substr(0, colon));
    start_after = decoded.substr(colon + 1);
    if (list_rv < compacted_rv_) {
      return status_error(410, "Expired",
                          "The provided continue parameter is too old to display a consistent list result. You can "
                          "start a new list without the continue parameter, or use the continue token in this response "
                          "to retrieve the remainder of the results. Continuing with the provided token results in an "
                          "inconsistent list - objects that were created, modified, or deleted between the time the "
                          "first chunk was returned and now may show up in the list.");
    }
  }
  const std::string prefix = type.namespaced && !ns.empty() ? ns + "/" : "";
  auto it = start_after.empty() ? collection->objects.lower_bound(prefix) : collection->objects.upper_bound(start_after);
  std::string items;
  std::size_t count = 0;
  std::string last_key;
  std::size_t remaining = 0;
  bool more = false;
  for (; it != collection->objects.end(); ++it) {
    if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    const auto& object = *it->second.object;
    const rapidjson::Value* object_labels = nullptr;
    if (object["metadata"].HasMember("labels")) object_labels = &object["metadata"]["labels"];
    if (!labels->matches(object_labels) || !fields->matches(object)) continue;
    if (options.limit > 0 && count == options.limit) {
      more = true;
      ++remaining;
      continue;
    }
    if (count++) items += ',';
    items += to_string(object);
    last_key = it->first;
  }
  std::string body = R"({"kind":")" + type.kind + R"(List","apiVersion":")" + type.api_version() +
                     R"(","metadata":{"resourceVersion":")" + std::to_string(list_rv) + "\"";
  if (more) {
    body += R"(,"continue":")" + hex_encode(std::to_string(list_rv) + ":" + last_key) + "\"";
    body += ",\"remainingItemCount\":" + std::to_string(remaining);
  }
  body += "},\"items\":[" + items + "]}";
  return Reply{200, body};
}

Reply Cluster::create(const ResourceType& type, const std::string& ns, const std::string& body, bool dry_run) {
  rapidjson::Document object;
  object.Parse(body.c_str(), body.size());
  if (object.HasParseError() || !object.IsObject()) return bad_json(type, object);
  auto& a = object.GetAllocator();
  auto& metadata = metadata_of(object);
  std::string body_ns = string_at(metadata, "namespace");
  if (type.namespaced) {
    if (!body_ns.empty() && body_ns != ns) {
      return status_error(400, "BadRequest",
                          "the namespace of the provided object does not match the namespace sent on the request");
    }
    set_string(metadata, "namespace", ns, a);
  } else if (metadata.HasMember("namespace")) {
    metadata.RemoveMember("namespace");
  }
  if (string_at(metadata, "name").empty()) {
    std::string generate = string_at(metadata, "generateName");
    if (generate.empty()) {
      return status_error(422, "Invalid",
                          type.kind + (type.group.empty() ? "" : "." + type.group) +
                              " \"\" is invalid: metadata.name: Required value: name or generateName is required",
                          "", type.group, type.kind, {{"metadata.name", "Required value: name or generateName is required"}});
    }
    set_string(metadata, "name", generate + random_suffix(5), a);
  }
  set_string(object, "apiVersion", type.api_version(), a);
  set_string(object, "kind", type.kind, a);
  // Defaults the API server applies.
  if (has_replicas(type)) {
    if (!object.HasMember("spec") || !object["spec"].IsObject()) set_value(object, "spec", rapidjson::Value(rapidjson::kObjectType), a);
    if (!object["spec"].HasMember("replicas")) object["spec"].AddMember("replicas", 1, a);
  }
  if (type.plural == "namespaces") {
    rapidjson::Document status;
    status.Parse(R"({"phase":"Active"})");
    set_value(object, "status", rapidjson::Value(status, a), a);
  }
  const std::string name = string_at(metadata, "name");
  std::optional<ResourceType> crd_type;
  if (type.plural == "customresourcedefinitions") crd_type = type_from_crd(object);

  std::unique_lock lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return status_error(404, "NotFound", "the server could not find the requested resource");
  if (type.namespaced && !namespace_exists_locked(ns)) {
    return status_error(404, "NotFound", "namespaces \"" + ns + "\" not found", ns, "", "namespaces");
  }
  if (collection->objects.count(ns + "/" + name)) {
    return status_error(409, "AlreadyExists", type.group_resource() + " \"" + name + "\" already exists", name,
                        type.group, type.plural);
  }
  auto reply = write_locked(*collection, type.namespaced ? ns : "", name, std::move(object), nullptr, dry_run, "");
  if (reply.ok() && crd_type && !dry_run) {
    auto& served = collections_[crd_type->key()];
    served.type = *crd_type;
  }
  return reply;
}

Reply Cluster::create_object(const ResourceType& type, rapidjson::Document object) {
  std::string ns = type.namespaced ? string_at(object["metadata"], "namespace") : "";
  return create(type, ns, to_string(object), false);
}

Reply Cluster::update(const ResourceType& type, const std::string& ns, const std::string& name, const std::string& sub,
                      const std::string& body, bool dry_run) {
  rapidjson::Document input;
  input.Parse(body.c_str(), body.size());
  if (input.HasParseError() || !input.IsObject()) return bad_json(type, input);
  std::lock_guard lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return status_error(404, "NotFound", "the server could not find the requested resource");
  auto it = collection->objects.find(ns + "/" + name);
  if (it == collection->objects.end()) return not_found(type, name);
  const auto& old = *it->second.object;
  rapidjson::Document next;
  auto& a = next.GetAllocator();
  std::string precondition;
  if (sub == "scale") {
    next.CopyFrom(old, a);
    if (input.HasMember("spec") && input["spec"].IsObject() && input["spec"].HasMember("replicas")) {
      next["spec"]["replicas"] = rapidjson::Value(input["spec"]["replicas"], a);
    }
    precondition = input.HasMember("metadata") ? string_at(input["metadata"], "resourceVersion") : "";
  } else if (sub == "status") {
    next.CopyFrom(old, a);
    if (input.HasMember("status")) set_value(next, "status", rapidjson::Value(input["status"], a), a);
    precondition = input.HasMember("metadata") ? string_at(input["metadata"], "resourceVersion") : "";
  } else {
    next.CopyFrom(input, a);
    auto& metadata = metadata_of(next);
    std::string body_name = string_at(metadata, "name");
    if (body_name != name) {
      return status_error(400, "BadRequest",
                          "the name of the object (" + body_name + ") does not match the name on the URL (" + name + ")");
    }
    std::string body_ns = string_at(metadata, "namespace");
    if (type.namespaced && !body_ns.empty() && body_ns != ns) {
      return status_error(400, "BadRequest",
                          "the namespace of the provided object does not match the namespace sent on the request");
    }
    if (type.namespaced) set_string(metadata, "namespace", ns, a);
    set_string(next, "apiVersion", type.api_version(), a);
    set_string(next, "kind", type.kind, a);
    precondition = string_at(metadata, "resourceVersion");
  }
  if (!precondition.empty() && precondition != string_at(old["metadata"], "resourceVersion")) {
    return status_error(409, "Conflict",
                        "Operation cannot be fulfilled on " + type.group_resource() + " \"" + name +
                            "\": the object has been modified; please apply your changes to the latest version and try again",
                        name, type.group, type.plural);
  }
  Stored previous = it->second;
  auto reply = write_locked(*collection, type.namespaced ? ns : "", name, std::move(next), &previous, dry_run, sub);
  if (reply.ok() && sub == "scale") {
    rapidjson::Document stored;
    stored.Parse(reply.body.c_str());
    reply.body = scale_of(type, stored);
  }
  return reply;
}

Reply Cluster::patch(const ResourceType& type, const std::string& ns, const std::string& name, const std::string& sub,
                     PatchKind kind, const std::string& body, bool dry_run) {
  if (kind == PatchKind::Strategic && !type.builtin) {
    return status_error(415, "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types include: "
                        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  }
  rapidjson::Document patch;
  patch.Parse(body.c_str(), body.size());
  if (patch.HasParseError()) {
    return status_error(400, "BadRequest",
                        std::string("error decoding patch: ") + rapidjson::GetParseError_En(patch.GetParseError()));
  }
  std::lock_guard lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return status_error(404, "NotFound", "the server could not find the requested resource");
  auto it = collection->objects.find(ns + "/" + name);
  if (it == collection->objects.end()) return not_found(type, name);
  const auto& old = *it->second.object;
  const std::string current_rv = string_at(old["metadata"], "resourceVersion");

  rapidjson::Document target;
  if (sub == "scale") {
    target.Parse(scale_of(type, old).c_str());
  } else {
    target.CopyFrom(old, target.GetAllocator());
  }
  if (kind == PatchKind::Json) {
    auto error = apply_json_patch(target, patch);
    if (!error.empty()) return status_error(422, "Invalid", error);
  } else if (kind == PatchKind::Merge) {
    if (!patch.IsObject()) return status_error(400, "BadRequest", "json: cannot unmarshal into object: the patch is not a JSON object");
    apply_merge_patch(target, patch, target.GetAllocator());
  } else {
    if (!patch.IsObject()) return status_error(400, "BadRequest", "the patch is not a JSON object");
    apply_strategic_merge_patch(target, patch, target.GetAllocator());
  }
  if (!target.IsObject()) return status_error(422, "Invalid", "the patched object is not an object");
  // A resourceVersion in the patched result is a precondition, as in the API server.
  std::string wanted = target.HasMember("metadata") ? string_at(target["metadata"], "resourceVersion") : "";
  if (!wanted.empty() && wanted != current_rv) {
    return status_error(409, "Conflict",
                        "Operation cannot be fulfilled on " + type.group_resource() + " \"" + name +
                            "\": the object has been modified; please apply your changes to the latest version and try again",
                        name, type.group, type.plural);
  }
  rapidjson::Document next;
  auto& a = next.GetAllocator();
  if (sub == "scale") {
    next.CopyFrom(old, a);
    if (target.HasMember("spec") && target["spec"].IsObject() && target["spec"].HasMember("replicas")) {
      next["spec"]["replicas"] = rapidjson::Value(target["spec"]["replicas"], a);
    }
  } else if (sub == "status") {
    next.CopyFrom(old, a);
    if (target.HasMember("status")) set_value(next, "status", rapidjson::Value(target["status"], a), a);
  } else {
    next.CopyFrom(target, a);
    auto& metadata = metadata_of(next);
    if (string_at(metadata, "name") != name) set_string(metadata, "name", name, a);
    if (type.namespaced) set_string(metadata, "namespace", ns, a);
  }
  Stored previous = it->second;
  auto reply = write_locked(*collection, type.namespaced ? ns : "", name, std::move(next), &previous, dry_run, sub);
  if (reply.ok() && sub == "scale") {
    rapidjson::Document stored;
    stored.Parse(reply.body.c_str());
    reply.body = scale_of(type, stored);
  }
  return reply;
}

void Cluster::delete_namespace_contents_locked(const std::string& ns) {
  for (auto& [key, collection] : collections_) {
    if (!collection.type.namespaced) continue;
    const std::string prefix = ns + "/";
    for (auto it = collection.objects.lower_bound(prefix);
         it != collection.objects.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
      record("DELETED", collection, ns, it->second.object, ++rv_);
      it = collection.objects.erase(it);
    }
  }
}

Reply Cluster::remove(const ResourceType& type, const std::string& ns, const std::string& name, bool dry_run) {
  std::lock_guard lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return status_error(404, "NotFound", "the server could not find the requested resource");
  auto it = collection->objects.find(ns + "/" + name);
  if (it == collection->objects.end()) return not_found(type, name);
  std::string uid = string_at((*it->second.object)["metadata"], "uid");
  std::string body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":)" +
                     json_escape(name) + R"(,"group":)" + json_escape(type.group) + R"(,"kind":)" +
                     json_escape(type.plural) + R"(,"uid":)" + json_escape(uid) + "}}";
  if (dry_run) return Reply{200, body};
  auto object = it->second.object;
  collection->objects.erase(it);
  record("DELETED", *collection, ns, object, ++rv_);
  if (type.plural == "namespaces") delete_namespace_contents_locked(name);
  if (type.plural == "customresourcedefinitions") {
    if (auto served = type_from_crd(*object)) collections_.erase(served->key());
  }
  return Reply{200, body};
}

Reply Cluster::mutate(const ResourceType& type, const std::string& ns, const std::string& name,
                      const std::function<bool(rapidjson::Document&)>& change) {
  std::lock_guard lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return status_error(404, "NotFound", "the server could not find the requested resource");
  auto it = collection->objects.find(ns + "/" + name);
  if (it == collection->objects.end()) return not_found(type, name);
  rapidjson::Document next;
  next.CopyFrom(*it->second.object, next.GetAllocator());
  if (!change(next)) return Reply{200, {}};
  Stored previous = it->second;
  // Controllers write status too: skip the status-subresource guard by writing as "status"... and
  // spec. Both parts are taken from `next`.
  return write_locked(*collection, type.namespaced ? ns : "", name, std::move(next), &previous, false, "controller");
}

std::vector<std::shared_ptr<const rapidjson::Document>> Cluster::snapshot(const ResourceType& type, const std::string& ns) {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const rapidjson::Document>> out;
  auto* collection = collection_for(type);
  if (collection == nullptr) return out;
  const std::string prefix = ns.empty() ? "" : ns + "/";
  for (auto it = collection->objects.lower_bound(prefix); it != collection->objects.end(); ++it) {
    if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(it->second.object);
  }
  return out;
}

std::shared_ptr<const rapidjson::Document> Cluster::find(const ResourceType& type, const std::string& ns,
                                                        const std::string& name) {
  std::lock_guard lock(mutex_);
  auto* collection = collection_for(type);
  if (collection == nullptr) return nullptr;
  auto it = collection->objects.find(ns + "/" + name);
  return it == collection->objects.end() ? nullptr : it->second.object;
}

bool Cluster::events_since(const std::string& type_key, std::uint64_t rv, std::vector<Event>& out,
                           std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (rv < compacted_rv_) return false;
  auto collect = [&] {
    for (auto it = history_.rbegin(); it != history_.rend() && it->rv > rv; ++it) {
      if (it->type_key == type_key) out.push_back(*it);
    }
    std::reverse(out.begin(), out.end());
    return !out.empty();
  };
  if (!collect()) {
    changed_.wait_for(lock, wait);
    collect();
  }
  return true;
}

std::string Cluster::save() const {
  std::lock_guard lock(mutex_);
  std::string out = "{\"rv\":" + std::to_string(rv_) + ",\"objects\":[";
  bool first = true;
  // CRDs first so their types exist when the rest is loaded.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [key, collection] : collections_) {
      bool is_crd = collection.type.plural == "customresourcedefinitions";
      if ((pass == 0) != is_crd) continue;
      for (const auto& [object_key, stored] : collection.objects) {
        out += first ? "" : ",";
        first = false;
        out += "{\"type\":" + json_escape(key) + ",\"object\":" + to_string(*stored.object) + "}";
      }
    }
  }
  return out + "]}";
}

void Cluster::load(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("objects")) return;
  std::lock_guard lock(mutex_);
  for (auto& entry : document["objects"].GetArray()) {
    std::string key = entry["type"].GetString();
    auto collection = collections_.find(key);
    auto object = std::make_shared<rapidjson::Document>();
    object->CopyFrom(entry["object"], object->GetAllocator());
    if (key == "apiextensions.k8s.io/customresourcedefinitions") {
      if (auto served = type_from_crd(*object)) collections_[served->key()].type = *served;
    }
    collection = collections_.find(key);
    if (collection == collections_.end()) continue;
    const auto& metadata = (*object)["metadata"];
    std::string ns = string_at(metadata, "namespace");
    collection->second.objects[ns + "/" + string_at(metadata, "name")] = Stored{std::move(object)};
  }
  if (document.HasMember("rv") && document["rv"].IsUint64()) rv_ = std::max(rv_, document["rv"].GetUint64());
  compacted_rv_ = rv_;
}

}  // namespace emu
