// Which certificate authorities the transport trusts when the kubeconfig names none.
#pragma once

#include <string>
#include <vector>

namespace dr::kube {

// Where the system's trusted CAs are, found as Go's crypto/x509 (so client-go) finds them on Linux:
// $SSL_CERT_FILE, else the first of the distributions' bundle files that exists; and
// $SSL_CERT_DIR's directories (colon-separated, as OpenSSL reads them). Used when the kubeconfig
// names no certificate-authority; empty fields leave libcurl's built-in default.
struct SystemRoots {
  std::string ca_file;
  std::string ca_dirs;
};
SystemRoots find_system_roots(const char* ssl_cert_file, const char* ssl_cert_dir,
                              const std::vector<std::string>& bundle_candidates);
// The bundle files Go looks for, in its order.
const std::vector<std::string>& go_bundle_candidates();

}  // namespace dr::kube
