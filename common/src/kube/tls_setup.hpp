// The transport's TLS on a libcurl handle: which authorities are trusted, which client certificate
// is presented, and how a failed verification is explained (in Go's x509 words, as kubectl does).
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "dr/kube/auth.hpp"
#include "dr/kube/rest_config.hpp"
#include "dr/kube/tls.hpp"

namespace dr::kube {

// Sets verification, trusted authorities and the client certificate on `easy`. libcurl keeps
// pointers into `tls`, `roots` and `credentials` until the transfer ends. An exec plugin's client
// certificate (in `credentials`) replaces the kubeconfig's.
void apply_tls_options(CURL* easy, const TlsConfig& tls, const SystemRoots& roots,
                       const Credentials& credentials);

// Makes verification refuse a server certificate without subjectAltNames, as Go does (tls_names.cpp).
void require_subject_alt_names(CURL* easy);

// Why the server's certificate was refused, as Go's x509 package words it: "x509: certificate signed
// by unknown authority", "x509: certificate is valid for a, b, not c". `detail` is libcurl's message;
// for a name mismatch a second, unverified handshake with `url` (through `connect_to`, and through
// `proxy` as the request went, "" for none) reads the names the certificate is valid for.
std::string verification_failure_cause(std::string_view detail, std::string_view checked_name,
                                       const std::string& url, curl_slist* connect_to,
                                       const std::string& proxy);

}  // namespace dr::kube
