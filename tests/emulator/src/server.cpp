// The HTTP side of one emulated cluster: the listener, dispatch, content encoding, authentication
// and faults. See server.hpp; the inside is server_internal.hpp.
#include "server_internal.hpp"

namespace emu {

namespace {

// ---- TLS --------------------------------------------------------------------------------------------

X509* read_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

EVP_PKEY* read_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

// The verified client certificate's common name ("" when none was presented and verified).
std::string client_cert_user(const httplib::Request& req) {
  if (req.ssl == nullptr) return "";
  SSL* ssl = const_cast<SSL*>(req.ssl);
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return "";
  std::string user;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    char cn[256] = {0};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0) user = cn;
  }
  X509_free(cert);
  return user;
}

}  // namespace

std::unique_ptr<httplib::Server> ClusterServer::Impl::make_server() {
  std::unique_ptr<httplib::Server> s;
  if (options.tls) {
    const Pki& p = pki;
    s = std::make_unique<httplib::SSLServer>([&p](SSL_CTX& ctx) {
      X509* cert = read_cert(p.server_cert);
      EVP_PKEY* key = read_key(p.server_key);
      X509* ca = read_cert(p.ca_cert);
      bool ok = cert != nullptr && key != nullptr && ca != nullptr &&
                SSL_CTX_use_certificate(&ctx, cert) == 1 && SSL_CTX_use_PrivateKey(&ctx, key) == 1;
      if (ok) {
        X509_STORE_add_cert(SSL_CTX_get_cert_store(&ctx), ca);
        SSL_CTX_add_client_CA(&ctx, ca);
        // Ask for a client certificate and verify one when given; requests without one may
        // still authenticate with a bearer token (else 401), as kube-apiserver does.
        SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
        // Clients resume TLS sessions on their later connections (libcurl does), and
        // kube-apiserver's crypto/tls takes them. With peer verification on, OpenSSL refuses a
        // resumption with an "internal error" alert unless the sessions have a context.
        static constexpr unsigned char kSessionContext[] = "kube-emulator";
        ok = SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1) == 1;
        // Go's crypto/tls sends one TLS 1.3 session ticket per connection; OpenSSL's default is two,
        // each costing the server a copy of the session with the client's certificate decoded again.
        ok = ok && SSL_CTX_set_num_tickets(&ctx, 1) == 1;
      }
      if (cert != nullptr) X509_free(cert);
      if (key != nullptr) EVP_PKEY_free(key);
      if (ca != nullptr) X509_free(ca);
      return ok;
    });
  } else {
    s = std::make_unique<httplib::Server>();
  }
  std::size_t threads = options.threads;
  s->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Go's net package (so kube-apiserver) disables Nagle on every connection; without this, a
  // response written in two parts waits for the client's delayed ACK (40 ms) on reused connections.
  s->set_tcp_nodelay(true);
  // cpp-httplib (Debian's compiled 0.11) listens with a backlog of 5; Go's net.Listen, so
  // kube-apiserver, uses the kernel's somaxconn. With 5, a client opening its connection pool at
  // once has SYNs dropped and waits out the 1 s SYN retransmit. The socket is remembered here and
  // listened on again with the full backlog once bound (Linux updates a listening socket's backlog).
  s->set_socket_options([this](int sock) {
    httplib::default_socket_options(sock);
    listen_socket = sock;
  });
  s->set_keep_alive_max_count(1'000'000);
  s->set_keep_alive_timeout(90);
  s->set_read_timeout(60);
  s->set_write_timeout(60);
  s->set_payload_max_length(64 * 1024 * 1024);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
  s->Get(".*", handler);
  s->Post(".*", handler);
  s->Put(".*", handler);
  s->Patch(".*", handler);
  s->Delete(".*", handler);
  s->Options(".*", handler);
  return s;
}

bool ClusterServer::Impl::listen(int wanted, std::string& error) {
  std::lock_guard lock(server_mutex);
  listen_socket = -1;
  server = make_server();
  if (!server->is_valid()) {
    error = "could not set up the TLS context";
    return false;
  }
  int bound = wanted == 0 ? server->bind_to_any_port("127.0.0.1")
                          : (server->bind_to_port("127.0.0.1", wanted) ? wanted : -1);
  if (bound <= 0) {
    error = "could not bind 127.0.0.1:" + std::to_string(wanted);
    return false;
  }
  if (listen_socket >= 0 && ::listen(listen_socket, SOMAXCONN) != 0) {
    error = std::string("could not widen the listen backlog: ") + std::strerror(errno);
    return false;
  }
  port = bound;
  httplib::Server* s = server.get();
  thread = std::thread([s] { s->listen_after_bind(); });
  running = true;
  return true;
}

void ClusterServer::Impl::close_listener() {
  std::unique_ptr<httplib::Server> s;
  std::thread t;
  {
    std::lock_guard lock(server_mutex);
    if (!running) return;
    running = false;
    s = std::move(server);
    t = std::move(thread);
  }
  stopping = true;  // ends watches so the worker threads can finish
  s->stop();
  if (t.joinable()) t.join();
  stopping = false;
}

void ClusterServer::Impl::set_down(bool down) {
  if (down) {
    close_listener();
  } else {
    std::string error;
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (listen(port, error)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::cerr << "kube-emulator: " << cluster.name() << ": " << error << "\n";
  }
}

void ClusterServer::Impl::dispatch(const httplib::Request& req, httplib::Response& res) {
  auto started = Clock::now();
  stats.begin();
  std::string verb = "other", resource;
  try {
    std::string user = authenticate(req);
    if (req.path.rfind("/emulator/", 0) == 0 || req.path == "/emulator") {
      verb = "admin";
      admin(req, res);
    } else {
      api(req, res, user, verb, resource);
    }
  } catch (const StatusError& e) {
    write_status(res, e);
  } catch (const std::exception& e) {
    write_status(res, errors::internal(e.what()));
  }
  encode_like_kube_apiserver(req, res);
  stats.end(verb, resource, res.status);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  log.add(req.method, req.path, query_string(req), res.status, ms, req.get_header_value("User-Agent"));
}

// kube-apiserver gzips an answer only when the client accepts gzip and the answer is over 128 KiB,
// at level 1 (k8s.io/apiserver responsewriters), and offers no other encoding. cpp-httplib would
// compress every JSON answer, at zlib's default level, with brotli when offered: it decides from
// the request's Accept-Encoding after this handler, so the emulator takes that header out and
// compresses by itself.
void ClusterServer::Impl::encode_like_kube_apiserver(const httplib::Request& req, httplib::Response& res) {
  constexpr std::size_t kGzipThreshold = 128 * 1024;
  const std::string accepted = req.get_header_value("Accept-Encoding");
  // The request object is cpp-httplib's own, not const; only this handler's view of it is.
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  if (!accepts_gzip(accepted) || res.body.size() <= kGzipThreshold || res.has_header("Content-Encoding"))
    return;
  if (res.get_header_value("Content-Type").rfind("application/json", 0) != 0) return;
  std::string compressed;
  if (!gzip_fast(res.body, compressed)) return;
  res.body.swap(compressed);
  res.set_header("Content-Encoding", "gzip");
  res.set_header("Vary", "Accept-Encoding");
}

// "gzip" among the codings the client accepts, and not with q=0.
bool ClusterServer::Impl::accepts_gzip(const std::string& accepted) {
  std::size_t at = 0;
  while (at < accepted.size()) {
    std::size_t end = accepted.find(',', at);
    if (end == std::string::npos) end = accepted.size();
    std::string item;
    for (char c : accepted.substr(at, end - at)) {
      if (c != ' ' && c != '\t') item += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    at = end + 1;
    const std::size_t params = item.find(';');
    if (item.substr(0, params) != "gzip") continue;
    const std::size_t q = item.find(";q=", params == std::string::npos ? item.size() : params);
    return q == std::string::npos || std::strtod(item.c_str() + q + 3, nullptr) > 0;
  }
  return false;
}

bool ClusterServer::Impl::gzip_fast(const std::string& in, std::string& out) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer, not raw zlib.
  if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out.resize(deflateBound(&stream, static_cast<uLong>(in.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.avail_in = static_cast<uInt>(in.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END;
}

std::string ClusterServer::Impl::authenticate(const httplib::Request& req) {
  std::string user = client_cert_user(req);
  if (!user.empty()) return user;
  std::string auth = req.get_header_value("Authorization");
  if (!options.token.empty()) {
    if (auth == "Bearer " + options.token) return "admin";
    throw errors::unauthorized();
  }
  if (!options.tls) return "admin";  // plain HTTP without a token: no authentication
  throw errors::unauthorized();
}

void ClusterServer::Impl::inject(const std::string& verb, httplib::Response& res, bool& drop) {
  FaultConfig c = faults.get();
  if (c.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(c.latency_ms));
  int code = 0, retry_after = 0;
  switch (faults.draw(verb, code, retry_after)) {
    case Faults::Action::None:
      return;
    case Faults::Action::Error:
      if (code == 503)
        throw errors::service_unavailable("the server is currently unable to handle the request");
      if (code == 504) {
        StatusError e(504, "Timeout", "Timeout: request did not complete within the allotted timeout");
        throw e;
      }
      {
        StatusError e(code, code >= 500 ? "InternalError" : "BadRequest",
                      code >= 500 ? "Internal error occurred: injected fault" : "injected fault");
        e.causes.push_back({"", "injected fault", ""});
        throw e;
      }
    case Faults::Action::Throttle:
      // API Priority and Fairness answers in plain text.
      res.status = 429;
      res.set_header("Retry-After", std::to_string(retry_after));
      res.set_content("Too many requests, please try again later.\n", "text/plain; charset=utf-8");
      throw ThrottleDone{};
    case Faults::Action::Drop:
      drop = true;
      return;
  }
}

// Replaces a response body with one that stops half-way and closes the connection.
void ClusterServer::Impl::make_dropping(httplib::Response& res) {
  auto body = std::make_shared<std::string>(res.body);
  res.body.clear();
  std::size_t length = body->size();
  res.set_content_provider(length, "application/json; charset=utf-8",
                           [body](size_t offset, size_t, httplib::DataSink& sink) {
                             if (offset == 0) sink.write(body->data(), body->size() / 2);
                             return false;  // abort: the client sees a truncated response
                           });
}

ClusterServer::ClusterServer(EmulatedCluster& cluster, const Pki& pki, ServerOptions options)
    : impl_(std::make_unique<Impl>(*this, cluster, pki, std::move(options))) {
  Impl* impl = impl_.get();
  cluster.on_down_change = [impl](bool down) { impl->set_down(down); };
}

ClusterServer::~ClusterServer() {
  stop();
}

bool ClusterServer::start(int port, std::string& error) {
  return impl_->listen(port, error);
}

void ClusterServer::stop() {
  impl_->cluster.on_down_change = nullptr;
  impl_->close_listener();
  impl_->log.flush();
}

int ClusterServer::port() const {
  return impl_->port;
}

std::string ClusterServer::url() const {
  return std::string(impl_->options.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port);
}

}  // namespace emu
