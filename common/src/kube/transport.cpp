#include "dr/kube/transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "dr/log.hpp"
#include "dr/version.hpp"
#include "kube/inflight_limit.hpp"
#include "kube/retry.hpp"

namespace dr::kube {

std::string_view HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::string default_user_agent() {
  return "kubectl-dr/" + dr::version() + " (" + dr::platform() + ")";
}

const std::vector<std::string>& go_bundle_candidates() {
  // crypto/x509's root_linux.go, in its order.
  static const std::vector<std::string> candidates = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Gentoo, Arch
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL 6
      "/etc/ssl/ca-bundle.pem",                             // openSUSE
      "/etc/pki/tls/cacert.pem",                            // OpenELEC
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // CentOS, RHEL 7 and later
      "/etc/ssl/cert.pem",                                  // Alpine
  };
  return candidates;
}

SystemRoots find_system_roots(const char* ssl_cert_file, const char* ssl_cert_dir,
                              const std::vector<std::string>& bundle_candidates) {
  // Why not libcurl's default: it is the one path the build machine's distribution uses, and the
  // release binaries (libcurl linked in) run on others too.
  SystemRoots roots;
  if (ssl_cert_dir != nullptr && *ssl_cert_dir != '\0') roots.ca_dirs = ssl_cert_dir;
  if (ssl_cert_file != nullptr && *ssl_cert_file != '\0') {
    roots.ca_file = ssl_cert_file;  // as Go: the variable wins, whether or not the file is there
    return roots;
  }
  for (const auto& candidate : bundle_candidates) {
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error)) {
      roots.ca_file = candidate;
      break;
    }
  }
  return roots;
}

// ---- start-up: GnuTLS's load-time initialisation -----------------------------------------------
// Debian's libcurl links librtmp and libldap, and both link GnuTLS, whose constructor initialises
// the whole library as it is loaded (ASN.1 trees, random generator, p11-kit): about 1 ms of a
// 20 ms `kubectl dr status`, for a library this process never calls (our TLS is OpenSSL, and only
// HTTP(S) is allowed, so RTMP and LDAP are never reached; both call gnutls_global_init()
// themselves before any use anyway). The constructor first asks _gnutls_global_init_skip(), which
// GnuTLS exports as a weak symbol, so this definition in the executable is the one it reaches.
// The documented switch, GNUTLS_NO_IMPLICIT_INIT=1, cannot be set from inside the process: glibc
// installs the environment only after .preinit_array hooks have run. If a GnuTLS release drops
// the hook, this is simply never called and the constructor runs as before. A DR_STATIC_CURL
// build loads no GnuTLS at all. (extern "C": the symbol has no namespace, wherever it is declared.)
// NOLINTNEXTLINE(bugprone-reserved-identifier)
extern "C" int _gnutls_global_init_skip() {
  return 1;
}

namespace {

using Clock = std::chrono::steady_clock;

void global_curl_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The configured server split up, for URLs, messages and CONNECT_TO.
struct ServerAddress {
  std::string scheme;
  std::string host;  // "127.0.0.1", "[::1]"
  std::string port;
  std::string base_path;  // a path prefix (kubectl proxy, rancher): "/k8s/clusters/c-1", no trailing '/'
};

ServerAddress parse_server(std::string_view server) {
  ServerAddress address;
  auto scheme_end = server.find("://");
  std::string_view rest = server;
  if (scheme_end != std::string_view::npos) {
    address.scheme = std::string(server.substr(0, scheme_end));
    for (char& c : address.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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

// "http://user:pass@proxy:3128" -> "http://proxy:3128": messages must not carry credentials.
std::string without_userinfo(std::string_view url) {
  auto scheme_end = url.find("://");
  std::size_t authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  auto slash = url.find('/', authority);
  auto at = url.rfind('@', slash);
  if (at == std::string_view::npos || at < authority) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(at + 1));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string base64(std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) | static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < data.size()) {
    unsigned n = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Go's time.Duration spelling, as kubectl prints it: 200ms, 1.5s, 30s, 1m30s, 2h0m0s.
std::string go_duration(std::chrono::milliseconds value) {
  long long ms = value.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  long long hours = ms / 3600000;
  long long minutes = (ms / 60000) % 60;
  long long seconds = (ms / 1000) % 60;
  long long fraction = ms % 1000;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(seconds);
  if (fraction > 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + "s";
}

std::string_view status_text(long status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Request Entity Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

struct CertificateNames {
  std::vector<std::string> dns;
  std::vector<std::string> ips;
};

// "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" (OpenSSL's text of the SAN
// extension, as libcurl's certinfo gives it).
CertificateNames parse_subject_alt_names(std::string_view text) {
  CertificateNames names;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.rfind("DNS:", 0) == 0) names.dns.emplace_back(entry.substr(4));
    if (entry.rfind("IP Address:", 0) == 0) names.ips.emplace_back(entry.substr(11));
  }
  return names;
}

// The names the server's certificate is valid for, for the message of a host mismatch only: a second
// handshake that verifies nothing, presents no client certificate and sends no request.
std::optional<CertificateNames> peer_certificate_names(const std::string& url, curl_slist* connect_to) {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return std::nullopt;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 3000L);
  if (connect_to != nullptr) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to);
  std::optional<CertificateNames> names;
  curl_certinfo* info = nullptr;
  if (curl_easy_perform(easy) == CURLE_OK && curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) == CURLE_OK &&
      info != nullptr && info->num_of_certs > 0) {
    names.emplace();
    constexpr std::string_view kSan = "X509v3 Subject Alternative Name:";
    for (curl_slist* field = info->certinfo[0]; field != nullptr; field = field->next) {
      std::string_view line(field->data);
      if (line.rfind(kSan, 0) == 0) *names = parse_subject_alt_names(line.substr(kSan.size()));
    }
  }
  curl_easy_cleanup(easy);
  return names;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

// Go's x509.HostnameError text, which kubectl prints for a certificate issued for other names.
std::string host_mismatch_cause(std::string_view host, const std::optional<CertificateNames>& names) {
  const std::string wanted(host);
  if (!names) return "x509: certificate is not valid for " + wanted;
  if (is_ip_literal(host)) {
    if (names->ips.empty())
      return "x509: cannot validate certificate for " + wanted + " because it doesn't contain any IP SANs";
    return "x509: certificate is valid for " + joined(names->ips) + ", not " + wanted;
  }
  if (names->dns.empty())
    return "x509: certificate is not valid for any names, but wanted to match " + wanted;
  return "x509: certificate is valid for " + joined(names->dns) + ", not " + wanted;
}

bool is_host_mismatch(std::string_view detail) {
  auto has = [&](std::string_view needle) { return detail.find(needle) != std::string_view::npos; };
  return has("subject name") || has("does not match") || has("no alternative certificate");
}

// OpenSSL's wording (as curl reports it) -> Go's x509 wording, which is what kubectl users know.
std::string verification_cause(std::string_view detail, std::string_view host) {
  auto has = [&](std::string_view needle) { return detail.find(needle) != std::string_view::npos; };
  if (has("unable to get local issuer") || has("self signed") || has("self-signed") ||
      has("unable to verify the first certificate") || has("unable to get issuer")) {
    return "x509: certificate signed by unknown authority";
  }
  if (has("expired") || has("not yet valid")) return "x509: certificate has expired or is not yet valid";
  if (has("subject name") || has("does not match") || has("no alternative certificate")) {
    return "x509: certificate is not valid for " + std::string(host);
  }
  return std::string(detail);
}

}  // namespace

struct Transport::Impl {
  struct Transfer {
    HttpRequest request;
    Completion done;
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    HttpResponse response;
    std::string url;  // what libcurl fetches
    int attempt = 1;
    bool auth_retried = false;
    bool stopped_by_handler = false;
    bool streamed = false;   // on_chunk got data: repeating would deliver it twice
    bool too_large = false;  // the body passed options.max_response_bytes: the transfer was stopped
    std::size_t max_body_bytes = 0;
    Clock::time_point started;          // the first attempt (timeouts, -v=6 timings)
    Clock::time_point attempt_started;  // this attempt (the in-flight limit's samples)
    std::size_t inflight_when_sent = 0;
    char error_buffer[CURL_ERROR_SIZE] = {};
    Credentials credentials;  // kept alive while libcurl holds pointers into it
  };
  using TransferPtr = std::unique_ptr<Transfer>;

  TransferPtr make_transfer(HttpRequest request, Completion done) const {
    auto transfer = std::make_unique<Transfer>();
    transfer->request = std::move(request);
    transfer->max_body_bytes = options.max_response_bytes;
    transfer->done = std::move(done);
    return transfer;
  }

  RestConfig config;
  std::shared_ptr<AuthProvider> auth;
  TransportOptions options;
  ServerAddress address;
  std::string url_base;      // scheme://host:port/prefix libcurl connects to (tls-server-name as host)
  std::string display_base;  // the configured server, for log lines
  std::string host_port;     // for messages: "127.0.0.1:6443"
  CURLM* multi = nullptr;
  curl_slist* connect_to_list = nullptr;
  std::vector<CURL*> idle;
  std::deque<TransferPtr> queue;
  std::multimap<Clock::time_point, TransferPtr> delayed;
  std::unordered_map<CURL*, TransferPtr> active;
  std::atomic<bool> cancel_requested{false};
  InflightLimit limit{1, 1};
  SystemRoots system_roots;  // when the kubeconfig names no CA
  TransportStats stats;
  std::mt19937 random{std::random_device{}()};

  Impl(RestConfig rest_config, std::shared_ptr<AuthProvider> provider, TransportOptions transport_options)
      : config(std::move(rest_config)), auth(std::move(provider)), options(std::move(transport_options)) {
    global_curl_init();
    if (options.user_agent.empty()) options.user_agent = default_user_agent();
    if (options.max_inflight == 0) options.max_inflight = 1;
    limit = InflightLimit(options.min_inflight, options.max_inflight);
    address = parse_server(config.server);
    if (config.tls.ca_pem.empty() && !config.tls.insecure_skip_verify) {
      system_roots = find_system_roots(std::getenv("SSL_CERT_FILE"), std::getenv("SSL_CERT_DIR"),
                                       go_bundle_candidates());
    }
    host_port = address.host + ":" + address.port;
    display_base = address.scheme + "://" + host_port + address.base_path;
    if (!config.tls.server_name.empty()) {
      // tls-server-name: libcurl sends SNI for, and verifies the certificate against, the URL's host.
      // So the URL names tls-server-name and CONNECT_TO sends the connection to the real address.
      std::string mapping =
          config.tls.server_name + ":" + address.port + ":" + address.host + ":" + address.port;
      connect_to_list = curl_slist_append(nullptr, mapping.c_str());
      url_base = address.scheme + "://" + config.tls.server_name + ":" + address.port + address.base_path;
    } else {
      url_base = display_base;
    }
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // HTTP/2: one connection carries every stream. HTTP/1.1: at most max_inflight keep-alive connections.
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(options.max_inflight));
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_inflight));
    if (!config.bearer_token.empty()) log::register_secret(config.bearer_token);
    if (!config.password.empty()) log::register_secret(config.password);
    if (!config.tls.client_key_pem.empty()) log::register_secret(config.tls.client_key_pem);
  }

  ~Impl() {
    for (auto& [easy, transfer] : active) {
      curl_multi_remove_handle(multi, easy);
      curl_slist_free_all(transfer->header_list);
      curl_easy_cleanup(easy);
    }
    for (CURL* easy : idle) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
    curl_slist_free_all(connect_to_list);
  }

  std::chrono::milliseconds timeout_of(const HttpRequest& request) const {
    return request.timeout.count() >= 0 ? request.timeout : config.request_timeout;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    std::size_t bytes = size * count;
    long status = transfer->response.status;
    if (transfer->request.on_chunk && status >= 200 && status < 300) {
      transfer->streamed = true;
      if (!transfer->request.on_chunk(std::string_view(data, bytes))) {
        transfer->stopped_by_handler = true;
        return 0;  // aborts the transfer: CURLE_WRITE_ERROR, treated as a clean stop
      }
      return bytes;
    }
    if (bytes >
        transfer->max_body_bytes - std::min(transfer->max_body_bytes, transfer->response.body.size())) {
      transfer->too_large = true;
      return 0;  // aborts the transfer: CURLE_WRITE_ERROR
    }
    transfer->response.body.append(data, bytes);
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    std::size_t bytes = size * count;
    std::string_view line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
      // A new response (after a 100 Continue): "HTTP/1.1 200 OK", "HTTP/2 200".
      transfer->response.headers.clear();
      transfer->response.status = 0;
      if (auto space = line.find(' '); space != std::string_view::npos) {
        std::string_view code = line.substr(space + 1, 3);
        long status = 0;
        for (char c : code) status = c >= '0' && c <= '9' ? status * 10 + (c - '0') : status;
        transfer->response.status = status;
      }
      return bytes;
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      transfer->response.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                              std::string(trim(line.substr(colon + 1))));
    }
    return bytes;
  }

  CURL* take_handle() {
    if (!idle.empty()) {
      CURL* easy = idle.back();
      idle.pop_back();
      curl_easy_reset(easy);  // options only: live connections stay in the multi handle's pool
      return easy;
    }
    return curl_easy_init();
  }

  // Builds the easy handle for one attempt. Errors here (credentials) complete the transfer.
  Status prepare(Transfer& transfer) {
    if (auth) {
      auto current = auth->current();
      if (!current) return std::move(current).error();
      transfer.credentials = std::move(current).value();
    }
    const auto& creds = transfer.credentials;

    CURL* easy = take_handle();
    if (easy == nullptr) return Error::make(ErrorCode::Internal, "libcurl could not create a transfer");
    transfer.easy = easy;
    transfer.response = HttpResponse{};
    transfer.stopped_by_handler = false;
    transfer.error_buffer[0] = '\0';
    const HttpRequest& request = transfer.request;

    if (transfer.url.empty()) transfer.url = url_base + request.path_and_query;
    curl_easy_setopt(easy, CURLOPT_URL, transfer.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error_buffer);
    // An API server speaks HTTP(S) only: whatever else libcurl was built with (ldap, rtmp, ...) is
    // never reached, whatever a kubeconfig says.
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Waiting to multiplex only pays off where HTTP/2 can be negotiated (TLS with ALPN).
    if (address.scheme == "https") curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);  // long watches through NATs and load balancers
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    if (auto timeout = timeout_of(request); timeout.count() > 0) {
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    }
    // gzip only, as client-go asks: it is all kube-apiserver offers, and a server that also offers
    // brotli would spend far longer compressing a page of a list than sending it. Only for reads:
    // a write's answer is one object, which costs the server more to compress than to send.
    if (!config.disable_compression && request.method == "GET" && !request.on_chunk) {
      curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    }
    if (!config.proxy_url.empty()) curl_easy_setopt(easy, CURLOPT_PROXY, config.proxy_url.c_str());
    // A SOCKS5 proxy (proxy-url, or libcurl's ALL_PROXY) is offered no authentication or a user
    // name and password, as client-go offers it; libcurl would also offer GSS-API by default.
    curl_easy_setopt(easy, CURLOPT_SOCKS5_AUTH, static_cast<long>(CURLAUTH_BASIC));
    if (connect_to_list != nullptr) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to_list);

    // TLS: verified unless the kubeconfig or a flag says otherwise.
    if (config.tls.insecure_skip_verify) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!config.tls.ca_pem.empty()) {
      curl_blob ca{const_cast<char*>(config.tls.ca_pem.data()), config.tls.ca_pem.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
      // That authority alone, as client-go trusts it. The blob replaces libcurl's built-in CA file
      // but not its built-in CA directory (Debian's: /etc/ssl/certs), through which any authority
      // of the system's could otherwise vouch for the server and be sent its credentials.
      curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
      curl_easy_setopt(easy, CURLOPT_CAINFO, nullptr);
    } else {
      if (!system_roots.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, system_roots.ca_file.c_str());
      if (!system_roots.ca_dirs.empty()) curl_easy_setopt(easy, CURLOPT_CAPATH, system_roots.ca_dirs.c_str());
    }
    // An exec plugin's client certificate replaces the kubeconfig's.
    const bool exec_cert = !creds.client_cert_pem.empty() && !creds.client_key_pem.empty();
    const std::string& cert = exec_cert ? creds.client_cert_pem : config.tls.client_cert_pem;
    const std::string& key = exec_cert ? creds.client_key_pem : config.tls.client_key_pem;
    if (!cert.empty() && !key.empty()) {
      if (exec_cert) log::register_secret(key);
      curl_blob cert_blob{const_cast<char*>(cert.data()), cert.size(), CURL_BLOB_NOCOPY};
      curl_blob key_blob{const_cast<char*>(key.data()), key.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert_blob);
      curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key_blob);
      curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    }

    curl_slist* headers = nullptr;
    auto add_header = [&](const std::string& line) { headers = curl_slist_append(headers, line.c_str()); };
    bool has_accept = false;
    for (const auto& [name, value] : request.headers) {
      if (lower(name) == "accept") has_accept = true;
      add_header(name + ": " + value);
    }
    if (!has_accept) add_header("Accept: application/json");
    if (!creds.bearer_token.empty()) {
      log::register_secret(creds.bearer_token);
      add_header("Authorization: Bearer " + creds.bearer_token);
    } else if (!creds.username.empty() || !creds.password.empty()) {
      log::register_secret(creds.password);
      std::string encoded = base64(creds.username + ":" + creds.password);
      log::register_secret(encoded);
      add_header("Authorization: Basic " + encoded);
    }
    if (!config.impersonate_user.empty()) add_header("Impersonate-User: " + config.impersonate_user);
    for (const auto& group : config.impersonate_groups) add_header("Impersonate-Group: " + group);
    if (!config.impersonate_uid.empty()) add_header("Impersonate-Uid: " + config.impersonate_uid);
    add_header("Expect:");  // no 100-continue round trip for large bodies
    transfer.header_list = headers;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);

    if (request.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
          request.method == "PATCH") {
        // The body stays in the request: libcurl reads it in place, no copy.
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
      }
    }

    if (log::enabled(7)) {
      std::string dump = "Request Headers:";
      for (curl_slist* h = headers; h != nullptr; h = h->next) dump += std::string("\n    ") + h->data;
      dump += "\n    User-Agent: " + options.user_agent;
      log::line(7, dump);
    }
    if (log::enabled(8) && !request.body.empty()) {
      log::line(8, "Request Body: " + log::redact_truncated(request.body));
    }
    return {};
  }

  void release(Transfer& transfer) {
    curl_slist_free_all(transfer.header_list);
    transfer.header_list = nullptr;
    if (transfer.easy != nullptr) idle.push_back(transfer.easy);
    transfer.easy = nullptr;
  }

  void start(TransferPtr transfer) {
    if (transfer->attempt == 1 && !transfer->auth_retried) transfer->started = Clock::now();
    if (auto prepared = prepare(*transfer); !prepared) {
      release(*transfer);
      finish(std::move(transfer), std::move(prepared).error());
      return;
    }
    CURL* easy = transfer->easy;
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
      release(*transfer);
      finish(std::move(transfer), Error::make(ErrorCode::Internal, "libcurl refused a transfer"));
      return;
    }
    ++stats.requests;
    transfer->attempt_started = Clock::now();
    transfer->inflight_when_sent = active.size() + 1;
    active.emplace(easy, std::move(transfer));
    stats.max_inflight_seen = std::max(stats.max_inflight_seen, active.size());
  }

  static void finish(TransferPtr transfer, Result<HttpResponse> result) {
    if (transfer->done) transfer->done(std::move(result));
  }

  static bool never_sent(CURLcode code, const Transfer& transfer) {
    switch (code) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
        return true;
      case CURLE_OPERATION_TIMEDOUT: {
        // Pre-transfer time stays 0 until the connection (TLS included) is ready to send on.
        curl_off_t ready_after = 0;
        if (transfer.easy != nullptr)
          curl_easy_getinfo(transfer.easy, CURLINFO_PRETRANSFER_TIME_T, &ready_after);
        return ready_after == 0;
      }
      default:
        return false;
    }
  }

  Error transport_error(CURLcode code, const Transfer& transfer) const {
    std::string detail = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
    const std::string what = transfer.request.method + " " + display_base + transfer.request.path_and_query;
    auto transport = [](std::string message) {
      return Error::make(ErrorCode::Transport, std::move(message));
    };
    switch (code) {
      case CURLE_UNSUPPORTED_PROTOCOL:  // client-go's wording; only http and https are allowed
        return Error::make(ErrorCode::Config, "unsupported protocol scheme \"" + address.scheme +
                                                  "\" in the server address " + display_base +
                                                  " (use https://HOST:PORT)");
      case CURLE_COULDNT_CONNECT: {
        if (!config.proxy_url.empty()) {
          return transport("Unable to connect to the server: proxyconnect tcp: " +
                           without_userinfo(config.proxy_url) + ": " + detail);
        }
        long os_error = 0;
        if (transfer.easy != nullptr) curl_easy_getinfo(transfer.easy, CURLINFO_OS_ERRNO, &os_error);
        if (os_error == ECONNREFUSED || detail.find("refused") != std::string::npos) {
          return transport("The connection to the server " + host_port +
                           " was refused - did you specify the right host or port?");
        }
        if (os_error != 0) detail = std::strerror(static_cast<int>(os_error));
        return transport("Unable to connect to the server: dial tcp " + host_port + ": " + detail);
      }
      case CURLE_COULDNT_RESOLVE_HOST:
        return transport("Unable to connect to the server: dial tcp: lookup " + address.host +
                         ": no such host");
      case CURLE_COULDNT_RESOLVE_PROXY:
        return transport("Unable to connect to the server: proxyconnect tcp: lookup of the proxy " +
                         without_userinfo(config.proxy_url) + " failed: no such host");
      case CURLE_PEER_FAILED_VERIFICATION: {
        std::string checked_name = config.tls.server_name.empty() ? address.host : config.tls.server_name;
        std::string ca =
            config.tls.ca_pem.empty()
                ? "the system trust store" +
                      (system_roots.ca_file.empty() ? std::string() : " " + system_roots.ca_file)
                : "certificate-authority from " +
                      (config.tls.ca_source.empty() ? std::string("the kubeconfig") : config.tls.ca_source);
        std::string cause = verification_cause(detail, checked_name);
        if (is_host_mismatch(detail))
          cause = host_mismatch_cause(checked_name, peer_certificate_names(transfer.url, connect_to_list));
        std::string message =
            "Unable to connect to the server: tls: failed to verify certificate: " + cause + " (" + ca;
        if (!config.tls.server_name.empty()) message += "; tls-server-name " + config.tls.server_name;
        return transport(message + ")");
      }
      case CURLE_SSL_CACERT_BADFILE:
        return transport("unable to load the certificate-authority" +
                         (config.tls.ca_source.empty() ? std::string() : " from " + config.tls.ca_source) +
                         ": " + detail);
      case CURLE_SSL_CERTPROBLEM:
        return transport("unable to use the client certificate and key: " + detail);
      case CURLE_SSL_CONNECT_ERROR:
        return transport("Unable to connect to the server: TLS handshake with " + host_port +
                         " failed: " + detail);
      case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connected_after = 0;
        if (transfer.easy != nullptr)
          curl_easy_getinfo(transfer.easy, CURLINFO_CONNECT_TIME_T, &connected_after);
        auto limit = timeout_of(transfer.request);
        if (connected_after == 0 && (limit.count() == 0 || options.connect_timeout < limit)) {
          return Error::make(ErrorCode::Timeout, "Unable to connect to the server: dial tcp " + host_port +
                                                     ": i/o timeout (no connection within " +
                                                     go_duration(options.connect_timeout) + ")");
        }
        std::string bound = transfer.request.timeout.count() >= 0 ? "its time limit of " + go_duration(limit)
                                                                  : "--request-timeout=" + go_duration(limit);
        return Error::make(ErrorCode::Timeout, what +
                                                   ": context deadline exceeded (Client.Timeout exceeded: no "
                                                   "complete answer within " +
                                                   bound + ")");
      }
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        return transport("the connection to the server " + host_port + " broke during " + what + ": " +
                         detail);
      default:
        return transport("Unable to connect to the server " + host_port + ": " + detail);
    }
  }

  void schedule_retry(TransferPtr transfer, std::chrono::milliseconds delay, std::string_view why) {
    ++stats.retries;
    ++transfer->attempt;
    log::line(6, transfer->request.method + " " + display_base + transfer->request.path_and_query + " " +
                     std::string(why) + ": retrying in " + std::to_string(delay.count()) + "ms (attempt " +
                     std::to_string(transfer->attempt) + ")");
    delayed.emplace(Clock::now() + delay, std::move(transfer));
  }

  void complete(CURL* easy, CURLcode code) {
    auto it = active.find(easy);
    if (it == active.end()) return;
    TransferPtr transfer = std::move(it->second);
    active.erase(it);
    curl_multi_remove_handle(multi, easy);

    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    stats.connections += static_cast<std::uint64_t>(std::max(0L, connects));
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);

    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - transfer->started);
    transfer->response.status = status;
    transfer->response.elapsed = elapsed;
    transfer->response.attempts = transfer->attempt;
    const bool clean_stop = transfer->stopped_by_handler && code == CURLE_WRITE_ERROR;
    const bool answered = code == CURLE_OK || clean_stop;
    if (log::enabled(6)) {
      std::string outcome = answered ? std::to_string(status) + " " + std::string(status_text(status))
                                     : std::string("failed (") + curl_easy_strerror(code) + ")";
      log::line(6, transfer->request.method + " " + display_base + transfer->request.path_and_query + " " +
                       outcome + " in " + std::to_string(elapsed.count()) + " milliseconds");
    }
    if (log::enabled(8) && !transfer->response.body.empty()) {
      log::line(8, "Response Body: " + log::redact_truncated(transfer->response.body));
    }

    if (transfer->too_large) {
      // Not retried: the same server would send the same answer.
      release(*transfer);
      Error error = Error::make(ErrorCode::Transport,
                                "the server's answer to " + transfer->request.method + " " + display_base +
                                    transfer->request.path_and_query + " is larger than " +
                                    std::to_string(options.max_response_bytes >> 20) +
                                    " MiB; refusing to read it (is the server a Kubernetes API server?)");
      finish(std::move(transfer), std::move(error));
      return;
    }
    if (!answered) {
      Error error = transport_error(code, *transfer);  // before release: it reads connect time
      error.unreachable = never_sent(code, *transfer);
      release(*transfer);
      Failure failure = classify_failure(code);
      // A TLS "internal error" alert is the server failing its own side of the handshake (an
      // OpenSSL server that checks client certificates does this to a resumed session when it was
      // set up without a session context): no request was sent, so trying again is as safe as
      // after a refused connect.
      if (code == CURLE_SSL_CONNECT_ERROR && std::strstr(transfer->error_buffer, "internal error") != nullptr)
        failure = Failure::Connect;
      auto decision = decide_retry(
          RetryInput{transfer->attempt, 0, transfer->request.retry_safe && !transfer->streamed, failure, {}},
          options.retry, random);
      if (decision.retry && !transfer->streamed && !cancel_requested.load()) {
        schedule_retry(std::move(transfer), decision.delay, curl_easy_strerror(code));
        return;
      }
      finish(std::move(transfer), std::move(error));
      return;
    }
    release(*transfer);
    sample_limit(*transfer, status);

    if (status == 401 && auth && !transfer->auth_retried && !transfer->streamed && auth->invalidate()) {
      transfer->auth_retried = true;
      queue.push_front(std::move(transfer));  // at once, with fresh credentials
      return;
    }
    auto decision = decide_retry(RetryInput{transfer->attempt, status, transfer->request.retry_safe,
                                            Failure::None, transfer->response.header("retry-after")},
                                 options.retry, random);
    if (decision.retry && !transfer->streamed && !cancel_requested.load()) {
      schedule_retry(std::move(transfer), decision.delay,
                     std::to_string(status) + " " + std::string(status_text(status)));
      return;
    }
    HttpResponse response = std::move(transfer->response);
    finish(std::move(transfer), std::move(response));
  }

  // Answers to streams (open as long as they like), to repeats (sent after a back-off) and big
  // answers (a page of 500 objects is slow because it is big) say nothing about the server's queue.
  void sample_limit(const Transfer& transfer, long status) {
    if (status == 429 || status == 503) {
      limit.on_overload();
      return;
    }
    constexpr std::size_t kBigAnswer = 64 * 1024;
    if (transfer.attempt > 1 || transfer.request.on_chunk || transfer.response.body.size() > kBigAnswer)
      return;
    limit.on_answer(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - transfer.attempt_started),
        transfer.inflight_when_sent);
  }

  void abandon_all() {
    std::vector<TransferPtr> abandoned;
    for (auto& [easy, transfer] : active) {
      curl_multi_remove_handle(multi, easy);
      release(*transfer);
      abandoned.push_back(std::move(transfer));
    }
    active.clear();
    for (auto& transfer : queue) abandoned.push_back(std::move(transfer));
    queue.clear();
    for (auto& [when, transfer] : delayed) abandoned.push_back(std::move(transfer));
    delayed.clear();
    for (auto& transfer : abandoned) {
      finish(std::move(transfer), Error::make(ErrorCode::Cancelled, "interrupted"));
    }
  }

  void drop_unsent(const Error& reason) {
    // Moved out first: a completion may submit more, and those are not dropped.
    std::vector<TransferPtr> dropped;
    for (auto& transfer : queue) dropped.push_back(std::move(transfer));
    queue.clear();
    for (auto& [when, transfer] : delayed) dropped.push_back(std::move(transfer));
    delayed.clear();
    for (auto& transfer : dropped) finish(std::move(transfer), Error(reason));
  }

  bool idle_now() const { return active.empty() && queue.empty() && delayed.empty(); }
  std::size_t outstanding() const { return active.size() + queue.size() + delayed.size(); }

  // Retries whose delay is over go back to the queue; queued transfers start while the in-flight
  // limit allows. True when `done()` held after a start (a transfer that failed to start may be
  // the one awaited).
  template <class Done>
  bool start_ready(const Done& done) {
    auto now = Clock::now();
    while (!delayed.empty() && delayed.begin()->first <= now) {
      queue.push_back(std::move(delayed.begin()->second));
      delayed.erase(delayed.begin());
    }
    while (!queue.empty() && active.size() < limit.current()) {
      TransferPtr transfer = std::move(queue.front());
      queue.pop_front();
      start(std::move(transfer));
      if (done()) return true;
    }
    return false;
  }

  // Lets libcurl move every transfer along and completes the finished ones; true if any finished.
  bool perform_and_complete() {
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    bool any_completed = false;
    while (true) {
      int pending = 0;
      CURLMsg* message = curl_multi_info_read(multi, &pending);
      if (message == nullptr) break;
      if (message->msg == CURLMSG_DONE) {
        complete(message->easy_handle, message->data.result);
        any_completed = true;
      }
    }
    return any_completed;
  }

  void pump() {
    if (cancel_requested.load()) return;  // the next run() abandons what is left
    const auto never = [] { return false; };
    start_ready(never);
    if (idle_now()) return;
    perform_and_complete();
    start_ready(never);
  }

  // Drives transfers until `done()` holds (checked at every turn of the loop: after a wake-up, a
  // start or a batch of completions) or nothing is left. Transfers still running when `done()`
  // holds stay in the pool for the next call.
  template <class Done>
  void run(const Done& done) {
    while (true) {
      if (cancel_requested.load()) {
        abandon_all();
        return;
      }
      if (done()) return;  // run_until()'s caller may have woken us with its own work ready
      if (start_ready(done)) return;
      if (idle_now()) return;

      const bool any_completed = perform_and_complete();
      if (any_completed && done()) return;
      if (idle_now()) return;
      if (cancel_requested.load()) continue;
      if (!queue.empty() && active.size() < limit.current()) continue;

      int wait_ms = 1000;
      if (!delayed.empty()) {
        auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(delayed.begin()->first - Clock::now());
        wait_ms = static_cast<int>(std::clamp<long long>(until.count() + 1, 0, 1000));
      }
      // Also returns early for libcurl's timers, socket activity and curl_multi_wakeup (cancel, wake).
      if (wait_ms > 0) curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
  }
};

Transport::Transport(RestConfig config, std::shared_ptr<AuthProvider> auth, TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(auth), std::move(options))) {}

Transport::~Transport() = default;

void Transport::submit(HttpRequest request, Completion done) {
  impl_->queue.push_back(impl_->make_transfer(std::move(request), std::move(done)));
}

void Transport::submit_first(HttpRequest request, Completion done) {
  impl_->queue.push_front(impl_->make_transfer(std::move(request), std::move(done)));
}

void Transport::run() {
  impl_->run([] { return false; });
}

void Transport::run_until_at_most(std::size_t outstanding) {
  auto few_enough = [this, outstanding] { return impl_->outstanding() <= outstanding; };
  if (few_enough()) return;
  impl_->run(few_enough);
}

void Transport::run_until(const std::function<bool()>& done) {
  impl_->run(done);
}

void Transport::pump() {
  impl_->pump();
}

void Transport::wake() {
  curl_multi_wakeup(impl_->multi);
}

std::size_t Transport::outstanding() const {
  return impl_->outstanding();
}

Result<HttpResponse> Transport::perform(HttpRequest request) {
  // Jumps the queue and returns as soon as its own answer is in; other queued or in-flight work
  // keeps going (and is completed by the next run()). Safe to call from inside a completion.
  std::optional<Result<HttpResponse>> outcome;
  submit_first(std::move(request),
               [&outcome](Result<HttpResponse> result) { outcome.emplace(std::move(result)); });
  impl_->run([&outcome] { return outcome.has_value(); });
  if (!outcome) return Error::make(ErrorCode::Cancelled, "interrupted");
  return std::move(*outcome);
}

void Transport::drop_unsent(const Error& reason) {
  impl_->drop_unsent(reason);
}

void Transport::cancel() {
  // Only an atomic store and a write() on libcurl's wakeup pipe: safe in a signal handler.
  impl_->cancel_requested.store(true);
  curl_multi_wakeup(impl_->multi);
}

bool Transport::cancelled() const {
  return impl_->cancel_requested.load();
}

TransportStats Transport::stats() const {
  TransportStats stats = impl_->stats;
  stats.inflight_limit = impl_->limit.current();
  return stats;
}

const RestConfig& Transport::config() const {
  return impl_->config;
}

}  // namespace dr::kube
