// API discovery documents: /version, /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>
// (legacy, unaggregated discovery; kubectl falls back to it when the answer is application/json).
#pragma once

#include <optional>
#include <string>

#include "store.hpp"

namespace emu {

std::string version_json();
std::string api_versions_json(int port);
std::string api_group_list_json(const TypeRegistry& types);
// nullopt when no type of that group (and version) is served.
std::optional<std::string> api_group_json(const TypeRegistry& types, const std::string& group);
std::optional<std::string> api_resource_list_json(const TypeRegistry& types, const std::string& group,
                                                  const std::string& version);

}  // namespace emu

namespace emu {

// OpenAPI v3 discovery (/openapi/v3) and per group-version documents. The documents describe, for
// every kind, a PATCH operation accepting the fieldValidation query parameter (kubectl's
// server-side validation probe) and no request body schema, so kubectl builds strategic merge
// patches from its compiled-in types; there are no component schemas (kubectl explain fails).
std::string openapi_v3_root_json(const TypeRegistry& types);
std::optional<std::string> openapi_v3_group_version_json(const TypeRegistry& types, const std::string& path);

}  // namespace emu
