#include <cstring>

#include "dr/core/json.hpp"

namespace dr::json {

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key) {
  if (!object.IsObject()) return nullptr;
  // A linear scan with a length check first: Kubernetes objects have few members per level, and
  // this avoids building a RapidJSON key (FindMember wants a NUL-terminated or Value key).
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    const auto& name = it->name;
    if (name.GetStringLength() == key.size() && std::memcmp(name.GetString(), key.data(), key.size()) == 0) {
      return &it->value;
    }
  }
  return nullptr;
}

const rapidjson::Value* at_path(const rapidjson::Value& object, std::string_view dotted_path) {
  const rapidjson::Value* current = &object;
  while (current != nullptr) {
    auto dot = dotted_path.find('.');
    current = member(*current, dotted_path.substr(0, dot));
    if (dot == std::string_view::npos) return current;
    dotted_path.remove_prefix(dot + 1);
  }
  return nullptr;
}

std::string_view string_member(const rapidjson::Value& object, std::string_view key) {
  const auto* value = member(object, key);
  if (value == nullptr || !value->IsString()) return {};
  return {value->GetString(), value->GetStringLength()};
}

std::optional<std::int64_t> int_at(const rapidjson::Value& object, std::string_view dotted_path) {
  const auto* value = at_path(object, dotted_path);
  if (value == nullptr || !value->IsInt64()) return std::nullopt;
  return value->GetInt64();
}

std::optional<bool> bool_at(const rapidjson::Value& object, std::string_view dotted_path) {
  const auto* value = at_path(object, dotted_path);
  if (value == nullptr || !value->IsBool()) return std::nullopt;
  return value->GetBool();
}

namespace {
std::string_view metadata_string(const rapidjson::Value& object, std::string_view key) {
  const auto* metadata = member(object, "metadata");
  return metadata == nullptr ? std::string_view{} : string_member(*metadata, key);
}
const rapidjson::Value* metadata_object(const rapidjson::Value& object, std::string_view key) {
  const auto* metadata = member(object, "metadata");
  if (metadata == nullptr) return nullptr;
  const auto* value = member(*metadata, key);
  return value != nullptr && value->IsObject() ? value : nullptr;
}
}  // namespace

std::string_view object_name(const rapidjson::Value& object) {
  return metadata_string(object, "name");
}
std::string_view object_namespace(const rapidjson::Value& object) {
  return metadata_string(object, "namespace");
}
std::string_view resource_version(const rapidjson::Value& object) {
  return metadata_string(object, "resourceVersion");
}
std::string_view creation_timestamp(const rapidjson::Value& object) {
  return metadata_string(object, "creationTimestamp");
}
const rapidjson::Value* labels_of(const rapidjson::Value& object) {
  return metadata_object(object, "labels");
}
const rapidjson::Value* annotations_of(const rapidjson::Value& object) {
  return metadata_object(object, "annotations");
}

std::optional<std::string_view> annotation(const rapidjson::Value& object, std::string_view key) {
  const auto* annotations = annotations_of(object);
  if (annotations == nullptr) return std::nullopt;
  const auto* value = member(*annotations, key);
  if (value == nullptr || !value->IsString()) return std::nullopt;
  return std::string_view{value->GetString(), value->GetStringLength()};
}

bool has_owner_references(const rapidjson::Value& object) {
  const auto* metadata = member(object, "metadata");
  if (metadata == nullptr) return false;
  const auto* owners = member(*metadata, "ownerReferences");
  return owners != nullptr && owners->IsArray() && !owners->Empty();
}

std::string namespaced_name(const rapidjson::Value& object) {
  auto ns = object_namespace(object);
  auto name = object_name(object);
  std::string out;
  out.reserve(ns.size() + name.size() + 1);
  if (!ns.empty()) {
    out += ns;
    out += '/';
  }
  out += name;
  return out;
}

}  // namespace dr::json
