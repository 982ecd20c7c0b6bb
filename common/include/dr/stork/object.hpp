// Read-only accessors for Kubernetes objects held as RapidJSON values, and the JSON string writer
// the Stork planners share. They are core's (dr/core/json.hpp); this header keeps the names the
// stork code and its callers use.
#pragma once

#include <type_traits>
#include <vector>

#include "dr/core/json.hpp"

namespace dr::stork {

using json::annotation;
using json::annotations_of;
using json::at_path;
using json::bool_at;
using json::creation_timestamp;
using json::has_owner_references;
using json::int_at;
using json::labels_of;
using json::member;
using json::namespaced_name;
using json::object_name;
using json::object_namespace;
using json::resource_version;
using json::string_member;

// Appends `text` as a JSON string literal (quotes included, escaped per RFC 8259).
inline void append_json_string(std::string& out, std::string_view text) {
  json::append_quoted(out, text);
}

// One table row per element of a list's items array (none when `items` is not an array).
template <class BuildRow, class Row = std::invoke_result_t<BuildRow, const rapidjson::Value&>>
std::vector<Row> rows_of_items(const rapidjson::Value& items, BuildRow build_row) {
  std::vector<Row> rows;
  if (!items.IsArray()) return rows;
  rows.reserve(items.Size());
  for (const auto& item : items.GetArray()) rows.push_back(build_row(item));
  return rows;
}

}  // namespace dr::stork
