#include "kube/curl_failures.hpp"

#include <cerrno>
#include <cstring>

#include "dr/core/duration.hpp"
#include "kube/tls_setup.hpp"

namespace dr::kube {

namespace {

struct CurlFailureRow {
  CURLcode code;
  CurlFailureKind kind;
};

constexpr CurlFailureRow kCurlFailures[] = {
    {CURLE_OK, {Failure::None, Delivery::MaybeSent}},
    {CURLE_COULDNT_CONNECT, {Failure::Connect, Delivery::NeverSent}},
    // A handshake that broke off (a reset, an alert from a busy server) came before any byte of the
    // request: repeating cannot apply anything twice. A certificate that fails verification is
    // CURLE_PEER_FAILED_VERIFICATION instead, and stays final.
    {CURLE_SSL_CONNECT_ERROR, {Failure::Connect, Delivery::NeverSent}},
    {CURLE_COULDNT_RESOLVE_HOST, {Failure::Final, Delivery::NeverSent}},
    {CURLE_COULDNT_RESOLVE_PROXY, {Failure::Final, Delivery::NeverSent}},
    {CURLE_PEER_FAILED_VERIFICATION, {Failure::Final, Delivery::NeverSent}},
    {CURLE_OPERATION_TIMEDOUT, {Failure::Final, Delivery::NeverSentUnlessConnected}},
    // The connection broke after the request may have been sent.
    {CURLE_SEND_ERROR, {Failure::AfterSend, Delivery::MaybeSent}},
    {CURLE_RECV_ERROR, {Failure::AfterSend, Delivery::MaybeSent}},
    {CURLE_GOT_NOTHING, {Failure::AfterSend, Delivery::MaybeSent}},
    {CURLE_PARTIAL_FILE, {Failure::AfterSend, Delivery::MaybeSent}},
    {CURLE_HTTP2, {Failure::AfterSend, Delivery::MaybeSent}},
    {CURLE_HTTP2_STREAM, {Failure::AfterSend, Delivery::MaybeSent}},
};

}  // namespace

CurlFailureKind kind_of(CURLcode code) {
  for (const auto& row : kCurlFailures) {
    if (row.code == code) return row.kind;
  }
  return {Failure::Final, Delivery::MaybeSent};
}

Failure failure_of(CURLcode code, CURL* easy, std::string_view error_text) {
  if (code == CURLE_COULDNT_CONNECT) {
    long os_error = 0;
    if (easy != nullptr) curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_error);
    if (os_error == ECONNREFUSED) return Failure::Refused;
  }
  // A TLS "internal error" alert is the server failing its own side of the handshake (an OpenSSL
  // server that checks client certificates does this to a resumed session when it was set up
  // without a session context): no request was sent, so trying again is as safe as after a broken
  // connect.
  if (code == CURLE_SSL_CONNECT_ERROR && error_text.find("internal error") != std::string_view::npos) {
    return Failure::Connect;
  }
  return kind_of(code).retry;
}

bool never_sent(CURLcode code, CURL* easy) {
  switch (kind_of(code).delivery) {
    case Delivery::NeverSent:
      return true;
    case Delivery::NeverSentUnlessConnected: {
      // Pre-transfer time stays 0 until the connection (TLS included) is ready to send on.
      curl_off_t ready_after = 0;
      if (easy != nullptr) curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &ready_after);
      return ready_after == 0;
    }
    case Delivery::MaybeSent:
      return false;
  }
  return false;
}

// The messages follow kubectl's (client-go's) where it has one, so that users recognise them.
Error describe_curl_failure(CURLcode code, const FailedTransfer& failed) {
  std::string detail = failed.detail;
  const std::string& what = failed.what;
  auto transport = [](std::string message) { return Error::make(ErrorCode::Transport, std::move(message)); };
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:  // client-go's wording; only http and https are allowed
      return Error::make(ErrorCode::Config, "unsupported protocol scheme \"" + failed.address.scheme +
                                                "\" in the server address " + failed.display_base +
                                                " (use https://HOST:PORT)");
    case CURLE_COULDNT_CONNECT: {
      if (!failed.config.proxy_url.empty()) {
        return transport("Unable to connect to the server: proxyconnect tcp: " +
                         without_userinfo(failed.config.proxy_url) + ": " + detail);
      }
      long os_error = 0;
      if (failed.easy != nullptr) curl_easy_getinfo(failed.easy, CURLINFO_OS_ERRNO, &os_error);
      if (os_error == ECONNREFUSED || detail.find("refused") != std::string::npos) {
        return transport("The connection to the server " + failed.host_port +
                         " was refused - did you specify the right host or port?");
      }
      if (os_error != 0) detail = std::strerror(static_cast<int>(os_error));
      return transport("Unable to connect to the server: dial tcp " + failed.host_port + ": " + detail);
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return transport("Unable to connect to the server: dial tcp: lookup " + failed.address.host +
                       ": no such host");
    case CURLE_COULDNT_RESOLVE_PROXY:
      return transport("Unable to connect to the server: proxyconnect tcp: lookup of the proxy " +
                       without_userinfo(failed.config.proxy_url) + " failed: no such host");
    case CURLE_PEER_FAILED_VERIFICATION: {
      const std::string& checked_name =
          failed.config.tls.server_name.empty() ? failed.address.host : failed.config.tls.server_name;
      std::string ca =
          failed.config.tls.ca_pem.empty()
              ? "the system trust store" +
                    (failed.system_roots.ca_file.empty() ? std::string() : " " + failed.system_roots.ca_file)
              : "certificate-authority from " + (failed.config.tls.ca_source.empty()
                                                     ? std::string("the kubeconfig")
                                                     : failed.config.tls.ca_source);
      const std::string cause = verification_failure_cause(detail, checked_name, failed.url,
                                                           failed.connect_to, failed.config.proxy_url);
      std::string message =
          "Unable to connect to the server: tls: failed to verify certificate: " + cause + " (" + ca;
      if (!failed.config.tls.server_name.empty())
        message += "; tls-server-name " + failed.config.tls.server_name;
      return transport(message + ")");
    }
    case CURLE_SSL_CACERT_BADFILE:
      return transport(
          "unable to load the certificate-authority" +
          (failed.config.tls.ca_source.empty() ? std::string() : " from " + failed.config.tls.ca_source) +
          ": " + detail);
    case CURLE_SSL_CERTPROBLEM:
      return transport("unable to use the client certificate and key: " + detail);
    case CURLE_SSL_CONNECT_ERROR:
      return transport("Unable to connect to the server: TLS handshake with " + failed.host_port +
                       " failed: " + detail);
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connected_after = 0;
      if (failed.easy != nullptr) curl_easy_getinfo(failed.easy, CURLINFO_CONNECT_TIME_T, &connected_after);
      const auto limit = failed.time_limit;
      if (connected_after == 0 && (limit.count() == 0 || failed.connect_timeout < limit)) {
        return Error::make(ErrorCode::Timeout, "Unable to connect to the server: dial tcp " +
                                                   failed.host_port + ": i/o timeout (no connection within " +
                                                   format_go_duration(failed.connect_timeout) + ")");
      }
      std::string bound = failed.own_time_limit ? "its time limit of " + format_go_duration(limit)
                                                : "--request-timeout=" + format_go_duration(limit);
      return Error::make(ErrorCode::Timeout, what +
                                                 ": context deadline exceeded (Client.Timeout exceeded: no "
                                                 "complete answer within " +
                                                 bound + ")");
    }
    case CURLE_PROXY:  // the proxy was reached but would not open the tunnel (CONNECT answered non-2xx)
      return transport("Unable to connect to the server " + failed.host_port + " through the proxy " +
                       without_userinfo(failed.config.proxy_url) + ": " + detail);
    case CURLE_BAD_CONTENT_ENCODING:
      // The server answered: its body is this request's problem, not a connection's, and other
      // requests to the same server go on.
      return Error::make(ErrorCode::Decode,
                         "the server's answer to " + what + " could not be decompressed: " + detail);
    default:
      if (kind_of(code).retry == Failure::AfterSend) {
        return transport("the connection to the server " + failed.host_port + " broke during " + what + ": " +
                         detail);
      }
      return transport("Unable to connect to the server " + failed.host_port + ": " + detail);
  }
}

}  // namespace dr::kube
