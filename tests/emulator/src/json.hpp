// Objects as the emulator keeps them (immutable RapidJSON documents), and the JSON helpers
// shared by the store, the server and the simulation: text, access, in-place edits, time and UIDs.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace emu {

// A stored object. Never modified after it is published; copy it to change it (see copy_object).
using Object = std::shared_ptr<const rapidjson::Document>;

// A deep copy of an object, for read-modify-write.
rapidjson::Document copy_object(const rapidjson::Value& object);
// Compact JSON text of a value.
std::string to_json(const rapidjson::Value& value);
// Parses JSON text; throws StatusError 400 with the apiserver's decoding wording on bad input.
rapidjson::Document parse_json(std::string_view text);

// Small accessors that tolerate missing members ("" / nullptr when absent or of another type).
std::string str_at(const rapidjson::Value& object, std::initializer_list<const char*> path);
const rapidjson::Value* value_at(const rapidjson::Value& object, std::initializer_list<const char*> path);

// The value at a '.'-separated path (".spec.replicas": the JSONPath subset CRDs use; the leading '.'
// optional; an empty last segment is ignored); nullptr when absent.
const rapidjson::Value* value_at_path(const rapidjson::Value& object, const std::string& json_path);

// In-place edits of an object under construction (`a` is its document's allocator).
// The member `key` of `parent` as an object: added when absent, replaced when of another type.
rapidjson::Value& ensure_object(rapidjson::Value& parent, const char* key,
                                rapidjson::Document::AllocatorType& a);
void set_string(rapidjson::Value& object, const char* key, const std::string& value,
                rapidjson::Document::AllocatorType& a);
void set_value(rapidjson::Value& object, const char* key, rapidjson::Value value,
               rapidjson::Document::AllocatorType& a);
void remove_member(rapidjson::Value& object, const char* key);  // no-op unless `object` is an object
// Copies member `key` of `from` into `to` (removing it from `to` when `from` lacks it).
void carry_member(rapidjson::Value& to, const rapidjson::Value& from, const char* key,
                  rapidjson::Document::AllocatorType& a);

// `s` in double quotes, '"' and '\\' escaped: how the apiserver's messages quote names and values.
std::string quoted(const std::string& s);

// "2026-11-24T06:12:01Z" for now (UTC, seconds).
std::string now_rfc3339();
// A random RFC 4122 v4 UID.
std::string new_uid();

}  // namespace emu
