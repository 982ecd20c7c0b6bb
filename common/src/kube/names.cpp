#include "dr/kube/names.hpp"

#include "dr/kube/api_client.hpp"
#include "dr/kube/resource.hpp"

namespace dr::kube {

namespace {

constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxSubdomain = 253;

bool is_lower_alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_label(std::string_view text) {
  if (text.empty() || text.size() > kMaxLabel) return false;
  if (!is_lower_alphanumeric(text.front()) || !is_lower_alphanumeric(text.back())) return false;
  for (char c : text) {
    if (!is_lower_alphanumeric(c) && c != '-') return false;
  }
  return true;
}

bool is_subdomain(std::string_view text) {
  if (text.empty() || text.size() > kMaxSubdomain) return false;
  while (true) {
    const auto dot = text.find('.');
    if (!is_label(text.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    text.remove_prefix(dot + 1);
  }
}

// Go's %q is close enough for the printable ASCII a user types; control bytes are escaped so the
// one-line error stays one line.
std::string quoted(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + '"';
}

}  // namespace

std::string name_rule_violation(NameRule rule, std::string_view value) {
  // The API server's own sentences (k8s.io/apimachinery/pkg/util/validation), so that the user
  // reads what kubectl would have shown after the server refused the same value.
  switch (rule) {
    case NameRule::DnsLabel:
      if (value.size() > kMaxLabel) return "must be no more than 63 characters";
      if (is_label(value)) return {};
      return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    case NameRule::DnsSubdomain:
      if (value.size() > kMaxSubdomain) return "must be no more than 253 characters";
      if (is_subdomain(value)) return {};
      return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
             "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return "is not a valid name";
}

Result<void> validate_namespace(std::string_view ns) {
  if (auto violation = name_rule_violation(NameRule::DnsLabel, ns); !violation.empty()) {
    return Error::usage("invalid namespace " + quoted(ns) + ": " + violation);
  }
  return {};
}

Result<void> validate_name(const ResourceType& type, std::string_view name) {
  if (auto violation = name_rule_violation(type.name_rule, name); !violation.empty()) {
    return Error::usage("invalid " + type.group_resource() + " name " + quoted(name) + ": " + violation);
  }
  return {};
}

std::string encode_path_segment(std::string_view segment) {
  if (!segment.empty() && segment.find_first_not_of('.') == std::string_view::npos) {
    std::string dots;
    for (std::size_t i = 0; i < segment.size(); ++i) dots += "%2E";
    return dots;
  }
  return percent_encode(segment);
}

}  // namespace dr::kube
