// The three patch formats kube-apiserver accepts, applied to RapidJSON documents in place.
#pragma once

#include <string>

#include <rapidjson/document.h>

namespace emu {

// RFC 7386: objects merge recursively, null deletes, anything else replaces.
void apply_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch, rapidjson::Document::AllocatorType& a);

// RFC 6902. Returns an empty string on success, else the apiserver-style reason it failed.
std::string apply_json_patch(rapidjson::Document& target, const rapidjson::Value& operations);

// Strategic merge for built-in kinds: like a merge patch, but lists of objects that carry a
// "name" (containers, env, ports, volumes, volumeMounts...) merge by name, and `$patch: delete`
// removes an entry; `$patch: replace` replaces the map.
void apply_strategic_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                                 rapidjson::Document::AllocatorType& a);

}  // namespace emu
