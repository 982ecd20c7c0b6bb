#include "kube/server_address.hpp"

#include "dr/core/strings.hpp"

namespace dr::kube {

ServerAddress parse_server(std::string_view server) {
  ServerAddress address;
  auto scheme_end = server.find("://");
  std::string_view rest = server;
  if (scheme_end != std::string_view::npos) {
    address.scheme = strings::lower(server.substr(0, scheme_end));
    rest = server.substr(scheme_end + 3);
  } else {
    address.scheme = "https";
  }
  auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (path_start != std::string_view::npos) address.base_path = std::string(rest.substr(path_start));
  while (!address.base_path.empty() && address.base_path.back() == '/') address.base_path.pop_back();
  if (!authority.empty() && authority.front() == '[') {  // [::1]:6443
    auto close = authority.find(']');
    address.host = std::string(authority.substr(0, close + 1));
    if (close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':') {
      address.port = std::string(authority.substr(close + 2));
    }
  } else {
    auto colon = authority.rfind(':');
    address.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) address.port = std::string(authority.substr(colon + 1));
  }
  if (address.port.empty()) address.port = address.scheme == "http" ? "80" : "443";
  return address;
}

std::string without_userinfo(std::string_view url) {
  auto scheme_end = url.find("://");
  std::size_t authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  auto slash = url.find('/', authority);
  auto at = url.rfind('@', slash);
  if (at == std::string_view::npos || at < authority) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(at + 1));
}

}  // namespace dr::kube
