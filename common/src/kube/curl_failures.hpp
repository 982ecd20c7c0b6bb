// libcurl's result codes, as the transport's retry policy and messages need them: the one place that
// knows which codes mean what.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <string>
#include <string_view>

#include "dr/core/error.hpp"
#include "dr/kube/rest_config.hpp"
#include "dr/kube/tls.hpp"
#include "kube/retry.hpp"
#include "kube/server_address.hpp"

namespace dr::kube {

// Whether the request can have reached the server.
enum class Delivery {
  NeverSent,                 // no connection was made, or its TLS handshake never finished
  NeverSentUnlessConnected,  // a timeout: never sent when the connection was not ready yet
  MaybeSent,
};

struct CurlFailureKind {
  Failure retry = Failure::Final;  // for the retry policy
  Delivery delivery = Delivery::MaybeSent;
};

// Timeouts are Final: --request-timeout bounds the request, and repeating a connect to a
// black-holed address would multiply the wait. Name resolution failures are Final too: a mistyped
// server name should fail at once. CURLE_OK is Failure::None.
CurlFailureKind kind_of(CURLcode code);

// The retry policy's view of `code`.
inline Failure classify_failure(CURLcode code) {
  return kind_of(code).retry;
}

// The retry policy's view of a failed transfer, which may need more than the code: a connect that
// was refused (nothing listens: Failure::Refused) is told from others by the socket's errno, and a
// TLS "internal error" alert from the server's side of the handshake is worth another try.
Failure failure_of(CURLcode code, CURL* easy, std::string_view error_text);

// True when the request cannot have reached the server (Error::unreachable). `easy` is the failed
// handle, still holding its timings.
bool never_sent(CURLcode code, CURL* easy);

// What the transport knows about a transfer that got no HTTP answer, for its message.
struct FailedTransfer {
  const RestConfig& config;
  const ServerAddress& address;
  const std::string& display_base;  // the configured server, "https://10.0.0.1:6443"
  const std::string& host_port;     // "10.0.0.1:6443"
  const SystemRoots& system_roots;  // trusted when the kubeconfig names no CA
  std::chrono::milliseconds connect_timeout;
  std::chrono::milliseconds time_limit;  // the request's, 0 = none
  bool own_time_limit;                   // set by the request (a watch), not by --request-timeout
  std::string what;                      // "GET https://10.0.0.1:6443/api/v1/..."
  CURL* easy;
  const std::string& url;  // what libcurl fetched (tls-server-name as host)
  curl_slist* connect_to;
  std::string detail;  // libcurl's error text
};

// The Error for a failed transfer: a Config error for a scheme other than http(s), Timeout for
// timeouts, Transport for the rest.
Error describe_curl_failure(CURLcode code, const FailedTransfer& failed);

}  // namespace dr::kube
