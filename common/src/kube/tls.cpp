#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <vector>

#include "dr/core/log.hpp"
#include "dr/core/strings.hpp"
#include "kube/tls_setup.hpp"

namespace dr::kube {

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

namespace {

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
    entry = strings::trim(entry);
    if (entry.starts_with("DNS:")) names.dns.emplace_back(entry.substr(4));
    if (entry.starts_with("IP Address:")) names.ips.emplace_back(entry.substr(11));
  }
  return names;
}

// The names the server's certificate is valid for, for the message of a host mismatch only: a second
// handshake that verifies nothing, presents no client certificate and sends no request.
std::optional<CertificateNames> peer_certificate_names(const std::string& url, curl_slist* connect_to,
                                                       const std::string& proxy) {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return std::nullopt;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(easy, CURLOPT_PROXY, proxy.c_str());  // the request's way, or "" for direct
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
      if (line.starts_with(kSan)) *names = parse_subject_alt_names(line.substr(kSan.size()));
    }
  }
  curl_easy_cleanup(easy);
  return names;
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
    return "x509: certificate is valid for " + strings::join(names->ips, ", ") + ", not " + wanted;
  }
  if (names->dns.empty())
    return "x509: certificate is not valid for any names, but wanted to match " + wanted;
  return "x509: certificate is valid for " + strings::join(names->dns, ", ") + ", not " + wanted;
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
  // require_subject_alt_names refused a certificate that names its server in the CN only.
  if (has("application verification failure")) {
    if (is_ip_literal(host))
      return "x509: cannot validate certificate for " + std::string(host) +
             " because it doesn't contain any IP SANs";
    return "x509: certificate relies on legacy Common Name field, use SANs instead";
  }
  if (is_host_mismatch(detail)) return "x509: certificate is not valid for " + std::string(host);
  return std::string(detail);
}

}  // namespace

void apply_tls_options(CURL* easy, const TlsConfig& tls, const SystemRoots& roots,
                       const Credentials& credentials) {
  if (!tls.insecure_skip_verify) require_subject_alt_names(easy);
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!tls.ca_pem.empty()) {
    curl_blob ca{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
    // That authority alone, as client-go trusts it. The blob replaces libcurl's built-in CA file
    // but not its built-in CA directory (Debian's: /etc/ssl/certs), through which any authority
    // of the system's could otherwise vouch for the server and be sent its credentials.
    curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(easy, CURLOPT_CAINFO, nullptr);
  } else {
    if (!roots.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, roots.ca_file.c_str());
    if (!roots.ca_dirs.empty()) curl_easy_setopt(easy, CURLOPT_CAPATH, roots.ca_dirs.c_str());
  }
  const bool exec_cert = !credentials.client_cert_pem.empty() && !credentials.client_key_pem.empty();
  const std::string& cert = exec_cert ? credentials.client_cert_pem : tls.client_cert_pem;
  const std::string& key = exec_cert ? credentials.client_key_pem : tls.client_key_pem;
  if (cert.empty() || key.empty()) return;
  if (exec_cert) log::register_secret(key);
  curl_blob cert_blob{const_cast<char*>(cert.data()), cert.size(), CURL_BLOB_NOCOPY};
  curl_blob key_blob{const_cast<char*>(key.data()), key.size(), CURL_BLOB_NOCOPY};
  curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert_blob);
  curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key_blob);
  curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
}

std::string verification_failure_cause(std::string_view detail, std::string_view checked_name,
                                       const std::string& url, curl_slist* connect_to,
                                       const std::string& proxy) {
  if (is_host_mismatch(detail))
    return host_mismatch_cause(checked_name, peer_certificate_names(url, connect_to, proxy));
  return verification_cause(detail, checked_name);
}

}  // namespace dr::kube
