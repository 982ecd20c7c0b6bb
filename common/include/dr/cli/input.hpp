// Objects for -f FILE|-: JSON or YAML, single objects, Lists, streams and multi-document YAML.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "dr/error.hpp"

namespace dr::cli {

// Lists (kind "List" or "*List" with items) are expanded into their objects. Errors name `source`.
Result<std::vector<rapidjson::Document>> read_objects(std::string_view text, std::string_view source);
// The file's contents; "-" is standard input.
Result<std::string> read_file_or_stdin(const std::string& path);

}  // namespace dr::cli
