#include "kube/proxy_env.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <vector>

#include "dr/core/strings.hpp"

namespace dr::kube {

namespace {

// An address as 16 bytes (IPv4 mapped into IPv6, as Go's net.IP compares them).
struct Address {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = false;
};

std::optional<Address> parse_ip(std::string_view text) {
  const std::string copy(text);
  Address address;
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, copy.c_str(), v4.data()) == 1) {
    address.v4 = true;
    address.bytes[10] = 0xff;
    address.bytes[11] = 0xff;
    for (std::size_t i = 0; i < 4; ++i) address.bytes[12 + i] = v4[i];
    return address;
  }
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

bool is_loopback(const Address& address) {
  if (address.v4) return address.bytes[12] == 127;
  std::array<std::uint8_t, 16> one{};
  one[15] = 1;
  return address.bytes == one;
}

struct Cidr {
  Address network;
  int prefix_bits = 0;  // over the 16 bytes
  bool contains(const Address& address) const {
    if (address.v4 != network.v4) return false;
    for (int bit = 0; bit < prefix_bits; ++bit) {
      const auto byte = static_cast<std::size_t>(bit / 8);
      const int mask = 0x80 >> (bit % 8);
      if ((address.bytes[byte] & mask) != (network.bytes[byte] & mask)) return false;
    }
    return true;
  }
};

std::optional<Cidr> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto network = parse_ip(text.substr(0, slash));
  const auto bits_text = text.substr(slash + 1);
  int bits = -1;
  auto [end, error] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  if (!network || error != std::errc() || end != bits_text.data() + bits_text.size()) return std::nullopt;
  if (bits < 0 || bits > (network->v4 ? 32 : 128)) return std::nullopt;
  return Cidr{*network, network->v4 ? 96 + bits : bits};
}

// net.SplitHostPort: "host:port" or "[v6]:port"; nullopt when there is no port to split off.
std::optional<std::pair<std::string_view, std::string_view>> split_host_port(std::string_view text) {
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    return std::pair{text.substr(1, close - 1), text.substr(close + 2)};
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;  // none, or bare IPv6
  return std::pair{text.substr(0, colon), text.substr(colon + 1)};
}

std::string_view unbracketed(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// Whether NO_PROXY exempts host:port (Go's useProxy, negated, past the loopback rule).
bool exempted(std::string_view no_proxy, std::string_view host, std::string_view port) {
  const auto ip = parse_ip(host);
  for (std::string_view entry : strings::split(no_proxy, ',')) {
    const std::string lowered = strings::lower(strings::trim(entry));
    std::string_view p = lowered;
    if (p.empty()) continue;
    if (p == "*") return true;
    if (auto cidr = parse_cidr(p)) {
      if (ip && cidr->contains(*ip)) return true;
      continue;
    }
    std::string_view entry_host = p;
    std::string_view entry_port;
    if (auto split = split_host_port(p)) {
      if (split->first.empty()) continue;  // no host part: a malformed entry, ignored as Go does
      entry_host = unbracketed(split->first);
      entry_port = split->second;
    }
    const bool port_matches = entry_port.empty() || entry_port == port;
    if (auto entry_ip = parse_ip(entry_host)) {
      if (ip && entry_ip->bytes == ip->bytes && port_matches) return true;
      continue;
    }
    if (entry_host.empty()) continue;
    if (entry_host.starts_with("*.")) entry_host.remove_prefix(1);
    const bool matches_itself = !entry_host.starts_with('.');
    const std::string suffix = matches_itself ? "." + std::string(entry_host) : std::string(entry_host);
    const bool matches =
        host.ends_with(suffix) || (matches_itself && host == std::string_view(suffix).substr(1));
    if (matches && port_matches) return true;
  }
  return false;
}

std::string with_scheme(const std::string& proxy) {
  if (proxy.empty() || proxy.find("://") != std::string::npos) return proxy;
  return "http://" + proxy;
}

}  // namespace

ProxyEnvironment read_proxy_environment(const std::function<const char*(const char*)>& get) {
  auto first = [&](const char* upper, const char* lower) {
    for (const char* name : {upper, lower}) {
      const char* value = get(name);
      if (value != nullptr && *value != '\0') return std::string(value);
    }
    return std::string();
  };
  ProxyEnvironment environment;
  environment.http_proxy = first("HTTP_PROXY", "http_proxy");
  environment.https_proxy = first("HTTPS_PROXY", "https_proxy");
  environment.no_proxy = first("NO_PROXY", "no_proxy");
  const char* method = get("REQUEST_METHOD");
  environment.cgi = method != nullptr && *method != '\0';
  return environment;
}

std::string proxy_for(const ProxyEnvironment& environment, std::string_view scheme, std::string_view host,
                      std::string_view port) {
  std::string proxy;
  if (scheme == "https") proxy = environment.https_proxy;
  if (scheme == "http" && !environment.cgi) proxy = environment.http_proxy;
  if (proxy.empty()) return {};
  const std::string lowered = strings::lower(unbracketed(host));
  if (lowered == "localhost") return {};
  if (auto ip = parse_ip(lowered); ip && is_loopback(*ip)) return {};
  if (exempted(environment.no_proxy, lowered, port)) return {};
  return with_scheme(proxy);
}

}  // namespace dr::kube
