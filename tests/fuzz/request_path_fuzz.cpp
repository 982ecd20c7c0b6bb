// Request paths and queries built from hostile names: the input is "namespace\nname\nquery value".
// Whatever the bytes, a built path has exactly its segments (none climbing), a query exactly its
// parameters, both decode back to the input, and a refused name is a one-line error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dr/core/strings.hpp"
#include "dr/kube/api_client.hpp"
#include "dr/kube/names.hpp"
#include "dr/kube/resource.hpp"
#include "fuzz_util.hpp"

namespace {

using dr::fuzz::require;

std::string_view take_line(std::string_view& text) {
  const auto newline = text.find('\n');
  const std::string_view line = text.substr(0, newline);
  text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  return line;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    require(i + 2 < text.size(), "a % has two digits");
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    require(high >= 0 && low >= 0, "a % is followed by two upper-case hex digits");
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

void check_wire_characters(std::string_view text, std::string_view also_allowed) {
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '_' || c == '.' || c == '~' || c == '%';
    require(unreserved || also_allowed.find(static_cast<char>(c)) != std::string_view::npos,
            "only unreserved characters, escapes and separators on the wire");
  }
}

void check_path(const dr::kube::ResourceType& type, std::string_view ns, std::string_view name) {
  const std::string path = type.path(ns, name);
  check_wire_characters(path, "/");
  const auto segments = dr::strings::split(path, '/');
  // "", "apis", group, version, "namespaces", ns, plural, name
  require(segments.size() == 8, "an object path has exactly its segments");
  for (const auto segment : segments) require(segment != "." && segment != "..", "no segment climbs");
  require(percent_decode(segments[5]) == ns, "the namespace segment decodes to the namespace");
  require(percent_decode(segments[7]) == name, "the name segment decodes to the name");

  const auto checked_ns = dr::kube::validate_namespace(ns);
  const auto checked_name = dr::kube::validate_name(type, name);
  for (const auto* check : {&checked_ns, &checked_name}) {
    if (*check) continue;
    dr::fuzz::check_error(check->error());
    require(check->error().kubectl_line().find('\n') == std::string::npos, "a refusal is one line");
  }
  if (checked_ns && checked_name) {
    // A value the server accepts needs no escaping: the path is the one kubectl sends.
    require(path.find('%') == std::string::npos, "a valid name is sent as is");
    require(name.find('/') == std::string_view::npos && ns.find('.') == std::string_view::npos,
            "a valid namespace is a label and a valid name has no slash");
  }
}

void check_query(std::string_view value) {
  const std::string query = dr::kube::with_query("/api/v1/pods", {{"continue", value}, {"limit", "500"}});
  check_wire_characters(query, "/?=&");
  const auto question = query.find('?');
  require(query.find('?', question + 1) == std::string::npos, "one query");
  const auto parameters = dr::strings::split(std::string_view(query).substr(question + 1), '&');
  require(parameters.size() == (value.empty() ? 1U : 2U), "a query has exactly its parameters");
  if (!value.empty()) require(percent_decode(parameters[0].substr(9)) == value, "a value decodes to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view ns = take_line(text);
  const std::string_view name = take_line(text);
  if (ns.empty() || name.empty()) return 0;  // a collection path, not this target's subject
  check_path(dr::kube::types::migrationschedules, ns, name);
  check_path(dr::kube::types::statefulsets, ns, name);
  check_query(text);
  return 0;
}
