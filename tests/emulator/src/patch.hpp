// The patch formats kube-apiserver accepts, applied to RapidJSON values in place. Errors are
// thrown as StatusError with the apiserver's codes and wording.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace emu {

// RFC 7386: objects merge recursively, null deletes, anything else replaces.
void apply_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                       rapidjson::Document::AllocatorType& a);

// RFC 6902 (add, remove, replace, move, copy, test; JSON pointers with ~0/~1 escapes). The whole
// patch applies or nothing does. A malformed patch is 400; an operation that fails (missing path,
// failed test) is 422 "the server rejected our request due to an error in our request", as the
// apiserver answers. `why` (optional) receives the json-patch library's reason, for logs and tests.
void apply_json_patch(rapidjson::Document& target, const rapidjson::Value& operations,
                      std::string* why = nullptr);

// Strategic merge for built-in kinds: a merge patch where lists with a patch merge key merge by
// that key (containers/initContainers/volumes/env/imagePullSecrets by name, ports by
// containerPort, volumeMounts by mountPath, conditions by type, ownerReferences by uid; finalizers
// merge as a set), with the directives `$patch: delete|replace|merge`, `$retainKeys`,
// `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` (accepted; order kept).
void apply_strategic_merge_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                                 rapidjson::Document::AllocatorType& a);

}  // namespace emu
