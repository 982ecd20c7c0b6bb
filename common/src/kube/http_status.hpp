// What the client says about an HTTP status code: one table for the log lines, and for the errors
// of answers that carry no Kubernetes Status object.
#pragma once

#include <string>
#include <string_view>

namespace dr::kube {

// The reason phrase for -v=6 lines: 404 -> "Not Found"; "" for codes the table does not know.
std::string_view http_reason_phrase(long code);
// kube-apiserver's Status.reason for a code: 404 -> "NotFound", 410 -> "Expired"; "" when unknown.
std::string_view status_reason_for(long code);
// client-go's message for a code without a usable Status object: 404 -> "the server could not find
// the requested resource"; for other codes, one naming the code.
std::string status_message_for(long code);

}  // namespace dr::kube
