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

#include "dr/core/base64.hpp"
#include "dr/core/log.hpp"
#include "dr/core/strings.hpp"
#include "dr/version.hpp"
#include "kube/curl_failures.hpp"
#include "kube/http_status.hpp"
#include "kube/inflight_limit.hpp"
#include "kube/proxy_env.hpp"
#include "kube/retry.hpp"
#include "kube/server_address.hpp"
#include "kube/tls_setup.hpp"

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
    // The kubeconfig's proxy-url, else the environment's as Go reads it; from here on proxy_url is
    // the proxy in use ("" for none), for libcurl and for the messages that name it.
    if (config.proxy_url.empty()) {
      config.proxy_url =
          proxy_for(read_proxy_environment(&std::getenv), address.scheme, address.host, address.port);
    }
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

  // The limit bounds the whole request, its attempts and the waits between them, as client-go's
  // context does: what is left of it for this attempt (at least 1 ms: 0 means none to libcurl).
  std::chrono::milliseconds attempt_time_limit(const Transfer& transfer) const {
    const auto limit = timeout_of(transfer.request);
    if (limit.count() <= 0) return limit;
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - transfer.started);
    return std::max(std::chrono::milliseconds(1), limit - spent);
  }

  // A repeat after `delay` would still start within the request's limit.
  bool retry_fits(const Transfer& transfer, std::chrono::milliseconds delay) const {
    const auto limit = timeout_of(transfer.request);
    return limit.count() <= 0 || Clock::now() + delay < transfer.started + limit;
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
    if (line.starts_with("HTTP/")) {
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
      transfer->response.headers.emplace_back(strings::lower(strings::trim(line.substr(0, colon))),
                                              std::string(strings::trim(line.substr(colon + 1))));
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
  Result<void> prepare(Transfer& transfer) {
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
    if (auto timeout = attempt_time_limit(transfer); timeout.count() > 0) {
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    }
    // gzip only, as client-go asks: it is all kube-apiserver offers, and a server that also offers
    // brotli would spend far longer compressing a page of a list than sending it. Only for reads:
    // a write's answer is one object, which costs the server more to compress than to send.
    if (!config.disable_compression && request.method == "GET" && !request.on_chunk) {
      curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    }
    // Always set: "" stops libcurl from reading the environment by its own rules (proxy_env.hpp).
    curl_easy_setopt(easy, CURLOPT_PROXY, config.proxy_url.c_str());
    // A SOCKS5 proxy (proxy-url or HTTPS_PROXY) is offered no authentication or a user
    // name and password, as client-go offers it; libcurl would also offer GSS-API by default.
    curl_easy_setopt(easy, CURLOPT_SOCKS5_AUTH, static_cast<long>(CURLAUTH_BASIC));
    if (connect_to_list != nullptr) curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to_list);

    // TLS: verified unless the kubeconfig or a flag says otherwise.
    apply_tls_options(easy, config.tls, system_roots, creds);
    curl_slist* headers = nullptr;
    auto add_header = [&](const std::string& line) { headers = curl_slist_append(headers, line.c_str()); };
    bool has_accept = false;
    for (const auto& [name, value] : request.headers) {
      if (strings::lower(name) == "accept") has_accept = true;
      add_header(name + ": " + value);
    }
    if (!has_accept) add_header("Accept: application/json");
    if (!creds.bearer_token.empty()) {
      log::register_secret(creds.bearer_token);
      add_header("Authorization: Bearer " + creds.bearer_token);
    } else if (!creds.username.empty() || !creds.password.empty()) {
      log::register_secret(creds.password);
      std::string encoded = base64::encode(creds.username + ":" + creds.password);
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

  Error transport_error(CURLcode code, const Transfer& transfer) const {
    const FailedTransfer failed{
        config,
        address,
        display_base,
        host_port,
        system_roots,
        options.connect_timeout,
        timeout_of(transfer.request),
        transfer.request.timeout.count() >= 0,
        transfer.request.method + " " + display_base + transfer.request.path_and_query,
        transfer.easy,
        transfer.url,
        connect_to_list,
        transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code)};
    return describe_curl_failure(code, failed);
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
      std::string outcome = answered ? std::to_string(status) + " " + std::string(http_reason_phrase(status))
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
      error.unreachable = never_sent(code, transfer->easy);
      const Failure failure = failure_of(code, transfer->easy, transfer->error_buffer);
      release(*transfer);
      auto decision = decide_retry(
          RetryInput{transfer->attempt, 0, transfer->request.retry_safe && !transfer->streamed, failure, {}},
          options.retry, random);
      if (decision.retry && !transfer->streamed && !cancel_requested.load() &&
          retry_fits(*transfer, decision.delay)) {
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
    // A Retry-After beyond the request's limit returns the server's answer now rather than
    // waiting past --request-timeout.
    if (decision.retry && !transfer->streamed && !cancel_requested.load() &&
        retry_fits(*transfer, decision.delay)) {
      schedule_retry(std::move(transfer), decision.delay,
                     std::to_string(status) + " " + std::string(http_reason_phrase(status)));
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
