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
// patches from its compiled-in types. The server honours fieldValidation=Strict|Warn|Ignore on
// create/update/patch (Store, WriteOptions::field_validation) for the levels of the built-in kinds
// listed at prune_unknown_fields (validation.hpp).
// NOT SERVED: component schemas in v3 and definitions in v2, so `kubectl explain` answers "GVK ...
// not found in OpenAPI schema" and kubectl's client-side validation (used for kind: List) checks
// nothing; unknown fields below the known levels (the pod spec, status, a Scale) and duplicate
// fields are neither refused nor reported.
std::string openapi_v3_root_json(const TypeRegistry& types);
// OpenAPI v2 (/openapi/v2): a document with no paths and no definitions, as JSON or as the
// gnostic protobuf kubectl asks for. kubectl validates client-side against it when the v3
// documents offer no fieldValidation for a kind (a kind: List document): a kind without a
// definition is not validated, so nothing is claimed about schemas the emulator does not have.
std::string openapi_v2_json();
std::string openapi_v2_protobuf();
std::optional<std::string> openapi_v3_group_version_json(const TypeRegistry& types, const std::string& path);

}  // namespace emu
