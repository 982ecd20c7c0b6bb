// The proxy environment read as Go's httpproxy package reads it (issue 25, item 7).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "kube/proxy_env.hpp"

using dr::kube::proxy_for;
using dr::kube::ProxyEnvironment;

namespace {

ProxyEnvironment with_no_proxy(std::string no_proxy) {
  ProxyEnvironment environment;
  environment.https_proxy = "proxy.corp:3128";
  environment.http_proxy = "http://plain-proxy:8080";
  environment.no_proxy = std::move(no_proxy);
  return environment;
}

bool proxied(const ProxyEnvironment& environment, const char* host, const char* port = "443") {
  return !proxy_for(environment, "https", host, port).empty();
}

}  // namespace

TEST_CASE("proxy env: upper case first, then lower case; CGI ignores HTTP_PROXY", "[proxy]") {
  std::map<std::string, std::string> variables{
      {"https_proxy", "lower:1"}, {"HTTP_PROXY", "upper:2"}, {"http_proxy", "lower:2"}, {"no_proxy", "x"}};
  auto get = [&](const char* name) -> const char* {
    auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  };
  auto environment = dr::kube::read_proxy_environment(get);
  CHECK(environment.https_proxy == "lower:1");
  CHECK(environment.http_proxy == "upper:2");
  CHECK(environment.no_proxy == "x");
  CHECK_FALSE(environment.cgi);
  variables["REQUEST_METHOD"] = "GET";
  environment = dr::kube::read_proxy_environment(get);
  CHECK(environment.cgi);
  CHECK(proxy_for(environment, "http", "api.example", "80").empty());
  CHECK(proxy_for(environment, "https", "api.example", "443") == "http://lower:1");
}

TEST_CASE("proxy env: the scheme picks the variable; a proxy without scheme is http", "[proxy]") {
  auto environment = with_no_proxy("");
  CHECK(proxy_for(environment, "https", "api.example", "6443") == "http://proxy.corp:3128");
  CHECK(proxy_for(environment, "http", "api.example", "80") == "http://plain-proxy:8080");
  environment.https_proxy = "socks5://socks:1080";
  CHECK(proxy_for(environment, "https", "api.example", "6443") == "socks5://socks:1080");
  environment.https_proxy.clear();
  CHECK(proxy_for(environment, "https", "api.example", "6443").empty());  // HTTP_PROXY is not for https
}

TEST_CASE("proxy env: loopback is never proxied", "[proxy]") {
  auto environment = with_no_proxy("");
  for (const char* host : {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]", "::1"}) {
    CAPTURE(host);
    CHECK_FALSE(proxied(environment, host));
  }
  CHECK(proxied(environment, "10.0.0.1"));
  CHECK(proxied(environment, "localhost.example"));
}

TEST_CASE("proxy env: NO_PROXY entries as Go matches them", "[proxy]") {
  CHECK_FALSE(proxied(with_no_proxy("*"), "anything.example"));
  // "domain": itself and subdomains; ".domain" and "*.domain": subdomains only.
  auto domain = with_no_proxy("corp.example");
  CHECK_FALSE(proxied(domain, "corp.example"));
  CHECK_FALSE(proxied(domain, "api.corp.example"));
  CHECK(proxied(domain, "notcorp.example"));
  for (const char* subdomains_only : {".corp.example", "*.corp.example", " *.CORP.example "}) {
    auto environment = with_no_proxy(subdomains_only);
    CAPTURE(subdomains_only);
    CHECK(proxied(environment, "corp.example"));
    CHECK_FALSE(proxied(environment, "api.corp.example"));
  }
  // Ports: an entry with a port exempts that port only.
  auto ported = with_no_proxy("api.example:6443,10.1.1.1:443,[fd00::1]:6443");
  CHECK_FALSE(proxied(ported, "api.example", "6443"));
  CHECK(proxied(ported, "api.example", "443"));
  CHECK_FALSE(proxied(ported, "10.1.1.1", "443"));
  CHECK(proxied(ported, "10.1.1.1", "6443"));
  CHECK_FALSE(proxied(ported, "[fd00::1]", "6443"));
  // IPs and CIDRs (which ignore ports); a name is not an IP.
  auto addresses = with_no_proxy("10.0.0.0/8, 192.168.1.7, fd00::/16");
  CHECK_FALSE(proxied(addresses, "10.20.30.40"));
  CHECK(proxied(addresses, "11.0.0.1"));
  CHECK_FALSE(proxied(addresses, "192.168.1.7"));
  CHECK(proxied(addresses, "192.168.1.8"));
  CHECK_FALSE(proxied(addresses, "[fd00::abcd]"));
  CHECK(proxied(addresses, "[fe80::1]"));
  CHECK(proxied(addresses, "10.example"));
  // Malformed and empty entries are skipped.
  CHECK(proxied(with_no_proxy(",, :80,/x"), "api.example"));
}
