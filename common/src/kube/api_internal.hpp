// Pieces the API client and discovery share; not part of the public API.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "dr/error.hpp"

namespace dr::kube::detail {

inline bool is_success(long status) {
  return status >= 200 && status < 300;
}

// Parses a response body; `what` names the request for the error ("get statefulsets.apps").
// An empty body (204 No Content) is an empty object.
Result<rapidjson::Document> parse_json(std::string_view body, std::string_view what);

std::string serialize(const rapidjson::Value& value);

}  // namespace dr::kube::detail
