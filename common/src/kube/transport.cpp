#include "dr/kube/transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>

#include "dr/log.hpp"
#include "dr/version.hpp"
#include "kube/retry.hpp"

namespace dr::kube {

std::string_view HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::string default_user_agent() { return "kubectl-dr/" + dr::version() + " (" + dr::platform() + ")"; }

namespace {

void global_curl_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// scheme://host:port of the configured server, for messages and CONNECT_TO.
struct ServerAddress {
  std::string scheme;
  std::string host;
  std::string port;
  std::string base_path;
};

ServerAddress parse_server(std::string_view server) {
  ServerAddress address;
  auto scheme_end = server.find("://");
  std::string_view rest = server;
  if (scheme_end != std::string_view::npos) {
    address.scheme = std::string(server.substr(0, scheme_end));
    rest = server.substr(scheme_end + 3);
  } else {
    address.scheme = "https";
  }
  auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) address.base_path = std::string(rest.substr(path_start));
  while (!address.base_path.empty() && address.base_path.back() == '/') address.base_path.pop_back();
  if (!authority.empty() && authority.front() == '[') {  // [::1]:6443
    auto close = authority.find(']');
    address.host = std::string(authority.substr(0, close + 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
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

std::string status_text(long status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

}  // namespace

struct Transport::Impl {
  struct Transfer {
    HttpRequest request;
    Completion done;
    CURL* easy = nullptr;
    curl_slist* header_list = nullptr;
    HttpResponse response;
    int attempt = 1;
    bool auth_retried = false;
    bool stopped_by_handler = false;
    std::chrono::steady_clock::time_point started;
    char error_buffer[CURL_ERROR_SIZE] = {};
    Credentials credentials;  // kept alive while libcurl holds pointers into it
  };
  using TransferPtr = std::unique_ptr<Transfer>;

  RestConfig config;
  std::shared_ptr<AuthProvider> auth;
  TransportOptions options;
  ServerAddress address;
  std::string connect_to;  // tls-server-name: resolve the name to the real address
  CURLM* multi = nullptr;
  curl_slist* connect_to_list = nullptr;
  std::vector<CURL*> idle;
  std::deque<TransferPtr> queue;
  std::multimap<std::chrono::steady_clock::time_point, TransferPtr> delayed;
  std::map<CURL*, TransferPtr> active;
  std::atomic<bool> cancel_requested{false};
  TransportStats stats;
  std::mt19937 random{std::random_device{}()};
  bool running = false;

  Impl(RestConfig rest_config, std::shared_ptr<AuthProvider> provider, TransportOptions transport_options)
      : config(std::move(rest_config)), auth(std::move(provider)), options(std::move(transport_options)) {
    global_curl_init();
    if (options.user_agent.empty()) options.user_agent = default_user_agent();
    if (options.max_inflight == 0) options.max_inflight = 1;
    address = parse_server(config.server);
    if (!config.tls.server_name.empty()) {
      connect_to = config.tls.server_name + ":" + address.port + ":" + address.host + ":" + address.port;
      connect_to_list = curl_slist_append(nullptr, connect_to.c_str());
    }
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
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

  std::string url_for(const HttpRequest& request) const {
    const std::string& host = config.tls.server_name.empty() ? address.host : config.tls.server_name;
    return address.scheme + "://" + host + ":" + address.port + address.base_path + request.path_and_query;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    std::size_t bytes = size * count;
    if (transfer->request.on_chunk) {
      long status = 0;
      curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 200 && status < 300) {
        if (!transfer->request.on_chunk(std::string_view(data, bytes))) {
          transfer->stopped_by_handler = true;
          return 0;  // aborts the transfer: CURLE_WRITE_ERROR, treated as a clean stop
        }
        return bytes;
      }
    }
    transfer->response.body.append(data, bytes);
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    std::size_t bytes = size * count;
    std::string_view line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
      transfer->response.headers.clear();  // a new response (after a 100 Continue or redirect)
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
      curl_easy_reset(easy);
      return easy;
    }
    return curl_easy_init();
  }

  // Builds the easy handle for one attempt. Errors here (credentials) complete the transfer.
  Status prepare(Transfer& transfer) {
    Credentials credentials;
    if (auth) {
      auto current = auth->current();
      if (!current) return std::move(current).error();
      credentials = std::move(current).value();
    }
    transfer.credentials = std::move(credentials);
    const auto& creds = transfer.credentials;

    CURL* easy = take_handle();
    transfer.easy = easy;
    transfer.response = HttpResponse{};
    transfer.stopped_by_handler = false;
    transfer.error_buffer[0] = '\0';
    const HttpRequest& request = transfer.request;

    std::string url = url_for(request);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error_buffer);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Waiting to multiplex only pays off where HTTP/2 can be negotiated (TLS with ALPN).
    if (address.scheme == "https") curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    auto timeout = request.timeout.count() >= 0 ? request.timeout : config.request_timeout;
    if (timeout.count() > 0) curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    if (!config.disable_compression) curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    if (!config.proxy_url.empty()) curl_easy_setopt(easy, CURLOPT_PROXY, config.proxy_url.c_str());
    if (connect_to_list != nullptr) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to_list);

    // TLS: verified unless the kubeconfig or a flag says otherwise.
    if (config.tls.insecure_skip_verify) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!config.tls.ca_pem.empty()) {
      curl_blob ca{const_cast<char*>(config.tls.ca_pem.data()), config.tls.ca_pem.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
    }
    const std::string& cert = creds.client_cert_pem.empty() ? config.tls.client_cert_pem : creds.client_cert_pem;
    const std::string& key = creds.client_key_pem.empty() ? config.tls.client_key_pem : creds.client_key_pem;
    if (!cert.empty() && !key.empty()) {
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
    } else if (!creds.username.empty()) {
      log::register_secret(creds.password);
      curl_easy_setopt(easy, CURLOPT_USERNAME, creds.username.c_str());
      curl_easy_setopt(easy, CURLOPT_PASSWORD, creds.password.c_str());
    }
    if (!config.impersonate_user.empty()) add_header("Impersonate-User: " + config.impersonate_user);
    for (const auto& group : config.impersonate_groups) add_header("Impersonate-Group: " + group);
    if (!config.impersonate_uid.empty()) add_header("Impersonate-Uid: " + config.impersonate_uid);
    add_header("Expect:");  // no 100-continue round trip for large bodies
    transfer.header_list = headers;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);

    if (request.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
          request.method == "PATCH") {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      }
    }

    if (log::enabled(7)) {
      std::string dump = "Request Headers:";
      for (curl_slist* h = headers; h != nullptr; h = h->next) dump += std::string("\n    ") + h->data;
      log::line(7, dump);
    }
    if (log::enabled(8) && !request.body.empty()) {
      log::line(8, "Request Body: " + request.body.substr(0, 10240));
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
    if (transfer->attempt == 1 && !transfer->auth_retried) transfer->started = std::chrono::steady_clock::now();
    if (auto prepared = prepare(*transfer); !prepared) {
      release(*transfer);
      finish(std::move(transfer), std::move(prepared).error());
      return;
    }
    CURL* easy = transfer->easy;
    ++stats.requests;
    curl_multi_add_handle(multi, easy);
    active.emplace(easy, std::move(transfer));
    stats.max_inflight_seen = std::max(stats.max_inflight_seen, active.size());
  }

  void finish(TransferPtr transfer, Result<HttpResponse> result) {
    if (transfer->done) transfer->done(std::move(result));
  }

  Error transport_error(CURLcode code, const Transfer& transfer) const {
    const std::string host_port = address.host + ":" + address.port;
    std::string detail = transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
    switch (code) {
      case CURLE_COULDNT_CONNECT:
        return Error::make(ErrorCode::Transport, "The connection to the server " + host_port +
                                                     " was refused - did you specify the right host or port?");
      case CURLE_COULDNT_RESOLVE_HOST:
        return Error::make(ErrorCode::Transport,
                           "Unable to connect to the server: dial tcp: lookup " + address.host + ": no such host");
      case CURLE_COULDNT_RESOLVE_PROXY:
        return Error::make(ErrorCode::Transport, "Unable to connect to the proxy " + config.proxy_url + ": " + detail);
      case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
      case CURLE_SSL_CACERT:
#endif
      {
        std::string ca = config.tls.ca_source.empty() ? "the system trust store" : config.tls.ca_source;
        return Error::make(ErrorCode::Transport, "Unable to connect to the server: tls: failed to verify certificate: " +
                                                     detail + " (certificate authority from " + ca + ")");
      }
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_SSL_CERTPROBLEM:
        return Error::make(ErrorCode::Transport, "Unable to connect to the server: TLS handshake with " + host_port +
                                                     " failed: " + detail);
      case CURLE_OPERATION_TIMEDOUT: {
        auto timeout = transfer.request.timeout.count() >= 0 ? transfer.request.timeout : config.request_timeout;
        std::string limit = timeout.count() > 0 ? std::to_string(timeout.count()) + "ms" : "the connect timeout";
        return Error::make(ErrorCode::Timeout, "Unable to connect to the server " + host_port +
                                                   ": request timed out after " + limit +
                                                   " (raise it with --request-timeout)");
      }
      default:
        return Error::make(ErrorCode::Transport, "the connection to " + host_port + " failed: " + detail);
    }
  }

  void schedule_retry(TransferPtr transfer, std::chrono::milliseconds delay) {
    ++stats.retries;
    ++transfer->attempt;
    log::line(6, transfer->request.method + " " + url_for(transfer->request) + " retrying in " +
                     std::to_string(delay.count()) + "ms (attempt " + std::to_string(transfer->attempt) + ")");
    delayed.emplace(std::chrono::steady_clock::now() + delay, std::move(transfer));
  }

  void complete(CURL* easy, CURLcode code) {
    auto it = active.find(easy);
    if (it == active.end()) return;
    TransferPtr transfer = std::move(it->second);
    active.erase(it);
    curl_multi_remove_handle(multi, easy);

    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    stats.connections += static_cast<std::uint64_t>(connects);
    release(*transfer);

    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                         transfer->started);
    transfer->response.status = status;
    transfer->response.elapsed = elapsed;
    transfer->response.attempts = transfer->attempt;
    const bool clean_stop = transfer->stopped_by_handler && code == CURLE_WRITE_ERROR;
    if (log::enabled(6)) {
      std::string outcome = (code == CURLE_OK || clean_stop) ? std::to_string(status) + " " + status_text(status)
                                                             : std::string("failed: ") + curl_easy_strerror(code);
      log::line(6, transfer->request.method + " " + url_for(transfer->request) + " " + outcome + " in " +
                       std::to_string(elapsed.count()) + " milliseconds");
    }
    if (log::enabled(8) && !transfer->response.body.empty()) {
      log::line(8, "Response Body: " + transfer->response.body.substr(0, 10240));
    }

    if (code != CURLE_OK && !clean_stop) {
      auto decision = decide_retry(RetryInput{transfer->attempt, 0, transfer->request.retry_safe,
                                              is_connect_failure(code), true, {}},
                                   options.retry, random);
      if (decision.retry && !cancel_requested.load()) {
        schedule_retry(std::move(transfer), decision.delay);
        return;
      }
      auto error = transport_error(code, *transfer);
      finish(std::move(transfer), std::move(error));
      return;
    }

    if (status == 401 && auth && !transfer->auth_retried && auth->invalidate()) {
      transfer->auth_retried = true;
      queue.push_front(std::move(transfer));
      return;
    }
    auto decision = decide_retry(RetryInput{transfer->attempt, status, transfer->request.retry_safe, false, false,
                                            transfer->response.header("retry-after")},
                                 options.retry, random);
    if (decision.retry && !cancel_requested.load()) {
      schedule_retry(std::move(transfer), decision.delay);
      return;
    }
    HttpResponse response = std::move(transfer->response);
    finish(std::move(transfer), std::move(response));
  }

  void abandon_all() {
    auto cancelled = [] { return Error::make(ErrorCode::Cancelled, "interrupted"); };
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
    for (auto& transfer : abandoned) finish(std::move(transfer), cancelled());
  }

  void run() {
    running = true;
    while (true) {
      if (cancel_requested.load()) {
        abandon_all();
        break;
      }
      auto now = std::chrono::steady_clock::now();
      while (!delayed.empty() && delayed.begin()->first <= now) {
        queue.push_back(std::move(delayed.begin()->second));
        delayed.erase(delayed.begin());
      }
      while (!queue.empty() && active.size() < options.max_inflight) {
        TransferPtr transfer = std::move(queue.front());
        queue.pop_front();
        start(std::move(transfer));
      }
      if (active.empty() && queue.empty() && delayed.empty()) break;

      int still_running = 0;
      curl_multi_perform(multi, &still_running);
      while (true) {
        int pending = 0;
        CURLMsg* message = curl_multi_info_read(multi, &pending);
        if (message == nullptr) break;
        if (message->msg == CURLMSG_DONE) complete(message->easy_handle, message->data.result);
      }
      if (!queue.empty() && active.size() < options.max_inflight) continue;
      if (active.empty() && queue.empty() && delayed.empty()) break;

      int wait_ms = 1000;
      if (!delayed.empty()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(delayed.begin()->first -
                                                                           std::chrono::steady_clock::now());
        wait_ms = static_cast<int>(std::clamp<long long>(until.count(), 0, 1000));
      }
      if (wait_ms > 0) curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
    running = false;
  }
};

Transport::Transport(RestConfig config, std::shared_ptr<AuthProvider> auth, TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(auth), std::move(options))) {}

Transport::~Transport() = default;

void Transport::submit(HttpRequest request, Completion done) {
  auto transfer = std::make_unique<Impl::Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  impl_->queue.push_back(std::move(transfer));
}

void Transport::run() {
  // A completion that calls perform() would re-enter the loop: it just keeps driving the same
  // queue, so the nested call returns once everything queued so far is done.
  impl_->run();
}

Result<HttpResponse> Transport::perform(HttpRequest request) {
  std::optional<Result<HttpResponse>> outcome;
  submit(std::move(request), [&outcome](Result<HttpResponse> result) { outcome.emplace(std::move(result)); });
  impl_->run();
  if (!outcome) return Error::make(ErrorCode::Cancelled, "interrupted");
  return std::move(*outcome);
}

void Transport::cancel() {
  impl_->cancel_requested.store(true);
  curl_multi_wakeup(impl_->multi);
}

bool Transport::cancelled() const { return impl_->cancel_requested.load(); }

TransportStats Transport::stats() const { return impl_->stats; }

const RestConfig& Transport::config() const { return impl_->config; }

}  // namespace dr::kube
