// Which proxy a request goes through when the kubeconfig names none: the environment read as Go's
// net/http reads it (golang.org/x/net/http/httpproxy), which is what kubectl does. libcurl's own
// reading differs (it proxies loopback, reads ALL_PROXY, and ignores ports in NO_PROXY), so the
// transport always tells libcurl the proxy, or "" for none.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace dr::kube {

struct ProxyEnvironment {
  std::string http_proxy;   // HTTP_PROXY, else http_proxy
  std::string https_proxy;  // HTTPS_PROXY, else https_proxy
  std::string no_proxy;     // NO_PROXY, else no_proxy
  bool cgi = false;         // REQUEST_METHOD is set: HTTP_PROXY may come from a request header
};

// Reads the variables through `get` (getenv in the product, a map in tests).
ProxyEnvironment read_proxy_environment(const std::function<const char*(const char*)>& get);

// The proxy URL for a request to scheme://host:port ("" for none): https_proxy for https, http_proxy
// for http (not under CGI); "localhost" and loopback addresses never; NO_PROXY's entries: "*", IPs,
// CIDRs, [IPv6], each with an optional ":port", "domain" (itself and its subdomains), ".domain" and
// "*.domain" (subdomains only). A proxy without a scheme is http://. `host` may be "[::1]".
std::string proxy_for(const ProxyEnvironment& environment, std::string_view scheme, std::string_view host,
                      std::string_view port);

}  // namespace dr::kube
