// Printing like kubectl: tables (tabwriter, 3 spaces of padding), -o json (json.MarshalIndent of an
// unstructured object: sorted keys, 4-space indent, Go's escaping), -o yaml (sigs.k8s.io/yaml over
// go-yaml v2: sorted keys, indentless lists, go-yaml's quoting and 80-column folding) and -o name.
//
// Rule: in json, yaml and name modes stdout carries nothing but that output; progress and notices
// go to stderr (see is_machine_readable).
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/cli/format.hpp"
#include "dr/core/error.hpp"

namespace dr::cli {

enum class OutputFormat { Table, Wide, Json, Yaml, Name };

// "" -> Table; json, yaml, name, and wide when allowed. Anything else is kubectl's usage error:
// unable to match a printer suitable for the output format "x", allowed formats are: json,name,wide,yaml
Result<OutputFormat> parse_output_format(std::string_view text, bool wide_allowed = true);

// json, yaml and name: output meant for programs.
inline bool is_machine_readable(OutputFormat format) {
  return format == OutputFormat::Json || format == OutputFormat::Yaml || format == OutputFormat::Name;
}
// Display width of UTF-8 text: code points (continuation bytes do not count).
std::size_t display_width(std::string_view text);

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  // Missing cells are empty, extra cells are dropped.
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  std::size_t size() const { return rows_.size(); }
  // Each column padded to its widest cell + 3 spaces (UTF-8 aware), the last one not padded, no
  // trailing spaces. Headers as given (callers pass them upper-case).
  void render(std::ostream& out, bool no_headers = false) const;
  std::string to_string(bool no_headers = false) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// kubectl -o json: keys sorted at every level (byte order), 4-space indent, ": " separators, Go's
// escaping (<, >, & as \u003c \u003e \u0026, U+2028/2029 escaped, invalid UTF-8 as \ufffd,
// other non-ASCII as is), numbers as Go prints int64/float64, trailing newline.
std::string to_json(const rapidjson::Value& value);
void print_json(std::ostream& out, const rapidjson::Value& value);

// kubectl -o yaml, trailing newline included.
std::string to_yaml(const rapidjson::Value& value);
void print_yaml(std::ostream& out, const rapidjson::Value& value);

// {"apiVersion": "v1", "items": [...], "kind": "List", "metadata": {"resourceVersion": ""}}
rapidjson::Document make_list(std::vector<rapidjson::Document>&& objects);

// kubectl -o name: lower-case kind, ".group" unless core: "statefulset.apps/zk", "namespace/x",
// "migrationschedule.stork.libopenstorage.org/s".
std::string object_name_for_output(std::string_view kind, std::string_view api_version,
                                   std::string_view name);
// The same, read from an object's kind, apiVersion and metadata.name.
std::string object_name_for_output(const rapidjson::Value& object);

// Prints objects as -o json|yaml|name would (Table/Wide are the caller's: returns an Internal
// error). One object prints as itself unless `as_list`; several always as a List. For name, one
// line per object.
Result<void> print_objects(std::ostream& out, OutputFormat format,
                           const std::vector<rapidjson::Document>& objects, bool as_list = false);

}  // namespace dr::cli
