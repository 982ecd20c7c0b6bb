// Read-only accessors for Kubernetes objects held as RapidJSON values, and the small JSON-writing
// helpers the Stork planners share. Everything here is allocation-free on the read side: views
// point into the object, so they live exactly as long as the object does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace dr::stork {

// The member `key` of `object`, or nullptr when `object` is not an object or has no such member.
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key);
// The value at a dotted path ("spec.template.spec"), or nullptr when any step is missing.
const rapidjson::Value* at_path(const rapidjson::Value& object, std::string_view dotted_path);

// The string at `key`, or empty when absent or not a string.
std::string_view string_member(const rapidjson::Value& object, std::string_view key);

std::string_view object_name(const rapidjson::Value& object);
std::string_view object_namespace(const rapidjson::Value& object);
std::string_view resource_version(const rapidjson::Value& object);
std::string_view creation_timestamp(const rapidjson::Value& object);
// metadata.labels / metadata.annotations as objects, or nullptr when absent.
const rapidjson::Value* labels_of(const rapidjson::Value& object);
const rapidjson::Value* annotations_of(const rapidjson::Value& object);
// A string annotation, or nullopt when absent (an empty string value is present).
std::optional<std::string_view> annotation(const rapidjson::Value& object, std::string_view key);
// True when metadata.ownerReferences is present and non-empty (the object is managed by a parent).
bool has_owner_references(const rapidjson::Value& object);

// An integer field that fits int64, or nullopt when absent/not an integer.
std::optional<std::int64_t> int_at(const rapidjson::Value& object, std::string_view dotted_path);
std::optional<bool> bool_at(const rapidjson::Value& object, std::string_view dotted_path);

// "ns/name", or "name" for cluster-scoped objects: the form storkctl's messages use.
std::string namespaced_name(const rapidjson::Value& object);

// Appends `text` as a JSON string literal (quotes included, escaped per RFC 8259).
void append_json_string(std::string& out, std::string_view text);

}  // namespace dr::stork
