// Decoding of Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf)
// into JSON. kubectl's typed clients (kubectl create namespace|deployment|configmap|cronjob, kubectl
// run) send protobuf; this covers the fields those generators set for the kinds the emulator
// serves. Unknown fields are skipped. Go's JSON omitempty rules are applied, so the result looks
// like what the same client would have sent as JSON.
#pragma once

#include <string_view>

#include <rapidjson/document.h>

namespace emu {

// Throws StatusError 400 (or 415 for a kind it does not know) like the apiserver's decoder.
rapidjson::Document decode_protobuf(std::string_view body);

}  // namespace emu
