// The configured API server's address taken apart, for the transport's URLs, messages and
// CONNECT_TO mapping.
#pragma once

#include <string>
#include <string_view>

namespace dr::kube {

struct ServerAddress {
  std::string scheme;
  std::string host;  // "127.0.0.1", "[::1]"
  std::string port;
  std::string base_path;  // a path prefix (kubectl proxy, rancher): "/k8s/clusters/c-1", no trailing '/'
};

// "https://user@[::1]:6443/prefix/" -> {https, [::1], 6443, /prefix}. No scheme means https; no
// port means the scheme's.
ServerAddress parse_server(std::string_view server);

// "http://user:pass@proxy:3128" -> "http://proxy:3128": messages must not carry credentials.
std::string without_userinfo(std::string_view url);

}  // namespace dr::kube
