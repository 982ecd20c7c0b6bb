// Printing like kubectl: tables (tabwriter, 3 spaces), -o json (sorted keys, 4-space indent, Go's
// escaping), -o yaml (sorted keys, go-yaml layout), -o name, and kubectl's ages.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/error.hpp"

namespace dr::cli {

enum class OutputFormat { Table, Wide, Json, Yaml, Name };

// "" -> Table; json, yaml, name, wide (when allowed); anything else is kubectl's usage error.
Result<OutputFormat> parse_output_format(std::string_view text, bool wide_allowed = true);

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Columns padded to the widest cell + 3 spaces (UTF-8 aware), no trailing spaces.
  void render(std::ostream& out, bool no_headers) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// kubectl -o json: keys sorted at every level, 4-space indent, Go's string escaping, newline.
void print_json(std::ostream& out, const rapidjson::Value& value);
std::string to_json(const rapidjson::Value& value);
// kubectl -o yaml: keys sorted, go-yaml layout and quoting.
void print_yaml(std::ostream& out, const rapidjson::Value& value);
std::string to_yaml(const rapidjson::Value& value);

// {"apiVersion":"v1","items":[...],"kind":"List","metadata":{"resourceVersion":""}}
rapidjson::Document make_list(std::vector<rapidjson::Document>&& objects);

// kubectl -o name: "statefulset.apps/zk", "namespace/x", "migrationschedule.stork.libopenstorage.org/s".
std::string object_name_for_output(std::string_view kind, std::string_view api_version, std::string_view name);

// kubectl's AGE column (duration.HumanDuration): "45s", "3m18s", "5h", "2d3h", "45d".
std::string age(std::chrono::nanoseconds elapsed);

}  // namespace dr::cli
