// Objects for -f FILE|DIR|-: JSON (one object, a List, a JSON array, or a stream of whitespace-
// separated values) or YAML (one document, "---"-separated documents, Lists). Lists (kind "List" or
// "*List" with items) expand into their items, recursively; empty YAML documents are skipped.
// YAML scalars convert as go-yaml / sigs.k8s.io/yaml would: plain 3 -> int, 1.5 -> float,
// true/false -> bool, null/~/empty -> null, quoted "3" stays a string.
#pragma once

#include <cstddef>
#include <istream>
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

// No -f input is larger than this: a manifest of thousands of objects is a few megabytes, and
// `-f /dev/zero` (or a runaway pipe) must end in an error, not in memory exhaustion.
inline constexpr std::size_t kMaxInputBytes = std::size_t{64} << 20;

// The file's contents; "-" is standard input. A missing or unreadable path, a directory (read those
// with read_objects_from) or more than kMaxInputBytes is a Decode error: the path "x" does not exist.
Result<std::string> read_file_or_stdin(const std::string& path);
// The same for any stream (standard input as the caller holds it); `source` names it in errors.
Result<std::string> read_bounded(std::istream& in, std::string_view source);

// Every -f value in order: files, "-" (stdin, at most once) and directories (their *.json, *.yaml and
// *.yml files in name order; with `recursive` (-R) their subdirectories too, depth first in name
// order).
Result<std::vector<rapidjson::Document>> read_objects_from(const std::vector<std::string>& filenames,
                                                           bool recursive = false);

// The namespace to act on for an object read from -f, as kubectl decides it: the object's own when
// it has one, else the command's. An object whose namespace differs from one given explicitly with
// -n is refused (kubectl's words), never silently preferred.
Result<std::string> namespace_for_object(const rapidjson::Value& object, const std::string& command_namespace,
                                         bool namespace_explicit);

}  // namespace dr::cli
