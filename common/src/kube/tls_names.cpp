// Go's rule for the names in a server certificate, which libcurl does not follow: a certificate
// without a subjectAltName extension is refused, whatever its Common Name says (crypto/x509 ignores
// the CN since Go 1.15; libcurl falls back to it). Checked inside OpenSSL's chain verification, so
// a refused certificate fails the handshake's verification before any request, and any credential,
// is sent. The one file that speaks OpenSSL: libcurl is built on it (libcurl4-openssl-dev).
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "kube/tls_setup.hpp"

namespace dr::kube {

namespace {

int refuse_leaf_without_subject_alt_names(int preverified, X509_STORE_CTX* store) {
  if (preverified == 0 || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (leaf != nullptr && X509_get_ext_by_NID(leaf, NID_subject_alt_name, -1) < 0) {
    // libcurl reads this back (SSL_get_verify_result) and fails with its text, which
    // verification_failure_cause turns into Go's words.
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  return 1;
}

CURLcode install_subject_alt_name_check(CURL* /*easy*/, void* ssl_ctx, void* /*user*/) {
  auto* context = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_verify(context, SSL_CTX_get_verify_mode(context), &refuse_leaf_without_subject_alt_names);
  return CURLE_OK;
}

}  // namespace

void require_subject_alt_names(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &install_subject_alt_name_check);
}

}  // namespace dr::kube
