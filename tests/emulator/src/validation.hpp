// Object validation with kube-apiserver's messages: decoding (wrong JSON types -> 400) and field
// validation (-> 422 Invalid with details.causes).
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "errors.hpp"
#include "json.hpp"
#include "types.hpp"

namespace emu {

// Throws StatusError 400 when a field has the wrong JSON type for the kind, with the message the
// apiserver's decoder produces, e.g. `Deployment in version "v1" cannot be handled as a
// Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
void check_decodable(const ResourceType& type, const rapidjson::Value& object);

// Unknown fields of a built-in kind, as the apiserver's decoder finds them, at the levels whose
// fields the emulator knows completely: the top level of every built-in kind, every ObjectMeta
// (metadata, spec.template.metadata), the spec of Deployment/StatefulSet/ReplicaSet and their
// spec.template. Deeper levels (the pod spec, status, ...) are not checked. The unknown fields
// are removed from `object` (the decoder drops them) and returned as paths ("spec.foo"), in
// document order. Custom resources: none (the Stork CRDs preserve unknown fields).
std::vector<std::string> prune_unknown_fields(const ResourceType& type, rapidjson::Value& object);

// Field validation of a complete object about to be stored (`old` is null on create).
std::vector<StatusCause> validate_object(const ResourceType& type, const rapidjson::Value& object,
                                         const rapidjson::Value* old);

// Name validation of one kind: the messages of IsDNS1123Subdomain / IsDNS1123Label (empty = valid).
std::vector<std::string> name_errors(const ResourceType& type, const std::string& name);
std::vector<std::string> dns1123_label_errors(const std::string& value);
std::vector<std::string> dns1123_subdomain_errors(const std::string& value);

// "Invalid value: <v>: <detail>" body of a field error (strings quoted, numbers bare).
std::string invalid_body_string(const std::string& value, const std::string& detail);
std::string invalid_body_int(long long value, const std::string& detail);
StatusCause invalid_cause(const std::string& field, const std::string& body);
StatusCause required_cause(const std::string& field, const std::string& detail = {});

}  // namespace emu
