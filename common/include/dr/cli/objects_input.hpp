// Objects for -f FILE|DIR|-: JSON (one object, a List, a JSON array, or a stream of whitespace-
// separated values) or YAML (one document, "---"-separated documents, Lists). Lists (kind "List" or
// "*List" with items) expand into their items, recursively; empty YAML documents are skipped.
// YAML scalars convert as go-yaml / sigs.k8s.io/yaml would: plain 3 -> int, 1.5 -> float,
// true/false -> bool, null/~/empty -> null, quoted "3" stays a string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/core/error.hpp"

namespace dr::cli {

// Parses text read from `source` (a path or "-"). Errors are ErrorCode::Decode with the message
// "error parsing SOURCE: <what> (line L, column C)"; kubectl_line() prints them as "error: error parsing
// ...".
Result<std::vector<rapidjson::Document>> read_objects(std::string_view text, std::string_view source);

// The file's contents; "-" is standard input. A missing or unreadable path is a Decode error:
// the path "x" does not exist.
Result<std::string> read_file_or_stdin(const std::string& path);

// Every -f value in order: files, "-" (stdin, at most once) and directories (their *.json, *.yaml and
// *.yml files in name order, not recursive).
Result<std::vector<rapidjson::Document>> read_objects_from(const std::vector<std::string>& filenames);

}  // namespace dr::cli
