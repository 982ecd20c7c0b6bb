// Continue tokens of paged lists, encoded and decoded as kube-apiserver does (base64url of
// {"v":"meta.k8s.io/v1","rv":N,"start":KEY}), with its error texts.
#pragma once

#include <cstdint>
#include <string>

namespace emu {

std::string encode_continue(const std::string& start_key, std::int64_t rv);
// Decodes a continue token into (start key, rv); throws StatusError 400 with the apiserver's texts.
void decode_continue(const std::string& token, std::string& start, std::int64_t& rv);

}  // namespace emu
