// Object names and namespaces as the API server accepts them, checked before they go into a
// request path, and the percent-encoding of path segments. A name is user input (an argument, a
// -f file, a server's answer): unchecked, "../other/x" or "x?dryRun=All" would address another
// object or change the request's meaning.
#pragma once

#include <string>
#include <string_view>

#include "dr/core/error.hpp"

namespace dr::kube {

struct ResourceType;

// The rule the API server applies to metadata.name of a kind.
enum class NameRule {
  DnsSubdomain,  // RFC 1123 subdomain, at most 253 characters: most kinds and every custom resource
  DnsLabel,      // RFC 1123 label, at most 63 characters: namespaces
};

// Empty when `value` satisfies the rule; otherwise the API server's wording of what is allowed.
std::string name_rule_violation(NameRule rule, std::string_view value);

// Usage errors naming the bad value: `invalid namespace "a/b": a lowercase RFC 1123 label must ...`.
Result<void> validate_namespace(std::string_view ns);
Result<void> validate_name(const ResourceType& type, std::string_view name);

// RFC 3986 percent-encoding of one path segment: everything but unreserved characters is encoded,
// and a segment of only dots ("." or "..") is encoded whole, so no segment can climb the path.
std::string encode_path_segment(std::string_view segment);

}  // namespace dr::kube
