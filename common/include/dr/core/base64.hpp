// Standard base64 (RFC 4648, "+/" alphabet, padded), as Go's encoding/base64.StdEncoding writes it:
// kubeconfig *-data fields, Basic authentication, ExecCredential's certificate-authority-data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dr::base64 {

// "hello" -> "aGVsbG8=".
std::string encode(std::string_view data);

// The bytes of `text`, or nullopt when it is not base64. Lenient where people paste by hand: line
// breaks and other white space are skipped and missing padding is accepted; data after padding,
// foreign characters and a lone trailing symbol are refused.
std::optional<std::string> decode(std::string_view text);

}  // namespace dr::base64
